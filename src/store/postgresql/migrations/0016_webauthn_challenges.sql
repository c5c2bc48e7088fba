-- Pending WebAuthn ceremonies (issue 12; WebAuthn L2 §13.4.3): the challenge handed to the
-- browser by a registration or an assertion, until the browser answers or it expires. In the
-- store, not in one process's memory, so that a ceremony begun on one node can finish on
-- another. One row per user and ceremony (a new one replaces the earlier), so a user holds at
-- most two; taking a row deletes it (single use). The challenge is sealed with the master key
-- (crypto/secret_box). Expired rows are refused when taken and purged when a ceremony begins.
CREATE TABLE webauthn_challenges (
  user_id    TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  ceremony   TEXT NOT NULL CHECK (ceremony IN ('registration', 'assertion')),
  challenge  TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  expires_at BIGINT NOT NULL,
  PRIMARY KEY (user_id, ceremony)
);
CREATE INDEX webauthn_challenges_expiry ON webauthn_challenges(expires_at);
