-- Usage, limits and alerts per customer (#18).
--
-- usage_records: Twilio's daily Usage Records of the account a customer sends through (its subaccount or its
-- connected account), one row per day and category. An ingestion replaces the rows of the days it read, so
-- re-running a day never double counts.
CREATE TABLE isv.usage_records (
  customer_id uuid NOT NULL REFERENCES isv.customers (id) ON DELETE CASCADE,
  account_sid text NOT NULL CHECK (account_sid ~ '^AC[0-9a-fA-F]{32}$'),
  day date NOT NULL,
  category text NOT NULL CHECK (length(category) BETWEEN 1 AND 100),
  count numeric NOT NULL CHECK (count >= 0),
  usage numeric NOT NULL CHECK (usage >= 0),
  price numeric NOT NULL CHECK (price >= 0),
  price_unit text NOT NULL CHECK (price_unit ~ '^[A-Z]{3}$'),
  ingested_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (customer_id, day, category, account_sid)
);
CREATE INDEX usage_records_day_idx ON isv.usage_records (day);

-- Limits: ceilings set by staff (ceiling_*) and the customer's own, lower values (own_*). NULL = no limit.
-- The effective limit is the lower of the two.
CREATE TABLE isv.customer_limits (
  customer_id uuid PRIMARY KEY REFERENCES isv.customers (id) ON DELETE CASCADE,
  ceiling_messages_per_day integer CHECK (ceiling_messages_per_day >= 0),
  ceiling_messages_per_month integer CHECK (ceiling_messages_per_month >= 0),
  ceiling_monthly_budget_usd numeric CHECK (ceiling_monthly_budget_usd >= 0),
  ceiling_sends_per_second integer CHECK (ceiling_sends_per_second >= 1),
  own_messages_per_day integer CHECK (own_messages_per_day >= 0),
  own_messages_per_month integer CHECK (own_messages_per_month >= 0),
  own_monthly_budget_usd numeric CHECK (own_monthly_budget_usd >= 0),
  own_sends_per_second integer CHECK (own_sends_per_second >= 1),
  updated_at timestamptz NOT NULL DEFAULT now()
);

-- Alert settings per customer; absent = the defaults in server/usage/alerts.service.ts. The webhook signing
-- secret is sealed with the key ring (webhook_secret_key_id + webhook_secret_ciphertext, bound to the customer).
CREATE TABLE isv.alert_settings (
  customer_id uuid PRIMARY KEY REFERENCES isv.customers (id) ON DELETE CASCADE,
  budget_thresholds integer[] NOT NULL DEFAULT '{50,80,100}' CHECK (cardinality(budget_thresholds) <= 10),
  delivery_rate_min numeric NOT NULL DEFAULT 0.9 CHECK (delivery_rate_min >= 0 AND delivery_rate_min <= 1),
  delivery_rate_window integer NOT NULL DEFAULT 100 CHECK (delivery_rate_window BETWEEN 1 AND 10000),
  error_codes integer[] NOT NULL DEFAULT '{30007,30034}' CHECK (cardinality(error_codes) <= 20),
  error_burst_count integer NOT NULL DEFAULT 5 CHECK (error_burst_count BETWEEN 1 AND 100000),
  error_burst_window_minutes integer NOT NULL DEFAULT 60 CHECK (error_burst_window_minutes BETWEEN 1 AND 1440),
  webhook_url text CHECK (webhook_url IS NULL OR length(webhook_url) <= 2000),
  webhook_secret_key_id text,
  webhook_secret_ciphertext text,
  updated_at timestamptz NOT NULL DEFAULT now(),
  CHECK ((webhook_url IS NULL) = (webhook_secret_ciphertext IS NULL))
);

-- Raised alerts: one per (customer, kind, subject, period), so a threshold is raised once per period.
CREATE TABLE isv.alerts (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  customer_id uuid NOT NULL REFERENCES isv.customers (id) ON DELETE CASCADE,
  kind text NOT NULL CHECK (kind IN ('budget', 'monthly_messages', 'delivery_rate', 'error_burst')),
  subject text NOT NULL CHECK (length(subject) BETWEEN 1 AND 100),
  period text NOT NULL CHECK (length(period) BETWEEN 1 AND 40),
  message text NOT NULL,
  detail jsonb NOT NULL DEFAULT '{}',
  created_at timestamptz NOT NULL DEFAULT now(),
  read_at timestamptz,
  UNIQUE (customer_id, kind, subject, period)
);
CREATE INDEX alerts_customer_created_idx ON isv.alerts (customer_id, created_at DESC);

-- Durable outbox of alert webhooks: claimed by next_attempt_at (moved forward before the POST), retried with
-- backoff until delivered or out of attempts.
CREATE TABLE isv.alert_deliveries (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  alert_id uuid NOT NULL REFERENCES isv.alerts (id) ON DELETE CASCADE,
  customer_id uuid NOT NULL REFERENCES isv.customers (id) ON DELETE CASCADE,
  url text NOT NULL,
  status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'delivered', 'failed')),
  attempts integer NOT NULL DEFAULT 0 CHECK (attempts >= 0),
  next_attempt_at timestamptz NOT NULL DEFAULT now(),
  last_error text,
  delivered_at timestamptz,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX alert_deliveries_due_idx ON isv.alert_deliveries (next_attempt_at) WHERE status = 'pending';

ALTER TABLE isv.usage_records ENABLE ROW LEVEL SECURITY;
ALTER TABLE isv.customer_limits ENABLE ROW LEVEL SECURITY;
ALTER TABLE isv.alert_settings ENABLE ROW LEVEL SECURITY;
ALTER TABLE isv.alerts ENABLE ROW LEVEL SECURITY;
ALTER TABLE isv.alert_deliveries ENABLE ROW LEVEL SECURITY;
