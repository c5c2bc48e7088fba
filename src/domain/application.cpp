#include "domain/application.hpp"

#include "base/strings.hpp"
#include "base/try.hpp"

namespace atrium::domain {

namespace {

constexpr std::string_view app_provider_prefix = "arn:aws:sso::aws:applicationProvider/";
constexpr std::string_view app_catalog_prefix = "arn:aws:sso::aws:applicationProvider/catalog/";

std::string app_shown(std::string_view s) { return std::string(s.size() > 64 ? s.substr(0, 64) : s); }

bool all_of_chars(std::string_view s, bool (*ok)(char)) {
  for (char c : s)
    if (!ok(c)) return false;
  return !s.empty();
}

bool app_id_char(char c) { return is_ascii_alnum(c); }
bool instance_suffix_char(char c) { return is_ascii_alnum(c) || c == '-' || c == '.'; }
bool provider_path_char(char c) { return is_ascii_alnum(c) || c == '-' || c == '/'; }

// The model's ApplicationUrl character class: [-a-zA-Z0-9+&@#/%?=~_|!:,.;].
bool url_char(char c) {
  return is_ascii_alnum(c) || std::string_view("-+&@#/%?=~_|!:,.;").find(c) != std::string_view::npos;
}

// The host of an http(s) URL ("" when there is none): what follows the scheme up to the path.
std::string_view url_authority(std::string_view url) {
  auto scheme_end = url.find("://");
  if (scheme_end == std::string_view::npos) return {};
  auto rest = url.substr(scheme_end + 3);
  return rest.substr(0, rest.find_first_of("/?#"));
}

std::string_view host_of(std::string_view authority) {
  if (authority.starts_with("[")) return authority.substr(0, authority.find(']') + 1);
  return authority.substr(0, authority.find(':'));
}

bool loopback_host(std::string_view host) {
  return host == "127.0.0.1" || host == "[::1]" || iequals_ascii(host, "localhost");
}

}  // namespace

std::string new_application_id(random_source& rnd) { return "apl-" + rnd.hex(8); }

bool is_application_id(std::string_view s) {
  return s.size() == 20 && s.starts_with("apl-") && all_of_chars(s.substr(4), app_id_char);
}

std::string application_arn(std::string_view account_id, std::string_view instance_id, std::string_view app_id) {
  return "arn:aws:sso::" + std::string(account_id) + ":application/" + std::string(instance_id) + "/" + std::string(app_id);
}

// arn:aws(-[a-z]{1,5}){0,3}:sso::\d{12}:application/(sso)?ins-[a-zA-Z0-9-.]{16}/apl-[a-zA-Z0-9]{16}
std::optional<application_arn_parts> parse_application_arn(std::string_view arn) {
  if (arn.size() < 10 || arn.size() > 1224 || !arn.starts_with("arn:aws")) return std::nullopt;
  auto sso = arn.find(":sso::");
  if (sso == std::string_view::npos) return std::nullopt;
  auto partition = arn.substr(7, sso - 7);  // "" or up to three "-xxxxx"
  for (auto part : split(partition, '-'))
    if (!part.empty() && (part.size() > 5 || !all_of_chars(part, [](char c) { return c >= 'a' && c <= 'z'; })))
      return std::nullopt;
  auto rest = arn.substr(sso + 6);
  if (rest.size() < 13 || !all_of_chars(rest.substr(0, 12), is_ascii_digit) || rest.substr(12, 13) != ":application/")
    return std::nullopt;
  rest.remove_prefix(25);
  auto slash = rest.find('/');
  if (slash == std::string_view::npos) return std::nullopt;
  auto instance = rest.substr(0, slash), app = rest.substr(slash + 1);
  auto suffix = instance.starts_with("ssoins-") ? instance.substr(7) : instance.starts_with("ins-") ? instance.substr(4) : std::string_view{};
  if (suffix.size() != 16 || !all_of_chars(suffix, instance_suffix_char) || !is_application_id(app)) return std::nullopt;
  return application_arn_parts{std::string(arn.substr(sso + 6, 12)), std::string(instance), std::string(app)};
}

std::string catalog_provider_arn(std::string_view catalog_id) {
  return std::string(app_catalog_prefix) + std::string(catalog_id);
}

std::optional<std::string> catalog_id_of(std::string_view provider_arn) {
  if (!provider_arn.starts_with(app_catalog_prefix)) return std::nullopt;
  auto id = provider_arn.substr(app_catalog_prefix.size());
  if (id.empty() || id.find('/') != std::string_view::npos) return std::nullopt;
  return std::string(id);
}

bool is_application_provider_arn(std::string_view arn) {
  if (arn.size() < 10 || arn.size() > 1224 || !arn.starts_with(app_provider_prefix)) return false;
  return all_of_chars(arn.substr(app_provider_prefix.size()), provider_path_char);
}

const char* to_string(app_status s) { return s == app_status::enabled ? "ENABLED" : "DISABLED"; }
std::optional<app_status> app_status_from(std::string_view s) {
  if (s == "ENABLED") return app_status::enabled;
  if (s == "DISABLED") return app_status::disabled;
  return std::nullopt;
}

const char* to_string(sign_in_origin o) { return o == sign_in_origin::application ? "APPLICATION" : "IDENTITY_CENTER"; }
std::optional<sign_in_origin> sign_in_origin_from(std::string_view s) {
  if (s == "APPLICATION") return sign_in_origin::application;
  if (s == "IDENTITY_CENTER") return sign_in_origin::identity_center;
  return std::nullopt;
}

const char* to_string(saml_sign_target t) {
  switch (t) {
    case saml_sign_target::assertion: return "assertion";
    case saml_sign_target::response: return "response";
    case saml_sign_target::both: break;
  }
  return "both";
}
std::optional<saml_sign_target> sign_target_from(std::string_view s) {
  if (s == "assertion") return saml_sign_target::assertion;
  if (s == "response") return saml_sign_target::response;
  if (s == "both") return saml_sign_target::both;
  return std::nullopt;
}

const acs_endpoint* application::default_acs() const {
  for (const auto& a : sp.acs)
    if (a.is_default) return &a;
  return sp.acs.empty() ? nullptr : &sp.acs.front();
}

// SAML core §3.4.1: AssertionConsumerServiceURL or AssertionConsumerServiceIndex, else the
// default. The URL must be one the application registered, compared exactly (no prefix
// matching: that is how IdPs become open redirectors).
const acs_endpoint* application::find_acs(const std::optional<std::string>& url, const std::optional<int>& index) const {
  if (url) {
    for (const auto& a : sp.acs)
      if (a.url == *url) return &a;
    return nullptr;
  }
  if (index) {
    for (const auto& a : sp.acs)
      if (a.index == *index) return &a;
    return nullptr;
  }
  return default_acs();
}

result<void> check_application_name(std::string_view name) {
  if (name.empty() || utf8_length(name) > application_limits::max_name || !valid_utf8(name) || has_control_chars(name))
    return invalid("The application name must be 1-100 characters.");
  return {};
}

result<void> check_application_description(std::string_view d) {
  if (d.empty() || utf8_length(d) > application_limits::max_description || !valid_utf8(d) || has_control_chars(d))
    return invalid("The application description must be 1-128 characters.");
  return {};
}

result<void> check_application_url(std::string_view url, const char* what) {
  if (url.empty() || url.size() > application_limits::max_url)
    return invalid(std::string(what) + " must have length between 1 and 512.");
  if (!url.starts_with("https://") && !url.starts_with("http://"))
    return invalid(std::string(what) + " '" + app_shown(url) + "' must be an http or https URL.");
  for (char c : url)
    if (!url_char(c)) return invalid(std::string(what) + " '" + app_shown(url) + "' contains a character that is not allowed.");
  if (host_of(url_authority(url)).empty()) return invalid(std::string(what) + " '" + app_shown(url) + "' has no host.");
  return {};
}

result<void> check_entity_id(std::string_view id) {
  if (id.empty() || id.size() > application_limits::max_entity_id || !valid_utf8(id) || has_control_chars(id) ||
      id.find(' ') != std::string_view::npos)
    return invalid("The SP entity ID must be 1-1024 characters without spaces.");
  return {};
}

result<void> check_acs_url(std::string_view url) {
  // The model's ApplicationUrl rules, with an IPv6 literal host ([::1], RFC 3986 §3.2.2) allowed.
  std::string without_literal(url);
  auto authority = url_authority(url);
  if (authority.starts_with("[") && authority.find(']') != std::string_view::npos) {
    auto at = without_literal.find('[');
    without_literal.replace(at, authority.find(']') + 1, "ipv6-literal");
  }
  TRY_VOID(check_application_url(without_literal, "The ACS URL"));
  if (authority.find('@') != std::string_view::npos) return invalid("The ACS URL must not carry user information.");
  if (url.find('#') != std::string_view::npos) return invalid("The ACS URL must not have a fragment.");
  if (url.starts_with("http://") && !loopback_host(host_of(authority)))
    return invalid("The ACS URL must be https (plain http only to 127.0.0.1, [::1] or localhost).");
  return {};
}

result<void> check_relay_state_value(std::string_view rs) {
  if (rs.size() > application_limits::max_relay_state)
    return invalid("The relay state must be at most 80 bytes (SAML bindings 3.4.3).");
  if (!valid_utf8(rs) || has_control_chars(rs)) return invalid("The relay state must be printable text.");
  return {};
}

result<void> check_session_duration(std::chrono::seconds d) {
  if (d < std::chrono::minutes(15) || d > std::chrono::hours(12))
    return invalid("The session duration must be between 15 minutes and 12 hours.");
  return {};
}

result<void> check_icon_png(std::string_view bytes) {
  constexpr std::string_view png_signature("\x89PNG\r\n\x1a\n", 8);
  if (bytes.size() > application_limits::max_icon_bytes) return invalid("The icon must be at most 64 KiB.");
  // PNG §5.2 signature, then §5.6: IHDR is the first chunk (length 13).
  if (bytes.size() < 33 || !bytes.starts_with(png_signature) || bytes.substr(12, 4) != "IHDR")
    return invalid("The icon must be a PNG image.");
  return {};
}

result<void> validate_application(const application& a) {
  TRY_VOID(check_application_name(a.name));
  if (a.description) TRY_VOID(check_application_description(*a.description));
  if (a.portal.application_url) TRY_VOID(check_application_url(*a.portal.application_url));
  if (a.portal.origin == sign_in_origin::application && !a.portal.application_url)
    return invalid("SignInOptions with Origin APPLICATION need an ApplicationUrl.");
  if (!a.sp.entity_id.empty()) TRY_VOID(check_entity_id(a.sp.entity_id));
  if (a.sp.acs.size() > application_limits::max_acs) return invalid("An application has at most 16 ACS URLs.");
  for (const auto& acs : a.sp.acs) TRY_VOID(check_acs_url(acs.url));
  if (a.sp.signing_certificates.size() > application_limits::max_sp_certificates)
    return invalid("An application has at most 4 service provider signing certificates.");
  if (a.response.relay_state) TRY_VOID(check_relay_state_value(*a.response.relay_state));
  TRY_VOID(check_session_duration(a.response.session_duration));
  TRY_VOID(validate_attribute_mappings(a.mappings));
  if (a.icon_png) TRY_VOID(check_icon_png(*a.icon_png));
  return {};
}

}  // namespace atrium::domain
