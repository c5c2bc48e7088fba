#include "service/admin/key_policies.hpp"

#include "base/json_text.hpp"
#include "store/decoded_memo.hpp"

#include <map>
#include <mutex>

namespace atrium::service {

namespace {

bool valid_policy_name(const std::string& n) {
  if (n.empty() || n.size() > 128) return false;
  for (char c : n) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              std::string_view("+=,.@_-").find(c) != std::string_view::npos;
    if (!ok) return false;
  }
  return true;
}

// Built-ins are parsed once; they are constants of the binary.
const domain::admin_policy* parsed_builtin(const std::string& name) {
  static const std::map<std::string, domain::admin_policy, std::less<>> parsed = [] {
    std::map<std::string, domain::admin_policy, std::less<>> m;
    for (const auto& b : domain::builtin_policies())
      if (auto p = domain::parse_admin_policy(b.document)) m.emplace(std::string(b.name), std::move(*p));
    return m;
  }();
  auto it = parsed.find(name);
  return it == parsed.end() ? nullptr : &it->second;
}

result<void> key_exists(store::transaction& tx, const std::string& id) {
  auto k = tx.access_keys().get(id);
  if (!k) return std::unexpected(k.error());
  if (!*k) return not_found("AccessKey", id);
  return {};
}

}  // namespace

result<void> validate_key_policy(const key_policy_spec& spec) {
  if (!valid_policy_name(spec.name))
    return fail(errc::validation, "A policy name must be 1-128 characters of letters, digits and +=,.@_-.");
  bool builtin = domain::builtin_policy_document(spec.name).has_value();
  if (!spec.document) {
    if (!builtin) return fail(errc::validation, "No built-in policy is named " + spec.name + ".");
    return {};
  }
  if (builtin) return fail(errc::validation, spec.name + " is the name of a built-in policy.");
  auto p = domain::parse_admin_policy(*spec.document);
  if (!p) return std::unexpected(p.error());
  return {};
}

std::optional<domain::admin_policy> resolve_stored_policy(const std::string& name,
                                                          const std::optional<std::string>& document) {
  if (!document) {
    if (const auto* b = parsed_builtin(name)) return *b;
    return std::nullopt;
  }
  // Stored documents were validated when attached; one that no longer parses grants nothing.
  if (auto p = domain::parse_admin_policy(*document)) return std::move(*p);
  return std::nullopt;
}

// The rows' policies parsed once per text of the rows (issue 18 item 3: every SigV4 request copied
// its key's built-ins and parsed its inline documents). A memo of a pure function, keyed by the
// names and documents themselves, shared read-only by the requests: the rows are still read on
// every request, so a detached policy or a deleted key counts at once.
result<std::shared_ptr<const std::vector<domain::admin_policy>>> load_key_policies(store::transaction& tx,
                                                                                   const std::string& access_key_id) {
  using parsed_set = std::shared_ptr<const std::vector<domain::admin_policy>>;
  static store::decoded_memo<parsed_set> memo(1024 * 1024);
  auto rows = tx.admin_policies().list_for_key(access_key_id);
  if (!rows) return std::unexpected(rows.error());
  std::string text;  // per row: name NUL, then "-" or the document's length ":" document
  for (const auto& r : *rows) {
    text.append(r.name).append(1, '\0');
    if (!r.document) text.append(1, '-');
    else text.append(std::to_string(r.document->size())).append(1, ':').append(*r.document);
  }
  return memo.get(text, [&](std::string_view) -> result<parsed_set> {
    auto out = std::make_shared<std::vector<domain::admin_policy>>();
    out->reserve(rows->size());
    for (const auto& r : *rows)
      if (auto p = resolve_stored_policy(r.name, r.document)) out->push_back(std::move(*p));
    return parsed_set(std::move(out));
  });
}

result<void> authorize(const principal& who, const domain::policy_request& req) {
  if (!who.policies) return {};
  auto v = domain::evaluate(*who.policies, req);
  if (v.decision == domain::policy_decision::allow) return {};
  std::string msg = "User: " + who.arn + " is not authorized to perform: " + req.action + " on resource: " + v.resource;
  if (v.decision == domain::policy_decision::explicit_deny) msg += " with an explicit deny";
  return fail(errc::access_denied, msg);
}

result<std::vector<store::key_policy_record>> key_policies::list(const std::string& access_key_id) const {
  std::vector<store::key_policy_record> out;
  auto r = store_.db().read([&](store::transaction& tx) -> result<void> {
    if (auto k = key_exists(tx, access_key_id); !k) return k;
    auto rows = tx.admin_policies().list_for_key(access_key_id);
    if (!rows) return std::unexpected(rows.error());
    out = std::move(*rows);
    return {};
  });
  if (!r) return std::unexpected(r.error());
  return out;
}

result<void> key_policies::attach(const std::string& access_key_id, const key_policy_spec& spec,
                                  const call_context& ctx) {
  if (auto v = validate_key_policy(spec); !v) return v;
  auto r = store_.write<bool>(
      ctx,
      [&](store::transaction& tx) -> result<bool> {
        if (auto k = key_exists(tx, access_key_id); !k) return std::unexpected(k.error());
        auto rows = tx.admin_policies().list_for_key(access_key_id);
        if (!rows) return std::unexpected(rows.error());
        if (rows->size() >= max_policies_per_key)
          return fail(errc::quota_exceeded, "An access key may have at most " + std::to_string(max_policies_per_key) + " policies.");
        if (auto a = tx.admin_policies().attach({access_key_id, spec.name, spec.document, clock_.now()}); !a)
          return std::unexpected(a.error());
        return true;
      },
      json_text_of([](bool) { return nlohmann::json(nullptr); }));
  if (!r) return std::unexpected(r.error());
  return {};
}

result<void> key_policies::detach(const std::string& access_key_id, const std::string& name, const call_context& ctx) {
  auto r = store_.write<bool>(
      ctx,
      [&](store::transaction& tx) -> result<bool> {
        if (auto k = key_exists(tx, access_key_id); !k) return std::unexpected(k.error());
        auto d = tx.admin_policies().detach(access_key_id, name);
        if (!d) return std::unexpected(d.error());
        if (!*d) return not_found("Policy", name);
        return true;
      },
      json_text_of([](bool) { return nlohmann::json(nullptr); }));
  if (!r) return std::unexpected(r.error());
  return {};
}

}  // namespace atrium::service
