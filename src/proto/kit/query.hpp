#pragma once
// The query string of a request as name/value pairs (RFC 3986 §3.4, form-style: '&' between
// pairs, '+' as a space, percent-decoded), for the REST doors that take parameters there (the
// portal API's role_name/account_id, the authorization endpoint's OAuth parameters).
#include <cstddef>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/result.hpp"
#include "proto/kit/exchange.hpp"

namespace atrium::proto {

using query_params = std::vector<std::pair<std::string, std::string>>;

// nullopt when the query is longer than `max_bytes`, holds more than `max_params` pairs or a
// broken percent escape.
std::optional<query_params> parse_query(const request& req, std::size_t max_bytes = 8192, std::size_t max_params = 32);
// The value of the first pair named `name` (exact match), nullptr when absent.
const std::string* query_value(const query_params& q, std::string_view name);
// True when `name` appears more than once (a parameter sent twice is refused, RFC 6749 §3.1).
bool query_repeats(const query_params& q, std::string_view name);

// An application/x-www-form-urlencoded body (HTML 4.01 §17.13.4): name -> value, a name given
// twice refused (the SAML HTTP-POST bindings of both the IdP's SSO endpoint and the SP's ACS).
result<std::map<std::string, std::string>> form_fields(std::string_view body);

}  // namespace atrium::proto
