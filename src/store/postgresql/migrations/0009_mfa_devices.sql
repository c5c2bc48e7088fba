-- MFA devices (issue 5 item 3): authenticator apps (RFC 6238 TOTP) and WebAuthn credentials of
-- identity-store users. TOTP secrets are stored sealed (crypto::secret_box), never in plain.
-- Deleting a user deletes its devices.
CREATE TABLE mfa_devices (
  rowid              BIGINT GENERATED ALWAYS AS IDENTITY, -- SQLite's implicit rowid: insertion order
  id                 TEXT PRIMARY KEY,
  user_id            TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  kind               TEXT NOT NULL CHECK (kind IN ('totp', 'webauthn')),
  name               TEXT NOT NULL,
  totp_secret        TEXT,
  totp_last_step     BIGINT,
  credential_id      TEXT UNIQUE,
  public_key         TEXT,
  sign_count         BIGINT NOT NULL DEFAULT 0,
  aaguid             TEXT,
  attestation_format TEXT,
  created_at         BIGINT NOT NULL,
  last_used_at       BIGINT,
  flagged_at         BIGINT,
  UNIQUE (user_id, name),
  CHECK ((kind = 'totp' AND totp_secret IS NOT NULL AND credential_id IS NULL) OR
         (kind = 'webauthn' AND credential_id IS NOT NULL AND public_key IS NOT NULL AND totp_secret IS NULL))
);
CREATE INDEX mfa_devices_user ON mfa_devices(user_id, created_at);
