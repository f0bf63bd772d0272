-- Issue 16: accounts you can trust. Verified emails, one-time links (verification, password reset), sessions
-- that sign-out revokes, and a per-user ceiling on customers created.

-- Accounts that existed before verification was required keep working: they count as verified.
ALTER TABLE isv.users ADD COLUMN email_verified_at timestamptz;
UPDATE isv.users SET email_verified_at = created_at;
-- Staff may raise (or lower) ISV_MAX_CUSTOMERS_PER_USER for one user; NULL follows the setting.
ALTER TABLE isv.users ADD COLUMN max_customers integer CHECK (max_customers BETWEEN 0 AND 10000);

-- An email names one local account; Supabase users are keyed by their `sub`, so a new Supabase user with an
-- address an older row had is a separate user (it never inherits that row's roles or customers).
DROP INDEX isv.users_email_key;
CREATE UNIQUE INDEX users_local_email_key ON isv.users (email) WHERE password_hash IS NOT NULL;
CREATE INDEX users_email_idx ON isv.users (email);

-- Links sent by email. Only the SHA-256 of the token is stored; a token is used once and expires.
CREATE TABLE isv.email_tokens (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  user_id uuid NOT NULL REFERENCES isv.users (id) ON DELETE CASCADE,
  purpose text NOT NULL CHECK (purpose IN ('verify_email', 'reset_password')),
  token_hash bytea NOT NULL UNIQUE,
  created_at timestamptz NOT NULL DEFAULT now(),
  expires_at timestamptz NOT NULL,
  used_at timestamptz
);
CREATE INDEX email_tokens_user_idx ON isv.email_tokens (user_id, purpose);

-- Embedded sign-in sessions: every token carries its session id (`sid`), checked on each request.
CREATE TABLE isv.sessions (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  user_id uuid NOT NULL REFERENCES isv.users (id) ON DELETE CASCADE,
  created_at timestamptz NOT NULL DEFAULT now(),
  expires_at timestamptz NOT NULL,
  revoked_at timestamptz
);
CREATE INDEX sessions_user_idx ON isv.sessions (user_id) WHERE revoked_at IS NULL;

-- Invitations wait for the invitee's consent; a declined or revoked one is deleted, an accepted one kept.
CREATE INDEX customers_created_by_idx ON isv.customers (created_by);

ALTER TABLE isv.email_tokens ENABLE ROW LEVEL SECURITY;
ALTER TABLE isv.sessions ENABLE ROW LEVEL SECURITY;

-- Staff acting on a tenant's behalf (sends, edits, approvals): which platform role they used.
ALTER TABLE isv.audit_log ADD COLUMN actor_role text;
