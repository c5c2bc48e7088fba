#include "service/identity/identity_context.hpp"

#include "base/json_text.hpp"
#include "base/strings.hpp"
#include "base/try.hpp"
#include "domain/ids.hpp"
#include "domain/validation.hpp"
#include "service/identity/membership_graph.hpp"
#include "service/sso_admin/assignment_cascade.hpp"

namespace atrium::service {

identity_context::identity_context(audited_store& store, const clock& clk, random_source& rnd,
                                   std::string identity_store_id, quotas q)
    : store_(store), clock_(clk), random_(rnd), store_id_(std::move(identity_store_id)), quotas_(q) {}

namespace {
// "Created by"/"Updated by": the caller's ARN, or for SCIM (whose callers are bearer tokens,
// not IAM principals) the token id.
std::string by(const call_context& ctx) { return ctx.who.arn.empty() ? ctx.who.access_key_id : ctx.who.arn; }
}  // namespace

domain::audit_stamp identity_context::stamp(const call_context& ctx) const {
  domain::audit_stamp s;
  s.created_at = s.updated_at = clock_.now();
  s.created_by = s.updated_by = by(ctx);
  s.created_via = s.updated_via = ctx.via;
  return s;
}

void identity_context::touch(domain::audit_stamp& s, const call_context& ctx) const {
  s.updated_at = clock_.now();
  s.updated_by = by(ctx);
  s.updated_via = ctx.via;
}

std::string identity_context::ids(std::initializer_list<std::pair<const char*, std::string>> kv) const {
  nlohmann::json j = {{"identityStoreId", store_id_}};
  for (auto& [k, v] : kv) j[k] = v;
  return to_json_text(j);
}

// ---- page tokens -------------------------------------------------------------------------
result<store::page_request> identity_context::start_page(std::string_view scope,
                                                         const std::optional<std::string>& token, int max) {
  store::page_request pr{"", max};
  if (!token) return pr;
  auto after = decode_page_token(scope, *token);
  if (!after) return std::unexpected(after.error());
  pr.after_id = std::move(*after);
  return pr;
}

std::string encode_page_token(std::string_view scope, std::string_view last_id) {
  std::string raw = "v1\n" + std::string(scope) + "\n" + std::string(last_id);
  return base64url_encode(raw);
}

result<std::string> decode_page_token(std::string_view scope, std::string_view token) {
  auto bad = [] { return fail(errc::validation, "The NextToken is invalid or expired."); };
  if (token.size() > 4096) return bad();
  auto raw = base64url_decode(token);
  if (!raw) return bad();
  auto parts = split(*raw, '\n');
  if (parts.size() != 3 || parts[0] != "v1" || parts[1] != scope || parts[2].empty()) return bad();
  return std::string(parts[2]);
}

result<std::optional<int64_t>> identity_context::count_before_write(
    const std::function<result<int64_t>(store::transaction&)>& count) {
  if (store_.db().single_writer()) return std::optional<int64_t>();
  std::optional<int64_t> n;
  auto r = store_.db().read([&](store::transaction& tx) -> result<void> {
    TRY(got, count(tx));
    n = got;
    return {};
  });
  if (!r) return std::unexpected(r.error());
  return n;
}

result<void> identity_context::touch_group(store::transaction& tx, const call_context& ctx,
                                           const std::string& group_id) {
  auto found = tx.groups().get(group_id);
  if (!found) return std::unexpected(found.error());
  if (!*found) return not_found("GROUP", group_id);
  domain::group g = std::move(**found);
  int64_t expected = g.version;
  g.version = expected + 1;
  touch(g.stamp, ctx);
  return tx.groups().update(g, expected);
}

result<void> check_version(const version_condition& c, int64_t version) {
  if (!c) return {};
  for (int64_t v : *c)
    if (v == version) return {};
  return fail(errc::concurrent_modification,
              "The resource is at version " + std::to_string(version) + ", not the one If-Match names.");
}

result<void> identity_context::leave_all_groups(store::transaction& tx, const call_context& ctx,
                                                const std::string& member_id) {
  auto groups = tx.memberships().groups_of(member_id);
  if (!groups) return std::unexpected(groups.error());
  for (const auto& g : *groups)
    if (g != member_id)
      if (auto r = touch_group(tx, ctx, g); !r) return r;
  return {};
}

result<user_view> identity_context::user_view_of(store::transaction& tx, domain::user u, view_options view) {
  user_view out{std::move(u), {}};
  if (!view.groups) return out;
  auto links = effective_groups(tx, out.user.id);
  if (!links) return std::unexpected(links.error());
  for (auto& l : *links) {
    auto g = tx.groups().get(l.group_id);
    if (!g) return std::unexpected(g.error());
    if (!*g) continue;  // a membership row always has its group (FK); be safe anyway
    out.groups.push_back({l.group_id, (*g)->display_name, l.direct});
  }
  return out;
}

result<group_view> identity_context::group_view_of(store::transaction& tx, domain::group g, view_options view) {
  group_view out{std::move(g), {}};
  if (!view.members) return out;
  auto members = tx.memberships().members_of(out.group.id);
  if (!members) return std::unexpected(members.error());
  out.members = std::move(*members);
  return out;
}

result<void> identity_context::remove_references_to(store::transaction& tx, const call_context& ctx,
                                                    const std::string& principal_id) {
  if (auto r = leave_all_groups(tx, ctx, principal_id); !r) return r;
  if (auto r = tx.memberships().remove_all_for(principal_id); !r) return std::unexpected(r.error());
  return remove_assignments_of_principal(tx, random_, clock_.now(), principal_id);
}

}  // namespace atrium::service
