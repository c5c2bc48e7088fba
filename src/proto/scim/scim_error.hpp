#pragma once
// SCIM's own error shape (RFC 7644 §3.12): an HTTP status, a scimType for 400/409, and a
// detail. The pure SCIM pieces (filter, PATCH, resources) return these; service errors (errc)
// are mapped to them once, at the door.
#include <expected>
#include <string>

#include "base/result.hpp"

namespace atrium::proto::scim {

// scimType values of RFC 7644 §3.12 Table 9.
namespace scim_type {
inline constexpr const char* invalid_filter = "invalidFilter";
inline constexpr const char* too_many = "tooMany";
inline constexpr const char* uniqueness = "uniqueness";
inline constexpr const char* mutability = "mutability";
inline constexpr const char* invalid_syntax = "invalidSyntax";
inline constexpr const char* invalid_path = "invalidPath";
inline constexpr const char* no_target = "noTarget";
inline constexpr const char* invalid_value = "invalidValue";
inline constexpr const char* invalid_vers = "invalidVers";
inline constexpr const char* sensitive = "sensitive";
}  // namespace scim_type

struct scim_error {
  int status = 400;
  std::string scim_type;  // empty when none applies (401, 404, 412, 429, 500)
  std::string detail;
};

template <class T>
using scim_result = std::expected<T, scim_error>;

inline std::unexpected<scim_error> scim_fail(int status, std::string type, std::string detail) {
  return std::unexpected<scim_error>(scim_error{status, std::move(type), std::move(detail)});
}
inline std::unexpected<scim_error> bad_request(std::string type, std::string detail) {
  return scim_fail(400, std::move(type), std::move(detail));
}

// errc -> SCIM: validation 400 invalidValue, not_found 404, conflict 409 uniqueness,
// concurrent_modification 412, access_denied 403, unauthenticated 401, throttled 429,
// quota_exceeded 400 (no scimType fits; detail says so), internal 500 (generic detail).
scim_error from_error(const error& e);

}  // namespace atrium::proto::scim
