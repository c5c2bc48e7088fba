-- The IAM role each (account, permission set) was provisioned as (issue 15 item 2). Role names
-- and paths became provisioner settings (provisioner.role_name_prefix, provisioner.role_path;
-- docs/provisioning.md): the next provisioning compares what is recorded here with the settings
-- and replaces a role of the old name, and console and CLI federation name the recorded role.
-- Rows written before this migration keep '' and mean the service's own names
-- (AWSReservedSSO_<name>_<16 hex> under /aws-reserved/sso.amazonaws.com/), which is what
-- Atrium created until then.
ALTER TABLE provisioned_permission_sets ADD COLUMN role_name TEXT NOT NULL DEFAULT '';
ALTER TABLE provisioned_permission_sets ADD COLUMN role_path TEXT NOT NULL DEFAULT '';
