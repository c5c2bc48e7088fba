-- The console's user and group search and sort (issue 14 items 3-4, docs/admin-console.md
-- "Search and sort"): AtriumAdmin.SearchUsers orders by the user name, the display name or the
-- primary e-mail and matches a prefix of that column; SearchGroups the display name. Every order
-- is keyset-paged on (key, id), each with its index, so that a page is one index range.
-- display_name_key is domain::fold_key (ASCII lower case, as SQLite's lower()) of displayName.
ALTER TABLE users ADD COLUMN display_name_key TEXT NOT NULL DEFAULT '';
-- email_order_key is email_key with "" for none: the e-mail order's key (a column, not an
-- expression, so that the keyset's (key, id) comparison bounds the index scan).
ALTER TABLE users ADD COLUMN email_order_key TEXT NOT NULL DEFAULT '';
UPDATE users SET display_name_key = lower(COALESCE(json_extract(doc, '$.display_name'), '')),
                 email_order_key = COALESCE(email_key, '');
CREATE INDEX users_name_order ON users(user_name_key, id);
CREATE INDEX users_display_name_order ON users(display_name_key, id);
CREATE INDEX users_email_order ON users(email_order_key, id);
-- groups.display_name_key is UNIQUE already: its index orders and pages the groups.
