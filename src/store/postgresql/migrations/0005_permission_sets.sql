-- sso-admin instance and permission sets (issue 4 items 1 and 3). A permission set is one row:
-- the columns that are searched or unique, and the whole entity (policies, boundary, tags,
-- version) as a JSON document, read and written together as the service does.
CREATE TABLE sso_instances (
  id         TEXT PRIMARY KEY,
  name       TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  tags       TEXT NOT NULL DEFAULT '[]'
);

CREATE TABLE permission_sets (
  arn        TEXT PRIMARY KEY,
  name       TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  doc        TEXT NOT NULL
);
CREATE UNIQUE INDEX permission_sets_name_key ON permission_sets(name);
CREATE INDEX permission_sets_order ON permission_sets(created_at, arn);
