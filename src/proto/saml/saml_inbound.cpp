#include "proto/saml/saml_inbound.hpp"

#include "base/strings.hpp"
#include "proto/kit/json_body.hpp"
#include "xml/saml_bindings.hpp"

namespace atrium::proto::saml {

result<service::inbound_authn_request> read_inbound_request(const request& req, std::size_t max_body) {
  service::inbound_authn_request in;
  if (req.method == "GET" || req.method == "HEAD") {
    auto q = req.target.find('?');
    if (q == std::string::npos) return invalid("The request has no SAMLRequest.");
    auto query = xml::parse_redirect_query(std::string_view(req.target).substr(q + 1));
    if (!query) return std::unexpected(query.error());
    if (!query->is_request) return invalid("This endpoint takes SAMLRequest, not SAMLResponse.");
    in.binding = xml::saml_binding::redirect;
    in.message = query->message;
    in.relay_state = query->relay_state;
    in.redirect = std::move(*query);
    return in;
  }
  if (req.body.size() > max_body) return invalid("The form is too large.");
  if (!media_type_is(req.header("content-type"), {"application/x-www-form-urlencoded"}))
    return invalid("The HTTP-POST binding sends application/x-www-form-urlencoded.");
  auto fields = form_fields(req.body);
  if (!fields) return std::unexpected(fields.error());
  auto m = fields->find("SAMLRequest");
  if (m == fields->end()) return invalid("The form has no SAMLRequest.");
  in.binding = xml::saml_binding::post;
  in.message = m->second;
  if (auto rs = fields->find("RelayState"); rs != fields->end()) in.relay_state = rs->second;
  return in;
}

}  // namespace atrium::proto::saml
