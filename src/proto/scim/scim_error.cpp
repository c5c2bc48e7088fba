#include "proto/scim/scim_error.hpp"

namespace atrium::proto::scim {

scim_error from_error(const error& e) {
  switch (e.code) {
    case errc::validation: return {400, scim_type::invalid_value, e.message};
    case errc::not_found: return {404, "", e.message};
    case errc::conflict: return {409, scim_type::uniqueness, e.message};
    case errc::concurrent_modification: return {412, "", e.message};
    case errc::access_denied: return {403, "", e.message};
    case errc::unauthenticated: return {401, "", e.message};
    case errc::throttled: return {429, "", e.message};
    // RFC 7644 §3.12 has no scimType for a quota; the detail carries the reason instead.
    case errc::quota_exceeded: return {400, "", "Service quota exceeded: " + e.message};
    case errc::internal: break;
  }
  // Internal messages may name tables, files or peers: never echo them to a client.
  return {500, "", "Internal server error"};
}

}  // namespace atrium::proto::scim
