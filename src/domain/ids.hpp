#pragma once
// Identifier formats of the service, so that clients that parse them keep working:
// identity store "d-" + 10 lower-case hex digits; users, groups and memberships
// "<10 hex of the store>-<uuid4>" (the identitystore API's ResourceId pattern).
#include <string>
#include <string_view>

#include "base/clock.hpp"
#include "base/random.hpp"

namespace atrium::domain {

std::string new_identity_store_id(random_source& rnd);
// store_id is "d-xxxxxxxxxx"; the resource id reuses its 10 hex digits as a prefix. The UUID
// part is time-ordered (uuid7 of `now`): the same pattern clients check, and rows created one
// after another land side by side in the store's indexes.
std::string new_resource_id(std::string_view store_id, random_source& rnd, sys_time now);

bool is_identity_store_id(std::string_view s);
// Accepts both "<10hex>-<uuid>" and a bare uuid (the form of stores migrated from legacy SSO).
bool is_resource_id(std::string_view s);
// The 8-4-4-4-12 hex form of a UUID (RFC 9562 §4); `lower_only` refuses upper-case digits.
bool is_uuid(std::string_view s, bool lower_only = false);

}  // namespace atrium::domain
