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
  created_at      BIGINT NOT NULL,
  next_attempt_at BIGINT NOT NULL,
  attempts        INTEGER NOT NULL DEFAULT 0,
  lease_owner     TEXT NOT NULL DEFAULT '',
  lease_until     BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX mail_outbox_due ON mail_outbox(next_attempt_at);

-- PostgreSQL only: concurrent creates (issue 13 item 3). Every insert into users or groups
-- updated one counter row (0003), so two creates on two nodes wrote the same row and, under
-- SERIALIZABLE, one of them failed and was retried; at 8 clients some failed after 10 retries.
-- The count is now spread over 16 stripes: stripe 0 is the row 0003 made ('users'), stripes
-- 1..15 are rows 'users#1'..'users#15' made on first use; an insert or delete adds to a random
-- stripe, so two concurrent creates meet on one row once in 16, and the count is their sum
-- (store/postgresql/repositories.cpp). SQLite has one writer and keeps its single row.
-- A copy to or from SQLite (atrium admin migrate-store, backup) carries the rows as they are.
CREATE OR REPLACE FUNCTION atrium_count_row() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  stripe INTEGER := floor(random() * 16)::INTEGER;
  name TEXT := CASE WHEN stripe = 0 THEN TG_TABLE_NAME ELSE TG_TABLE_NAME || '#' || stripe END;
BEGIN
  INSERT INTO row_counts(tbl, n) VALUES (name, CASE WHEN TG_OP = 'INSERT' THEN 1 ELSE -1 END)
  ON CONFLICT (tbl) DO UPDATE SET n = row_counts.n + EXCLUDED.n;
  RETURN NULL;
END $$;
