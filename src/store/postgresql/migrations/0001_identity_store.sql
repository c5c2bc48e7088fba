-- Identity store: users, groups, memberships, external ids; audit events; admin access keys;
-- deployment settings. Entities are JSON documents (store/codec) with the columns that are
-- looked up or kept unique copied out beside them.
CREATE TABLE users (
  id            TEXT PRIMARY KEY,
  user_name_key TEXT NOT NULL UNIQUE,
  email_key     TEXT UNIQUE,
  manager_id    TEXT,
  version       BIGINT NOT NULL,
  doc           TEXT NOT NULL
);
CREATE INDEX users_manager ON users(manager_id) WHERE manager_id IS NOT NULL;

CREATE TABLE groups (
  id               TEXT PRIMARY KEY,
  display_name_key TEXT NOT NULL UNIQUE,
  version          BIGINT NOT NULL,
  doc              TEXT NOT NULL
);

CREATE TABLE external_ids (
  kind        TEXT NOT NULL CHECK (kind IN ('user', 'group')),
  issuer      TEXT NOT NULL,
  external_id TEXT NOT NULL,
  owner_id    TEXT NOT NULL,
  PRIMARY KEY (kind, issuer, external_id)
);
CREATE INDEX external_ids_owner ON external_ids(owner_id);

CREATE TABLE memberships (
  id         TEXT PRIMARY KEY,
  group_id   TEXT NOT NULL REFERENCES groups(id) ON DELETE CASCADE,
  member_id  TEXT NOT NULL,
  kind       TEXT NOT NULL CHECK (kind IN ('user', 'group')),
  doc        TEXT NOT NULL,
  UNIQUE (group_id, member_id)
);
CREATE INDEX memberships_member ON memberships(member_id, id);

CREATE TABLE audit_events (
  rowid        BIGINT GENERATED ALWAYS AS IDENTITY, -- SQLite's implicit rowid: insertion order
  event_id     TEXT PRIMARY KEY,
  event_time   BIGINT NOT NULL,
  event_name   TEXT NOT NULL,
  event_source TEXT NOT NULL,
  principal    TEXT NOT NULL,
  read_only    BIGINT NOT NULL,
  error_code   TEXT NOT NULL,
  record       TEXT NOT NULL
);
CREATE INDEX audit_time ON audit_events(event_time);
CREATE INDEX audit_name_time ON audit_events(event_name, event_time);
CREATE INDEX audit_principal_time ON audit_events(principal, event_time);

CREATE TABLE access_keys (
  access_key_id     TEXT PRIMARY KEY,
  secret_ciphertext TEXT NOT NULL,
  principal         TEXT NOT NULL,
  status            TEXT NOT NULL CHECK (status IN ('Active', 'Inactive')),
  read_only         BIGINT NOT NULL DEFAULT 0,
  created_at        BIGINT NOT NULL
);

CREATE TABLE settings (
  key   TEXT PRIMARY KEY,
  value TEXT NOT NULL
);
