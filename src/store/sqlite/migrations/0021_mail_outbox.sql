-- The mail outbox in the store (issue 13 item 2): invitations, reset links and e-mailed codes
-- lived in one node's memory between the commit that made them and the SMTP exchange; a node
-- that died lost them. A message is now written in the same transaction as the change that
-- causes it (a committed reset request always has its mail queued) and sent by whichever node
-- takes it: a lease (owner + lease_until, as the provisioning jobs' of 0020) taken with one
-- conditional UPDATE. `sealed` is the message (recipient, subject, body) sealed with the master
-- key (crypto/secret_box): the body carries links and codes, never plain in the database.
-- A refused message is tried again at next_attempt_at (backoff), at most a bounded number of
-- times; one the relay accepted is deleted. Delivery is at least once (docs/deployment.md).
CREATE TABLE mail_outbox (
  id              TEXT PRIMARY KEY,
  event           TEXT NOT NULL,  -- the call that queued it (SendInvitation, ...), for the audit of a failure
  sealed          TEXT NOT NULL,
  created_at      INTEGER NOT NULL,
  next_attempt_at INTEGER NOT NULL,
  attempts        INTEGER NOT NULL DEFAULT 0,
  lease_owner     TEXT NOT NULL DEFAULT '',
  lease_until     INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX mail_outbox_due ON mail_outbox(next_attempt_at);
