-- Webhook status callbacks are applied to a whole batch in one statement (group commit). Two helpers for it:
-- the rank of a message status (callbacks arrive out of order; only a higher rank replaces the current status,
-- FACTS §3), kept identical to STATUS_RANK in server/messaging/message-status.ts (a test compares them), and
-- the status a message had before its last callback update, which that statement returns to mark late
-- callbacks as history only (message_status_history.applied = false).

CREATE FUNCTION isv.message_status_rank(status text) RETURNS integer
  LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
AS $$
  SELECT CASE status
    WHEN 'accepted' THEN 0 WHEN 'scheduled' THEN 0 WHEN 'queued' THEN 0 WHEN 'receiving' THEN 0
    WHEN 'sending' THEN 1
    WHEN 'sent' THEN 2
    WHEN 'received' THEN 3 WHEN 'delivered' THEN 3 WHEN 'undelivered' THEN 3 WHEN 'failed' THEN 3
    WHEN 'canceled' THEN 3 WHEN 'partially_delivered' THEN 3
    WHEN 'read' THEN 4
  END
$$;

ALTER TABLE isv.messages ADD COLUMN previous_status text;
