-- One run per scheduled time across every process (issue 13): with WEB_CONCURRENCY workers and N instances, each
-- process ticks the same cron schedule; a job whose work is not claimed row by row (the daily check of connected
-- Twilio accounts) first inserts its slot here and only the process whose insert succeeds runs it.
CREATE TABLE isv.cron_runs (
  job text NOT NULL CHECK (job ~ '^[a-z0-9_.-]{1,64}$'),
  slot timestamptz NOT NULL CHECK (slot = date_trunc('minute', slot)),
  claimed_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (job, slot)
);
ALTER TABLE isv.cron_runs ENABLE ROW LEVEL SECURITY;
