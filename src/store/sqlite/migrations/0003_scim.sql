-- SCIM provisioning: bearer tokens (only a hash of the secret part is kept). The
-- membership lookups SCIM needs are served by memberships_group (0002) and memberships_member (0001).
CREATE TABLE scim_tokens (
  id           TEXT PRIMARY KEY,
  secret_hash  TEXT NOT NULL,
  created_at   INTEGER NOT NULL,
  expires_at   INTEGER NOT NULL,
  last_used_at INTEGER,
  created_by   TEXT NOT NULL
);

-- Row counts kept by triggers: the quota checks of every create read one row instead of
-- counting the table (COUNT(*) is a scan in SQLite; at 50,000 users it dominated a SCIM sync).
CREATE TABLE row_counts (
  tbl TEXT PRIMARY KEY,
  n   INTEGER NOT NULL
);
INSERT INTO row_counts(tbl, n) SELECT 'users', COUNT(*) FROM users;
INSERT INTO row_counts(tbl, n) SELECT 'groups', COUNT(*) FROM groups;
CREATE TRIGGER users_counted_insert AFTER INSERT ON users BEGIN
  UPDATE row_counts SET n = n + 1 WHERE tbl = 'users';
END;
CREATE TRIGGER users_counted_delete AFTER DELETE ON users BEGIN
  UPDATE row_counts SET n = n - 1 WHERE tbl = 'users';
END;
CREATE TRIGGER groups_counted_insert AFTER INSERT ON groups BEGIN
  UPDATE row_counts SET n = n + 1 WHERE tbl = 'groups';
END;
CREATE TRIGGER groups_counted_delete AFTER DELETE ON groups BEGIN
  UPDATE row_counts SET n = n - 1 WHERE tbl = 'groups';
END;
