-- Issue 16 (webhooks): events are de-duplicated on what X-Twilio-Signature covers, scoped by account:
--   status:<AccountSid>:<MessageSid>:<MessageStatus>   and   inbound:<AccountSid>:<MessageSid>
-- The I-Twilio-Idempotency-Token header is not signed, so it is kept only as a hint, unique per account.
-- Existing rows are re-keyed in place; rows that the old token key let in twice for the same signed fields
-- (a replay with a new token) keep a distinct ':replay:<id>' key so the unique index can be built and the
-- history is not lost.
ALTER TABLE isv.webhook_events ADD COLUMN twilio_idempotency_token text;

UPDATE isv.webhook_events
   SET twilio_idempotency_token = substr(idempotency_key, length('token:') + 1)
 WHERE idempotency_key LIKE 'token:%';

WITH keyed AS (
  SELECT id,
         CASE WHEN kind = 'status'
              THEN 'status:' || account_sid || ':' || message_sid || ':' || coalesce(payload ->> 'MessageStatus', payload ->> 'SmsStatus', '')
              ELSE 'inbound:' || account_sid || ':' || message_sid
         END AS signed_key,
         received_at
    FROM isv.webhook_events
   WHERE message_sid IS NOT NULL
),
ranked AS (
  SELECT id, signed_key, row_number() OVER (PARTITION BY signed_key ORDER BY received_at, id) AS n FROM keyed
)
UPDATE isv.webhook_events e
   SET idempotency_key = CASE WHEN r.n = 1 THEN r.signed_key ELSE r.signed_key || ':replay:' || e.id END
  FROM ranked r
 WHERE r.id = e.id;

CREATE UNIQUE INDEX webhook_events_account_token_key
  ON isv.webhook_events (account_sid, twilio_idempotency_token)
  WHERE twilio_idempotency_token IS NOT NULL;
