#pragma once
// Group memberships of the identity store: the identitystore API's membership operations and
// the effective membership with nested groups flattened (for access decisions).
#include <functional>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "service/identity/identity_context.hpp"
#include "service/identity/membership_graph.hpp"

namespace atrium::service {

class membership_service {
 public:
  explicit membership_service(identity_context& shared);

  const std::string& identity_store_id() const { return store_id_; }

  result<domain::membership> create_membership(const call_context& ctx, const std::string& group_id,
                                               const std::string& user_id);
  // create_membership without a parked worker (issue 18 item 3): commits through the store's
  // write_then and calls `done` on a thread of `post`.
  void create_membership_then(const call_context& ctx, const std::string& group_id, const std::string& user_id,
                              store::post_fn post, std::function<void(result<domain::membership>)> done);
  result<domain::membership> describe_membership(const call_context& ctx, const std::string& id);
  result<std::monostate> delete_membership(const call_context& ctx, const std::string& id);
  void delete_membership_then(const call_context& ctx, const std::string& id, store::post_fn post,
                              std::function<void(result<std::monostate>)> done);
  result<std::string> get_membership_id(const call_context& ctx, const std::string& group_id,
                                        const std::string& user_id);
  result<listing<domain::membership>> list_memberships(const call_context& ctx, const std::string& group_id,
                                                       const std::optional<std::string>& next_token, int max);
  result<listing<domain::membership>> list_memberships_for_member(const call_context& ctx,
                                                                  const std::string& user_id,
                                                                  const std::optional<std::string>& next_token,
                                                                  int max);
  result<std::vector<membership_check>> is_member_in_groups(const call_context& ctx, const std::string& user_id,
                                                            const std::vector<std::string>& group_ids);
  // Effective membership with nested groups flattened.
  result<std::vector<group_link>> effective_groups_of(const call_context& ctx, const std::string& user_id);
  result<std::vector<std::string>> effective_members_of(const call_context& ctx, const std::string& group_id);

 private:
  store_body<domain::membership> create_body(const call_context& ctx, const std::string& group_id,
                                             const std::string& user_id);
  std::string created_ids(const domain::membership& created) const;
  store_body<std::monostate> delete_body(const call_context& ctx, const std::string& id);

  identity_context& shared_;
  audited_store& store_;
  const clock& clock_;
  random_source& random_;
  const std::string& store_id_;
  const quotas& quotas_;
};

}  // namespace atrium::service
