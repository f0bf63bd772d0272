// Rows the Twilio boundary tests need: a customer to own a subaccount (the customers feature owns the real flow).
import { randomBytes } from 'node:crypto';
import type { Db } from '../../server/platform/db/db.ts';

export async function insertCustomerRow(db: Db, legalName = `Acme ${randomBytes(3).toString('hex')} LLC`): Promise<string> {
  const rows = await db.query<{ id: string }>(
    `INSERT INTO isv.customers (legal_name, business_type, ein, industry, website, address, contact)
     VALUES ($1, 'llc', '12-3456789', 'TECHNOLOGY', 'https://acme.example.com', $2, $3) RETURNING id`,
    [
      legalName,
      JSON.stringify({ street: '1 Main St', city: 'San Francisco', region: 'CA', postalCode: '94105', country: 'US' }),
      JSON.stringify({ firstName: 'Ada', lastName: 'Lovelace', email: 'ada@acme.example.com', phone: '+14155550100' }),
    ],
  );
  return rows[0]!.id;
}

export const fakeSid = (prefix: string) => `${prefix}${randomBytes(16).toString('hex')}`;
