-- Issue 12: a fault the customer cannot fix (the platform's or Twilio's) parks the flow as needs_attention for
-- an operator instead of asking the customer to fix something. The operator queue reads them oldest first.
ALTER TABLE isv.flows DROP CONSTRAINT flows_status_check;
ALTER TABLE isv.flows ADD CONSTRAINT flows_status_check
  CHECK (status IN ('in_progress', 'waiting_on_twilio', 'action_required', 'awaiting_approval', 'needs_attention', 'done', 'failed'));
CREATE INDEX flows_needs_attention_idx ON isv.flows (updated_at) WHERE status = 'needs_attention';
-- The recoveries the engine made on its own (a vanished SID re-adopted, a bundle re-assembled), for metrics.
CREATE INDEX flow_events_recovery_idx ON isv.flow_events (at) WHERE data ->> 'recovery' = 'true';
