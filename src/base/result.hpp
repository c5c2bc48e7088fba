#pragma once
// Errors are values (architecture guide, "Rules of the road"): every expected failure is an
// atrium::error carried in std::expected and mapped to a wire shape only at the protocol door.
#include <expected>
#include <string>
#include <utility>

namespace atrium {

enum class errc {
  validation,        // bad input: ValidationException, SCIM 400 invalidValue
  not_found,         // ResourceNotFoundException, SCIM 404
  conflict,          // uniqueness: ConflictException UNIQUENESS_CONSTRAINT_VIOLATION, SCIM 409
  concurrent_modification,  // ConflictException CONCURRENT_MODIFICATION, SCIM 412
  access_denied,     // AccessDeniedException, SCIM 403
  unauthenticated,   // signature/token problems
  throttled,         // ThrottlingException, SCIM 429
  quota_exceeded,    // ServiceQuotaExceededException
  internal,          // InternalServerException, SCIM 500
};

struct error {
  errc code = errc::internal;
  std::string message;
  // Optional details some doors need (ResourceNotFoundException carries ResourceType/ResourceId).
  std::string resource_type;
  std::string resource_id;
};

template <class T>
using result = std::expected<T, error>;

inline std::unexpected<error> fail(errc code, std::string message) {
  return std::unexpected<error>(error{code, std::move(message), {}, {}});
}

// The two failures most call sites spell out: bad input, and a refused credential or signature.
inline std::unexpected<error> invalid(std::string message) { return fail(errc::validation, std::move(message)); }
inline std::unexpected<error> refused(std::string message) { return fail(errc::unauthenticated, std::move(message)); }

inline std::unexpected<error> not_found(std::string type, std::string id) {
  std::string msg = type + " not found.";
  return std::unexpected<error>(error{errc::not_found, std::move(msg), std::move(type), std::move(id)});
}

const char* to_string(errc code);

}  // namespace atrium
