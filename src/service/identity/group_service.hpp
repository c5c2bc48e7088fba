#pragma once
// Groups of the identity store: the identitystore API's group operations and SCIM's /Groups
// (groups created or replaced with their members, member changes applied as row changes, views
// with the direct members, index and cursor listings).
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "service/identity/identity_context.hpp"

namespace atrium::service {

class group_service {
 public:
  explicit group_service(identity_context& shared);

  const std::string& identity_store_id() const { return store_id_; }

  result<domain::group> create_group(const call_context& ctx, domain::group g);
  // Creates the group and its direct members (users or groups) in one transaction: an unknown
  // member id fails the whole call and leaves no group behind.
  result<group_view> create_group_with_members(const call_context& ctx, domain::group g,
                                               const std::vector<std::string>& member_ids);
  result<group_view> modify_group(const call_context& ctx, const std::string& id, const group_mutation& fn,
                                  const version_condition& if_match, view_options view);
  result<group_view> get_group_view(const call_context& ctx, const std::string& id, view_options view);
  result<query_page<group_view>> query_groups(const call_context& ctx, const group_query& q, const query_window& w,
                                              view_options view);
  result<domain::group> describe_group(const call_context& ctx, const std::string& id);
  result<domain::group> update_group(const call_context& ctx, const std::string& id, const group_attribute_edit& edit);
  result<std::monostate> delete_group(const call_context& ctx, const std::string& id,
                                      const version_condition& if_match = std::nullopt);
  result<listing<domain::group>> list_groups(const call_context& ctx, const store::group_filter& f,
                                             const std::optional<std::string>& next_token, int max);
  result<std::string> get_group_id(const call_context& ctx, const alternate_identifier& alt);

 private:
  // The read-modify-write behind UpdateGroup and SCIM PUT/PATCH (see user_service::rewrite_user).
  result<group_view> rewrite_group(const call_context& ctx, const std::string& id, const group_mutation& fn,
                                   const version_condition& if_match, view_options view, bool audit_ids);
  result<void> apply_member_changes(store::transaction& tx, const call_context& ctx, const std::string& group_id,
                                    const std::vector<member_change>& changes);
  result<void> add_member(store::transaction& tx, const call_context& ctx, const std::string& group_id,
                          const std::string& member_id);

  identity_context& shared_;
  audited_store& store_;
  const clock& clock_;
  random_source& random_;
  const std::string& store_id_;
  const quotas& quotas_;
};

}  // namespace atrium::service
