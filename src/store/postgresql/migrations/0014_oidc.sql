-- Command-line access (issue 16): the sso-oidc API's registered clients, its pending
-- authorizations (device codes, RFC 8628; authorization requests with PKCE, RFC 7636), the grants
-- a user approved and the tokens issued under them. No secret is stored: every client secret,
-- device code, user code, authorization code and token appears only as the SHA-256 (hex) of what
-- the client holds.
CREATE TABLE oidc_clients (
  id            TEXT PRIMARY KEY,             -- clientId as issued (public)
  secret_hash   TEXT NOT NULL,
  name          TEXT NOT NULL,
  type          TEXT NOT NULL CHECK (type IN ('public')),
  scopes        TEXT NOT NULL,                -- space-separated, as registered ('' = none asked)
  grant_types   TEXT NOT NULL,                -- space-separated ('' = device code + refresh)
  redirect_uris TEXT NOT NULL,                -- space-separated loopback URIs (never hold a space)
  issuer_url    TEXT NOT NULL,
  created_at    BIGINT NOT NULL,
  expires_at    BIGINT NOT NULL
);
CREATE INDEX oidc_clients_expiry ON oidc_clients(expires_at);

-- One row per StartDeviceAuthorization (kind 'device', id = SHA-256 of the device code) or per
-- GET /authorize (kind 'code', id = SHA-256 of the request id in the portal's URL). The user's
-- decision and the session it was made in are written by the portal; the token endpoint moves
-- an approved row to 'consumed' exactly once.
CREATE TABLE oidc_authorizations (
  id             TEXT PRIMARY KEY,
  kind           TEXT NOT NULL CHECK (kind IN ('device', 'code')),
  client_id      TEXT NOT NULL REFERENCES oidc_clients(id) ON DELETE CASCADE,
  user_code_hash TEXT UNIQUE,                 -- device: SHA-256 of the normalised user code
  code_hash      TEXT UNIQUE,                 -- code: SHA-256 of the authorization code, once approved
  start_url      TEXT NOT NULL,
  scopes         TEXT NOT NULL,
  redirect_uri   TEXT NOT NULL,
  state          TEXT NOT NULL,
  code_challenge TEXT NOT NULL,
  status         TEXT NOT NULL CHECK (status IN ('pending', 'approved', 'denied', 'consumed')),
  user_id        TEXT REFERENCES users(id) ON DELETE CASCADE,
  session_id     TEXT REFERENCES sessions(id) ON DELETE CASCADE,
  created_at     BIGINT NOT NULL,
  expires_at     BIGINT NOT NULL,
  last_polled_at BIGINT,
  interval_s     BIGINT NOT NULL,
  grant_id       TEXT                          -- the grant the consumed row produced (code reuse revokes it)
);
CREATE INDEX oidc_authorizations_expiry ON oidc_authorizations(expires_at);

-- A grant is what one approval produced: a family of access and refresh tokens that lives no
-- longer than the portal sign-in session it was approved in (guide "Authentication sessions").
-- Signing out, Logout, deleting the user or the session's expiry delete the session row, and
-- with it every grant and token of the session (ON DELETE CASCADE).
CREATE TABLE oidc_grants (
  id         TEXT PRIMARY KEY,
  client_id  TEXT NOT NULL,
  user_id    TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  session_id TEXT NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
  scopes     TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  expires_at BIGINT NOT NULL
);
CREATE INDEX oidc_grants_session ON oidc_grants(session_id);
CREATE INDEX oidc_grants_user ON oidc_grants(user_id);

CREATE TABLE oidc_tokens (
  id         TEXT PRIMARY KEY,                -- SHA-256 of the token
  grant_id   TEXT NOT NULL REFERENCES oidc_grants(id) ON DELETE CASCADE,
  kind       TEXT NOT NULL CHECK (kind IN ('access', 'refresh')),
  created_at BIGINT NOT NULL,
  expires_at BIGINT NOT NULL,
  used_at    BIGINT                          -- refresh: when it was exchanged (rotation)
);
CREATE INDEX oidc_tokens_grant ON oidc_tokens(grant_id);
