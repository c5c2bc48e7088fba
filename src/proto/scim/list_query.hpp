#pragma once
// What a list request may filter on (the service's ListUsers/ListGroups: `eq` joined by `and`,
// on users' userName, externalId, id, manager and groups.value, and on groups' displayName,
// externalId, id, members and members.value), turned into store queries. Anything else is
// 400 invalidFilter with a detail saying what is supported — never an unfiltered list.
#include <string_view>

#include "proto/scim/filter.hpp"
#include "proto/scim/scim_error.hpp"
#include "service/identity/identity_types.hpp"

namespace atrium::proto::scim {

scim_result<service::user_query> user_query_from(std::string_view filter_text, const filter_limits& lim = {});
scim_result<service::group_query> group_query_from(std::string_view filter_text, const filter_limits& lim = {});

}  // namespace atrium::proto::scim
