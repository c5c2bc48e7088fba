#pragma once
// Groups of the identity store: the identitystore API's group operations and SCIM's /Groups
// (groups created or replaced with their members, member changes applied as row changes, views
// with the direct members, index and cursor listings).
#include <functional>
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
  // create_group and delete_group without a parked worker (issue 18 item 3): the same
  // transaction bodies, committed through the store's write_then; `done` runs on a thread of `post`.
  void create_group_then(const call_context& ctx, domain::group g, store::post_fn post,
                         std::function<void(result<domain::group>)> done);
  void delete_group_then(const call_context& ctx, const std::string& id, store::post_fn post,
                         std::function<void(result<std::monostate>)> done,
                         const version_condition& if_match = std::nullopt);
  // update_group, create_group_with_members and modify_group without a parked worker: the
  // same bodies. A mutation runs on the writer thread after this returned: it owns what it uses.
  void update_group_then(const call_context& ctx, const std::string& id, group_attribute_edit edit,
                         store::post_fn post, std::function<void(result<domain::group>)> done);
  void create_group_with_members_then(const call_context& ctx, domain::group g, std::vector<std::string> member_ids,
                                      store::post_fn post, std::function<void(result<group_view>)> done);
  void modify_group_then(const call_context& ctx, const std::string& id, group_mutation fn,
                         version_condition if_match, view_options view, store::post_fn post,
                         std::function<void(result<group_view>)> done);
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
  // The transaction bodies shared by the calls above, SCIM's and the identitystore API's; they
  // own what they use (write_then may run them on the writer thread after the caller returned).
  result<store_body<group_view>> prepare_create(const call_context& ctx, domain::group g,
                                                std::vector<std::string> member_ids);
  store_body<std::monostate> delete_body(const call_context& ctx, const std::string& id,
                                         const version_condition& if_match);
  std::string created_ids(const group_view& v) const;

  // The read-modify-write behind UpdateGroup and SCIM PUT/PATCH (see user_service::rewrite_user).
  result<group_view> rewrite_group(const call_context& ctx, const std::string& id, const group_mutation& fn,
                                   const version_condition& if_match, view_options view, bool audit_ids);
  store_body<group_view> rewrite_body(const call_context& ctx, std::string id, group_mutation fn,
                                      version_condition if_match, view_options view);
  std::function<std::string(const group_view&)> rewrite_ids(bool audit_ids) const;
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
