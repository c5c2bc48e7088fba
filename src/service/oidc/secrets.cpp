#include "service/oidc/secrets.hpp"

#include <algorithm>

#include "base/strings.hpp"
#include "crypto/primitives.hpp"

namespace atrium::service::oidc {

namespace {

constexpr std::size_t secret_bytes = 32;
constexpr std::size_t body_length = 43;  // base64url of 32 bytes, unpadded

std::string_view prefix_of(secret_kind k) {
  switch (k) {
    case secret_kind::client_secret: return "atcs_";
    case secret_kind::device_code: return "atdc_";
    case secret_kind::authorization_code: return "atac_";
    case secret_kind::request_id: return "atrq_";
    case secret_kind::access_token: return "atat_";
    case secret_kind::refresh_token: return "atrt_";
  }
  return "atxx_";
}

std::string random_base64url(random_source& rnd, std::size_t n) {
  std::string raw(n, '\0');
  rnd.fill(raw.data(), raw.size());
  return base64url_encode(raw);
}

}  // namespace

std::string new_secret(random_source& rnd, secret_kind kind) {
  return std::string(prefix_of(kind)) + random_base64url(rnd, secret_bytes);
}

std::optional<std::string_view> parse_secret(std::string_view text, secret_kind kind) {
  auto prefix = prefix_of(kind);
  if (text.size() != prefix.size() + body_length || !text.starts_with(prefix)) return std::nullopt;
  auto body = text.substr(prefix.size());
  bool ok = std::all_of(body.begin(), body.end(), [](char c) { return is_ascii_alnum(c) || c == '-' || c == '_'; });
  if (!ok) return std::nullopt;
  return text;
}

std::string secret_id(std::string_view secret) { return crypto::sha256_hex(secret); }

std::string new_client_id(random_source& rnd) { return random_base64url(rnd, 16); }

}  // namespace atrium::service::oidc
