-- A message's status history is read in the order it was recorded. `at` alone cannot give that order: rows
-- written by one statement can share a timestamp (the embedded engine's clock is coarse), and ties fell back to
-- the random uuid. An identity column records the insertion order.
ALTER TABLE isv.message_status_history ADD COLUMN seq bigint GENERATED ALWAYS AS IDENTITY;
CREATE INDEX message_status_history_message_seq_idx ON isv.message_status_history (message_id, seq);
