-- Initial schema of the ISV onboarding platform. Everything lives in schema isv (not public) so Supabase's
-- Data API does not expose it; RLS is enabled on every table with no permissive policy as a second lock.

CREATE SCHEMA IF NOT EXISTS isv;

-- Local accounts for the embedded default; in Supabase mode rows are created on first sign-in from the JWT.
CREATE TABLE isv.users (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  email text NOT NULL,
  password_hash text,
  created_at timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT users_email_lowercase CHECK (email = lower(email))
);
CREATE UNIQUE INDEX users_email_key ON isv.users (email);

CREATE TABLE isv.platform_roles (
  user_id uuid NOT NULL REFERENCES isv.users (id) ON DELETE CASCADE,
  role text NOT NULL CHECK (role IN ('admin', 'operator')),
  granted_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (user_id, role)
);

-- Secrets the platform itself owns (e.g. the embedded JWT signing key), encrypted with the key ring.
CREATE TABLE isv.platform_secrets (
  name text PRIMARY KEY,
  key_id text NOT NULL,
  ciphertext text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE isv.customers (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  legal_name text NOT NULL,
  display_name text,
  business_type text NOT NULL CHECK (business_type IN ('sole_proprietor', 'llc', 'corporation', 'partnership', 'non_profit', 'government')),
  ein text,
  industry text NOT NULL,
  website text NOT NULL,
  regions_of_operation text[] NOT NULL DEFAULT '{}',
  address jsonb NOT NULL,
  contact jsonb NOT NULL,
  status text NOT NULL DEFAULT 'onboarding' CHECK (status IN ('onboarding', 'active', 'suspended', 'closed')),
  created_by uuid REFERENCES isv.users (id),
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT customers_ein_unless_sole_prop CHECK (business_type = 'sole_proprietor' OR ein IS NOT NULL)
);
CREATE INDEX customers_created_idx ON isv.customers (created_at DESC, id DESC);
CREATE INDEX customers_legal_name_idx ON isv.customers (lower(legal_name));

CREATE TABLE isv.memberships (
  user_id uuid NOT NULL REFERENCES isv.users (id) ON DELETE CASCADE,
  customer_id uuid NOT NULL REFERENCES isv.customers (id) ON DELETE CASCADE,
  role text NOT NULL CHECK (role IN ('owner', 'member')),
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (user_id, customer_id)
);
CREATE INDEX memberships_customer_idx ON isv.memberships (customer_id);

-- An owner invites by email; the membership is created when that email signs up or signs in.
CREATE TABLE isv.invitations (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  customer_id uuid NOT NULL REFERENCES isv.customers (id) ON DELETE CASCADE,
  email text NOT NULL CHECK (email = lower(email)),
  role text NOT NULL DEFAULT 'member' CHECK (role IN ('owner', 'member')),
  invited_by uuid REFERENCES isv.users (id),
  created_at timestamptz NOT NULL DEFAULT now(),
  accepted_at timestamptz,
  UNIQUE (customer_id, email)
);
CREATE INDEX invitations_email_idx ON isv.invitations (email) WHERE accepted_at IS NULL;

CREATE TABLE isv.twilio_subaccounts (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  customer_id uuid NOT NULL UNIQUE REFERENCES isv.customers (id),
  account_sid text NOT NULL UNIQUE CHECK (account_sid ~ '^AC[0-9a-f]{32}$'),
  friendly_name text NOT NULL,
  status text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'suspended', 'closed')),
  auth_token_key_id text NOT NULL,
  auth_token_ciphertext text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE isv.brands (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  customer_id uuid NOT NULL REFERENCES isv.customers (id),
  brand_type text NOT NULL CHECK (brand_type IN ('STANDARD', 'SOLE_PROPRIETOR')),
  data jsonb NOT NULL,
  -- The data as it stood at the last rejection, so reviewers see what changed.
  rejected_data jsonb,
  status text NOT NULL DEFAULT 'awaiting_approval' CHECK (status IN (
    'awaiting_approval', 'rejected_by_admin', 'approved', 'submitted', 'registered', 'failed')),
  rejection_reason text,
  customer_profile_sid text,
  trust_product_sid text,
  brand_sid text UNIQUE,
  twilio_status text,
  attempts integer NOT NULL DEFAULT 0,
  reviewed_by uuid REFERENCES isv.users (id),
  reviewed_at timestamptz,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX brands_customer_idx ON isv.brands (customer_id, created_at DESC);
CREATE INDEX brands_awaiting_idx ON isv.brands (created_at) WHERE status = 'awaiting_approval';

CREATE TABLE isv.campaigns (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  customer_id uuid NOT NULL REFERENCES isv.customers (id),
  brand_id uuid NOT NULL REFERENCES isv.brands (id),
  data jsonb NOT NULL,
  status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'submitted', 'verified', 'failed')),
  messaging_service_sid text,
  campaign_sid text,
  twilio_status text,
  errors jsonb,
  attempts integer NOT NULL DEFAULT 0,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX campaigns_customer_idx ON isv.campaigns (customer_id);

CREATE TABLE isv.numbers (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  customer_id uuid NOT NULL REFERENCES isv.customers (id),
  phone_number_sid text NOT NULL UNIQUE CHECK (phone_number_sid ~ '^PN[0-9a-f]{32}$'),
  phone_number text NOT NULL,
  messaging_service_sid text,
  status text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'released')),
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX numbers_customer_idx ON isv.numbers (customer_id);
CREATE UNIQUE INDEX numbers_active_phone_key ON isv.numbers (phone_number) WHERE status = 'active';

CREATE TABLE isv.whatsapp_senders (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  customer_id uuid NOT NULL REFERENCES isv.customers (id),
  phone_number text NOT NULL,
  profile jsonb NOT NULL,
  waba_id text,
  sender_sid text UNIQUE,
  status text NOT NULL DEFAULT 'pending' CHECK (status IN (
    'pending', 'creating', 'pending_verification', 'verifying', 'online', 'offline', 'failed')),
  offline_reasons jsonb,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (customer_id, phone_number)
);

CREATE TABLE isv.templates (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  customer_id uuid NOT NULL REFERENCES isv.customers (id),
  name text NOT NULL,
  version integer NOT NULL DEFAULT 1 CHECK (version >= 1),
  language text NOT NULL,
  category text NOT NULL CHECK (category IN ('UTILITY', 'MARKETING', 'AUTHENTICATION')),
  body text NOT NULL,
  variables jsonb NOT NULL DEFAULT '{}',
  rejected_data jsonb,
  status text NOT NULL DEFAULT 'awaiting_approval' CHECK (status IN (
    'awaiting_approval', 'rejected_by_admin', 'approved', 'submitted', 'twilio_approved', 'twilio_rejected', 'superseded')),
  rejection_reason text,
  content_sid text UNIQUE,
  reviewed_by uuid REFERENCES isv.users (id),
  reviewed_at timestamptz,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (customer_id, name, version)
);
CREATE INDEX templates_awaiting_idx ON isv.templates (created_at) WHERE status = 'awaiting_approval';

CREATE TABLE isv.messages (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  customer_id uuid NOT NULL REFERENCES isv.customers (id),
  account_sid text NOT NULL,
  sid text UNIQUE,
  direction text NOT NULL CHECK (direction IN ('inbound', 'outbound')),
  channel text NOT NULL CHECK (channel IN ('sms', 'whatsapp')),
  from_number text,
  to_number text NOT NULL,
  body text,
  content_sid text,
  messaging_service_sid text,
  status text NOT NULL CHECK (status IN ('queued', 'sending', 'sent', 'failed', 'delivered', 'undelivered',
    'receiving', 'received', 'accepted', 'scheduled', 'read', 'partially_delivered', 'canceled')),
  error_code integer,
  error_message text,
  price numeric,
  price_unit text,
  num_segments integer,
  num_media integer,
  idempotency_key text,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (customer_id, idempotency_key)
);
-- Keyset pages of a customer's log, newest first.
CREATE INDEX messages_customer_created_idx ON isv.messages (customer_id, created_at DESC, id DESC);

CREATE TABLE isv.message_status_history (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  message_id uuid NOT NULL REFERENCES isv.messages (id) ON DELETE CASCADE,
  status text NOT NULL,
  error_code integer,
  source text NOT NULL CHECK (source IN ('api', 'callback', 'inbound')),
  -- false when a late, lower-ranked status was kept in history but did not overwrite the current one.
  applied boolean NOT NULL DEFAULT true,
  at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX message_status_history_message_idx ON isv.message_status_history (message_id, at);

CREATE TABLE isv.webhook_events (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  idempotency_key text NOT NULL UNIQUE,
  kind text NOT NULL CHECK (kind IN ('inbound', 'status', 'opt_out')),
  account_sid text NOT NULL,
  customer_id uuid REFERENCES isv.customers (id),
  message_sid text,
  payload jsonb NOT NULL,
  received_at timestamptz NOT NULL DEFAULT now(),
  processed_at timestamptz
);
CREATE INDEX webhook_events_unprocessed_idx ON isv.webhook_events (received_at) WHERE processed_at IS NULL;

CREATE TABLE isv.opt_outs (
  customer_id uuid NOT NULL REFERENCES isv.customers (id),
  phone_number text NOT NULL,
  channel text NOT NULL CHECK (channel IN ('sms', 'whatsapp')),
  status text NOT NULL CHECK (status IN ('opted_out', 'opted_in')),
  keyword text,
  source text NOT NULL CHECK (source IN ('inbound', 'opt_out_webhook', 'error_21610', 'api')),
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (customer_id, phone_number, channel)
);

CREATE TABLE isv.flows (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  kind text NOT NULL CHECK (kind IN ('subaccount', 'a2p', 'whatsapp_sender', 'template')),
  customer_id uuid NOT NULL REFERENCES isv.customers (id),
  -- The brand, sender or template the flow registers (null for the subaccount flow).
  subject_id uuid,
  depends_on uuid REFERENCES isv.flows (id),
  state text NOT NULL,
  status text NOT NULL CHECK (status IN ('in_progress', 'waiting_on_twilio', 'action_required', 'awaiting_approval', 'done', 'failed')),
  context jsonb NOT NULL DEFAULT '{}',
  waiting_for text,
  attempts integer NOT NULL DEFAULT 0,
  poll_interval_ms integer NOT NULL DEFAULT 0,
  next_run_at timestamptz,
  lease_owner text,
  lease_expires_at timestamptz,
  last_error jsonb,
  version integer NOT NULL DEFAULT 0,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX flows_customer_idx ON isv.flows (customer_id, created_at);
-- Due work: only runnable flows carry next_run_at.
CREATE INDEX flows_due_idx ON isv.flows (next_run_at) WHERE next_run_at IS NOT NULL;
CREATE UNIQUE INDEX flows_one_subaccount_per_customer ON isv.flows (customer_id) WHERE kind = 'subaccount';

CREATE TABLE isv.flow_events (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  flow_id uuid NOT NULL REFERENCES isv.flows (id) ON DELETE CASCADE,
  at timestamptz NOT NULL DEFAULT clock_timestamp(),
  from_state text,
  to_state text NOT NULL,
  message text NOT NULL,
  data jsonb
);
CREATE INDEX flow_events_flow_idx ON isv.flow_events (flow_id, at);

CREATE TABLE isv.audit_log (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  at timestamptz NOT NULL DEFAULT clock_timestamp(),
  actor_id uuid,
  actor_email text,
  action text NOT NULL,
  target_type text NOT NULL,
  target_id text NOT NULL,
  customer_id uuid,
  before jsonb,
  after jsonb
);
CREATE INDEX audit_log_at_idx ON isv.audit_log (at DESC, id DESC);
CREATE INDEX audit_log_target_idx ON isv.audit_log (target_type, target_id);

-- The audit log is append-only: no update or delete path, even for the server's role.
CREATE FUNCTION isv.audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'audit_log is append-only' USING ERRCODE = '42501';
END;
$$;
CREATE TRIGGER audit_log_no_update BEFORE UPDATE OR DELETE ON isv.audit_log
  FOR EACH ROW EXECUTE FUNCTION isv.audit_log_append_only();

-- Fixed-window counters for rate limits (login, signup, sends) shared by every server instance.
CREATE TABLE isv.rate_limits (
  key text NOT NULL,
  window_start timestamptz NOT NULL,
  count integer NOT NULL DEFAULT 0,
  PRIMARY KEY (key, window_start)
);

ALTER TABLE isv.users ENABLE ROW LEVEL SECURITY;
ALTER TABLE isv.platform_roles ENABLE ROW LEVEL SECURITY;
ALTER TABLE isv.platform_secrets ENABLE ROW LEVEL SECURITY;
ALTER TABLE isv.customers ENABLE ROW LEVEL SECURITY;
ALTER TABLE isv.memberships ENABLE ROW LEVEL SECURITY;
ALTER TABLE isv.invitations ENABLE ROW LEVEL SECURITY;
ALTER TABLE isv.twilio_subaccounts ENABLE ROW LEVEL SECURITY;
ALTER TABLE isv.brands ENABLE ROW LEVEL SECURITY;
ALTER TABLE isv.campaigns ENABLE ROW LEVEL SECURITY;
ALTER TABLE isv.numbers ENABLE ROW LEVEL SECURITY;
ALTER TABLE isv.whatsapp_senders ENABLE ROW LEVEL SECURITY;
ALTER TABLE isv.templates ENABLE ROW LEVEL SECURITY;
ALTER TABLE isv.messages ENABLE ROW LEVEL SECURITY;
ALTER TABLE isv.message_status_history ENABLE ROW LEVEL SECURITY;
ALTER TABLE isv.webhook_events ENABLE ROW LEVEL SECURITY;
ALTER TABLE isv.opt_outs ENABLE ROW LEVEL SECURITY;
ALTER TABLE isv.flows ENABLE ROW LEVEL SECURITY;
ALTER TABLE isv.flow_events ENABLE ROW LEVEL SECURITY;
ALTER TABLE isv.audit_log ENABLE ROW LEVEL SECURITY;
ALTER TABLE isv.rate_limits ENABLE ROW LEVEL SECURITY;
ALTER TABLE isv.schema_migrations ENABLE ROW LEVEL SECURITY;
