-- SCIM provisioning: bearer tokens (only a hash of the secret part is kept). The
-- membership lookups SCIM needs are served by memberships_group (0002) and memberships_member (0001).
CREATE TABLE scim_tokens (
  id           TEXT PRIMARY KEY,
  secret_hash  TEXT NOT NULL,
  created_at   BIGINT NOT NULL,
  expires_at   BIGINT NOT NULL,
  last_used_at BIGINT,
  created_by   TEXT NOT NULL
);

-- Row counts kept by triggers: the quota checks of every create read one row instead of
-- counting the table (COUNT(*) is a scan in SQLite; at 50,000 users it dominated a SCIM sync).
CREATE TABLE row_counts (
  tbl TEXT PRIMARY KEY,
  n   BIGINT NOT NULL
);
INSERT INTO row_counts(tbl, n) SELECT 'users', COUNT(*) FROM users;
INSERT INTO row_counts(tbl, n) SELECT 'groups', COUNT(*) FROM groups;
-- PostgreSQL: one trigger function per table and direction (SQLite's trigger bodies inline).
-- Concurrent creates on several nodes serialise on the counter row: one waits for the other's
-- COMMIT (or, under SERIALIZABLE, retries; store/postgresql/pg_database.cpp).
CREATE FUNCTION atrium_count_row() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE row_counts SET n = n + (CASE WHEN TG_OP = 'INSERT' THEN 1 ELSE -1 END) WHERE tbl = TG_TABLE_NAME;
  RETURN NULL;
END $$;
CREATE TRIGGER users_counted_insert AFTER INSERT ON users FOR EACH ROW EXECUTE FUNCTION atrium_count_row();
CREATE TRIGGER users_counted_delete AFTER DELETE ON users FOR EACH ROW EXECUTE FUNCTION atrium_count_row();
CREATE TRIGGER groups_counted_insert AFTER INSERT ON groups FOR EACH ROW EXECUTE FUNCTION atrium_count_row();
CREATE TRIGGER groups_counted_delete AFTER DELETE ON groups FOR EACH ROW EXECUTE FUNCTION atrium_count_row();
