-- Issue 13: every filter of the list APIs is an index range scan, so a page costs the same at a million rows as
-- at a hundred. Each index leads with the column the filter fixes (customer_id first where a tenant is fixed)
-- and ends with the list's order, so Postgres reads the first page straight off the index, newest first, and
-- stops. The DAOs build one statement per combination of filters (no `$n IS NULL OR …`), which is what lets the
-- planner pick the index. Plain CREATE INDEX, like every migration here: it runs in the migration transaction;
-- on a large live table build them CONCURRENTLY by hand first (docs/deployment.md) and this file then finds them.

-- The message log (GET /customers/:id/messages). (customer_id, created_at, id) already serves no filter,
-- since/until and the cursor. The status index costs status callbacks their HOT updates (an indexed column
-- changes); a `status=` page on a rare status would otherwise read the whole log.
CREATE INDEX IF NOT EXISTS messages_customer_status_created_idx ON isv.messages (customer_id, status, created_at DESC, id DESC);
CREATE INDEX IF NOT EXISTS messages_customer_direction_created_idx ON isv.messages (customer_id, direction, created_at DESC, id DESC);
CREATE INDEX IF NOT EXISTS messages_customer_channel_created_idx ON isv.messages (customer_id, channel, created_at DESC, id DESC);
CREATE INDEX IF NOT EXISTS messages_customer_to_created_idx ON isv.messages (customer_id, to_number, created_at DESC, id DESC);
CREATE INDEX IF NOT EXISTS messages_customer_from_created_idx ON isv.messages (customer_id, from_number, created_at DESC, id DESC);
-- Status depends on direction (inbound messages are receiving/received), so `direction=inbound&status=failed`
-- is a natural question with no answer: without this index it reads every failed message to find none.
CREATE INDEX IF NOT EXISTS messages_customer_direction_status_created_idx ON isv.messages (customer_id, direction, status, created_at DESC, id DESC);

-- Opt-outs (GET /customers/:id/opt-outs), in (phone_number, channel) order; the primary key serves no filter.
CREATE INDEX IF NOT EXISTS opt_outs_customer_status_phone_idx ON isv.opt_outs (customer_id, status, phone_number, channel);
CREATE INDEX IF NOT EXISTS opt_outs_customer_channel_phone_idx ON isv.opt_outs (customer_id, channel, phone_number);

-- The operator's audit log (GET /operator/audit-log), newest first. text_pattern_ops on action serves both the
-- exact match and the `brand.*` prefix (LIKE 'brand.%') whatever the database's collation. target_id alone
-- is selective enough for target_type + target_id, so the old (target_type, target_id) index goes.
CREATE INDEX IF NOT EXISTS audit_log_actor_id_at_idx ON isv.audit_log (actor_id, at DESC, id DESC);
CREATE INDEX IF NOT EXISTS audit_log_actor_email_at_idx ON isv.audit_log (actor_email, at DESC, id DESC);
-- "What did this staff member approve": one actor's actions of one kind, without reading all their entries.
CREATE INDEX IF NOT EXISTS audit_log_actor_id_action_at_idx ON isv.audit_log (actor_id, action text_pattern_ops, at DESC, id DESC);
CREATE INDEX IF NOT EXISTS audit_log_action_at_idx ON isv.audit_log (action text_pattern_ops, at DESC, id DESC);
CREATE INDEX IF NOT EXISTS audit_log_target_type_at_idx ON isv.audit_log (target_type, at DESC, id DESC);
CREATE INDEX IF NOT EXISTS audit_log_target_id_at_idx ON isv.audit_log (target_id, at DESC, id DESC);
CREATE INDEX IF NOT EXISTS audit_log_customer_at_idx ON isv.audit_log (customer_id, at DESC, id DESC);
DROP INDEX IF EXISTS isv.audit_log_target_idx;
