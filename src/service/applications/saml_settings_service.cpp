#include "service/applications/saml_settings_service.hpp"

#include <algorithm>
#include <nlohmann/json.hpp>

#include "base/json_text.hpp"
#include "base/try.hpp"
#include "service/applications/application_service.hpp"
#include "service/sso_admin/idp_signing.hpp"
#include "xml/saml_metadata.hpp"
#include "xml/trusted_certs.hpp"

namespace atrium::service {

namespace {

using nlohmann::json;

json settings_summary(const domain::application& a) {
  json acs = json::array();
  for (const auto& x : a.sp.acs) acs.push_back(x.url);
  return {{"applicationArn", a.arn()}, {"serviceProviderEntityId", a.sp.entity_id}, {"acsUrls", acs}};
}

json certificate_summary(const store::application_certificate_record& c) {
  return {{"certificateId", c.id}, {"fingerprint", c.sha256_fingerprint}, {"notAfter", iso8601(c.not_after, false)},
          {"active", c.active}};
}

// SP certificates verify AuthnRequest signatures: RSA of at least 2048 bits (xml::trusted_certs).
result<void> check_sp_certificates(const std::vector<std::string>& pems) {
  if (pems.empty()) return {};
  auto certs = xml::trusted_certs::from_pem(pems);
  if (!certs) return invalid("A service provider certificate is not usable: " + certs.error().message);
  return {};
}

std::vector<domain::acs_endpoint> acs_list(const std::vector<std::string>& urls) {
  std::vector<domain::acs_endpoint> out;
  for (std::size_t i = 0; i < urls.size(); ++i) out.push_back({urls[i], static_cast<int>(i), i == 0});
  return out;
}

result<void> apply_template_fields(domain::application& a, const application_catalog& catalog,
                                   const std::map<std::string, std::string>& fields) {
  auto id = domain::catalog_id_of(a.provider_arn);
  const catalog_entry* e = id ? catalog.find(*id) : nullptr;
  if (!e) return invalid("TemplateFields apply to applications made from the catalog only.");
  TRY(filled, application_catalog::fill(*e, fields));
  a.sp.template_fields = fields;
  a.sp.entity_id = filled.entity_id;
  a.sp.acs = {{filled.acs_url, 0, true}};
  if (filled.relay_state) a.response.relay_state = filled.relay_state;
  if (filled.start_url && a.portal.origin != domain::sign_in_origin::identity_center)
    a.portal = {domain::sign_in_origin::application, filled.start_url, a.portal.visible};
  return {};
}

void set_subject_format(std::vector<domain::attribute_mapping>& rows, domain::name_id_format f) {
  if (rows.empty() || rows.front().name != domain::subject_row)
    rows.insert(rows.begin(), domain::attribute_mapping{std::string(domain::subject_row), "${user:subject}", ""});
  rows.front().format = std::string(domain::short_name_of(f));
}

}  // namespace

saml_settings_service::saml_settings_service(audited_store& store, const clock& clk, const crypto::secret_box& box,
                                             const application_catalog& catalog,
                                             std::shared_ptr<const idp_endpoints> endpoints)
    : store_(store), clock_(clk), box_(box), catalog_(catalog), endpoints_(std::move(endpoints)) {}

// Load, change, validate, store with a new version: one write with its CloudTrail record.
template <class Edit>
result<domain::application> saml_settings_service::edit(const call_context& ctx, const std::string& app_id,
                                                        Edit&& change) {
  return edit_application(store_, ctx, app_id, std::forward<Edit>(change),
                          json_text_of([](const domain::application& a) { return settings_summary(a); }));
}

result<application_details> saml_settings_service::get(const call_context& ctx, const std::string& app_id) {
  return store_.read<application_details>(ctx, [&](store::transaction& tx) -> result<application_details> {
    TRY(a, load_application(tx, app_id));
    TRY(certs, tx.applications().certificates(app_id));
    return application_details{std::move(a), std::move(certs)};
  });
}

result<domain::application> saml_settings_service::import_service_provider(const call_context& ctx,
                                                                           const std::string& app_id,
                                                                           const std::string& metadata_xml) {
  TRY(md, xml::read_sp_metadata(metadata_xml));
  TRY_VOID(check_sp_certificates(md.signing_certificates));
  return edit(ctx, app_id, [&](domain::application& a) -> result<void> {
    a.sp.entity_id = md.entity_id;
    a.sp.acs.clear();
    for (const auto& x : md.acs) a.sp.acs.push_back({x.location, x.index, x.is_default});
    a.sp.signing_certificates = md.signing_certificates;
    return {};
  });
}

result<domain::application> saml_settings_service::update_service_provider(const call_context& ctx,
                                                                           const std::string& app_id,
                                                                           const service_provider_edit& e) {
  if (e.signing_certificates) TRY_VOID(check_sp_certificates(*e.signing_certificates));
  return edit(ctx, app_id, [&](domain::application& a) -> result<void> {
    if (e.template_fields) TRY_VOID(apply_template_fields(a, catalog_, *e.template_fields));
    if (e.entity_id) a.sp.entity_id = *e.entity_id;
    if (e.acs_urls) a.sp.acs = acs_list(*e.acs_urls);
    if (e.signing_certificates) a.sp.signing_certificates = *e.signing_certificates;
    return {};
  });
}

result<domain::application> saml_settings_service::update_response(const call_context& ctx, const std::string& app_id,
                                                                   const response_edit& e) {
  return edit(ctx, app_id, [&](domain::application& a) -> result<void> {
    if (e.session_duration) a.response.session_duration = *e.session_duration;
    if (e.relay_state) a.response.relay_state = *e.relay_state;
    if (e.sign) a.response.sign = *e.sign;
    if (e.name_id_format) set_subject_format(a.mappings, *e.name_id_format);
    if (e.start_url) {
      a.portal.application_url = *e.start_url;
      a.portal.origin = *e.start_url ? domain::sign_in_origin::application : domain::sign_in_origin::identity_center;
    }
    return {};
  });
}

result<domain::application> saml_settings_service::update_response_schema(
    const call_context& ctx, const std::string& app_id, const std::vector<domain::attribute_mapping>& rows) {
  TRY_VOID(domain::validate_attribute_mappings(rows));
  return edit(ctx, app_id, [&](domain::application& a) -> result<void> {
    a.mappings = rows;
    return {};
  });
}

result<domain::application> saml_settings_service::update_display_data(const call_context& ctx,
                                                                       const std::string& app_id,
                                                                       const display_edit& e) {
  return edit(ctx, app_id, [&](domain::application& a) -> result<void> {
    if (e.name) a.name = *e.name;
    if (e.description) a.description = *e.description;
    if (e.icon_png) a.icon_png = *e.icon_png;
    if (e.visible) a.portal.visible = *e.visible;
    return {};
  });
}

result<store::application_certificate_record> saml_settings_service::create_certificate(const call_context& ctx,
                                                                                       const std::string& app_id,
                                                                                       const certificate_request& r) {
  TRY_VOID(check_certificate_request(r));
  // Refuse before the (slow) key generation when the answer is known already.
  TRY(existing, list_certificates(ctx, app_id));
  if (existing.size() >= static_cast<std::size_t>(domain::application_limits::max_certificates))
    return fail(errc::conflict, "The application has two certificates; delete the inactive one first.");
  TRY(cert, make_application_certificate(box_, clock_, app_id, r));
  return store_.write<store::application_certificate_record>(
      ctx,
      [&](store::transaction& tx) -> result<store::application_certificate_record> {
        TRY_VOID(load_application(tx, app_id));
        TRY(certs, tx.applications().certificates(app_id));
        if (certs.size() >= static_cast<std::size_t>(domain::application_limits::max_certificates))
          return fail(errc::conflict, "The application has two certificates; delete the inactive one first.");
        cert.active = certs.empty();  // an application without a certificate signs with its first
        TRY_VOID(tx.applications().insert_certificate(cert));
        return cert;
      },
      json_text_of([](const store::application_certificate_record& c) { return certificate_summary(c); }));
}

result<std::vector<store::application_certificate_record>> saml_settings_service::list_certificates(
    const call_context& ctx, const std::string& app_id) {
  return store_.read<std::vector<store::application_certificate_record>>(
      ctx, [&](store::transaction& tx) -> result<std::vector<store::application_certificate_record>> {
        TRY_VOID(load_application(tx, app_id));
        return tx.applications().certificates(app_id);
      });
}

result<void> saml_settings_service::activate_certificate(const call_context& ctx, const std::string& app_id,
                                                         const std::string& cert_id) {
  auto r = store_.write<bool>(
      ctx,
      [&](store::transaction& tx) -> result<bool> {
        TRY_VOID(load_application(tx, app_id));
        TRY(done, tx.applications().activate_certificate(app_id, cert_id));
        if (!done) return not_found("CERTIFICATE", cert_id);
        return true;
      },
      json_text_of([](const bool&) { return nullptr; }));
  if (!r) return std::unexpected(r.error());
  return {};
}

result<void> saml_settings_service::delete_certificate(const call_context& ctx, const std::string& app_id,
                                                       const std::string& cert_id) {
  auto r = store_.write<bool>(
      ctx,
      [&](store::transaction& tx) -> result<bool> {
        TRY_VOID(load_application(tx, app_id));
        TRY(certs, tx.applications().certificates(app_id));
        auto it = std::find_if(certs.begin(), certs.end(), [&](const auto& c) { return c.id == cert_id; });
        if (it == certs.end()) return not_found("CERTIFICATE", cert_id);
        if (it->active) return fail(errc::conflict, "The active certificate cannot be deleted; make another one active first.");
        return tx.applications().remove_certificate(app_id, cert_id);
      },
      json_text_of([](const bool&) { return nullptr; }));
  if (!r) return std::unexpected(r.error());
  return {};
}

result<std::string> saml_settings_service::idp_metadata(const std::string& app_id) {
  application_details d;
  auto r = store_.db().read([&](store::transaction& tx) -> result<void> {
    TRY(a, load_application(tx, app_id));
    TRY(certs, tx.applications().certificates(app_id));
    d = {std::move(a), std::move(certs)};
    return {};
  });
  if (!r) return std::unexpected(r.error());
  std::vector<idp_certificate> listed;
  for (const auto& c : d.certificates)
    listed.push_back({c.id, c.certificate_pem, c.sha256_fingerprint, c.not_before, c.not_after, c.active});
  std::stable_sort(listed.begin(), listed.end(), [](const auto& x, const auto& y) { return x.active && !y.active; });
  return idp_signing::metadata_xml(
      listed, {endpoints_->entity_id(app_id), endpoints_->sso_url(app_id), !d.app.sp.signing_certificates.empty()});
}

result<std::optional<std::string>> saml_settings_service::icon_of(const std::string& app_id) {
  std::optional<std::string> out;
  auto r = store_.db().read([&](store::transaction& tx) -> result<void> {
    TRY(a, tx.applications().get(app_id));
    if (a) out = a->icon_png;
    return {};
  });
  if (!r) return std::unexpected(r.error());
  return out;
}

}  // namespace atrium::service
