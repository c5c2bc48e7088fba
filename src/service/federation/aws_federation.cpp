#include "service/federation/aws_federation.hpp"

#include <set>

#include "base/json_text.hpp"
#include "base/strings.hpp"
#include "base/try.hpp"
#include "domain/assignment.hpp"
#include "service/sso_admin/abac_service.hpp"
#include "service/federation/aws_assertion.hpp"
#include "service/identity/membership_graph.hpp"
#include "store/assignment_repository.hpp"
#include "store/external_idp_repository.hpp"
#include "store/organization_repository.hpp"
#include "store/permission_set_repository.hpp"
#include "xml/saml_response_builder.hpp"

namespace atrium::service {

namespace {

// {key: value} from the IdP (service/idsource/sp_sign_in): a key already configured (session
// tag keys are case-insensitive in STS) takes the IdP's value; a new one is added.
void override_tags(std::vector<domain::resolved_attribute>& tags, const std::string& idp_json) {
  auto j = from_json_text(idp_json);
  if (!j.is_object()) return;
  for (auto it = j.begin(); it != j.end(); ++it) {
    if (!it->is_string()) continue;
    std::string value = it->get<std::string>();
    bool replaced = false;
    for (auto& t : tags)
      if (to_lower_ascii(t.key) == to_lower_ascii(it.key())) {
        t.value = value;
        replaced = true;
      }
    if (!replaced && tags.size() < domain::abac_limits::max_attributes) tags.push_back({it.key(), value});
  }
}

// One answer for every reason access is refused: whether the user, the account, the
// permission set or the assignment exists is nobody's business but the administrator's.
std::unexpected<error> no_access() {
  return fail(errc::access_denied, "You do not have access to this role in this account.");
}

// The permission sets assigned to `principal_id` in `account_id`, all pages.
result<void> assigned_in_account(store::transaction& tx, const std::string& principal_id,
                                 const std::string& account_id, std::set<std::string>& out) {
  store::page_request p{"", 1000};
  while (true) {
    TRY(page, tx.assignments().list_for_principal(principal_id, account_id, p));
    for (const auto& a : page.items) out.insert(a.permission_set_arn);
    if (!page.more || page.items.empty()) return {};
    p.after_id = page.items.back().account_id + " " + page.items.back().permission_set_arn;
  }
}

// GetRoleCredentials' roleName is the permission set's name: 1-32 of [\w+=,.@-].
result<void> check_role_name(std::string_view role_name) {
  bool ok = !role_name.empty() && role_name.size() <= 32;
  for (char c : role_name)
    ok = ok && (is_ascii_alnum(c) || std::string_view("_+=,.@-").find(c) != std::string_view::npos);
  if (!ok) return invalid("The role name must be 1-32 characters of letters, digits and _+=,.@-.");
  return {};
}

}  // namespace

struct aws_federation::grant {
  domain::user user;
  domain::permission_set permission_set;
  std::string role_arn;
  std::string provider_arn;
  std::chrono::seconds session_duration{3600};
  std::vector<domain::resolved_attribute> tags;
};

aws_federation::aws_federation(audited_store& store, const clock& clk, random_source& rnd, idp_signing& idp,
                               federation_settings settings, saml_role_exchange* sts)
    : store_(store), clock_(clk), random_(rnd), signer_(idp), settings_(std::move(settings)), sts_(sts) {}

call_context aws_federation::event_context(call_context ctx, std::string_view event, std::string_view user_id,
                                           std::string_view account_id, std::string_view role_name) const {
  ctx.event_source = "sso.amazonaws.com";
  ctx.event_name = std::string(event);
  ctx.read_only = true;
  ctx.region = settings_.region;
  ctx.request_parameters =
      ordered_to_json_text({{"accountId", std::string(account_id)}, {"roleName", std::string(role_name)}});
  if (ctx.who.type.empty() || ctx.who.type == "IAMUser") ctx.who.type = "Unknown";
  if (ctx.who.principal_id.empty()) ctx.who.principal_id = std::string(user_id);
  return ctx;
}

result<aws_federation::grant> aws_federation::authorize(std::string_view user_id, std::string_view account_id,
                                                        std::string_view role_name, const std::string& session_id) {
  if (auto r = domain::check_account_id("accountId", account_id); !r) return std::unexpected(r.error());
  if (auto r = check_role_name(role_name); !r) return std::unexpected(r.error());
  if (user_id.empty() || user_id.size() > 64) return no_access();
  grant g;
  const std::string account(account_id), user(user_id);
  auto read = store_.db().read([&](store::transaction& tx) -> result<void> {
    TRY(u, tx.users().get(user));
    if (!u || !u->active) return no_access();
    g.user = std::move(*u);
    // Assigned directly or through any group, nested groups included.
    std::set<std::string> arns;
    TRY(groups, effective_groups(tx, user));
    if (auto a = assigned_in_account(tx, user, account, arns); !a) return a;
    for (const auto& link : groups)
      if (auto a = assigned_in_account(tx, link.group_id, account, arns); !a) return a;
    std::optional<domain::permission_set> found;
    for (const auto& arn : arns) {
      TRY(ps, tx.permission_sets().get(arn));
      if (ps && ps->name == role_name) found = std::move(*ps);
    }
    if (!found) return no_access();
    TRY(acct, tx.organization().get_account(account));
    if (!acct) return no_access();
    TRY(provisioned, tx.assignments().get_provisioned(account, found->arn));
    if (!provisioned) return no_access();
    auto role = domain::recorded_role(*provisioned, found->name);
    g.role_arn = domain::iam_role_arn(settings_.partition, account, role.path, role.name);
    g.provider_arn = domain::saml_provider_arn(settings_.partition, account,
                                               domain::saml_provider_name(domain::instance_arn_of(found->arn)));
    auto seconds = domain::session_seconds(found->session_duration);
    g.session_duration = seconds ? *seconds : std::chrono::seconds(3600);
    g.permission_set = std::move(*found);
    // Attributes for access control: only those the user has a value for are sent (guide,
    // "Attributes for access control"; domain's resolver leaves the others out).
    TRY(abac, abac_service::configured(tx));
    if (abac) g.tags = domain::resolve_access_control_attributes(abac->attributes, g.user).attributes;
    // An external IdP's AccessControl attributes of this session take precedence over the
    // configured sources (guide "Attributes for access control"; issue 17 item 4).
    if (abac && !session_id.empty()) {
      TRY(from_idp, tx.external_idps().session_attributes(session_id));
      if (from_idp) override_tags(g.tags, *from_idp);
    }
    return {};
  });
  if (!read) return std::unexpected(read.error());
  return g;
}

result<std::string> aws_federation::signed_response(const grant& g) {
  aws_assertion_values v;
  v.issuer = settings_.idp_entity_id;
  v.signin_url = settings_.signin_url;
  v.audience = settings_.audience;
  v.user_id = g.user.id;
  v.user_name = g.user.user_name;
  v.role_arn = g.role_arn;
  v.provider_arn = g.provider_arn;
  v.session_duration = g.session_duration;
  v.principal_tags = g.tags;
  v.now = clock_.now();
  TRY(signer, signer_.get());
  // AWS verifies the signature of the Response or of the Assertion; signing the Assertion (the
  // element STS and the console read) and then the Response serves either check.
  TRY(text, xml::build_response(aws_response_values(v, random_), random_, *signer, xml::sign_target::both));
  return base64_encode(text);
}

result<aws_role_session> aws_federation::console_session(const call_context& ctx, std::string_view user_id,
                                                         std::string_view account_id, std::string_view role_name) {
  TRY(g, authorize(user_id, account_id, role_name, ctx.session_id));
  TRY(response, signed_response(g));
  auto event = event_context(ctx, console_event, user_id, account_id, role_name);
  if (event.who.user_name.empty()) event.who.user_name = g.user.user_name;
  store_.record_success(event);
  return aws_role_session{settings_.signin_url, std::move(response), g.permission_set.relay_state.value_or("")};
}

result<aws_role_credentials> aws_federation::role_credentials(const call_context& ctx, std::string_view user_id,
                                                              std::string_view account_id,
                                                              std::string_view role_name) {
  TRY(g, authorize(user_id, account_id, role_name, ctx.session_id));
  if (settings_.provisioner_kind == "record-only" || !sts_)
    return fail(errc::conflict,
                "Role credentials need provisioner.kind=aws-iam: with the record-only provisioner the role exists only "
                "in Atrium's records, not in the AWS account, so STS cannot issue credentials for it.");
  TRY(response, signed_response(g));
  TRY(creds, sts_->assume_role_with_saml(g.role_arn, g.provider_arn, response, g.session_duration));
  auto event = event_context(ctx, credentials_event, user_id, account_id, role_name);
  if (event.who.user_name.empty()) event.who.user_name = g.user.user_name;
  store_.record_success(event);
  return creds;
}

}  // namespace atrium::service
