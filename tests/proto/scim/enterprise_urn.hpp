#pragma once
// The enterprise extension's schema URN as the SCIM tests spell it (shared: one definition per
// unity batch).
#include <string>

#include "proto/scim/schemas.hpp"

namespace atrium::proto::scim::scim_tests {
inline const std::string ext(enterprise_user_urn);
}  // namespace atrium::proto::scim::scim_tests
