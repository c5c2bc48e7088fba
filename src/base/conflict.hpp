#pragma once
// Which kind of errc::conflict an error is. A uniqueness violation (a UNIQUE or PRIMARY KEY
// constraint: a duplicate userName, membership, name) is marked by the store in
// error::resource_type, as organizations' conflicts carry their kind there; every other
// conflict is one of state (provisioning already enabled, an IdP still enabled, a request
// answered already). The identitystore API model's ConflictException names only the first as
// Reason UNIQUENESS_CONSTRAINT_VIOLATION (and a stale version, errc::concurrent_modification,
// as CONCURRENT_MODIFICATION).
#include <string>

#include "base/result.hpp"

namespace atrium {

inline constexpr const char* uniqueness_kind = "UNIQUENESS";

inline error uniqueness_violation(std::string message) { return error{errc::conflict, std::move(message), uniqueness_kind, {}}; }

inline bool is_uniqueness_violation(const error& e) { return e.code == errc::conflict && e.resource_type == uniqueness_kind; }

}  // namespace atrium
