-- #14, going live on A2P 10DLC.
-- Each number of a messaging service is registered to the service's campaign on its own, after the campaign is
-- verified; Twilio reports it through Event Streams (number-registration events). NULL: not tracked (numbers
-- from before this migration, or registered outside the platform's flow).
ALTER TABLE isv.numbers
  ADD COLUMN a2p_registration_status text CHECK (a2p_registration_status IN ('pending', 'registered', 'failed')),
  ADD COLUMN a2p_registration_reason text CHECK (char_length(a2p_registration_reason) <= 1000),
  ADD COLUMN a2p_registration_at timestamptz;

-- Opt-out scope: a STOP applies to the sender it was sent to (the customer's number or WhatsApp sender). The
-- row of isv.opt_outs keeps the latest word per (customer, recipient, channel); this table keeps it per sender.
CREATE TABLE isv.opt_out_senders (
  customer_id uuid NOT NULL REFERENCES isv.customers (id),
  phone_number text NOT NULL,
  channel text NOT NULL CHECK (channel IN ('sms', 'whatsapp')),
  sender text NOT NULL CHECK (sender ~ '^\+[1-9][0-9]{6,14}$'),
  messaging_service_sid text CHECK (messaging_service_sid ~ '^MG[0-9a-f]{32}$'),
  status text NOT NULL CHECK (status IN ('opted_out', 'opted_in')),
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (customer_id, phone_number, channel, sender)
);
ALTER TABLE isv.opt_out_senders ENABLE ROW LEVEL SECURITY;

-- Advanced Opt-Out is per messaging service (FACTS §10): with it, a STOP to one number of the service applies to
-- every sender of that service.
CREATE TABLE isv.opt_out_scopes (
  customer_id uuid NOT NULL REFERENCES isv.customers (id),
  messaging_service_sid text NOT NULL CHECK (messaging_service_sid ~ '^MG[0-9a-f]{32}$'),
  advanced_opt_out boolean NOT NULL DEFAULT false,
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (customer_id, messaging_service_sid)
);
ALTER TABLE isv.opt_out_scopes ENABLE ROW LEVEL SECURITY;
