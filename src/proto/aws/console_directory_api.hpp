#pragma once
// AtriumAdmin operations the console's users, groups and settings pages need that neither
// identitystore nor sso-admin has (docs/admin-console.md "Search and sort", "Session duration").
// Usable by keys and the CLI like every AtriumAdmin operation.
//
// directory_search_api (IAM action prefix "sso-directory", eventSource sso-directory.amazonaws.com;
// the service console's own SearchUsers/SearchGroups actions):
//   SearchUsers {Prefix?, SortBy?: USER_NAME|DISPLAY_NAME|EMAIL, SortOrder?: ASCENDING|DESCENDING,
//                MaxResults? 1-100 (25), NextToken?} -> {Users: [identitystore User], NextToken?}
//       Prefix (0-128 characters) matches the start of the attribute the users are sorted by
//       (the user name by default, the display name or the primary e-mail), ASCII
//       case-insensitively: one index range in order, whatever the number of users.
//   SearchGroups {Prefix?, SortOrder?, MaxResults?, NextToken?} -> {Groups: [identitystore Group], NextToken?}
//       ordered by display name.
//   AddMemberToGroup {GroupId, MemberGroupId} -> {GroupId, MemberGroupId, MembershipId}
//   RemoveMemberFromGroup {GroupId, MemberGroupId} -> {}
//   ListMembersInGroup {GroupId} -> {GroupId, MemberGroups: [{GroupId, DisplayName}],
//       EffectiveUsers: [{UserId, UserName, Direct}] (the first 500), EffectiveUserCount}
//       Nested groups: identitystore's MemberId names users only.
//
// portal_session_api (IAM action prefix "sso", eventSource sso.amazonaws.com):
//   GetPortalSessionSettings {} -> {SessionDurationMinutes, Default: bool}
//   UpdatePortalSessionSettings {SessionDurationMinutes: 15-129600} -> the same
#include "proto/aws/json_api.hpp"
#include "service/identity/identity_services.hpp"
#include "service/signin/portal_session_settings.hpp"

namespace atrium::proto::aws {

class directory_search_api final : public json_api {
 public:
  explicit directory_search_api(service::identity_services& identity);
};

class portal_session_api final : public json_api {
 public:
  explicit portal_session_api(service::portal_session_settings& settings);
};

}  // namespace atrium::proto::aws
