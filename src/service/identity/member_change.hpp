#pragma once
// A change to a group's direct members, as SCIM PATCH/PUT and the console express them. Kept
// apart from the group document because a group may have millions of members: the service
// applies these as row inserts and deletes, in order, inside the group's transaction.
#include <string>
#include <vector>

namespace atrium::service {

struct member_change {
  enum class kind { add, remove, remove_all };
  kind k = kind::add;
  std::vector<std::string> ids;  // user or group ids; empty for remove_all
  friend bool operator==(const member_change&, const member_change&) = default;
};

}  // namespace atrium::service
