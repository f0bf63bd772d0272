-- Twilio health as each process sees it (#18), so the operator's health page shows every worker and instance, not
-- only the one that answered: each process upserts its in-memory snapshot every few seconds; a row not refreshed
-- for a while belongs to a process that stopped and is ignored, and removed by the next report of any process.
CREATE TABLE isv.twilio_health_reports (
  instance text PRIMARY KEY CHECK (length(instance) BETWEEN 1 AND 200),
  pid integer NOT NULL,
  snapshot jsonb NOT NULL,
  reported_at timestamptz NOT NULL
);
ALTER TABLE isv.twilio_health_reports ENABLE ROW LEVEL SECURITY;
