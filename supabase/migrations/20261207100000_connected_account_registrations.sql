-- Bring your own Twilio account (#17), second part: what the platform knows of the connected account's sender.
-- sender_campaign_status: Twilio's campaign_status of the chosen messaging service's A2P campaign (null: none),
-- so the portal can offer the A2P registration in the customer's own account when it is not VERIFIED.
-- whatsapp_sender_sid / whatsapp_from: the customer's own WhatsApp sender (Senders API, XE…) chosen to send
-- WhatsApp; previous_whatsapp_webhook: its inbound webhook before the platform pointed it here (restored on
-- disconnect).
ALTER TABLE isv.twilio_subaccounts
  ADD COLUMN sender_campaign_status text,
  ADD COLUMN whatsapp_sender_sid text CHECK (whatsapp_sender_sid ~ '^XE[0-9a-f]{32}$'),
  ADD COLUMN whatsapp_from text CHECK (whatsapp_from ~ '^whatsapp:\+[1-9][0-9]{7,14}$'),
  ADD COLUMN previous_whatsapp_webhook jsonb,
  ADD CONSTRAINT twilio_subaccounts_whatsapp_sender_pair CHECK ((whatsapp_sender_sid IS NULL) = (whatsapp_from IS NULL));
