-- Admin console access (issue 14 item 1): the IAM-style admin policies of delegated
-- administration (0007) attached to identity-store users or groups instead of access keys. A
-- user may use the console when they, or a group they belong to, have at least one row; what they
-- may do there is what those policies allow. A built-in policy is stored by name (document NULL).
CREATE TABLE console_access_policies (
  principal_type TEXT NOT NULL CHECK (principal_type IN ('USER', 'GROUP')),
  principal_id   TEXT NOT NULL,
  name           TEXT NOT NULL,
  document       TEXT,
  attached_at    INTEGER NOT NULL,
  PRIMARY KEY (principal_type, principal_id, name)
) WITHOUT ROWID;

-- Deleting a user or a group takes its console access with it (a later principal never inherits it).
CREATE TRIGGER console_access_user_deleted AFTER DELETE ON users
BEGIN
  DELETE FROM console_access_policies WHERE principal_type = 'USER' AND principal_id = OLD.id;
END;
CREATE TRIGGER console_access_group_deleted AFTER DELETE ON groups
BEGIN
  DELETE FROM console_access_policies WHERE principal_type = 'GROUP' AND principal_id = OLD.id;
END;
