-- Memberships get their creation time as a column (it was only inside doc), filled from the
-- documents already stored, and an index that serves list_by_group's keyset order
-- (group_id = ? AND id > ? ORDER BY id) without a sort.
ALTER TABLE memberships ADD COLUMN created_at BIGINT;
UPDATE memberships SET created_at = (doc::jsonb #>> '{stamp,created_at}')::BIGINT;
CREATE INDEX memberships_group ON memberships(group_id, id);
