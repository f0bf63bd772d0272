-- Twilio deletes a closed subaccount 30 days after closing (#14): when each was closed, so the operator audit
-- shows "closed, deletion due <date>" and then "deleted" instead of drift. Accounts closed before this migration
-- count from their last update.
ALTER TABLE isv.twilio_subaccounts ADD COLUMN closed_at timestamptz;
UPDATE isv.twilio_subaccounts SET closed_at = updated_at WHERE status = 'closed';
