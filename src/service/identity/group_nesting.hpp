#pragma once
// Nested groups in the console (issue 14 item 3 "groups (members, nested groups)";
// AtriumAdmin.AddMemberToGroup / RemoveMemberFromGroup / ListMembersInGroup, the service
// console's sso-directory actions). The store has modelled groups in groups since SCIM (an IdP
// pushes them; membership_graph flattens them for access decisions); identitystore's MemberId
// names users only, so these are the console's and the CLI's way to see and change them.
#include <cstddef>
#include <string>
#include <vector>

#include "service/identity/identity_context.hpp"

namespace atrium::service {

struct nested_member {
  std::string id;
  std::string name;     // a group's display name, a user's user name
  bool direct = false;  // users: a direct member (not only through a nested group)
};

struct group_members {
  std::vector<nested_member> child_groups;     // direct members that are groups
  std::vector<nested_member> effective_users;  // at most `max_users`, in the graph's order
  std::size_t effective_user_count = 0;
};

class group_nesting {
 public:
  explicit group_nesting(identity_context& shared);

  // ValidationException for the group itself, or a group that already contains `parent` (a
  // cycle: the graph would tolerate it, an administrator would not mean it).
  result<std::string> add_child(const call_context& ctx, const std::string& parent, const std::string& child);
  result<void> remove_child(const call_context& ctx, const std::string& parent, const std::string& child);
  result<group_members> members(const call_context& ctx, const std::string& group_id, std::size_t max_users);

 private:
  identity_context& shared_;
};

}  // namespace atrium::service
