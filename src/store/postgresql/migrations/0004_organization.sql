-- The organization (issue 4 item 2): one organization row, its OUs and member accounts.
-- Children are listed by parent in id order (ListAccountsForParent, ListChildren,
-- ListOrganizationalUnitsForParent) through the (parent_id, id) indexes: keyset pages stay
-- one index range scan with thousands of accounts under one parent.
CREATE TABLE org_organization (
  id                    TEXT PRIMARY KEY,
  management_account_id TEXT NOT NULL,
  root_id               TEXT NOT NULL,
  feature_set           TEXT NOT NULL,
  created_at            BIGINT NOT NULL
);

CREATE TABLE org_units (
  id         TEXT PRIMARY KEY,
  parent_id  TEXT NOT NULL,
  name       TEXT NOT NULL,
  created_at BIGINT NOT NULL
);
CREATE INDEX org_units_parent ON org_units(parent_id, id);
-- Organizations refuses two OUs of the same name under one parent (DuplicateOrganizationalUnitException).
CREATE UNIQUE INDEX org_units_parent_name ON org_units(parent_id, name);

CREATE TABLE org_accounts (
  id            TEXT PRIMARY KEY,
  parent_id     TEXT NOT NULL,
  name          TEXT NOT NULL,
  email         TEXT NOT NULL,
  status        TEXT NOT NULL,
  joined_method TEXT NOT NULL,
  joined_at     BIGINT NOT NULL
);
CREATE INDEX org_accounts_parent ON org_accounts(parent_id, id);
