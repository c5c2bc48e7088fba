#include "store/postgresql/permission_set_repo.hpp"

#include <nlohmann/json.hpp>

#include "store/postgresql/rows.hpp"

namespace atrium::store::postgresql {

using nlohmann::json;

namespace {

json tags_json(const std::vector<domain::resource_tag>& tags) {
  json a = json::array();
  for (const auto& t : tags) a.push_back({{"k", t.key}, {"v", t.value}});
  return a;
}

std::vector<domain::resource_tag> tags_of(const json& a) {
  std::vector<domain::resource_tag> out;
  if (a.is_array())
    for (const auto& t : a) out.push_back({t.value("k", ""), t.value("v", "")});
  return out;
}

json ref_json(const domain::customer_managed_ref& r) { return {{"name", r.name}, {"path", r.path}}; }
domain::customer_managed_ref ref_of(const json& j) { return {j.value("name", ""), j.value("path", "/")}; }

// The entity as stored in permission_sets.doc (short keys; unknown keys ignored on read so
// that a later version may add fields).
std::string encode(const domain::permission_set& ps) {
  json j = {{"id", ps.id},
            {"arn", ps.arn},
            {"name", ps.name},
            {"session", ps.session_duration},
            {"created", epoch_millis(ps.created_at)},
            {"version", ps.version},
            {"updated", epoch_millis(ps.updated_at)},
            {"managed", ps.managed_policy_arns},
            {"tags", tags_json(ps.tags)}};
  if (ps.description) j["description"] = *ps.description;
  if (ps.relay_state) j["relay"] = *ps.relay_state;
  if (ps.inline_policy) j["inline"] = *ps.inline_policy;
  json cm = json::array();
  for (const auto& r : ps.customer_managed) cm.push_back(ref_json(r));
  j["customer"] = cm;
  if (ps.boundary) {
    json b = json::object();
    if (ps.boundary->managed_policy_arn) b["managed"] = *ps.boundary->managed_policy_arn;
    if (ps.boundary->customer_managed) b["customer"] = ref_json(*ps.boundary->customer_managed);
    j["boundary"] = b;
  }
  return j.dump();
}

result<domain::permission_set> decode(std::string_view text) {
  json j = json::parse(text, nullptr, false);
  if (j.is_discarded() || !j.is_object()) return fail(errc::internal, "corrupt permission set document");
  domain::permission_set ps;
  ps.id = j.value("id", "");
  ps.arn = j.value("arn", "");
  ps.name = j.value("name", "");
  ps.session_duration = j.value("session", "PT1H");
  ps.created_at = from_epoch_millis(j.value("created", int64_t{0}));
  ps.version = j.value("version", int64_t{1});
  ps.updated_at = from_epoch_millis(j.value("updated", int64_t{0}));
  if (j.contains("description")) ps.description = j["description"].get<std::string>();
  if (j.contains("relay")) ps.relay_state = j["relay"].get<std::string>();
  if (j.contains("inline")) ps.inline_policy = j["inline"].get<std::string>();
  if (auto m = j.find("managed"); m != j.end() && m->is_array())
    for (const auto& a : *m) ps.managed_policy_arns.push_back(a.get<std::string>());
  if (auto c = j.find("customer"); c != j.end() && c->is_array())
    for (const auto& r : *c) ps.customer_managed.push_back(ref_of(r));
  if (auto b = j.find("boundary"); b != j.end() && b->is_object()) {
    domain::permissions_boundary pb;
    if (b->contains("managed")) pb.managed_policy_arn = (*b)["managed"].get<std::string>();
    if (b->contains("customer")) pb.customer_managed = ref_of((*b)["customer"]);
    ps.boundary = pb;
  }
  if (auto t = j.find("tags"); t != j.end()) ps.tags = tags_of(*t);
  return ps;
}

// Rows of `SELECT doc FROM permission_sets`.
result<domain::permission_set> doc_row(const statement& s) { return decode(s.text(0)); }

error named_conflict(const error& e) {
  if (e.code != errc::conflict) return e;
  return error{errc::conflict, "A permission set with that name already exists.", {}, {}};
}

}  // namespace

result<std::optional<instance_record>> permission_set_repo::instance(const std::string& id) {
  PREPARE(s, c_, "SELECT id, name, created_at, tags FROM sso_instances WHERE id = ?");
  s.bind(1, id);
  return one_row(s, [](const statement& st) {
    return instance_record{st.text(0), st.text(1), from_epoch_millis(st.integer(2)),
                           tags_of(json::parse(st.text(3), nullptr, false))};
  });
}

result<void> permission_set_repo::put_instance(const instance_record& r) {
  PREPARE(s, c_, "INSERT INTO sso_instances(id, name, created_at, tags) VALUES (?, ?, ?, ?) "
                 "ON CONFLICT(id) DO UPDATE SET name = excluded.name, tags = excluded.tags");
  s.bind(1, r.id).bind(2, r.name).bind(3, epoch_millis(r.created_at)).bind(4, tags_json(r.tags).dump());
  return run(s, named_conflict);
}

result<std::optional<domain::permission_set>> permission_set_repo::get(const std::string& arn) {
  PREPARE(s, c_, "SELECT doc FROM permission_sets WHERE arn = ?");
  s.bind(1, arn);
  return one_row(s, doc_row);
}

result<void> permission_set_repo::insert(const domain::permission_set& ps) {
  PREPARE(s, c_, "INSERT INTO permission_sets(arn, name, created_at, doc) VALUES (?, ?, ?, ?)");
  s.bind(1, ps.arn).bind(2, ps.name).bind(3, epoch_millis(ps.created_at)).bind(4, encode(ps));
  return run(s, named_conflict);
}

result<bool> permission_set_repo::update(const domain::permission_set& ps) {
  PREPARE(s, c_, "UPDATE permission_sets SET name = ?, doc = ? WHERE arn = ?");
  s.bind(1, ps.name).bind(2, encode(ps)).bind(3, ps.arn);
  if (auto r = run(s, named_conflict); !r) return std::unexpected(r.error());
  return c_.changes() > 0;
}

result<bool> permission_set_repo::remove(const std::string& arn) {
  PREPARE(s, c_, "DELETE FROM permission_sets WHERE arn = ?");
  s.bind(1, arn);
  if (auto r = run(s, named_conflict); !r) return std::unexpected(r.error());
  return c_.changes() > 0;
}

result<page<domain::permission_set>> permission_set_repo::list(const page_request& p) {
  // Keyset on (created_at, arn): the cursor row's created_at is looked up by its ARN; a cursor
  // whose row was deleted meanwhile restarts nothing, it simply continues after that ARN's time.
  PREPARE(s, c_, "SELECT doc FROM permission_sets WHERE ?1 = '' OR (created_at, arn) > "
                 "(COALESCE((SELECT created_at FROM permission_sets WHERE arn = ?1), ?2), ?1) "
                 "ORDER BY created_at, arn LIMIT ?3");
  int64_t fallback = 0;
  auto bar = p.after_id.find(' ');
  std::string after = p.after_id.substr(0, bar);
  if (bar != std::string::npos) fallback = std::stoll("0" + p.after_id.substr(bar + 1));
  s.bind(1, after).bind(2, fallback).bind(3, page_limit(p) + 1);
  return page_of(s, page_limit(p), doc_row);
}

result<int64_t> permission_set_repo::count() {
  PREPARE(s, c_, "SELECT COUNT(*) FROM permission_sets");
  return scalar(s);
}

}  // namespace atrium::store::postgresql
