#pragma once
// Nested groups, flattened (the service has no nested groups; IdPs that have them must flatten
// before they sync). Groups may contain groups; memberships are stored as sent, and these
// functions compute effective membership for access decisions and for SCIM's User.groups
// (RFC 7643 §4.1.2: "direct" and "indirect"). Cycles are tolerated: each group is visited once.
// Work is bounded by max_visits so that a pathological graph cannot stall a request.
#include <cstddef>
#include <string>
#include <vector>

#include "base/result.hpp"
#include "store/repositories.hpp"

namespace atrium::service {

inline constexpr std::size_t max_graph_visits = 100'000;

struct group_link {
  std::string group_id;
  bool direct = false;  // the member is in this group itself, not only through a nested group
};

// Every group `member_id` (a user or a group) belongs to, directly or through nesting; direct
// ones first, each group once.
result<std::vector<group_link>> effective_groups(store::transaction& tx, const std::string& member_id,
                                                 std::size_t max_visits = max_graph_visits);

// `group_id` and every group nested inside it, transitively (each once, group_id first).
result<std::vector<std::string>> nested_groups(store::transaction& tx, const std::string& group_id,
                                               std::size_t max_visits = max_graph_visits);

// Every user that is a member of `group_id` directly or through nested groups (each once).
result<std::vector<std::string>> effective_members(store::transaction& tx, const std::string& group_id,
                                                   std::size_t max_visits = max_graph_visits);

}  // namespace atrium::service
