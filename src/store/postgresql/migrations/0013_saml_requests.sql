-- AuthnRequests that service providers sent Atrium as IdP and the browser is carrying through
-- the portal's sign-in (issue 15): answered once, with their ID as InResponseTo. The unique
-- index refuses a replayed AuthnRequest ID; a row is kept until its expiry, which is later than
-- the oldest IssueInstant the SSO endpoint accepts, so a replay is refused until the request
-- itself would be refused as too old. Keyed by the SHA-256 of the handle the browser carries.
CREATE TABLE saml_requests (
  id             TEXT PRIMARY KEY,
  application_id TEXT NOT NULL REFERENCES applications(id) ON DELETE CASCADE,
  request_id     TEXT NOT NULL,
  acs_url        TEXT NOT NULL,
  relay_state    TEXT,
  force_authn    BIGINT NOT NULL,
  created_at     BIGINT NOT NULL,
  expires_at     BIGINT NOT NULL,
  answered_at    BIGINT
);
CREATE UNIQUE INDEX saml_requests_once ON saml_requests(application_id, request_id);
CREATE INDEX saml_requests_expiry ON saml_requests(expires_at);
