-- Watching A2P 10DLC after approval (#14): every registered brand and its campaign are re-read from Twilio
-- (brands.twilio_status and campaigns.twilio_status hold the live status), at watch_interval_ms, which doubles
-- while nothing changes up to A2P_WATCH_INTERVAL_MS. watch_next_at doubles as a claim: an instance that reads
-- a brand moves it forward first, so instances never read the same brand at once. watch_attention: a status
-- the platform does not know (for operators; never polled faster).
ALTER TABLE isv.brands
  ADD COLUMN watch_next_at timestamptz,
  ADD COLUMN watch_interval_ms integer CHECK (watch_interval_ms > 0),
  ADD COLUMN watched_at timestamptz,
  ADD COLUMN watch_attention jsonb;
CREATE INDEX brands_watch_due_idx ON isv.brands (watch_next_at NULLS FIRST) WHERE status = 'registered';
