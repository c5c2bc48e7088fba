-- Admin console access (issue 14 item 1): the IAM-style admin policies of delegated
-- administration (0007) attached to identity-store users or groups instead of access keys. A
-- user may use the console when they, or a group they belong to, have at least one row; what they
-- may do there is what those policies allow. A built-in policy is stored by name (document NULL).
-- PostgreSQL twin of sqlite/migrations/0018_console_access.sql (no WITHOUT ROWID; triggers call a function).
CREATE TABLE console_access_policies (
  principal_type TEXT NOT NULL CHECK (principal_type IN ('USER', 'GROUP')),
  principal_id   TEXT NOT NULL,
  name           TEXT NOT NULL,
  document       TEXT,
  attached_at    BIGINT NOT NULL,
  PRIMARY KEY (principal_type, principal_id, name)
);

-- Deleting a user or a group takes its console access with it (a later principal never inherits it).
CREATE FUNCTION atrium_console_access_user_deleted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM console_access_policies WHERE principal_type = 'USER' AND principal_id = OLD.id;
  RETURN NULL;
END $$;
CREATE TRIGGER console_access_user_deleted AFTER DELETE ON users
  FOR EACH ROW EXECUTE FUNCTION atrium_console_access_user_deleted();
CREATE FUNCTION atrium_console_access_group_deleted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM console_access_policies WHERE principal_type = 'GROUP' AND principal_id = OLD.id;
  RETURN NULL;
END $$;
CREATE TRIGGER console_access_group_deleted AFTER DELETE ON groups
  FOR EACH ROW EXECUTE FUNCTION atrium_console_access_group_deleted();
