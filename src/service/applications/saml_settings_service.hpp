#pragma once
// The SAML settings the service keeps behind its console (issue 15 item 3; user guide "Add and
// configure a cloud application", "Custom SAML 2.0 applications", "Application properties",
// "Map attributes in your application to AWS SSO attributes", "Manage AWS SSO certificates"),
// each use case named as the guide's CloudTrail chapter lists the console's operations:
//   GetApplicationInstance, ImportApplicationInstanceServiceProvider,
//   UpdateApplicationInstanceServiceProviderConfiguration,
//   UpdateApplicationInstanceResponseConfiguration,
//   UpdateApplicationInstanceResponseSchemaConfiguration, UpdateApplicationInstanceDisplayData,
//   CreateApplicationInstanceCertificate, ListApplicationInstanceCertificates,
//   UpdateApplicationInstanceActiveCertificate, DeleteApplicationInstanceCertificate;
// and the IdP metadata of each application (its own entity ID, SSO URL and certificates).
#include <chrono>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "base/clock.hpp"
#include "crypto/primitives.hpp"
#include "domain/application.hpp"
#include "service/applications/app_certificates.hpp"
#include "service/applications/application_catalog.hpp"
#include "service/audit/audited_store.hpp"
#include "service/audit/call_context.hpp"
#include "store/application_repository.hpp"

namespace atrium::service {

// Where Atrium's IdP is reached for each application. Known once the server listens (the port
// may be chosen then), so it is shared and set before the first request.
class idp_endpoints {
 public:
  void set_base_url(std::string url) { base_ = std::move(url); }
  const std::string& base_url() const { return base_; }
  // The IdP's entity ID (Issuer) for an application: <base>/saml/metadata/<app id>.
  std::string entity_id(const std::string& app_id) const { return base_ + "/saml/metadata/" + app_id; }
  // The SSO endpoint (HTTP-Redirect and HTTP-POST): <base>/saml/assertion/<app id>.
  std::string sso_url(const std::string& app_id) const { return base_ + "/saml/assertion/" + app_id; }

 private:
  std::string base_;
};

struct service_provider_edit {
  std::optional<std::string> entity_id;
  std::optional<std::vector<std::string>> acs_urls;              // the first is the default
  std::optional<std::vector<std::string>> signing_certificates;  // PEM; empty list: none
  // A catalog application's fields: entity ID, ACS URL, start URL and relay state are made from
  // the entry's templates (entity_id/acs_urls given as well override them).
  std::optional<std::map<std::string, std::string>> template_fields;
};

struct response_edit {
  std::optional<std::chrono::seconds> session_duration;
  std::optional<std::optional<std::string>> relay_state;  // a value, or nullopt inside: cleared
  std::optional<domain::saml_sign_target> sign;
  std::optional<domain::name_id_format> name_id_format;   // the Subject row's format
  std::optional<std::optional<std::string>> start_url;    // the application start URL, or cleared
};

struct display_edit {
  std::optional<std::string> name;
  std::optional<std::string> description;
  std::optional<std::optional<std::string>> icon_png;  // PNG bytes, or cleared
  std::optional<bool> visible;                          // shown as a portal tile
};

struct application_details {
  domain::application app;
  std::vector<store::application_certificate_record> certificates;  // oldest first
};

class saml_settings_service {
 public:
  saml_settings_service(audited_store& store, const clock& clk, const crypto::secret_box& box,
                        const application_catalog& catalog, std::shared_ptr<const idp_endpoints> endpoints);

  result<application_details> get(const call_context& ctx, const std::string& app_id);
  // The SP's metadata file (xml::read_sp_metadata): entity ID, HTTP-POST ACS URLs, the
  // certificates its AuthnRequests are signed with.
  result<domain::application> import_service_provider(const call_context& ctx, const std::string& app_id,
                                                      const std::string& metadata_xml);
  result<domain::application> update_service_provider(const call_context& ctx, const std::string& app_id,
                                                      const service_provider_edit& e);
  result<domain::application> update_response(const call_context& ctx, const std::string& app_id, const response_edit& e);
  result<domain::application> update_response_schema(const call_context& ctx, const std::string& app_id,
                                                     const std::vector<domain::attribute_mapping>& rows);
  result<domain::application> update_display_data(const call_context& ctx, const std::string& app_id,
                                                  const display_edit& e);

  // "Generate new certificate": refused (errc::conflict) when the application has two already.
  result<store::application_certificate_record> create_certificate(const call_context& ctx, const std::string& app_id,
                                                                   const certificate_request& r);
  result<std::vector<store::application_certificate_record>> list_certificates(const call_context& ctx,
                                                                               const std::string& app_id);
  // "Set as active".
  result<void> activate_certificate(const call_context& ctx, const std::string& app_id, const std::string& cert_id);
  // "Delete": only an inactive certificate (errc::conflict for the active one).
  result<void> delete_certificate(const call_context& ctx, const std::string& app_id, const std::string& cert_id);

  // SAML 2.0 IdP metadata of the application (saml-metadata-2.0-os §2.4.3): its entity ID, the
  // SSO endpoint for both bindings, every certificate as a signing key (the active one first,
  // so that an SP can add the new one before it becomes active), WantAuthnRequestsSigned when
  // the SP's certificates are configured.
  result<std::string> idp_metadata(const std::string& app_id);
  // The uploaded icon (PNG bytes), nullopt when there is none; not audited (a public image).
  result<std::optional<std::string>> icon_of(const std::string& app_id);
  const idp_endpoints& endpoints() const { return *endpoints_; }

 private:
  template <class Edit>
  result<domain::application> edit(const call_context& ctx, const std::string& app_id, Edit&& change);
  audited_store& store_;
  const clock& clock_;
  const crypto::secret_box& box_;
  const application_catalog& catalog_;
  std::shared_ptr<const idp_endpoints> endpoints_;
};

}  // namespace atrium::service
