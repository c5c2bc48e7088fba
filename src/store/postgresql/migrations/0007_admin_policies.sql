-- Delegated administration (issue 4 item 7): IAM-style policies attached to admin access keys.
-- A built-in policy is stored by name (document NULL); an inline policy with its JSON text.
CREATE TABLE access_key_policies (
  access_key_id TEXT NOT NULL REFERENCES access_keys(access_key_id) ON DELETE CASCADE,
  name          TEXT NOT NULL,
  document      TEXT,
  attached_at   BIGINT NOT NULL,
  PRIMARY KEY (access_key_id, name)
);

-- Keys made before policies existed keep what they could do: full administration, or, for
-- keys made with --read-only, the built-in read-only policies.
INSERT INTO access_key_policies(access_key_id, name, document, attached_at)
  SELECT access_key_id, 'AdministratorAccess', NULL, created_at FROM access_keys WHERE read_only = 0;
INSERT INTO access_key_policies(access_key_id, name, document, attached_at)
  SELECT access_key_id, 'AWSSSOReadOnly', NULL, created_at FROM access_keys WHERE read_only <> 0;
INSERT INTO access_key_policies(access_key_id, name, document, attached_at)
  SELECT access_key_id, 'AWSSSODirectoryReadOnly', NULL, created_at FROM access_keys WHERE read_only <> 0;
