-- Passwords of built-in users (issue 5): the current argon2id PHC string, earlier hashes for
-- the "last three passwords" rule (JSON array, newest first), when it was set and whether an
-- administrator's one-time password must be changed. One-time tokens: invitation and reset
-- links and e-mailed sign-in codes, stored as SHA-256 (hex) of the secret, single use.
-- Rows go with their user (ON DELETE CASCADE; the service also removes them explicitly).
CREATE TABLE user_passwords (
  user_id     TEXT PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
  hash        TEXT NOT NULL,
  history     TEXT NOT NULL DEFAULT '[]',
  set_at      BIGINT NOT NULL,
  must_change BIGINT NOT NULL DEFAULT 0
);

CREATE TABLE one_time_tokens (
  id          TEXT PRIMARY KEY,
  kind        TEXT NOT NULL CHECK (kind IN ('invitation', 'reset', 'email_code')),
  user_id     TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  secret_hash TEXT NOT NULL UNIQUE,
  created_at  BIGINT NOT NULL,
  expires_at  BIGINT NOT NULL,
  used_at     BIGINT,
  attempts    BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX one_time_tokens_user ON one_time_tokens(user_id, kind, created_at);
CREATE INDEX one_time_tokens_expiry ON one_time_tokens(expires_at);
