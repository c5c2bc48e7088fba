#include "proto/aws/application_console_api.hpp"

#include <nlohmann/json.hpp>

#include "base/strings.hpp"
#include "base/try.hpp"
#include "proto/aws/sso_admin_applications.hpp"

namespace atrium::proto::aws {

using nlohmann::json;
using service::call_context;

namespace {

const std::vector<std::string_view> console_audited = {"ApplicationArn", "CertificateId", "KeySize", "ValidityMonths",
                                                        "Algorithm", "TemplateId"};

constexpr std::size_t max_metadata_bytes = 256 * 1024;

std::string to_upper_sign(domain::saml_sign_target t) {
  switch (t) {
    case domain::saml_sign_target::assertion: return "ASSERTION";
    case domain::saml_sign_target::response: return "RESPONSE";
    case domain::saml_sign_target::both: break;
  }
  return "BOTH";
}
constexpr std::size_t max_certificate_pem = 16 * 1024;

// The member named `key`: an object (ValidationException otherwise).
result<const json*> console_object(const json& req, const char* key) {
  auto it = req.find(key);
  if (it == req.end() || !it->is_object()) return invalid(std::string(key) + " is required and must be an object.");
  return &*it;
}

result<std::vector<std::string>> console_strings(const json& obj, const char* key, std::size_t max_items, std::size_t max_len) {
  auto it = obj.find(key);
  if (!it->is_array() || it->size() > max_items)
    return invalid(std::string(key) + " must be a list of at most " + std::to_string(max_items) + " strings.");
  std::vector<std::string> out;
  for (const auto& v : *it) {
    if (!v.is_string() || v.get_ref<const std::string&>().empty() || v.get_ref<const std::string&>().size() > max_len)
      return invalid(std::string(key) + " must hold strings of 1-" + std::to_string(max_len) + " characters.");
    out.push_back(v.get<std::string>());
  }
  return out;
}

result<service::service_provider_edit> sp_edit_of(const json& c) {
  TRY_VOID(sso_only_members(c, {"EntityId", "AcsUrls", "SigningCertificates", "TemplateFields"}));
  service::service_provider_edit e;
  TRY(entity, sso_optional_string(c, "EntityId", 1, 1024));
  e.entity_id = entity;
  if (c.contains("AcsUrls")) {
    TRY(urls, console_strings(c, "AcsUrls", domain::application_limits::max_acs, 512));
    e.acs_urls = urls;
  }
  if (c.contains("SigningCertificates")) {
    TRY(pems, console_strings(c, "SigningCertificates", domain::application_limits::max_sp_certificates, max_certificate_pem));
    e.signing_certificates = pems;
  }
  if (auto f = c.find("TemplateFields"); f != c.end()) {
    if (!f->is_object() || f->size() > 16) return invalid("TemplateFields must be an object of at most 16 fields.");
    std::map<std::string, std::string> fields;
    for (auto it = f->begin(); it != f->end(); ++it) {
      if (!it->is_string()) return invalid("TemplateFields." + it.key().substr(0, 64) + " must be a string.");
      fields[it.key()] = it->get<std::string>();
    }
    e.template_fields = std::move(fields);
  }
  return e;
}

// "" clears an optional text; absent keeps it.
result<std::optional<std::optional<std::string>>> clearable(const json& c, const char* key, std::size_t max_len) {
  auto it = c.find(key);
  if (it == c.end()) return std::optional<std::optional<std::string>>{};
  if (!it->is_string() || it->get_ref<const std::string&>().size() > max_len)
    return invalid(std::string(key) + " must be a string of at most " + std::to_string(max_len) + " bytes.");
  const auto& s = it->get_ref<const std::string&>();
  return std::optional<std::optional<std::string>>{s.empty() ? std::nullopt : std::optional<std::string>(s)};
}

result<service::response_edit> response_edit_of(const json& c) {
  TRY_VOID(sso_only_members(c, {"SessionDuration", "RelayState", "Sign", "NameIdFormat", "StartUrl"}));
  service::response_edit e;
  if (auto d = c.find("SessionDuration"); d != c.end()) {
    if (!d->is_number_integer()) return invalid("SessionDuration is a number of seconds.");
    e.session_duration = std::chrono::seconds(d->get<int64_t>());
  }
  TRY(relay, clearable(c, "RelayState", 1024));
  e.relay_state = relay;
  TRY(start, clearable(c, "StartUrl", 1024));
  e.start_url = start;
  TRY(sign, sso_optional_string(c, "Sign", 1, 16));
  if (sign) {
    e.sign = domain::sign_target_from(to_lower_ascii(*sign));
    if (!e.sign) return invalid("Sign must be ASSERTION, RESPONSE or BOTH.");
  }
  TRY(format, sso_optional_string(c, "NameIdFormat", 1, 128));
  if (format) {
    e.name_id_format = domain::name_id_format_from(*format);
    if (!e.name_id_format) return invalid("NameIdFormat must be one of the four NameID formats (unspecified, emailAddress, persistent, transient).");
  }
  return e;
}

result<std::vector<domain::attribute_mapping>> mappings_of_request(const json& c) {
  TRY_VOID(sso_only_members(c, {"AttributeMappings"}));
  auto it = c.find("AttributeMappings");
  if (it == c.end() || !it->is_array() || it->size() > domain::mapping_limits::max_rows)
    return invalid("AttributeMappings must be a list of at most 100 mappings.");
  std::vector<domain::attribute_mapping> out;
  for (const auto& m : *it) {
    if (!m.is_object()) return invalid("Each attribute mapping is an object {Name, Value, Format}.");
    TRY_VOID(sso_only_members(m, {"Name", "Value", "Format"}));
    TRY(name, sso_required_string(m, "Name", 1, domain::mapping_limits::max_name));
    TRY(value, sso_required_string(m, "Value", 0, domain::mapping_limits::max_value));
    TRY(format, sso_optional_string(m, "Format", 1, 32));
    out.push_back({name, value, format.value_or("unspecified")});
  }
  return out;
}

result<service::display_edit> display_edit_of(const json& c) {
  TRY_VOID(sso_only_members(c, {"DisplayName", "Description", "Icon", "Visible"}));
  service::display_edit e;
  TRY(name, sso_optional_string(c, "DisplayName", 1, 100));
  e.name = name;
  TRY(description, sso_optional_string(c, "Description", 1, 128));
  e.description = description;
  TRY(icon, clearable(c, "Icon", 96 * 1024));
  if (icon) {
    if (*icon) {
      auto bytes = base64_decode(**icon);
      if (!bytes) return invalid("Icon is the base64 of a PNG file.");
      e.icon_png = std::optional<std::string>(std::move(*bytes));
    } else {
      e.icon_png = std::optional<std::string>{};
    }
  }
  if (auto v = c.find("Visible"); v != c.end()) {
    if (!v->is_boolean()) return invalid("Visible must be a boolean.");
    e.visible = v->get<bool>();
  }
  return e;
}

json sp_json(const domain::application& a) {
  json acs = json::array();
  for (const auto& x : a.sp.acs) acs.push_back(x.url);
  return {{"EntityId", a.sp.entity_id}, {"AcsUrls", acs}, {"SigningCertificates", a.sp.signing_certificates},
          {"TemplateFields", a.sp.template_fields}};
}

json response_json(const domain::application& a) {
  json r = {{"SessionDuration", a.response.session_duration.count()},
            {"Sign", to_upper_sign(a.response.sign)},
            {"NameIdFormat", std::string(domain::urn_of(domain::subject_name_id_format(a.mappings)))}};
  if (a.response.relay_state) r["RelayState"] = *a.response.relay_state;
  if (a.portal.origin == domain::sign_in_origin::application && a.portal.application_url) r["StartUrl"] = *a.portal.application_url;
  return r;
}

json schema_json(const domain::application& a) {
  json rows = json::array();
  for (const auto& m : a.mappings) rows.push_back({{"Name", m.name}, {"Value", m.value}, {"Format", m.format}});
  return {{"AttributeMappings", rows}};
}

json certificate_json(const store::application_certificate_record& c, sys_time now) {
  return {{"CertificateId", c.id},
          {"Status", c.active ? "ACTIVE" : "INACTIVE"},
          {"Fingerprint", c.sha256_fingerprint},
          {"KeySize", c.key_bits},
          {"Algorithm", "SHA256"},
          {"NotBefore", epoch_seconds(c.not_before)},
          {"NotAfter", epoch_seconds(c.not_after)},
          {"ExpiryStatus", service::to_string(service::health_of(c, now))},
          {"CertificatePem", c.certificate_pem}};
}

json template_json(const service::catalog_entry& e, const service::idp_endpoints& ep) {
  json fields = json::array();
  for (const auto& f : e.fields)
    fields.push_back({{"Name", f.name}, {"Label", f.label}, {"Description", f.description}, {"Example", f.example},
                      {"Pattern", f.pattern}});
  json mappings = json::array();
  for (const auto& m : e.mappings) mappings.push_back({{"Name", m.name}, {"Value", m.value}, {"Format", m.format}});
  json sources = json::array();
  for (const auto& s : e.sources) sources.push_back({{"Url", s.url}, {"Title", s.title}});
  json j = {{"TemplateId", e.id},
            {"ApplicationProviderArn", domain::catalog_provider_arn(e.id)},
            {"DisplayName", e.display_name},
            {"Description", e.description},
            {"Category", e.category},
            {"IconUrl", catalog_icon_url(ep, e.id)},
            {"Fields", fields},
            {"EntityId", e.entity_id},
            {"AcsUrl", e.acs_url},
            {"NameIdFormat", std::string(domain::urn_of(e.name_id))},
            {"Sign", to_upper_sign(e.sign)},
            {"AttributeMappings", mappings},
            {"SetupNote", e.setup_note},
            {"Sources", sources}};
  if (e.start_url) j["StartUrl"] = *e.start_url;
  if (e.relay_state) j["RelayState"] = *e.relay_state;
  return j;
}

}  // namespace

application_console_api::application_console_api(sso_instance_info instance, service::saml_settings_service& settings,
                                                 const service::application_catalog& catalog,
                                                 std::shared_ptr<const service::idp_endpoints> endpoints, const clock& clk)
    : json_api({"AtriumAdmin", "sso-console", "sso", "sso.amazonaws.com", console_audited}, [](const error& e) {
        aws_error out = to_aws_error(e);
        out.extra = json::object();
        return out;
      }) {
  auto inst = std::make_shared<const sso_instance_info>(std::move(instance));
  auto app_of = [inst](const json& req) { return required_application_id(req, *inst); };
  auto render = [&clk, endpoints](const service::application_details& d) {
    const auto& a = d.app;
    json certs = json::array();
    for (const auto& c : d.certificates) certs.push_back(certificate_json(c, clk.now()));
    json display = {{"DisplayName", a.name}, {"Visible", a.portal.visible}};
    if (a.description) display["Description"] = *a.description;
    if (a.icon_png) display["IconUrl"] = endpoints->base_url() + "/saml/icons/application/" + a.id + ".png";
    else if (auto id = domain::catalog_id_of(a.provider_arn)) display["IconUrl"] = catalog_icon_url(*endpoints, *id);
    json j = {{"ApplicationArn", a.arn()},
              {"Name", a.name},
              {"Status", domain::to_string(a.status)},
              {"ApplicationProviderArn", a.provider_arn},
              {"ServiceProviderConfig", sp_json(a)},
              {"ResponseConfig", response_json(a)},
              {"ResponseSchemaConfig", schema_json(a)},
              {"DisplayData", display},
              {"IdentityProvider", {{"EntityId", endpoints->entity_id(a.id)}, {"SsoUrl", endpoints->sso_url(a.id)},
                                    {"MetadataUrl", endpoints->entity_id(a.id)}}},
              {"Certificates", certs}};
    if (a.description) j["Description"] = *a.description;
    return j;
  };
  add({"GetApplicationInstance", true, [&settings, app_of, render](const json& req, const call_context& ctx) -> result<json> {
         TRY_VOID(sso_only_members(req, {"ApplicationArn"}));
         TRY(id, app_of(req));
         TRY(d, settings.get(ctx, id));
         auto j = render(d);
         TRY(md, settings.idp_metadata(id));
         j["IdentityProvider"]["Metadata"] = md;
         return json{{"ApplicationInstance", j}};
       }});
  add({"ImportApplicationInstanceServiceProvider", false, [&settings, app_of](const json& req, const call_context& ctx) -> result<json> {
         TRY_VOID(sso_only_members(req, {"ApplicationArn", "Metadata"}));
         TRY(id, app_of(req));
         TRY(md, sso_required_string(req, "Metadata", 1, max_metadata_bytes));
         TRY(a, settings.import_service_provider(ctx, id, md));
         return json{{"ServiceProviderConfig", sp_json(a)}};
       }});
  add({"UpdateApplicationInstanceServiceProviderConfiguration", false,
       [&settings, app_of](const json& req, const call_context& ctx) -> result<json> {
         TRY_VOID(sso_only_members(req, {"ApplicationArn", "ServiceProviderConfig"}));
         TRY(id, app_of(req));
         TRY(c, console_object(req, "ServiceProviderConfig"));
         TRY(e, sp_edit_of(*c));
         TRY(a, settings.update_service_provider(ctx, id, e));
         return json{{"ServiceProviderConfig", sp_json(a)}};
       }});
  add({"UpdateApplicationInstanceResponseConfiguration", false,
       [&settings, app_of](const json& req, const call_context& ctx) -> result<json> {
         TRY_VOID(sso_only_members(req, {"ApplicationArn", "ResponseConfig"}));
         TRY(id, app_of(req));
         TRY(c, console_object(req, "ResponseConfig"));
         TRY(e, response_edit_of(*c));
         TRY(a, settings.update_response(ctx, id, e));
         return json{{"ResponseConfig", response_json(a)}};
       }});
  add({"UpdateApplicationInstanceResponseSchemaConfiguration", false,
       [&settings, app_of](const json& req, const call_context& ctx) -> result<json> {
         TRY_VOID(sso_only_members(req, {"ApplicationArn", "ResponseSchemaConfig"}));
         TRY(id, app_of(req));
         TRY(c, console_object(req, "ResponseSchemaConfig"));
         TRY(rows, mappings_of_request(*c));
         TRY(a, settings.update_response_schema(ctx, id, rows));
         return json{{"ResponseSchemaConfig", schema_json(a)}};
       }});
  add({"UpdateApplicationInstanceDisplayData", false, [&settings, app_of](const json& req, const call_context& ctx) -> result<json> {
         TRY_VOID(sso_only_members(req, {"ApplicationArn", "DisplayData"}));
         TRY(id, app_of(req));
         TRY(c, console_object(req, "DisplayData"));
         TRY(e, display_edit_of(*c));
         TRY_VOID(settings.update_display_data(ctx, id, e));
         return json::object();
       }});
  add({"CreateApplicationInstanceCertificate", false, [&settings, app_of, &clk](const json& req, const call_context& ctx) -> result<json> {
         TRY_VOID(sso_only_members(req, {"ApplicationArn", "KeySize", "ValidityMonths", "Algorithm"}));
         TRY(id, app_of(req));
         service::certificate_request r;
         for (auto [key, slot] : {std::pair{"KeySize", &r.key_bits}, std::pair{"ValidityMonths", &r.validity_months}}) {
           auto it = req.find(key);
           if (it == req.end()) continue;
           if (!it->is_number_integer()) return invalid(std::string(key) + " must be an integer.");
           auto v = it->get<int64_t>();
           *slot = v > 100000 || v < 0 ? -1 : static_cast<int>(v);
         }
         TRY(alg, sso_optional_string(req, "Algorithm", 1, 16));
         if (alg && *alg != "SHA256" && *alg != "SHA-256")
           return invalid("Algorithm must be SHA256 (SHA-1 signatures are not made: SHA-1 is broken).");
         TRY(c, settings.create_certificate(ctx, id, r));
         return json{{"Certificate", certificate_json(c, clk.now())}};
       }});
  add({"ListApplicationInstanceCertificates", true, [&settings, app_of, &clk](const json& req, const call_context& ctx) -> result<json> {
         TRY_VOID(sso_only_members(req, {"ApplicationArn"}));
         TRY(id, app_of(req));
         TRY(certs, settings.list_certificates(ctx, id));
         json list = json::array();
         for (const auto& c : certs) list.push_back(certificate_json(c, clk.now()));
         return json{{"Certificates", list}};
       }});
  add({"UpdateApplicationInstanceActiveCertificate", false, [&settings, app_of](const json& req, const call_context& ctx) -> result<json> {
         TRY_VOID(sso_only_members(req, {"ApplicationArn", "CertificateId"}));
         TRY(id, app_of(req));
         TRY(cert, sso_required_string(req, "CertificateId", 1, 64));
         TRY_VOID(settings.activate_certificate(ctx, id, cert));
         return json::object();
       }});
  add({"DeleteApplicationInstanceCertificate", false, [&settings, app_of](const json& req, const call_context& ctx) -> result<json> {
         TRY_VOID(sso_only_members(req, {"ApplicationArn", "CertificateId"}));
         TRY(id, app_of(req));
         TRY(cert, sso_required_string(req, "CertificateId", 1, 64));
         TRY_VOID(settings.delete_certificate(ctx, id, cert));
         return json::object();
       }});
  add({"ListApplicationTemplates", true, [&catalog, endpoints](const json& req, const call_context&) -> result<json> {
         TRY_VOID(sso_only_members(req, {}));
         json list = json::array();
         for (const auto& e : catalog.entries()) list.push_back(template_json(e, *endpoints));
         return json{{"ApplicationTemplates", list}};
       }});
  add({"GetApplicationTemplate", true, [&catalog, endpoints](const json& req, const call_context&) -> result<json> {
         TRY_VOID(sso_only_members(req, {"TemplateId"}));
         TRY(id, sso_required_string(req, "TemplateId", 1, 64));
         const auto* e = catalog.find(id);
         if (!e) return fail(errc::not_found, "Could not find ApplicationTemplate " + id + ".");
         return json{{"ApplicationTemplate", template_json(*e, *endpoints)}};
       }});
}

}  // namespace atrium::proto::aws
