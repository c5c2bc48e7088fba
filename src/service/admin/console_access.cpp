#include "service/admin/console_access.hpp"

#include "base/json_text.hpp"
#include "service/identity/membership_graph.hpp"

namespace atrium::service {

namespace {

result<void> console_principal_exists(store::transaction& tx, const console_principal_ref& p) {
  if (p.type == "USER") {
    auto u = tx.users().get(p.id);
    if (!u) return std::unexpected(u.error());
    if (!*u) return not_found("User", p.id);
    return {};
  }
  if (p.type == "GROUP") {
    auto g = tx.groups().get(p.id);
    if (!g) return std::unexpected(g.error());
    if (!*g) return not_found("Group", p.id);
    return {};
  }
  return fail(errc::validation, "PrincipalType must be USER or GROUP.");
}

nlohmann::json console_grant_json(const store::console_policy_record& r) {
  return {{"PrincipalType", r.principal_type}, {"PrincipalId", r.principal_id}, {"PolicyName", r.name},
          {"Inline", r.document.has_value()}};
}

}  // namespace

std::string console_user_arn(const std::string& account_id, const std::string& user_id) {
  return "arn:aws:identitystore::" + account_id + ":user/" + user_id;
}

console_access::console_access(audited_store& store, const clock& clk, std::string account_id)
    : store_(store), clock_(clk), account_id_(std::move(account_id)) {}

result<std::vector<store::console_policy_record>> console_access::list(
    const call_context& ctx, const std::optional<console_principal_ref>& of) const {
  return store_.read<std::vector<store::console_policy_record>>(
      ctx, [&](store::transaction& tx) -> result<std::vector<store::console_policy_record>> {
        if (!of) return tx.admin_policies().list_console();
        if (auto e = console_principal_exists(tx, *of); !e) return std::unexpected(e.error());
        return tx.admin_policies().list_console_for({{of->type, of->id}});
      });
}

result<void> console_access::grant(const call_context& ctx, const console_principal_ref& to, const key_policy_spec& spec) {
  if (auto v = validate_key_policy(spec); !v) return v;
  store::console_policy_record rec{to.type, to.id, spec.name, spec.document, clock_.now()};
  auto r = store_.write<store::console_policy_record>(
      ctx,
      [&](store::transaction& tx) -> result<store::console_policy_record> {
        if (auto e = console_principal_exists(tx, to); !e) return std::unexpected(e.error());
        auto rows = tx.admin_policies().list_console_for({{to.type, to.id}});
        if (!rows) return std::unexpected(rows.error());
        if (rows->size() >= max_policies_per_key)
          return fail(errc::quota_exceeded, "A user or group may have at most " +
                                                std::to_string(max_policies_per_key) + " console policies.");
        if (auto a = tx.admin_policies().attach_console(rec); !a) return std::unexpected(a.error());
        return rec;
      },
      json_text_of(console_grant_json));
  if (!r) return std::unexpected(r.error());
  return {};
}

result<void> console_access::revoke(const call_context& ctx, const console_principal_ref& from, const std::string& name) {
  auto r = store_.write<bool>(
      ctx,
      [&](store::transaction& tx) -> result<bool> {
        if (from.type != "USER" && from.type != "GROUP")
          return fail(errc::validation, "PrincipalType must be USER or GROUP.");
        auto d = tx.admin_policies().detach_console(from.type, from.id, name);
        if (!d) return std::unexpected(d.error());
        if (!*d) return not_found("ConsolePolicy", name);
        return true;
      },
      json_text_of([](bool) { return nlohmann::json(nullptr); }));
  if (!r) return std::unexpected(r.error());
  return {};
}

result<std::optional<principal>> console_access::principal_for(const domain::user& u) const {
  std::vector<store::console_policy_record> rows;
  auto r = store_.db().read([&](store::transaction& tx) -> result<void> {
    std::vector<std::pair<std::string, std::string>> who{{"USER", u.id}};
    auto groups = effective_groups(tx, u.id);
    if (!groups) return std::unexpected(groups.error());
    for (const auto& g : *groups) who.emplace_back("GROUP", g.group_id);
    auto found = tx.admin_policies().list_console_for(who);
    if (!found) return std::unexpected(found.error());
    rows = std::move(*found);
    return {};
  });
  if (!r) return std::unexpected(r.error());
  if (rows.empty()) return std::optional<principal>();
  auto policies = std::make_shared<std::vector<domain::admin_policy>>();
  for (const auto& row : rows)
    if (auto p = resolve_stored_policy(row.name, row.document)) policies->push_back(std::move(*p));
  principal p;
  // CloudTrail names a person signed in through IAM Identity Center "IdentityCenterUser"; the
  // identity-store user is the principal (the audit's --principal column finds their ARN).
  p.type = "IdentityCenterUser";
  p.account_id = account_id_;
  p.principal_id = u.id;
  p.user_name = u.user_name;
  p.arn = console_user_arn(account_id_, u.id);
  // An empty list (every policy unparsable) still means "console user, allowed nothing".
  p.policies = std::move(policies);
  return std::optional<principal>(std::move(p));
}

}  // namespace atrium::service
