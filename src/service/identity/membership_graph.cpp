#include "service/identity/membership_graph.hpp"

#include <deque>
#include <unordered_set>

namespace atrium::service {

namespace {

result<void> too_big() {
  return fail(errc::validation, "The group nesting is too large to resolve (more than " +
                                    std::to_string(max_graph_visits) + " groups).");
}

}  // namespace

result<std::vector<group_link>> effective_groups(store::transaction& tx, const std::string& member_id,
                                                 std::size_t max_visits) {
  auto direct = tx.memberships().groups_of(member_id);
  if (!direct) return std::unexpected(direct.error());
  std::vector<group_link> out;
  std::unordered_set<std::string> seen{member_id};
  std::deque<std::string> queue;
  for (auto& g : *direct)
    if (seen.insert(g).second) {
      out.push_back({g, true});
      queue.push_back(g);
    }
  // Breadth first upwards: a group containing one of ours contains the member indirectly.
  while (!queue.empty()) {
    if (seen.size() > max_visits) return std::unexpected(too_big().error());
    auto parents = tx.memberships().groups_of(queue.front());
    queue.pop_front();
    if (!parents) return std::unexpected(parents.error());
    for (auto& p : *parents)
      if (seen.insert(p).second) {
        out.push_back({p, false});
        queue.push_back(p);
      }
  }
  return out;
}

result<std::vector<std::string>> nested_groups(store::transaction& tx, const std::string& group_id,
                                               std::size_t max_visits) {
  std::vector<std::string> out{group_id};
  std::unordered_set<std::string> seen{group_id};
  for (std::size_t i = 0; i < out.size(); ++i) {
    if (seen.size() > max_visits) return std::unexpected(too_big().error());
    auto members = tx.memberships().members_of(out[i]);
    if (!members) return std::unexpected(members.error());
    for (auto& m : *members)
      if (m.kind == domain::member_kind::group && seen.insert(m.id).second) out.push_back(m.id);
  }
  return out;
}

result<std::vector<std::string>> effective_members(store::transaction& tx, const std::string& group_id,
                                                   std::size_t max_visits) {
  auto groups = nested_groups(tx, group_id, max_visits);
  if (!groups) return std::unexpected(groups.error());
  std::vector<std::string> users;
  std::unordered_set<std::string> seen;
  for (const auto& g : *groups) {
    auto members = tx.memberships().members_of(g);
    if (!members) return std::unexpected(members.error());
    for (auto& m : *members)
      if (m.kind == domain::member_kind::user && seen.insert(m.id).second) users.push_back(m.id);
  }
  return users;
}

}  // namespace atrium::service
