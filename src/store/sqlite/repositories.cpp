#include "store/sqlite/repositories.hpp"

#include <algorithm>

#include <nlohmann/json.hpp>

#include "base/conflict.hpp"
#include "store/codec.hpp"
#include "store/sqlite/rows.hpp"

namespace atrium::store::sqlite {

namespace {

// Names the attribute behind a uniqueness violation (the message of SQLite's constraint error
// names the column; nothing the caller sent is echoed).
error conflict_of(const error& e) {
  if (e.code != errc::conflict) return e;
  const std::string& m = e.message;
  std::string what = "The resource already exists.";
  if (m.find("user_name_key") != std::string::npos) what = "Duplicate UserName";
  else if (m.find("email_key") != std::string::npos) what = "Duplicate primary email";
  else if (m.find("display_name_key") != std::string::npos) what = "Duplicate DisplayName";
  else if (m.find("external_ids") != std::string::npos) what = "Duplicate ExternalId";
  else if (m.find("memberships.group_id") != std::string::npos) what = "Membership already exists";
  return uniqueness_violation(what);
}

// Whether the owner's stored external ids are exactly `ids` (an update that leaves them alone,
// as most do: a group's member PATCH, a user's title): one index range read instead of
// deleting and inserting the same rows again.
result<bool> same_external_ids(connection& c, const char* kind, const std::string& owner,
                               const std::vector<domain::external_id>& ids) {
  PREPARE(s, c, "SELECT issuer, external_id FROM external_ids WHERE owner_id = ? AND kind = ?");
  s.bind(1, owner).bind(2, std::string_view(kind));
  std::size_t n = 0;
  bool same = true;
  while (true) {
    auto row = s.step();
    if (!row) return std::unexpected(row.error());
    if (!*row) break;
    ++n;
    if (!same) continue;
    auto issuer = s.text(0), id = s.text(1);
    same = std::any_of(ids.begin(), ids.end(), [&](const auto& x) { return x.issuer == issuer && x.id == id; });
  }
  s.reset();
  return same && n == ids.size();
}

// fresh: the owner was inserted in this statement's transaction, so it has no rows yet.
result<void> put_external_ids(connection& c, const char* kind, const std::string& owner,
                              const std::vector<domain::external_id>& ids, bool fresh = false) {
  if (fresh && ids.empty()) return {};
  if (!fresh) {
    auto same = same_external_ids(c, kind, owner, ids);
    if (!same) return std::unexpected(same.error());
    if (*same) return {};
    PREPARE(del, c, "DELETE FROM external_ids WHERE owner_id = ? AND kind = ?");
    del.bind(1, owner).bind(2, std::string_view(kind));
    if (auto r = run(del, conflict_of); !r) return r;
  }
  for (const auto& x : ids) {
    PREPARE(ins, c, "INSERT INTO external_ids(kind, issuer, external_id, owner_id) VALUES (?, ?, ?, ?)");
    ins.bind(1, std::string_view(kind)).bind(2, x.issuer).bind(3, x.id).bind(4, owner);
    if (auto r = run(ins, conflict_of); !r) return r;
  }
  return {};
}

// Rows of `SELECT doc ...`: the stored JSON document, decoded.
template <class T>
auto doc_row(result<T> (*decode)(std::string_view)) {
  return [decode](const statement& s) { return decode(s.text(0)); };
}

// 0 rows changed: the row is gone (not_found) or its version moved on (concurrent change).
template <class Repo>
result<void> stale_or_missing(Repo& repo, const std::string& id, const char* type) {
  auto cur = repo.get(id);
  if (!cur) return std::unexpected(cur.error());
  if (!*cur) return not_found(type, id);
  return fail(errc::concurrent_modification, "The resource was changed by another request; retry.");
}

}  // namespace

// ---- users -------------------------------------------------------------------------------

result<std::optional<domain::user>> user_repo::get(const std::string& id) {
  PREPARE(s, c_, "SELECT doc FROM users WHERE id = ?");
  s.bind(1, id);
  return one_row(s, doc_row(&decode_user));
}

namespace {

// The WHERE clause shared by list and count_matching. Parameters are numbered so that one
// text serves every combination (SQLite ignores unbound numbered parameters' absence only
// when they do not appear, so each appears only when its filter is set).
std::string user_where(const user_filter& f) {
  std::string sql;
  if (f.external_id) sql += " JOIN external_ids x ON x.owner_id = u.id AND x.kind = 'user' AND x.issuer = ?1 AND x.external_id = ?2";
  sql += " WHERE u.id > ?3";
  if (f.id) sql += " AND u.id = ?4";
  if (f.user_name_key) sql += " AND u.user_name_key = ?5";
  if (f.email_key) sql += " AND u.email_key = ?6";
  if (f.manager_id) sql += " AND u.manager_id = ?7";
  // json_each keeps one statement text whatever the number of groups.
  if (f.member_of_any) sql += " AND u.id IN (SELECT m.member_id FROM json_each(?9) j JOIN memberships m ON m.group_id = j.value AND m.kind = 'user')";
  return sql;
}

void bind_user_filter(statement& s, const user_filter& f, const std::string& after_id) {
  if (f.external_id) s.bind(1, f.external_id->issuer).bind(2, f.external_id->id);
  s.bind(3, after_id);
  if (f.id) s.bind(4, *f.id);
  if (f.user_name_key) s.bind(5, *f.user_name_key);
  if (f.email_key) s.bind(6, *f.email_key);
  if (f.manager_id) s.bind(7, *f.manager_id);
  if (f.member_of_any) s.bind(9, nlohmann::json(*f.member_of_any).dump());
}

std::string group_where(const group_filter& f) {
  std::string sql;
  if (f.external_id) sql += " JOIN external_ids x ON x.owner_id = g.id AND x.kind = 'group' AND x.issuer = ?1 AND x.external_id = ?2";
  sql += " WHERE g.id > ?3";
  if (f.id) sql += " AND g.id = ?4";
  if (f.display_name_key) sql += " AND g.display_name_key = ?5";
  if (f.member_id) sql += " AND g.id IN (SELECT group_id FROM memberships WHERE member_id = ?7)";
  return sql;
}

void bind_group_filter(statement& s, const group_filter& f, const std::string& after_id) {
  if (f.external_id) s.bind(1, f.external_id->issuer).bind(2, f.external_id->id);
  s.bind(3, after_id);
  if (f.id) s.bind(4, *f.id);
  if (f.display_name_key) s.bind(5, *f.display_name_key);
  if (f.member_id) s.bind(7, *f.member_id);
}

}  // namespace

result<page<domain::user>> user_repo::list(const user_filter& f, const page_request& p) {
  PREPARE(s, c_, "SELECT u.doc FROM users u" + user_where(f) + " ORDER BY u.id LIMIT ?8 OFFSET ?10");
  bind_user_filter(s, f, p.after_id);
  s.bind(8, page_limit(p) + 1).bind(10, std::max<int64_t>(0, p.offset));
  return page_of(s, page_limit(p), doc_row(&decode_user));
}

result<int64_t> user_repo::count_matching(const user_filter& f) {
  PREPARE(s, c_, "SELECT COUNT(*) FROM users u" + user_where(f));
  bind_user_filter(s, f, "");
  return scalar(s);
}

result<void> user_repo::insert(const domain::user& u) {
  PREPARE(s, c_, "INSERT INTO users(id, user_name_key, email_key, manager_id, version, doc, display_name_key, email_order_key) VALUES (?, ?, ?, ?, ?, ?, ?, ?)");
  std::optional<std::string> manager = u.enterprise_ext ? u.enterprise_ext->manager : std::nullopt;
  s.bind(1, u.id).bind(2, u.user_name_key()).bind(3, u.primary_email_key()).bind(4, manager)
      .bind(5, u.version).bind(6, encode_user(u)).bind(7, u.display_name_key()).bind(8, u.primary_email_key().value_or(""));
  if (auto r = run(s, conflict_of); !r) return r;
  return put_external_ids(c_, "user", u.id, u.external_ids, true);
}

result<void> user_repo::update(const domain::user& u, int64_t expected_version) {
  PREPARE(s, c_, "UPDATE users SET user_name_key = ?, email_key = ?, manager_id = ?, version = ?, doc = ?, display_name_key = ?, email_order_key = ? WHERE id = ? AND version = ?");
  std::optional<std::string> manager = u.enterprise_ext ? u.enterprise_ext->manager : std::nullopt;
  s.bind(1, u.user_name_key()).bind(2, u.primary_email_key()).bind(3, manager).bind(4, u.version)
      .bind(5, encode_user(u)).bind(6, u.display_name_key()).bind(7, u.primary_email_key().value_or(""))
      .bind(8, u.id).bind(9, expected_version);
  if (auto r = run(s, conflict_of); !r) return r;
  if (c_.changes() == 0) return stale_or_missing(*this, u.id, "USER");
  return put_external_ids(c_, "user", u.id, u.external_ids);
}

result<bool> user_repo::remove(const std::string& id) {
  PREPARE(s, c_, "DELETE FROM users WHERE id = ?");
  s.bind(1, id);
  if (auto r = run(s, conflict_of); !r) return std::unexpected(r.error());
  bool removed = c_.changes() > 0;
  if (auto r = put_external_ids(c_, "user", id, {}); !r) return std::unexpected(r.error());
  return removed;
}

result<int64_t> user_repo::count() {
  PREPARE(s, c_, "SELECT n FROM row_counts WHERE tbl = 'users'");  // kept by triggers (0003)
  return scalar(s);
}

namespace {

// The sort column of each order (each with its index on (column, id), migration 0022). Users
// without an e-mail sort as "" in the e-mail order (email_order_key: a plain column, since the
// keyset's row-value comparison bounds an index scan on columns, not on an expression).
std::string user_sort_column(user_sort s) {
  switch (s) {
    case user_sort::display_name: return "u.display_name_key";
    case user_sort::email: return "u.email_order_key";
    case user_sort::user_name: break;
  }
  return "u.user_name_key";
}

// Every key that starts with the prefix lies in [prefix, prefix + U+10FFFF): a range each key's
// index answers (a LIKE would not use it under every collation).
std::string prefix_end(const std::string& prefix) { return prefix + "\xF4\x8F\xBF\xBF"; }

}  // namespace

result<page<domain::user>> user_repo::search(const search_request& q) {
  const std::string key = user_sort_column(q.sort);
  // The prefix is matched on the sort column itself: the page is then one range of one index,
  // read in order, whatever the number of users (an OR over three columns would have to collect
  // and sort every match: a second over 100,000 users for a one-letter prefix).
  // After a first page, the keyset comparison is the range's bound on its side (the last key
  // shown already starts with the prefix): one bound per side lets the index range use both.
  // Only the parameters the text names are bound (PostgreSQL types each one it is sent).
  const bool lower = !q.prefix_key.empty() && (!q.after || q.descending);
  const bool upper = !q.prefix_key.empty() && (!q.after || !q.descending);
  std::string sql = "SELECT u.doc FROM users u WHERE 1 = 1";
  if (lower) sql += " AND " + key + " >= ?1";
  if (upper) sql += " AND " + key + " < ?2";
  const std::string dir = q.descending ? " DESC" : "";
  if (q.after) sql += " AND (" + key + ", u.id) " + (q.descending ? "<" : ">") + " (?3, ?4)";
  sql += " ORDER BY " + key + dir + ", u.id" + dir + " LIMIT ?5";
  PREPARE(s, c_, sql);
  if (lower) s.bind(1, q.prefix_key);
  if (upper) s.bind(2, prefix_end(q.prefix_key));
  if (q.after) s.bind(3, q.after->first).bind(4, q.after->second);
  s.bind(5, std::max(1, q.limit) + 1);
  return page_of(s, std::max(1, q.limit), doc_row(&decode_user));
}

// ---- groups ------------------------------------------------------------------------------

result<std::optional<domain::group>> group_repo::get(const std::string& id) {
  PREPARE(s, c_, "SELECT doc FROM groups WHERE id = ?");
  s.bind(1, id);
  return one_row(s, doc_row(&decode_group));
}

result<page<domain::group>> group_repo::list(const group_filter& f, const page_request& p) {
  PREPARE(s, c_, "SELECT g.doc FROM groups g" + group_where(f) + " ORDER BY g.id LIMIT ?6 OFFSET ?8");
  bind_group_filter(s, f, p.after_id);
  s.bind(6, page_limit(p) + 1).bind(8, std::max<int64_t>(0, p.offset));
  return page_of(s, page_limit(p), doc_row(&decode_group));
}

result<int64_t> group_repo::count_matching(const group_filter& f) {
  PREPARE(s, c_, "SELECT COUNT(*) FROM groups g" + group_where(f));
  bind_group_filter(s, f, "");
  return scalar(s);
}

result<void> group_repo::insert(const domain::group& g) {
  PREPARE(s, c_, "INSERT INTO groups(id, display_name_key, version, doc) VALUES (?, ?, ?, ?)");
  s.bind(1, g.id).bind(2, g.display_name_key()).bind(3, g.version).bind(4, encode_group(g));
  if (auto r = run(s, conflict_of); !r) return r;
  return put_external_ids(c_, "group", g.id, g.external_ids, true);
}

result<void> group_repo::update(const domain::group& g, int64_t expected_version) {
  PREPARE(s, c_, "UPDATE groups SET display_name_key = ?, version = ?, doc = ? WHERE id = ? AND version = ?");
  s.bind(1, g.display_name_key()).bind(2, g.version).bind(3, encode_group(g)).bind(4, g.id).bind(5, expected_version);
  if (auto r = run(s, conflict_of); !r) return r;
  if (c_.changes() == 0) return stale_or_missing(*this, g.id, "GROUP");
  return put_external_ids(c_, "group", g.id, g.external_ids);
}

result<bool> group_repo::remove(const std::string& id) {
  PREPARE(s, c_, "DELETE FROM groups WHERE id = ?");
  s.bind(1, id);
  if (auto r = run(s, conflict_of); !r) return std::unexpected(r.error());
  bool removed = c_.changes() > 0;
  if (auto r = put_external_ids(c_, "group", id, {}); !r) return std::unexpected(r.error());
  return removed;
}

result<int64_t> group_repo::count() {
  PREPARE(s, c_, "SELECT n FROM row_counts WHERE tbl = 'groups'");  // kept by triggers (0003)
  return scalar(s);
}

// Display names are unique (folded), so the key alone orders and pages the groups.
result<page<domain::group>> group_repo::search(const search_request& q) {
  const bool lower = !q.prefix_key.empty() && (!q.after || q.descending);
  const bool upper = !q.prefix_key.empty() && (!q.after || !q.descending);
  std::string sql = "SELECT g.doc FROM groups g WHERE 1 = 1";
  if (lower) sql += " AND g.display_name_key >= ?1";
  if (upper) sql += " AND g.display_name_key < ?2";
  if (q.after) sql += std::string(" AND g.display_name_key ") + (q.descending ? "<" : ">") + " ?3";
  sql += std::string(" ORDER BY g.display_name_key") + (q.descending ? " DESC" : "") + " LIMIT ?5";
  PREPARE(s, c_, sql);
  if (lower) s.bind(1, q.prefix_key);
  if (upper) s.bind(2, prefix_end(q.prefix_key));
  if (q.after) s.bind(3, q.after->first);
  s.bind(5, std::max(1, q.limit) + 1);
  return page_of(s, std::max(1, q.limit), doc_row(&decode_group));
}

// ---- memberships -------------------------------------------------------------------------

result<std::optional<domain::membership>> membership_repo::get(const std::string& id) {
  PREPARE(s, c_, "SELECT doc FROM memberships WHERE id = ?");
  s.bind(1, id);
  return one_row(s, doc_row(&decode_membership));
}

result<std::optional<domain::membership>> membership_repo::find(const std::string& group_id,
                                                                const std::string& member_id) {
  PREPARE(s, c_, "SELECT doc FROM memberships WHERE group_id = ? AND member_id = ?");
  s.bind(1, group_id).bind(2, member_id);
  return one_row(s, doc_row(&decode_membership));
}

result<void> membership_repo::insert(const domain::membership& m) {
  PREPARE(s, c_, "INSERT INTO memberships(id, group_id, member_id, kind, created_at, doc) VALUES (?, ?, ?, ?, ?, ?)");
  s.bind(1, m.id).bind(2, m.group_id).bind(3, m.member_id)
      .bind(4, std::string_view(m.kind == domain::member_kind::group ? "group" : "user"))
      .bind(5, epoch_millis(m.stamp.created_at)).bind(6, encode_membership(m));
  return run(s, conflict_of);
}

result<bool> membership_repo::remove(const std::string& id) {
  PREPARE(s, c_, "DELETE FROM memberships WHERE id = ?");
  s.bind(1, id);
  if (auto r = run(s, conflict_of); !r) return std::unexpected(r.error());
  return c_.changes() > 0;
}

result<page<domain::membership>> membership_repo::list_by_group(const std::string& group_id, const page_request& p) {
  PREPARE(s, c_, "SELECT doc FROM memberships WHERE group_id = ? AND kind = 'user' AND id > ? ORDER BY id LIMIT ?");
  s.bind(1, group_id).bind(2, p.after_id).bind(3, page_limit(p) + 1);
  return page_of(s, page_limit(p), doc_row(&decode_membership));
}

result<page<domain::membership>> membership_repo::list_by_member(const std::string& member_id, const page_request& p) {
  PREPARE(s, c_, "SELECT doc FROM memberships WHERE member_id = ? AND kind = 'user' AND id > ? ORDER BY id LIMIT ?");
  s.bind(1, member_id).bind(2, p.after_id).bind(3, page_limit(p) + 1);
  return page_of(s, page_limit(p), doc_row(&decode_membership));
}

result<int64_t> membership_repo::remove_all_for(const std::string& id) {
  PREPARE(s, c_, "DELETE FROM memberships WHERE group_id = ?1 OR member_id = ?1");
  s.bind(1, id);
  if (auto r = run(s, conflict_of); !r) return std::unexpected(r.error());
  return c_.changes();
}

result<int64_t> membership_repo::count_for_group(const std::string& group_id) {
  PREPARE(s, c_, "SELECT COUNT(*) FROM memberships WHERE group_id = ?");
  s.bind(1, group_id);
  return scalar(s);
}

result<std::vector<member_ref>> membership_repo::members_of(const std::string& group_id) {
  PREPARE(s, c_, "SELECT member_id, kind FROM memberships WHERE group_id = ? ORDER BY id");
  s.bind(1, group_id);
  std::vector<member_ref> out;
  while (true) {
    auto row = s.step();
    if (!row) return std::unexpected(row.error());
    if (!*row) break;
    out.push_back({s.text(0), s.text(1) == "group" ? domain::member_kind::group : domain::member_kind::user});
  }
  s.reset();
  return out;
}

result<std::vector<std::string>> membership_repo::groups_of(const std::string& member_id) {
  PREPARE(s, c_, "SELECT group_id FROM memberships WHERE member_id = ? ORDER BY group_id");
  s.bind(1, member_id);
  std::vector<std::string> out;
  while (true) {
    auto row = s.step();
    if (!row) return std::unexpected(row.error());
    if (!*row) break;
    out.push_back(s.text(0));
  }
  s.reset();
  return out;
}

result<bool> membership_repo::remove_pair(const std::string& group_id, const std::string& member_id) {
  PREPARE(s, c_, "DELETE FROM memberships WHERE group_id = ? AND member_id = ?");
  s.bind(1, group_id).bind(2, member_id);
  if (auto r = run(s, conflict_of); !r) return std::unexpected(r.error());
  return c_.changes() > 0;
}

result<int64_t> membership_repo::remove_all_members(const std::string& group_id) {
  PREPARE(s, c_, "DELETE FROM memberships WHERE group_id = ?");
  s.bind(1, group_id);
  if (auto r = run(s, conflict_of); !r) return std::unexpected(r.error());
  return c_.changes();
}

// ---- SCIM tokens -------------------------------------------------------------------------

namespace {
constexpr const char* token_columns = "SELECT id, secret_hash, created_at, expires_at, last_used_at, created_by FROM scim_tokens";

scim_token_record token_row(const statement& s) {
  scim_token_record t{s.text(0), s.text(1), from_epoch_millis(s.integer(2)), from_epoch_millis(s.integer(3)), std::nullopt, s.text(5)};
  if (!s.is_null(4)) t.last_used_at = from_epoch_millis(s.integer(4));
  return t;
}
}  // namespace

result<void> scim_token_repo::insert(const scim_token_record& t) {
  PREPARE(s, c_, "INSERT INTO scim_tokens(id, secret_hash, created_at, expires_at, last_used_at, created_by) VALUES (?, ?, ?, ?, ?, ?)");
  s.bind(1, t.id).bind(2, t.secret_hash).bind(3, epoch_millis(t.created_at)).bind(4, epoch_millis(t.expires_at));
  if (t.last_used_at) s.bind(5, epoch_millis(*t.last_used_at));
  else s.bind_null(5);
  s.bind(6, t.created_by);
  return run(s, conflict_of);
}

result<std::optional<scim_token_record>> scim_token_repo::get(const std::string& id) {
  PREPARE(s, c_, std::string(token_columns) + " WHERE id = ?");
  s.bind(1, id);
  return one_row(s, token_row);
}

result<std::vector<scim_token_record>> scim_token_repo::list() {
  PREPARE(s, c_, std::string(token_columns) + " ORDER BY created_at, id");
  auto all = page_of(s, INT64_MAX, token_row);
  if (!all) return std::unexpected(all.error());
  return std::move(all->items);
}

result<bool> scim_token_repo::remove(const std::string& id) {
  PREPARE(s, c_, "DELETE FROM scim_tokens WHERE id = ?");
  s.bind(1, id);
  if (auto r = run(s, conflict_of); !r) return std::unexpected(r.error());
  return c_.changes() > 0;
}

result<void> scim_token_repo::touch(const std::string& id, sys_time last_used) {
  PREPARE(s, c_, "UPDATE scim_tokens SET last_used_at = ? WHERE id = ?");
  s.bind(1, epoch_millis(last_used)).bind(2, id);
  return run(s, conflict_of);
}

// ---- audit -------------------------------------------------------------------------------

result<void> audit_repo::append(const audit_record& r) {
  PREPARE(s, c_, "INSERT INTO audit_events(event_id, event_time, event_name, event_source, principal, read_only, error_code, record) VALUES (?, ?, ?, ?, ?, ?, ?, ?)");
  s.bind(1, r.event_id).bind(2, epoch_millis(r.event_time)).bind(3, r.event_name).bind(4, r.event_source)
      .bind(5, r.principal).bind(6, int64_t{r.read_only}).bind(7, r.error_code).bind(8, r.json);
  return run(s, conflict_of);
}

result<std::vector<audit_record>> audit_repo::query(const audit_query& q) {
  std::string sql = "SELECT event_id, event_time, event_name, event_source, principal, read_only, error_code, record FROM audit_events WHERE 1 = 1";
  if (q.event_name) sql += " AND event_name = ?1";
  if (q.principal) sql += " AND principal = ?2";
  if (q.since) sql += " AND event_time >= ?3";
  if (q.until) sql += " AND event_time <= ?4";
  sql += " ORDER BY event_time DESC, rowid DESC LIMIT ?5";
  PREPARE(s, c_, sql);
  if (q.event_name) s.bind(1, *q.event_name);
  if (q.principal) s.bind(2, *q.principal);
  if (q.since) s.bind(3, epoch_millis(*q.since));
  if (q.until) s.bind(4, epoch_millis(*q.until));
  s.bind(5, int64_t{std::max(0, q.limit)});  // a negative LIMIT would mean "no limit" to SQLite
  std::vector<audit_record> out;
  while (true) {
    auto row = s.step();
    if (!row) return std::unexpected(row.error());
    if (!*row) break;
    out.push_back({s.text(0), from_epoch_millis(s.integer(1)), s.text(2), s.text(3), s.text(4),
                   s.integer(5) != 0, s.text(6), s.text(7)});
  }
  s.reset();
  return out;
}

// ---- access keys and settings ------------------------------------------------------------

result<void> access_key_repo::insert(const access_key_record& k) {
  PREPARE(s, c_, "INSERT INTO access_keys(access_key_id, secret_ciphertext, principal, status, read_only, created_at) VALUES (?, ?, ?, ?, ?, ?)");
  s.bind(1, k.access_key_id).bind(2, k.secret_ciphertext).bind(3, k.principal).bind(4, k.status)
      .bind(5, int64_t{k.read_only}).bind(6, epoch_millis(k.created_at));
  return run(s, conflict_of);
}

namespace {
access_key_record key_row(const statement& s) {
  return {s.text(0), s.text(1), s.text(2), s.text(3), s.integer(4) != 0, from_epoch_millis(s.integer(5))};
}
}  // namespace

result<std::optional<access_key_record>> access_key_repo::get(const std::string& id) {
  PREPARE(s, c_, "SELECT access_key_id, secret_ciphertext, principal, status, read_only, created_at FROM access_keys WHERE access_key_id = ?");
  s.bind(1, id);
  auto row = s.step();
  if (!row) return std::unexpected(row.error());
  std::optional<access_key_record> out;
  if (*row) out = key_row(s);
  s.reset();
  return out;
}

result<std::vector<access_key_record>> access_key_repo::list() {
  PREPARE(s, c_, "SELECT access_key_id, secret_ciphertext, principal, status, read_only, created_at FROM access_keys ORDER BY created_at, access_key_id");
  std::vector<access_key_record> out;
  while (true) {
    auto row = s.step();
    if (!row) return std::unexpected(row.error());
    if (!*row) break;
    out.push_back(key_row(s));
  }
  s.reset();
  return out;
}

result<bool> access_key_repo::set_status(const std::string& id, const std::string& status) {
  PREPARE(s, c_, "UPDATE access_keys SET status = ? WHERE access_key_id = ?");
  s.bind(1, status).bind(2, id);
  if (auto r = run(s, conflict_of); !r) return std::unexpected(r.error());
  return c_.changes() > 0;
}

result<std::optional<std::string>> settings_repo::get(const std::string& key) {
  PREPARE(s, c_, "SELECT value FROM settings WHERE key = ?");
  s.bind(1, key);
  auto row = s.step();
  if (!row) return std::unexpected(row.error());
  std::optional<std::string> out;
  if (*row) out = s.text(0);
  s.reset();
  return out;
}

result<void> settings_repo::put(const std::string& key, const std::string& value) {
  PREPARE(s, c_, "INSERT INTO settings(key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value");
  s.bind(1, key).bind(2, value);
  return run(s, conflict_of);
}

}  // namespace atrium::store::sqlite
