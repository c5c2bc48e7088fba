#include "proto/aws/identity_source_api.hpp"

#include "base/try.hpp"
#include "proto/aws/sso_admin_api.hpp"

namespace atrium::proto::aws {

using nlohmann::json;
using service::call_context;

namespace {

const std::vector<std::string_view> idsource_audited = {"IdpId", "EntityId", "SsoUrl", "Domains", "SignAuthnRequests",
                                                         "AllowIdpInitiated", "MultipleIdPs"};

result<std::optional<std::vector<std::string>>> idsource_strings(const json& req, const char* key, std::size_t max_items,
                                                                 std::size_t max_len) {
  auto it = req.find(key);
  if (it == req.end()) return std::optional<std::vector<std::string>>();
  if (!it->is_array() || it->size() > max_items)
    return invalid(std::string(key) + " must be a list of at most " + std::to_string(max_items) + " strings.");
  std::vector<std::string> out;
  for (const auto& v : *it) {
    if (!v.is_string() || v.get_ref<const std::string&>().empty() || v.get_ref<const std::string&>().size() > max_len)
      return invalid(std::string(key) + " must hold strings of 1-" + std::to_string(max_len) + " characters.");
    out.push_back(v.get<std::string>());
  }
  return std::optional<std::vector<std::string>>(std::move(out));
}

result<std::optional<bool>> idsource_flag(const json& req, const char* key) {
  auto it = req.find(key);
  if (it == req.end()) return std::optional<bool>();
  if (!it->is_boolean()) return invalid(std::string(key) + " must be true or false.");
  return std::optional<bool>(it->get<bool>());
}

result<service::idp_input> idp_input_of(const json& req) {
  service::idp_input in;
  using L = service::idp_limits;
  TRY(md, sso_optional_string(req, "Metadata", 1, L::max_metadata_bytes));
  TRY(entity, sso_optional_string(req, "EntityId", 1, L::max_url));
  TRY(sso, sso_optional_string(req, "SsoUrl", 1, L::max_url));
  TRY(certs, idsource_strings(req, "Certificates", L::max_certificates, L::max_certificate_bytes));
  TRY(domains, idsource_strings(req, "Domains", L::max_domains, 253));
  TRY(sign, idsource_flag(req, "SignAuthnRequests"));
  TRY(unsolicited, idsource_flag(req, "AllowIdpInitiated"));
  in.metadata = md;
  in.entity_id = entity;
  in.sso_url = sso;
  in.certificates = certs;
  in.domains = domains;
  in.sign_authn_requests = sign;
  in.allow_idp_initiated = unsolicited;
  return in;
}

json outcome_json(const service::switch_outcome& o) {
  return json{{"IdentitySource", o.identity_source},
              {"Kept", {{"Users", o.users}, {"Groups", o.groups}, {"UsersWithPassword", o.users_with_password}}},
              {"DisabledIdPs", o.disabled_idps}};
}

}  // namespace

json external_idp_json(const store::external_idp_record& r) {
  json certs = json::array();
  for (const auto& c : service::certificate_views(r))
    certs.push_back({{"CertificateId", c.id}, {"Subject", c.subject},
                     {"NotAfter", std::chrono::duration_cast<std::chrono::seconds>(c.not_after.time_since_epoch()).count()}});
  return json{{"IdpId", r.id},
              {"EntityId", r.entity_id},
              {"SsoUrl", r.sso_url},
              {"Certificates", certs},
              {"Domains", r.domains},
              {"SignAuthnRequests", r.sign_authn_requests},
              {"AllowIdpInitiated", r.allow_idp_initiated},
              {"Status", r.enabled ? "ENABLED" : "DISABLED"}};
}

identity_source_api::identity_source_api(service::identity_source_service& svc, const clock&)
    : json_api({"AtriumAdmin", "sso-directory", "sso-directory", "sso-directory.amazonaws.com", idsource_audited},
               [](const error& e) {
                 // Conflicts here are states (an enabled IdP, the built-in store already), not
                 // only uniqueness: the message says which; no identitystore Reason.
                 aws_error out = to_aws_error(e);
                 out.extra.erase("Reason");
                 return out;
               }) {
  add({"DescribeIdentitySource", true, [&svc](const json& req, const call_context& ctx) -> result<json> {
         TRY_VOID(sso_only_members(req, {}));
         TRY(v, svc.describe(ctx));
         json idps = json::array();
         for (const auto& r : v.idps) idps.push_back(external_idp_json(r));
         return json{{"IdentitySource", v.state.external ? "EXTERNAL_IDP" : "BUILT_IN"},
                     {"MultipleIdPs", v.state.multiple_idps},
                     {"IdentityStoreId", svc.identity_store_id()},
                     {"ServiceProvider", {{"EntityId", v.sp.entity_id}, {"AcsUrl", v.sp.acs_url},
                                          {"MetadataUrl", v.sp.metadata_url}, {"Metadata", v.sp.metadata}}},
                     {"ExternalIdPs", idps}};
       }});
  add({"CreateExternalIdPConfigurationForDirectory", false, [&svc](const json& req, const call_context& ctx) -> result<json> {
         TRY_VOID(sso_only_members(req, {"Metadata", "EntityId", "SsoUrl", "Certificates", "Domains", "SignAuthnRequests",
                                         "AllowIdpInitiated"}));
         TRY(in, idp_input_of(req));
         TRY(id, svc.create_idp(ctx, in));
         return json{{"IdpId", id}};
       }});
  add({"UpdateExternalIdPConfigurationForDirectory", false, [&svc](const json& req, const call_context& ctx) -> result<json> {
         TRY_VOID(sso_only_members(req, {"IdpId", "Metadata", "EntityId", "SsoUrl", "Certificates", "Domains",
                                         "SignAuthnRequests", "AllowIdpInitiated"}));
         TRY(id, sso_required_string(req, "IdpId", 1, 64));
         TRY(in, idp_input_of(req));
         TRY(r, svc.update_idp(ctx, id, in));
         return json{{"ExternalIdP", external_idp_json(r)}};
       }});
  add({"EnableExternalIdPConfigurationForDirectory", false, [&svc](const json& req, const call_context& ctx) -> result<json> {
         TRY_VOID(sso_only_members(req, {"IdpId", "Confirmation"}));
         TRY(id, sso_required_string(req, "IdpId", 1, 64));
         TRY(confirm, sso_required_string(req, "Confirmation", 1, 64));
         TRY(o, svc.enable_idp(ctx, id, confirm));
         return outcome_json(o);
       }});
  add({"DisableExternalIdPConfigurationForDirectory", false, [&svc](const json& req, const call_context& ctx) -> result<json> {
         TRY_VOID(sso_only_members(req, {"Confirmation"}));
         TRY(confirm, sso_required_string(req, "Confirmation", 1, 64));
         TRY(o, svc.disable_external(ctx, confirm));
         return outcome_json(o);
       }});
  add({"DeleteExternalIdPConfigurationForDirectory", false, [&svc](const json& req, const call_context& ctx) -> result<json> {
         TRY_VOID(sso_only_members(req, {"IdpId"}));
         TRY(id, sso_required_string(req, "IdpId", 1, 64));
         TRY_VOID(svc.delete_idp(ctx, id));
         return json::object();
       }});
  add({"UpdateIdentitySourceSettings", false, [&svc](const json& req, const call_context& ctx) -> result<json> {
         TRY_VOID(sso_only_members(req, {"MultipleIdPs"}));
         TRY(multi, idsource_flag(req, "MultipleIdPs"));
         if (!multi) return invalid("MultipleIdPs is required.");
         TRY(st, svc.update_settings(ctx, *multi));
         return json{{"MultipleIdPs", st.multiple_idps}};
       }});
}

configuration_api::configuration_api(service::identity_source_service& svc)
    : json_api({"AtriumAdmin", "sso", "sso", "sso.amazonaws.com", {}}, [](const error& e) {
        aws_error out = to_aws_error(e);
        out.extra.erase("Reason");
        return out;
      }) {
  add({"DeleteConfiguration", false, [&svc](const json& req, const call_context& ctx) -> result<json> {
         TRY_VOID(sso_only_members(req, {"Confirmation"}));
         TRY(confirm, sso_required_string(req, "Confirmation", 1, 64));
         TRY(n, svc.delete_configuration(ctx, confirm));
         return json{{"Deleted", {{"PermissionSets", n.permission_sets}, {"Applications", n.applications},
                                  {"AccountAssignments", n.account_assignments}, {"Users", n.users},
                                  {"Groups", n.groups}, {"ExternalIdPs", n.external_idps}}}};
       }});
}

}  // namespace atrium::proto::aws
