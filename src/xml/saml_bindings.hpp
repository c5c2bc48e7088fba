#pragma once
// The transport encodings of SAML messages (SAML bindings §3.4 HTTP-Redirect, §3.5 HTTP-POST)
// and the Redirect binding's detached signature (§3.4.4.1). Pure functions: no I/O.
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "base/result.hpp"
#include "xml/document.hpp"
#include "xml/signer.hpp"
#include "xml/trusted_certs.hpp"
#include "xml/verifier.hpp"

namespace atrium::xml {

enum class saml_binding { redirect, post };

// A received HTTP-Redirect query string split into the binding's parameters.
struct redirect_query {
  bool is_request = true;   // SAMLRequest (true) or SAMLResponse (false)
  std::string message;      // the parameter, URL-decoded: base64 of the DEFLATE-compressed XML
  std::optional<std::string> relay_state;  // URL-decoded
  std::optional<std::string> sig_alg;      // URL-decoded
  std::optional<std::string> signature;    // URL- and base64-decoded: the raw signature bytes
  // §3.4.4.1: "SAMLRequest=value&RelayState=value&SigAlg=value" from the octets as received
  // (still URL-encoded, in this order, RelayState only when present). Empty when unsigned.
  std::string signed_octets;
};

// Parses the raw query (without or with the leading '?'). A repeated SAML parameter, both or
// neither of SAMLRequest/SAMLResponse, or Signature without SigAlg (or the reverse) is refused.
result<redirect_query> parse_redirect_query(std::string_view raw_query, std::size_t max_bytes = 256 * 1024);

// RFC 1951 raw DEFLATE (§3.4.4.1: no zlib header). Inflation stops with an error as soon as
// the output would exceed `max_output` (a small request cannot become a large document).
result<std::string> inflate_raw(std::string_view deflated, std::size_t max_output);
result<std::string> deflate_raw(std::string_view data);

// §3.4.4.1 then parse: base64, inflate (at most limits.max_bytes), document::parse.
result<document> decode_redirect_message(std::string_view message, const parse_limits& limits = {});
// §3.5.4: base64 (line breaks allowed) then document::parse.
result<document> decode_post_message(std::string_view message, const parse_limits& limits = {});
result<document> decode_message(std::string_view message, saml_binding binding, const parse_limits& limits = {});

// §3.4.4.1: verifies Signature over signed_octets with a trusted certificate's key; SigAlg
// must be RSA-SHA256 (RSA-SHA1 only with options.allow_rsa_sha1). OpenSSL EVP_DigestVerify.
result<void> verify_redirect_signature(const redirect_query& query, const trusted_certs& certs,
                                       const verify_options& options = {});

// Builds a Redirect query for `xml`, signed with RSA-SHA256 when `sign_with` is given.
result<std::string> make_redirect_query(std::string_view xml, bool is_request, std::optional<std::string_view> relay_state,
                                        const signer* sign_with);

// Percent-encoding: url_encode / url_decode in base/strings.hpp.

}  // namespace atrium::xml
