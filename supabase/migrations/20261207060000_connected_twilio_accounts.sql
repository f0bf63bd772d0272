-- Bring your own Twilio account (#17). isv.twilio_subaccounts holds every Twilio account a customer sends
-- through: the platform subaccount (kind 'subaccount') and an account the customer connected (kind 'connected'),
-- at most one of each, so webhook verification, key rotation and the account→customer joins serve both.
-- isv.customers.twilio_mode says which one the customer uses.
ALTER TABLE isv.customers
  ADD COLUMN twilio_mode text NOT NULL DEFAULT 'subaccount' CHECK (twilio_mode IN ('subaccount', 'byoa'));

ALTER TABLE isv.twilio_subaccounts
  ADD COLUMN kind text NOT NULL DEFAULT 'subaccount' CHECK (kind IN ('subaccount', 'connected')),
  ADD COLUMN connection_status text CHECK (connection_status IN ('connected', 'credentials_invalid')),
  ADD COLUMN account_type text,
  ADD COLUMN token_last4 text,
  ADD COLUMN messaging_service_sid text CHECK (messaging_service_sid ~ '^MG[0-9a-f]{32}$'),
  -- The chosen service's callback URLs before the platform pointed them at itself; restored on disconnect.
  ADD COLUMN previous_callbacks jsonb,
  ADD COLUMN connected_at timestamptz,
  ADD COLUMN last_checked_at timestamptz,
  ADD COLUMN last_error text,
  ADD CONSTRAINT twilio_subaccounts_connection_fields CHECK (
    kind = 'subaccount' OR (connection_status IS NOT NULL AND token_last4 IS NOT NULL AND connected_at IS NOT NULL AND last_checked_at IS NOT NULL)
  );

ALTER TABLE isv.twilio_subaccounts DROP CONSTRAINT twilio_subaccounts_customer_id_key;
CREATE UNIQUE INDEX twilio_subaccounts_customer_kind_key ON isv.twilio_subaccounts (customer_id, kind);
-- The daily health check walks the connected accounts.
CREATE INDEX twilio_subaccounts_connected_idx ON isv.twilio_subaccounts (last_checked_at) WHERE kind = 'connected';
