// A valid customer body for tests, with per-call overrides.
import type { CreateCustomerInput } from '../../shared/customers.ts';

export function customerBody(overrides: Partial<CreateCustomerInput> = {}): CreateCustomerInput {
  return {
    legalName: 'Acme Bakery LLC',
    displayName: 'Acme Bakery',
    businessType: 'llc',
    ein: '12-3456789',
    industry: 'RETAIL',
    website: 'https://acme-bakery.example.com',
    regionsOfOperation: ['USA_AND_CANADA'],
    address: { street: '1 Market St', city: 'San Francisco', region: 'CA', postalCode: '94105', country: 'US' },
    contact: { firstName: 'Ada', lastName: 'Baker', email: 'ada@acme-bakery.example.com', phone: '+14155550123', jobTitle: 'Owner' },
    ...overrides,
  };
}
