#pragma once
// What a browser brings to the SSO endpoint, read off the request (SAML bindings §3.4.4
// HTTP-Redirect: SAMLRequest, RelayState, SigAlg and Signature in the query; §3.5.4 HTTP-POST:
// the same fields in an application/x-www-form-urlencoded body): every field at most once,
// sizes bounded, nothing decoded beyond URL-decoding (xml/ does base64, DEFLATE and parsing).
#include <cstddef>
#include <map>
#include <string>
#include <string_view>

#include "base/result.hpp"
#include "proto/kit/exchange.hpp"
#include "proto/kit/query.hpp"  // form_fields
#include "service/applications/saml_idp_service.hpp"

namespace atrium::proto::saml {

// GET: the Redirect binding's query; POST: the form. errc::validation naming what is wrong.
result<service::inbound_authn_request> read_inbound_request(const request& req, std::size_t max_body);

}  // namespace atrium::proto::saml
