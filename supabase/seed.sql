-- Optional demo data for a local Supabase stack: `supabase db reset` loads it after the migrations
-- (config.toml [db.seed]). Never run it against production. It adds one demo business with the subaccount
-- flow that creating a customer starts, so the server's onboarding engine gives it a (sandbox) subaccount
-- on its first tick. People come from Supabase Auth; ISV_BOOTSTRAP_ADMINS / ISV_BOOTSTRAP_OPERATORS grant staff
-- roles on first sign-in. Safe to run twice: fixed ids, ON CONFLICT DO NOTHING.

INSERT INTO isv.customers (id, legal_name, display_name, business_type, ein, industry, website, regions_of_operation, address, contact)
VALUES (
  '00000000-0000-4000-8000-00000000de00',
  'Demo Bakery LLC',
  'Demo Bakery',
  'llc',
  '12-3456789',
  'FOOD_AND_BEVERAGE',
  'https://bakery.example.com',
  '{USA_AND_CANADA}',
  '{"street": "1 Market St", "city": "San Francisco", "region": "CA", "postalCode": "94105", "country": "US"}'::jsonb,
  '{"firstName": "Dana", "lastName": "Baker", "email": "dana@bakery.example.com", "phone": "+14155550100", "jobTitle": "Owner"}'::jsonb
)
ON CONFLICT (id) DO NOTHING;

INSERT INTO isv.flows (kind, customer_id, state, status, next_run_at)
VALUES ('subaccount', '00000000-0000-4000-8000-00000000de00', 'create_subaccount', 'in_progress', now())
ON CONFLICT (customer_id) WHERE kind = 'subaccount' DO NOTHING;
