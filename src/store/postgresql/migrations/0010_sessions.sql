-- Portal sign-in sessions and trusted devices (issue 5). Keyed by the SHA-256 of a token only
-- the browser's cookie carries. A deleted user's rows are deleted with the user row (every
-- door deletes users through the users table, so the cascade covers them all).
CREATE TABLE sessions (
  id           TEXT PRIMARY KEY,
  user_id      TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  created_at   BIGINT NOT NULL,
  expires_at   BIGINT NOT NULL,
  last_seen_at BIGINT NOT NULL,
  source_ip    TEXT NOT NULL,
  user_agent   TEXT NOT NULL,
  csrf_hash    TEXT NOT NULL
);
CREATE INDEX sessions_user ON sessions(user_id);
CREATE INDEX sessions_expiry ON sessions(expires_at);

CREATE TABLE trusted_devices (
  id             TEXT PRIMARY KEY,
  user_id        TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  ua_fingerprint TEXT NOT NULL,
  source_ip      TEXT NOT NULL,
  created_at     BIGINT NOT NULL,
  expires_at     BIGINT NOT NULL
);
CREATE INDEX trusted_devices_user ON trusted_devices(user_id);
CREATE INDEX trusted_devices_expiry ON trusted_devices(expires_at);
