-- Account assignments (issue 4 item 4). One row per (account, permission set, principal); the
-- primary key serves ListAccountAssignments (account + permission set, principal order) and
-- the principal index serves ListAccountAssignmentsForPrincipal and the cascade when a user or
-- group is deleted; both stay index range scans at 100,000 rows.
CREATE TABLE account_assignments (
  account_id         TEXT NOT NULL,
  permission_set_arn TEXT NOT NULL,
  principal_id       TEXT NOT NULL,
  principal_type     TEXT NOT NULL,
  created_at         BIGINT NOT NULL,
  PRIMARY KEY (account_id, permission_set_arn, principal_id)
);
CREATE INDEX account_assignments_principal ON account_assignments(principal_id, account_id, permission_set_arn);
CREATE INDEX account_assignments_permission_set ON account_assignments(permission_set_arn);

-- Status records of CreateAccountAssignment, DeleteAccountAssignment and ProvisionPermissionSet
-- requests, kept after they finish. IN_PROGRESS rows are the job queue: a restarted server
-- resumes them. Request ids are uuid7, so id order is creation order.
CREATE TABLE assignment_requests (
  request_id         TEXT PRIMARY KEY,
  kind               TEXT NOT NULL,
  status             TEXT NOT NULL,
  failure_reason     TEXT NOT NULL DEFAULT '',
  created_at         BIGINT NOT NULL,
  instance_arn       TEXT NOT NULL,
  account_id         TEXT NOT NULL,
  target_type        TEXT NOT NULL,
  permission_set_arn TEXT NOT NULL,
  principal_type     TEXT NOT NULL,
  principal_id       TEXT NOT NULL
);
CREATE INDEX assignment_requests_kind ON assignment_requests(kind, request_id);
CREATE INDEX assignment_requests_kind_status ON assignment_requests(kind, status, request_id);
CREATE INDEX assignment_requests_pending ON assignment_requests(request_id) WHERE status = 'IN_PROGRESS';

-- What version of each permission set was last provisioned into each account.
CREATE TABLE provisioned_permission_sets (
  account_id         TEXT NOT NULL,
  permission_set_arn TEXT NOT NULL,
  version            BIGINT NOT NULL,
  updated_at         BIGINT NOT NULL,
  PRIMARY KEY (account_id, permission_set_arn)
);
CREATE INDEX provisioned_permission_sets_ps ON provisioned_permission_sets(permission_set_arn, account_id);
