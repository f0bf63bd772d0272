// Read-only SQL over isv.customers for the flows: the business data a registration submits to Twilio.
import type { Db } from '../platform/db/db.ts';
import { one } from '../platform/db/db.ts';

export interface CustomerData {
  id: string;
  legal_name: string;
  display_name: string | null;
  business_type: 'sole_proprietor' | 'llc' | 'corporation' | 'partnership' | 'non_profit' | 'government';
  ein: string | null;
  industry: string;
  website: string;
  regions_of_operation: string[];
  address: { street: string; city: string; region: string; postalCode: string; country: string; street2?: string };
  contact: { firstName: string; lastName: string; email: string; phone: string; jobTitle?: string; jobPosition?: string };
  /** `byoa`: the customer sends through its own connected Twilio account. */
  twilio_mode: 'subaccount' | 'byoa';
}

export async function findCustomerData(db: Db, id: string): Promise<CustomerData | undefined> {
  return one(
    db.query<CustomerData>(
      `SELECT id, legal_name, display_name, business_type, ein, industry, website, regions_of_operation, address, contact, twilio_mode
         FROM isv.customers WHERE id = $1`,
      [id],
    ),
  );
}
