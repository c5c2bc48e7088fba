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
