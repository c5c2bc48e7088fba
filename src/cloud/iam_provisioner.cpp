#include "cloud/iam_provisioner.hpp"

#include <algorithm>
#include <cstdio>
#include <future>
#include <set>

#include <nlohmann/json.hpp>

namespace atrium::cloud {

namespace {

constexpr std::string_view iam_version = "2010-05-08";
constexpr std::string_view sts_version = "2011-06-15";
// Refresh assumed-role credentials this long before they expire, so that no call is signed
// with credentials that lapse on the way.
constexpr auto refresh_margin = std::chrono::minutes(5);

bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_word(char c) { return is_digit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'; }

// IAM API reference limits (CreateRole, CreateSAMLProvider, PutRolePolicy).
result<void> check_account(const std::string& id) {
  if (id.size() != 12 || !std::all_of(id.begin(), id.end(), is_digit))
    return fail(errc::validation, "account id must be 12 digits");
  return {};
}
result<void> check_name(const std::string& what, const std::string& s, std::size_t max, std::string_view extra) {
  bool ok = !s.empty() && s.size() <= max &&
            std::all_of(s.begin(), s.end(), [&](char c) { return is_word(c) || extra.find(c) != std::string_view::npos; });
  if (!ok) return fail(errc::validation, what + " must be 1-" + std::to_string(max) + " characters of [\\w" + std::string(extra) + "]");
  return {};
}
result<void> check_role_spec(const service::role_spec& s) {
  if (auto r = check_name("role name", s.role_name, 64, "+=,.@-"); !r) return r;
  if (auto r = check_name("SAML provider name", s.saml_provider_name, 128, "._-"); !r) return r;
  if (s.path.size() > 512 || !s.path.starts_with('/') || !s.path.ends_with('/'))
    return fail(errc::validation, "role path must start and end with '/' (at most 512 characters)");
  if (s.description.size() > 1000) return fail(errc::validation, "role description is longer than 1000 characters");
  if (s.inline_policy && (s.inline_policy->empty() || s.inline_policy->size() > 10'240))
    return fail(errc::validation, "inline policy must be 1-10240 characters");
  if (s.max_session_duration < std::chrono::hours(1) || s.max_session_duration > std::chrono::hours(12))
    return fail(errc::validation, "MaxSessionDuration must be between 1 and 12 hours");
  for (const auto& a : s.managed_policy_arns)
    if (a.size() < 20 || a.size() > 2048 || !a.starts_with("arn:")) return fail(errc::validation, "bad managed policy ARN: " + a);
  return {};
}

// Every <member> of a (paginated) IAM list: IsTruncated/Marker until the end.
result<std::vector<xml_node>> list_all(aws_client& iam, const std::string& action, query_params params,
                                       const std::string& list) {
  std::vector<xml_node> out;
  std::string marker;
  for (int page = 0; page < 100; ++page) {
    query_params p = params;
    if (!marker.empty()) p.emplace_back("Marker", marker);
    auto doc = iam.call_query(action, iam_version, p);
    if (!doc) return std::unexpected(doc.error());
    const xml_node* res = doc->child(action + "Result");
    if (!res) return fail(errc::internal, action + " answer has no " + action + "Result");
    if (const xml_node* l = res->child(list))
      for (const auto* m : l->all("member")) out.push_back(*m);
    if (res->text_at("IsTruncated") != "true") return out;
    marker = res->text_at("Marker");
    if (marker.empty()) return out;
  }
  return fail(errc::internal, action + ": more than 100 pages");
}

bool is_not_found(const result<xml_node>& r) { return !r && peer_code(r.error()) == "NoSuchEntity"; }

std::string with_context(const std::string& what, const std::string& account, const error& e) {
  return what + " in account " + account + ": " + e.message;
}
std::unexpected<error> wrap(const std::string& what, const std::string& account, error e) {
  e.message = with_context(what, account, e);
  return std::unexpected<error>(std::move(e));
}

result<void> call(aws_client& iam, const std::string& account, const std::string& action, const query_params& p) {
  auto r = iam.call_query(action, iam_version, p);
  if (!r) return wrap(action, account, r.error());
  return {};
}

}  // namespace

std::string sso_trust_policy(const std::string& saml_provider_arn, const std::string& saml_audience) {
  // Identity Center's roles trust the account's SAML provider for AssumeRoleWithSAML and
  // session tags, restricted to the AWS sign-in audience.
  nlohmann::json doc = {
      {"Version", "2012-10-17"},
      {"Statement",
       {{{"Effect", "Allow"},
         {"Principal", {{"Federated", saml_provider_arn}}},
         {"Action", {"sts:AssumeRoleWithSAML", "sts:TagSession"}},
         {"Condition", {{"StringEquals", {{"SAML:aud", saml_audience}}}}}}}}};
  return doc.dump();
}

std::string customer_policy_arn(const std::string& partition, const std::string& account_id,
                                const service::customer_policy_ref& ref) {
  std::string path = ref.path.empty() ? "/" : ref.path;
  return "arn:" + partition + ":iam::" + account_id + ":policy" + path + ref.name;
}

std::optional<std::string> url_decode(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  auto hex = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '+') {
      out += ' ';
    } else if (s[i] != '%') {
      out += s[i];
    } else {
      if (i + 2 >= s.size() || hex(s[i + 1]) < 0 || hex(s[i + 2]) < 0) return std::nullopt;
      out += static_cast<char>(hex(s[i + 1]) * 16 + hex(s[i + 2]));
      i += 2;
    }
  }
  return out;
}

iam_provisioner::iam_provisioner(iam_provisioner_config config, credentials base, std::shared_ptr<http_transport> transport,
                                 std::shared_ptr<const clock> clk, std::function<void(std::chrono::milliseconds)> sleep)
    : config_(std::move(config)),
      base_(std::move(base)),
      transport_(transport ? std::move(transport) : make_beast_transport(config_.transport)),
      clock_(clk ? std::move(clk) : std::make_shared<system_clock>()),
      sleep_(std::move(sleep)),
      management_account_(config_.management_account_id) {}

aws_client iam_provisioner::client(const std::string& endpoint, const std::string& service, credentials creds) const {
  return aws_client(client_config{.endpoint_url = endpoint, .region = config_.region, .service = service,
                                  .retry = config_.retry, .transport = config_.transport},
                    std::move(creds), transport_, clock_, sleep_);
}

result<std::string> iam_provisioner::management_account() {
  std::lock_guard once(caller_mu_);
  {
    std::lock_guard lock(mu_);
    if (!management_account_.empty()) return management_account_;
  }
  auto sts = client(config_.sts_endpoint, "sts", base_);
  auto doc = sts.call_query("GetCallerIdentity", sts_version);
  if (!doc) return wrap("GetCallerIdentity", "(base credentials)", doc.error());
  std::string id = doc->text_at("GetCallerIdentityResult/Account");
  if (auto ok = check_account(id); !ok) return fail(errc::internal, "GetCallerIdentity answered no account id");
  std::lock_guard lock(mu_);
  management_account_ = id;
  return id;
}

result<credentials> iam_provisioner::credentials_for(const std::string& account_id) {
  auto mgmt = management_account();
  if (!mgmt) return std::unexpected(mgmt.error());
  if (*mgmt == account_id) return base_;
  std::shared_ptr<std::mutex> entering;
  {
    std::lock_guard lock(mu_);
    auto& m = entering_[account_id];
    if (!m) m = std::make_shared<std::mutex>();
    entering = m;
  }
  std::lock_guard once(*entering);
  {
    std::lock_guard lock(mu_);
    if (auto it = cache_.find(account_id); it != cache_.end() && it->second.expiration &&
                                           clock_->now() + refresh_margin < *it->second.expiration)
      return it->second;
  }
  auto sts = client(config_.sts_endpoint, "sts", base_);
  std::string role_arn = "arn:" + config_.partition + ":iam::" + account_id + ":role/" + config_.access_role_name;
  auto doc = sts.call_query("AssumeRole", sts_version,
                            {{"RoleArn", role_arn},
                             {"RoleSessionName", config_.session_name},
                             {"DurationSeconds", std::to_string(config_.session_duration.count())}});
  if (!doc) return wrap("AssumeRole " + role_arn, account_id, doc.error());
  const xml_node* c = doc->find("AssumeRoleResult/Credentials");
  if (!c) return fail(errc::internal, "AssumeRole answer has no Credentials");
  credentials creds{c->text_at("AccessKeyId"), c->text_at("SecretAccessKey"), c->text_at("SessionToken"),
                    parse_aws_time(c->text_at("Expiration"))};
  if (creds.empty() || !creds.expiration) return fail(errc::internal, "AssumeRole answer has incomplete credentials");
  std::lock_guard lock(mu_);
  cache_[account_id] = creds;
  return creds;
}

result<aws_client> iam_provisioner::iam_for(const std::string& account_id) {
  if (auto ok = check_account(account_id); !ok) return std::unexpected(ok.error());
  auto creds = credentials_for(account_id);
  if (!creds) return std::unexpected(creds.error());
  return client(config_.iam_endpoint, "iam", std::move(*creds));
}

result<void> iam_provisioner::ensure_identity_provider(const std::string& account_id, const std::string& name,
                                                       const std::string& metadata_xml) {
  if (auto r = check_name("SAML provider name", name, 128, "._-"); !r) return r;
  if (metadata_xml.empty() || metadata_xml.size() > 10'000'000)
    return fail(errc::validation, "SAML metadata must be 1-10000000 characters");
  auto iam = iam_for(account_id);
  if (!iam) return std::unexpected(iam.error());
  std::string arn;
  // Jobs of other permission sets run in parallel (provisioning_jobs) and may create the same
  // account's provider first: EntityAlreadyExists sends us round once more, to compare its metadata.
  for (int attempt = 0; arn.empty() && attempt < 2; ++attempt) {
    auto doc = iam->call_query("ListSAMLProviders", iam_version);
    if (!doc) return wrap("ListSAMLProviders", account_id, doc.error());
    if (const xml_node* list = doc->find("ListSAMLProvidersResult/SAMLProviderList"))
      for (const auto* m : list->all("member"))
        if (m->text_at("Arn").ends_with(":saml-provider/" + name)) arn = m->text_at("Arn");
    if (!arn.empty()) break;
    auto created = iam->call_query("CreateSAMLProvider", iam_version, {{"Name", name}, {"SAMLMetadataDocument", metadata_xml}});
    if (created) return {};
    if (attempt == 1 || peer_code(created.error()) != "EntityAlreadyExists")
      return wrap("CreateSAMLProvider", account_id, created.error());
  }
  auto current = iam->call_query("GetSAMLProvider", iam_version, {{"SAMLProviderArn", arn}});
  if (!current) return wrap("GetSAMLProvider", account_id, current.error());
  if (current->text_at("GetSAMLProviderResult/SAMLMetadataDocument") == metadata_xml) return {};
  return call(*iam, account_id, "UpdateSAMLProvider", {{"SAMLProviderArn", arn}, {"SAMLMetadataDocument", metadata_xml}});
}

result<void> iam_provisioner::delete_role(const std::string& account_id, const std::string& role_name) {
  if (auto r = check_name("role name", role_name, 64, "+=,.@-"); !r) return r;
  auto iam = iam_for(account_id);
  if (!iam) return std::unexpected(iam.error());
  auto role = iam->call_query("GetRole", iam_version, {{"RoleName", role_name}});
  if (is_not_found(role)) return {};
  if (!role) return wrap("GetRole", account_id, role.error());
  // DeleteRole refuses a role that still has policies attached or embedded (DeleteConflict).
  auto attached = list_all(*iam, "ListAttachedRolePolicies", {{"RoleName", role_name}}, "AttachedPolicies");
  if (!attached) return wrap("ListAttachedRolePolicies", account_id, attached.error());
  for (const auto& m : *attached)
    if (auto r = call(*iam, account_id, "DetachRolePolicy", {{"RoleName", role_name}, {"PolicyArn", m.text_at("PolicyArn")}}); !r)
      return r;
  auto inline_names = list_all(*iam, "ListRolePolicies", {{"RoleName", role_name}}, "PolicyNames");
  if (!inline_names) return wrap("ListRolePolicies", account_id, inline_names.error());
  for (const auto& m : *inline_names)
    if (auto r = call(*iam, account_id, "DeleteRolePolicy", {{"RoleName", role_name}, {"PolicyName", m.text}}); !r) return r;
  if (!role->text_at("GetRoleResult/Role/PermissionsBoundary/PermissionsBoundaryArn").empty())
    if (auto r = call(*iam, account_id, "DeleteRolePermissionsBoundary", {{"RoleName", role_name}}); !r) return r;
  auto gone = iam->call_query("DeleteRole", iam_version, {{"RoleName", role_name}});
  if (!gone && !is_not_found(gone)) return wrap("DeleteRole", account_id, gone.error());
  return {};
}

result<void> iam_provisioner::put_role(const std::string& account_id, const service::role_spec& spec, bool recorded) {
  if (auto r = check_role_spec(spec); !r) return r;
  auto iam = iam_for(account_id);
  if (!iam) return std::unexpected(iam.error());
  const std::string& name = spec.role_name;
  std::string provider_arn = "arn:" + config_.partition + ":iam::" + account_id + ":saml-provider/" + spec.saml_provider_name;
  std::string trust = sso_trust_policy(provider_arn, config_.saml_audience);
  std::string max_duration = std::to_string(spec.max_session_duration.count());
  std::optional<std::string> boundary_arn;
  if (spec.boundary) {
    if (spec.boundary->managed_policy_arn) boundary_arn = *spec.boundary->managed_policy_arn;
    else if (spec.boundary->customer_managed)
      boundary_arn = customer_policy_arn(config_.partition, account_id, *spec.boundary->customer_managed);
  }
  query_params create = {{"RoleName", name}, {"Path", spec.path}, {"AssumeRolePolicyDocument", trust},
                         {"MaxSessionDuration", max_duration}};
  if (!spec.description.empty()) create.emplace_back("Description", spec.description);
  if (boundary_arn) create.emplace_back("PermissionsBoundary", *boundary_arn);
  std::set<std::string> want(spec.managed_policy_arns.begin(), spec.managed_policy_arns.end());
  for (const auto& ref : spec.customer_managed) want.insert(customer_policy_arn(config_.partition, account_id, ref));
  // A role this call created has no policies yet: attach and put them, nothing to list or remove.
  auto fill_new = [&]() -> result<void> {
    std::vector<std::pair<std::string, query_params>> calls;
    for (const auto& arn : want) calls.push_back({"AttachRolePolicy", {{"RoleName", name}, {"PolicyArn", arn}}});
    if (spec.inline_policy)
      calls.push_back({"PutRolePolicy", {{"RoleName", name}, {"PolicyName", "AwsSSOInlinePolicy"}, {"PolicyDocument", *spec.inline_policy}}});
    return all_of(*iam, account_id, std::move(calls));
  };

  // A role the store does not record is most likely absent: CreateRole first, and GetRole only
  // when it exists after all (IAM CreateRole: EntityAlreadyExists), one round trip for a new role.
  if (!recorded) {
    auto made = iam->call_query("CreateRole", iam_version, create);
    if (made) return fill_new();
    if (peer_code(made.error()) != "EntityAlreadyExists") return wrap("CreateRole", account_id, made.error());
  }
  auto role = iam->call_query("GetRole", iam_version, {{"RoleName", name}});
  if (!role && !is_not_found(role)) return wrap("GetRole", account_id, role.error());
  // A role's path cannot be changed: one at another path is replaced.
  if (role && role->text_at("GetRoleResult/Role/Path") != spec.path) {
    if (auto r = delete_role(account_id, name); !r) return r;
    role = fail(errc::not_found, "replaced");
  }
  if (!role) {
    if (auto r = call(*iam, account_id, "CreateRole", create); !r) return r;
    return fill_new();
  }
  if (auto r = converge_role(*iam, account_id, *role, spec, trust, max_duration, boundary_arn); !r) return r;

  // Attached policies: AWS managed plus customer managed references, exactly.
  auto attached = list_all(*iam, "ListAttachedRolePolicies", {{"RoleName", name}}, "AttachedPolicies");
  if (!attached) return wrap("ListAttachedRolePolicies", account_id, attached.error());
  std::set<std::string> have;
  for (const auto& m : *attached) have.insert(m.text_at("PolicyArn"));
  std::vector<std::pair<std::string, query_params>> changes;
  for (const auto& arn : have)
    if (!want.contains(arn)) changes.push_back({"DetachRolePolicy", {{"RoleName", name}, {"PolicyArn", arn}}});
  for (const auto& arn : want)
    if (!have.contains(arn)) changes.push_back({"AttachRolePolicy", {{"RoleName", name}, {"PolicyArn", arn}}});

  // The inline policy is always called AwsSSOInlinePolicy; any other inline policy goes.
  auto inline_names = list_all(*iam, "ListRolePolicies", {{"RoleName", name}}, "PolicyNames");
  if (!inline_names) return wrap("ListRolePolicies", account_id, inline_names.error());
  for (const auto& m : *inline_names)
    if (!(spec.inline_policy && m.text == "AwsSSOInlinePolicy"))
      changes.push_back({"DeleteRolePolicy", {{"RoleName", name}, {"PolicyName", m.text}}});
  if (spec.inline_policy)
    changes.push_back({"PutRolePolicy", {{"RoleName", name}, {"PolicyName", "AwsSSOInlinePolicy"}, {"PolicyDocument", *spec.inline_policy}}});
  return all_of(*iam, account_id, std::move(changes));
}

result<void> iam_provisioner::converge_role(aws_client& iam, const std::string& account_id, const xml_node& answer,
                                            const service::role_spec& spec, const std::string& trust,
                                            const std::string& max_duration, const std::optional<std::string>& boundary_arn) {
  const std::string& name = spec.role_name;
  const xml_node* rp = answer.find("GetRoleResult/Role");
  if (!rp) return fail(errc::internal, "GetRole answer has no Role");
  const xml_node& r = *rp;
  auto current = url_decode(r.text_at("AssumeRolePolicyDocument"));
  auto parsed = current ? nlohmann::json::parse(*current, nullptr, false) : nlohmann::json();
  if (parsed != nlohmann::json::parse(trust))
    if (auto u = call(iam, account_id, "UpdateAssumeRolePolicy", {{"RoleName", name}, {"PolicyDocument", trust}}); !u) return u;
  if (r.text_at("MaxSessionDuration") != max_duration || r.text_at("Description") != spec.description)
    if (auto u = call(iam, account_id, "UpdateRole",
                      {{"RoleName", name}, {"Description", spec.description}, {"MaxSessionDuration", max_duration}});
        !u)
      return u;
  std::string current_boundary = r.text_at("PermissionsBoundary/PermissionsBoundaryArn");
  if (boundary_arn && *boundary_arn != current_boundary)
    return call(iam, account_id, "PutRolePermissionsBoundary", {{"RoleName", name}, {"PermissionsBoundary", *boundary_arn}});
  if (!boundary_arn && !current_boundary.empty())
    return call(iam, account_id, "DeleteRolePermissionsBoundary", {{"RoleName", name}});
  return {};
}

result<void> iam_provisioner::all_of(const aws_client& iam, const std::string& account_id,
                                     std::vector<std::pair<std::string, query_params>> calls) {
  // The policy calls of one role do not depend on each other: each goes on its own connection
  // at once, so a role costs one round trip for all of them instead of one per policy. The
  // first failure in the calls' order is the one reported (every call is still made).
  if (calls.size() == 1) {
    aws_client one = iam;
    return call(one, account_id, calls[0].first, calls[0].second);
  }
  std::vector<std::future<result<void>>> running;
  running.reserve(calls.size());
  for (auto& c : calls)
    running.push_back(std::async(std::launch::async, [&iam, &account_id, c = std::move(c)]() -> result<void> {
      aws_client own = iam;
      return call(own, account_id, c.first, c.second);
    }));
  result<void> first = {};
  for (auto& f : running)
    if (auto r = f.get(); !r && first) first = std::move(r);
  return first;
}

}  // namespace atrium::cloud
