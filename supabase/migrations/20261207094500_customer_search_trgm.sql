-- Issue 13: the staff customer search (GET /customers?q=) matches a substring of the legal name, display name,
-- website or contact email (ILIKE '%…%'). Trigram indexes let each of those conditions read an index, so a
-- search among 100,000 customers reads the few that match instead of all of them. pg_trgm ships with Postgres,
-- is enabled on Supabase by CREATE EXTENSION, and PGlite loads it (server/platform/db/pglite.ts).
CREATE EXTENSION IF NOT EXISTS pg_trgm;
CREATE INDEX IF NOT EXISTS customers_search_trgm_idx ON isv.customers
  USING gin (legal_name gin_trgm_ops, display_name gin_trgm_ops, website gin_trgm_ops, (contact->>'email') gin_trgm_ops);
