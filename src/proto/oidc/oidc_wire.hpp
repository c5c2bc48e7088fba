#pragma once
// The sso-oidc API's wire shapes (botocore's `sso-oidc` model), as pure functions: JSON bodies
// to the service's request values with every member's type and length checked, and the OAuth
// errors to the API's answers. The libFuzzer target tests/fuzz/oidc_request_fuzz.cpp runs the
// parsers on arbitrary bodies.
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "proto/kit/exchange.hpp"
#include "service/oidc/authorization_requests.hpp"
#include "service/oidc/client_registry.hpp"
#include "service/oidc/oauth_error.hpp"
#include "service/oidc/token_service.hpp"

namespace atrium::proto::oidc {

struct start_request {
  std::string client_id;
  std::string client_secret;
  std::string start_url;
};

// RegisterClient: clientName, clientType required; scopes, grantTypes, redirectUris, issuerUrl.
service::oidc::oauth_result<service::oidc::client_registration> registration_of(const nlohmann::json& body);
// StartDeviceAuthorization: clientId, clientSecret, startUrl required.
service::oidc::oauth_result<start_request> start_of(const nlohmann::json& body);
// CreateToken: clientId, clientSecret, grantType required; the rest by grant type.
service::oidc::oauth_result<service::oidc::token_request> token_request_of(const nlohmann::json& body);
// GET /authorize's query (`scopes`, as the AWS CLI sends it, or RFC 6749's `scope`, space-separated).
service::oidc::oauth_result<service::oidc::authorize_request> authorize_request_of(std::string_view target);

// The OAuth error code (RFC 6749 §5.2, RFC 8628 §3.5) and the API's exception name and status.
std::string_view oauth_code(service::oidc::oauth_errc e);
std::string_view exception_name(service::oidc::oauth_errc e);
int status_of(service::oidc::oauth_errc e);
// {"error", "error_description"} with x-amzn-ErrorType; no-store like every token answer.
response error_response(const service::oidc::oauth_error& e);
response json_response(const nlohmann::json& body);

// CloudTrail's requestParameters of a body: the members the model names, secrets as
// HIDDEN_DUE_TO_SECURITY_REASONS (the guide's CreateToken record).
std::string audited_parameters(const nlohmann::json& body);

}  // namespace atrium::proto::oidc
