-- Segments and price of a sent message: Twilio answers a send through a Messaging Service with num_segments 0 and
-- price null, and its status callbacks carry neither (FACTS §9.3), so a finished message is fetched again later
-- (server/messaging/message-settlement.ts). settle_attempts counts those fetches; settle_after is the lease and
-- the backoff: the row is not claimed again before it.
ALTER TABLE isv.messages
  ADD COLUMN settle_attempts integer NOT NULL DEFAULT 0 CHECK (settle_attempts >= 0),
  ADD COLUMN settle_after timestamptz;

-- What the settlement claims: finished outbound messages still missing segments or price.
CREATE INDEX messages_unsettled_idx ON isv.messages (settle_after NULLS FIRST, created_at)
  WHERE direction = 'outbound' AND sid IS NOT NULL AND (price IS NULL OR num_segments IS NULL)
    AND status IN ('delivered', 'undelivered', 'failed', 'read');
