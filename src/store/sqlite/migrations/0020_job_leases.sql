-- The provisioning job queue shared by several nodes (issue 13 item 2): the IN_PROGRESS rows of
-- assignment_requests are the jobs; a node takes one by writing its id and a lease expiry,
-- renews the lease while the job runs, and a job whose node died (its lease expired) is claimed
-- by another node and run again (every provisioner call is idempotent). lease_until 0: never
-- taken. Taking is one conditional UPDATE (IN_PROGRESS, lease free or expired): one node wins.
ALTER TABLE assignment_requests ADD COLUMN lease_owner TEXT NOT NULL DEFAULT '';
ALTER TABLE assignment_requests ADD COLUMN lease_until INTEGER NOT NULL DEFAULT 0;
