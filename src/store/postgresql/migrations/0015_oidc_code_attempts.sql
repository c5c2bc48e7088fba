-- Wrong user codes typed on the portal's device page (issue 16; RFC 8628 §5.1: user codes are
-- short, so guessing is limited by rate). One row per key ('s:' + session id, 'a:' + source
-- address) counting failures in a fixed window; kept in the store so that every node sees the
-- same counts.
CREATE TABLE oidc_code_attempts (
  key          TEXT PRIMARY KEY,
  window_start BIGINT NOT NULL,
  failures     BIGINT NOT NULL
);
