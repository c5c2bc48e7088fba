#include "xml/saml_bindings.hpp"

#include <openssl/evp.h>
#include <zlib.h>

#include <cctype>
#include <memory>

#include "base/strings.hpp"
#include "xml/names.hpp"

namespace atrium::xml {

namespace {



struct raw_params {
  std::optional<std::string_view> request, response, relay_state, sig_alg, signature;
};

// Stores one parameter's raw value; a SAML parameter given twice is refused (§3.4.4.1 names
// one of each, and a second copy is how a signed value and a read value could differ).
result<void> take(raw_params& p, std::string_view name, std::string_view value) {
  std::optional<std::string_view>* slot = name == "SAMLRequest"    ? &p.request
                                          : name == "SAMLResponse" ? &p.response
                                          : name == "RelayState"   ? &p.relay_state
                                          : name == "SigAlg"       ? &p.sig_alg
                                          : name == "Signature"    ? &p.signature
                                                                   : nullptr;
  if (!slot) return {};  // other parameters are not part of the binding
  if (*slot) return invalid("The query repeats the " + std::string(name) + " parameter.");
  *slot = value;
  return {};
}

result<std::string> decoded(std::string_view raw, const char* name) {
  auto d = url_decode(raw);
  if (!d) return invalid(std::string("The ") + name + " parameter is not URL-encoded correctly.");
  return *d;
}

std::string strip_whitespace(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (char c : s)
    if (c != '\r' && c != '\n' && c != ' ' && c != '\t') out += c;
  return out;
}

}  // namespace

result<redirect_query> parse_redirect_query(std::string_view q, std::size_t max_bytes) {
  if (!q.empty() && q.front() == '?') q.remove_prefix(1);
  if (q.size() > max_bytes) return invalid("The SAML query string is too long.");
  raw_params p;
  for (auto part : split(q, '&')) {
    auto eq = part.find('=');
    auto name = part.substr(0, eq), value = eq == std::string_view::npos ? std::string_view{} : part.substr(eq + 1);
    if (auto r = take(p, name, value); !r) return std::unexpected(r.error());
  }
  if (!p.request == !p.response) return invalid("The query must carry exactly one of SAMLRequest and SAMLResponse.");
  if (!p.sig_alg != !p.signature) return invalid("SigAlg and Signature must be given together.");
  redirect_query out;
  out.is_request = p.request.has_value();
  std::string_view raw_message = out.is_request ? *p.request : *p.response;
  auto msg = decoded(raw_message, out.is_request ? "SAMLRequest" : "SAMLResponse");
  if (!msg) return std::unexpected(msg.error());
  out.message = std::move(*msg);
  if (p.relay_state) {
    auto rs = decoded(*p.relay_state, "RelayState");
    if (!rs) return std::unexpected(rs.error());
    out.relay_state = std::move(*rs);
  }
  if (p.sig_alg) {
    auto alg = decoded(*p.sig_alg, "SigAlg");
    auto sig_text = decoded(*p.signature, "Signature");
    if (!alg || !sig_text) return std::unexpected(!alg ? alg.error() : sig_text.error());
    auto sig = base64_decode(strip_whitespace(*sig_text));
    if (!sig || sig->empty()) return invalid("The Signature parameter is not base64.");
    out.sig_alg = std::move(*alg);
    out.signature = std::move(*sig);
    // §3.4.4.1: the octets as received, in this order, RelayState only when present.
    out.signed_octets = std::string(out.is_request ? "SAMLRequest=" : "SAMLResponse=") + std::string(raw_message);
    if (p.relay_state) out.signed_octets += "&RelayState=" + std::string(*p.relay_state);
    out.signed_octets += "&SigAlg=" + std::string(*p.sig_alg);
  }
  return out;
}

result<std::string> inflate_raw(std::string_view in, std::size_t max_output) {
  z_stream zs{};
  if (inflateInit2(&zs, -15) != Z_OK) return fail(errc::internal, "Cannot start DEFLATE decompression.");
  std::unique_ptr<z_stream, decltype(&inflateEnd)> guard(&zs, inflateEnd);
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
  zs.avail_in = static_cast<uInt>(in.size());
  std::string out;
  char buf[16384];
  int rc = Z_OK;
  while (rc != Z_STREAM_END) {
    zs.next_out = reinterpret_cast<Bytef*>(buf);
    zs.avail_out = sizeof buf;
    rc = inflate(&zs, Z_NO_FLUSH);
    if (rc != Z_OK && rc != Z_STREAM_END) return invalid("The SAML message is not raw DEFLATE data (RFC 1951).");
    std::size_t got = sizeof buf - zs.avail_out;
    if (out.size() + got > max_output)
      return invalid("The inflated SAML message is larger than " + std::to_string(max_output) + " bytes.");
    out.append(buf, got);
    if (rc == Z_OK && got == 0 && zs.avail_in == 0) return invalid("The DEFLATE data ends early.");
  }
  if (zs.avail_in != 0) return invalid("The DEFLATE data has trailing bytes.");
  return out;
}

result<std::string> deflate_raw(std::string_view data) {
  z_stream zs{};
  if (deflateInit2(&zs, Z_BEST_COMPRESSION, Z_DEFLATED, -15, 8, Z_DEFAULT_STRATEGY) != Z_OK)
    return fail(errc::internal, "Cannot start DEFLATE compression.");
  std::unique_ptr<z_stream, decltype(&deflateEnd)> guard(&zs, deflateEnd);
  std::string out(deflateBound(&zs, static_cast<uLong>(data.size())), '\0');
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  zs.avail_in = static_cast<uInt>(data.size());
  zs.next_out = reinterpret_cast<Bytef*>(out.data());
  zs.avail_out = static_cast<uInt>(out.size());
  if (deflate(&zs, Z_FINISH) != Z_STREAM_END) return fail(errc::internal, "DEFLATE compression failed.");
  out.resize(zs.total_out);
  return out;
}

result<document> decode_redirect_message(std::string_view message, const parse_limits& limits) {
  auto raw = base64_decode(strip_whitespace(message));
  if (!raw) return invalid("The SAML message is not base64.");
  auto xml = inflate_raw(*raw, limits.max_bytes);
  if (!xml) return std::unexpected(xml.error());
  return document::parse(*xml, limits);
}

result<document> decode_post_message(std::string_view message, const parse_limits& limits) {
  if (message.size() > limits.max_bytes / 3 * 4 + 1024) return invalid("The SAML message is too large.");
  auto xml = base64_decode(strip_whitespace(message));
  if (!xml) return invalid("The SAML message is not base64.");
  return document::parse(*xml, limits);
}

result<document> decode_message(std::string_view message, saml_binding binding, const parse_limits& limits) {
  return binding == saml_binding::redirect ? decode_redirect_message(message, limits)
                                           : decode_post_message(message, limits);
}

result<void> verify_redirect_signature(const redirect_query& q, const trusted_certs& certs, const verify_options& opt) {
  if (!q.signature || !q.sig_alg) return fail(errc::unauthenticated, "The redirect message is not signed.");
  const EVP_MD* md = *q.sig_alg == alg_rsa_sha256                      ? EVP_sha256()
                     : (opt.allow_rsa_sha1 && *q.sig_alg == alg_rsa_sha1) ? EVP_sha1()
                                                                        : nullptr;
  if (!md) return fail(errc::unauthenticated, "Signature algorithm \"" + *q.sig_alg + "\" is not accepted (use RSA-SHA256).");
  const auto* sig = reinterpret_cast<const unsigned char*>(q.signature->data());
  const auto* data = reinterpret_cast<const unsigned char*>(q.signed_octets.data());
  for (const auto& cert : certs.entries()) {
    std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(), EVP_MD_CTX_free);
    if (!ctx || EVP_DigestVerifyInit(ctx.get(), nullptr, md, nullptr, cert->public_key) != 1) continue;
    if (EVP_DigestVerify(ctx.get(), sig, q.signature->size(), data, q.signed_octets.size()) == 1) return {};
  }
  return fail(errc::unauthenticated, "The redirect signature does not verify with the trusted certificate(s).");
}

result<std::string> make_redirect_query(std::string_view xml, bool is_request, std::optional<std::string_view> relay_state,
                                        const signer* sign_with) {
  auto deflated = deflate_raw(xml);
  if (!deflated) return std::unexpected(deflated.error());
  std::string q = std::string(is_request ? "SAMLRequest=" : "SAMLResponse=") + url_encode(base64_encode(*deflated));
  if (relay_state) q += "&RelayState=" + url_encode(*relay_state);
  if (!sign_with) return q;
  q += "&SigAlg=" + url_encode(alg_rsa_sha256);
  auto sig = sign_with->sign_octets(q);
  if (!sig) return std::unexpected(sig.error());
  return q + "&Signature=" + url_encode(base64_encode(*sig));
}

}  // namespace atrium::xml
