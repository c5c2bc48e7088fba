#pragma once
// SAML 2.0 applications that Atrium signs users in to as identity provider (issue 15; user guide
// "Manage SSO access to your applications", "Cloud applications", "Custom SAML 2.0
// applications", "Application properties", "Manage AWS SSO certificates"; sso-admin service
// model 2020-07-20 for Application, ApplicationProvider and ApplicationAssignment). An
// application is what the public API calls one (ARN, name, description, status, portal options,
// assignment configuration) plus the SAML settings the console keeps behind it: the service
// provider (entity ID, ACS URLs, its request-signing certificates), the response (session
// duration, relay state, what is signed) and the attribute mappings. Pure: no I/O, no clock reads.
#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/clock.hpp"
#include "base/random.hpp"
#include "base/result.hpp"
#include "domain/attribute_mapping.hpp"

namespace atrium::domain {

// ---- Ids and ARNs (service model: ApplicationArn, ApplicationProviderArn) ----

// "apl-" + 16 lower-case hex (model: apl-[a-zA-Z0-9]{16}).
std::string new_application_id(random_source& rnd);
bool is_application_id(std::string_view s);
// arn:aws:sso::<account>:application/ssoins-<16>/apl-<16>
std::string application_arn(std::string_view account_id, std::string_view instance_id, std::string_view app_id);
struct application_arn_parts {
  std::string account_id;
  std::string instance_id;
  std::string application_id;
};
// nullopt unless the text matches the model's ApplicationArn pattern.
std::optional<application_arn_parts> parse_application_arn(std::string_view arn);

// The providers an application is made from: the custom SAML 2.0 application (the guide's
// "Custom SAML 2.0 application") and each catalog entry (data/catalog, "Supported applications").
inline constexpr std::string_view custom_saml_provider_arn = "arn:aws:sso::aws:applicationProvider/custom-saml";
std::string catalog_provider_arn(std::string_view catalog_id);  // .../applicationProvider/catalog/<id>
// The catalog id of a catalog provider ARN; nullopt for any other ARN.
std::optional<std::string> catalog_id_of(std::string_view provider_arn);
// Model pattern arn:aws(-[a-z]{1,5}){0,3}:sso::aws:applicationProvider/[a-zA-Z0-9-/]+ (10-1224).
bool is_application_provider_arn(std::string_view arn);

// ---- The application ----

enum class app_status { enabled, disabled };
enum class sign_in_origin { identity_center, application };  // model SignInOrigin
enum class saml_sign_target { assertion, response, both };

const char* to_string(app_status s);            // ENABLED / DISABLED
std::optional<app_status> app_status_from(std::string_view s);
const char* to_string(sign_in_origin o);        // IDENTITY_CENTER / APPLICATION
std::optional<sign_in_origin> sign_in_origin_from(std::string_view s);
const char* to_string(saml_sign_target t);      // assertion / response / both
std::optional<saml_sign_target> sign_target_from(std::string_view s);

// Model PortalOptions. `origin` APPLICATION with `application_url` is the guide's "Application
// start URL": the portal tile sends the browser there and the application starts an
// SP-initiated sign-in; IDENTITY_CENTER (or none) makes the tile an IdP-initiated sign-in.
struct portal_options {
  std::optional<sign_in_origin> origin;
  std::optional<std::string> application_url;
  bool visible = true;  // model Visibility ENABLED / DISABLED: shown as a portal tile
  friend bool operator==(const portal_options&, const portal_options&) = default;
};

// One AssertionConsumerService of the service provider (SAML metadata §2.4.4 with the HTTP-POST
// binding, the only one Web Browser SSO responses use, SAML profiles §4.1.2).
struct acs_endpoint {
  std::string url;
  int index = 0;
  bool is_default = false;
  friend bool operator==(const acs_endpoint&, const acs_endpoint&) = default;
};

// The guide's "Application metadata": from the SP's metadata file or typed in (ACS URL and
// "Application SAML audience").
struct service_provider {
  std::string entity_id;                          // the audience; empty until configured
  std::vector<acs_endpoint> acs;                  // empty until configured
  std::vector<std::string> signing_certificates;  // PEM; AuthnRequests must be signed when set
  std::map<std::string, std::string> template_fields;  // a catalog entry's filled-in fields
  friend bool operator==(const service_provider&, const service_provider&) = default;
};

// The guide's "Application properties" and the response's signature.
struct response_settings {
  std::chrono::seconds session_duration{3600};
  std::optional<std::string> relay_state;  // sent with IdP-initiated responses
  saml_sign_target sign = saml_sign_target::both;
  friend bool operator==(const response_settings&, const response_settings&) = default;
};

struct application {
  std::string id;           // apl-<16 hex>
  std::string instance_id;  // ssoins-<16 hex>
  std::string account_id;   // ApplicationAccount: the deployment's account
  std::string provider_arn;
  std::string name;
  std::optional<std::string> description;
  app_status status = app_status::enabled;
  portal_options portal;
  bool assignment_required = true;  // Get/PutApplicationAssignmentConfiguration
  sys_time created_at{};
  std::string created_from;  // the region (model CreatedFrom)
  service_provider sp;
  response_settings response;
  std::vector<attribute_mapping> mappings;  // the first row is Subject (attribute_mapping.hpp)
  std::optional<std::string> icon_png;      // an uploaded icon (PNG bytes); catalog entries have theirs
  int64_t version = 1;                      // optimistic locking in the store

  std::string arn() const { return application_arn(account_id, instance_id, id); }
  // True when entity ID and an ACS URL are set: the application can receive assertions.
  bool configured() const { return !sp.entity_id.empty() && !sp.acs.empty(); }
  const acs_endpoint* default_acs() const;
  // The ACS the AuthnRequest names: by URL (exactly one of the registered ones) or by index;
  // the default one when it names neither (SAML core §3.4.1, metadata §2.2.3 isDefault).
  const acs_endpoint* find_acs(const std::optional<std::string>& url, const std::optional<int>& index) const;
};

// ---- Rules (ValidationException texts in the service's words) ----

struct application_limits {
  static constexpr std::size_t max_name = 100;         // model ApplicationNameType
  static constexpr std::size_t max_description = 128;  // model Description
  static constexpr std::size_t max_url = 512;          // model ApplicationUrl
  static constexpr std::size_t max_entity_id = 1024;   // SAML core §8.3.6: at most 1024 characters
  static constexpr std::size_t max_acs = 16;
  static constexpr std::size_t max_sp_certificates = 4;
  static constexpr std::size_t max_relay_state = 80;   // SAML bindings §3.4.3 and §3.5.3: 80 bytes
  static constexpr std::size_t max_icon_bytes = 64 * 1024;
  static constexpr int max_certificates = 2;           // guide: "up to two certificates"
};

result<void> check_application_name(std::string_view name);
result<void> check_application_description(std::string_view d);
// The model's ApplicationUrl (http or https, its character set, at most 512).
result<void> check_application_url(std::string_view url, const char* what = "ApplicationUrl");
// An SP entity ID: 1-1024 characters without spaces or control characters (a URI, SAML core
// §8.3.6; not necessarily a URL: "box.net", "urn:federation:MicrosoftOnline").
result<void> check_entity_id(std::string_view id);
// An ACS URL: https, or http to a loopback host (127.0.0.1, [::1], localhost: applications on the
// same machine and tests); no fragment, no user info, at most 512 bytes.
result<void> check_acs_url(std::string_view url);
// RelayState: at most 80 bytes of printable text (SAML bindings §3.4.3).
result<void> check_relay_state_value(std::string_view rs);
// 15 minutes to 12 hours (the guide's session duration; data/catalog session_duration_minutes).
result<void> check_session_duration(std::chrono::seconds d);
// A PNG file (signature, IHDR first) of at most 64 KiB.
result<void> check_icon_png(std::string_view bytes);
// Everything of an application at once (before it is stored).
result<void> validate_application(const application& a);

}  // namespace atrium::domain
