-- An external identity provider as identity source (issue 17; user guide "Connect to your
-- external identity provider", "Change your identity source"). Atrium is the SAML 2.0 service
-- provider; every row below is shared by all nodes (nothing of a sign-in lives in one process).
--
-- The identity source itself is a setting: 'identity_source' = BUILT_IN (the default, written
-- here) or EXTERNAL_IDP, and 'identity_source.multiple_idps' (beyond the service, off). The SP's
-- own signing key pair is the setting 'sp.signing_key' (JSON; the private key sealed with the
-- master key, crypto::secret_box), made on first use.
INSERT INTO settings(key, value) VALUES ('identity_source', 'BUILT_IN') ON CONFLICT DO NOTHING;
INSERT INTO settings(key, value) VALUES ('identity_source.multiple_idps', 'false') ON CONFLICT DO NOTHING;

-- The external IdPs' configurations: entity ID (the Issuer expected), SSO URL (where
-- AuthnRequests go, HTTP-Redirect), one or two signing certificates (PEM blocks one after the
-- other; two during a rotation), flags, status, and the metadata file as uploaded (NULL when
-- entered by hand).
CREATE TABLE external_idps (
  id                  TEXT PRIMARY KEY,
  entity_id           TEXT NOT NULL UNIQUE,
  sso_url             TEXT NOT NULL,
  certificates        TEXT NOT NULL,
  sign_authn_requests BIGINT NOT NULL,
  allow_idp_initiated BIGINT NOT NULL,
  status              TEXT NOT NULL CHECK (status IN ('ENABLED', 'DISABLED')),
  metadata            TEXT,
  created_at          BIGINT NOT NULL,
  updated_at          BIGINT NOT NULL
);

-- E-mail domains of an IdP (home realm discovery): one IdP per domain, so the primary key
-- refuses a domain a second IdP claims.
CREATE TABLE external_idp_domains (
  domain TEXT PRIMARY KEY,
  idp_id TEXT NOT NULL REFERENCES external_idps(id) ON DELETE CASCADE
);
CREATE INDEX external_idp_domains_idp ON external_idp_domains(idp_id);

-- AuthnRequests Atrium sent as SP and not yet answered: the request ID (the Response's
-- InResponseTo), the SHA-256 of the atrium_sp_request cookie of the browser that was sent to
-- the IdP (the Response must come back through that browser), the IdP, the portal path to go
-- to afterwards. Taken once (DELETE ... RETURNING); expired rows refused and purged.
CREATE TABLE sp_requests (
  request_id   TEXT PRIMARY KEY,
  browser_hash TEXT NOT NULL,
  idp_id       TEXT NOT NULL REFERENCES external_idps(id) ON DELETE CASCADE,
  relay        TEXT,
  created_at   BIGINT NOT NULL,
  expires_at   BIGINT NOT NULL
);
CREATE INDEX sp_requests_expiry ON sp_requests(expires_at);

-- The assertion replay cache (SAML profiles §4.1.4.5: a bearer assertion is used once): the
-- IdP's entity ID and the Assertion's ID, kept until the assertion itself has expired. The
-- primary key refuses a replay in the database, so it holds across nodes.
CREATE TABLE sp_assertions (
  issuer       TEXT NOT NULL,
  assertion_id TEXT NOT NULL,
  expires_at   BIGINT NOT NULL,
  PRIMARY KEY (issuer, assertion_id)
);
CREATE INDEX sp_assertions_expiry ON sp_assertions(expires_at);

-- Attributes for access control that the IdP sent in the assertion of a portal session
-- (https://aws.amazon.com/SAML/Attributes/AccessControl:<key>): they override the instance's
-- ABAC mapping for that session (guide "Attributes for access control"). JSON object
-- {key: [values]}; gone with the session.
CREATE TABLE sp_session_attributes (
  session_id TEXT PRIMARY KEY REFERENCES sessions(id) ON DELETE CASCADE,
  idp_id     TEXT NOT NULL,
  attributes TEXT NOT NULL
);
