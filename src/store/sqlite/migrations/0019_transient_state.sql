-- Short-lived state of the sign-in use cases (issue 13 item 2, "no state on a node"): sign-in
-- workflows between their steps, authenticator-app enrollments not yet confirmed and the login
-- throttle counters lived in one process's memory; in the store, a sign-in begun on one node
-- finishes on another and a password guesser spreading attempts over N nodes meets one counter.
-- One row per (kind, key); `value` is encoded by the service (secrets in it sealed with the
-- master key, crypto/secret_box); `version` is bumped by every write, for compare-and-set
-- between nodes; a row past `expires_at` reads as absent and is deleted by a bounded sweep that
-- any node may run (store/transient_state_repository.hpp).
CREATE TABLE transient_state (
  kind       TEXT NOT NULL,
  key        TEXT NOT NULL,
  value      TEXT NOT NULL,
  expires_at INTEGER NOT NULL,
  version    INTEGER NOT NULL DEFAULT 1,
  PRIMARY KEY (kind, key)
) WITHOUT ROWID;
CREATE INDEX transient_state_expiry ON transient_state(expires_at);
