#pragma once
// Users of the identity store: the identitystore API's user operations and SCIM's /Users
// (read-modify-write with If-Match, views with the user's groups, index and cursor listings).
// Each change loads, applies the domain rules, saves and audits in one transaction.
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <variant>

#include "service/identity/identity_context.hpp"

namespace atrium::service {

class user_service {
 public:
  explicit user_service(identity_context& shared);

  const std::string& identity_store_id() const { return store_id_; }

  result<domain::user> create_user(const call_context& ctx, domain::user u);
  // create_user without a parked worker (issue 18 item 3): validates here, commits through the
  // store's write_then, and calls `done` on a thread of `post` (or here when it fails early).
  void create_user_then(const call_context& ctx, domain::user u, store::post_fn post,
                        std::function<void(result<domain::user>)> done);
  result<domain::user> describe_user(const call_context& ctx, const std::string& id);
  result<domain::user> update_user(const call_context& ctx, const std::string& id, const user_edit& edit);
  // update_user without a parked worker (issue 18 item 3), as create_user_then: the same body.
  void update_user_then(const call_context& ctx, const std::string& id, user_edit edit, store::post_fn post,
                        std::function<void(result<domain::user>)> done);
  result<std::monostate> delete_user(const call_context& ctx, const std::string& id,
                                     const version_condition& if_match = std::nullopt);
  // delete_user without a parked worker (issue 18 item 3), as create_user_then.
  void delete_user_then(const call_context& ctx, const std::string& id, store::post_fn post,
                        std::function<void(result<std::monostate>)> done,
                        const version_condition& if_match = std::nullopt);
  result<listing<domain::user>> list_users(const call_context& ctx, const store::user_filter& f,
                                           const std::optional<std::string>& next_token, int max);
  result<std::string> get_user_id(const call_context& ctx, const alternate_identifier& alt);

  // SCIM: read-modify-write (PUT, PATCH), views, listings with totals or cursors.
  result<user_view> modify_user(const call_context& ctx, const std::string& id, const user_mutation& fn,
                                const version_condition& if_match, view_options view);
  result<user_view> get_user_view(const call_context& ctx, const std::string& id, view_options view);
  result<query_page<user_view>> query_users(const call_context& ctx, const user_query& q, const query_window& w,
                                            view_options view);
  result<user_view> create_user_view(const call_context& ctx, domain::user u);
  // SCIM's writes without a parked worker (issue 18 item 3): the bodies of modify_user and
  // create_user_view. `fn` runs on the writer thread after this returned: it owns what it uses.
  void modify_user_then(const call_context& ctx, const std::string& id, user_mutation fn,
                        version_condition if_match, view_options view, store::post_fn post,
                        std::function<void(result<user_view>)> done);
  void create_user_view_then(const call_context& ctx, domain::user u, store::post_fn post,
                             std::function<void(result<user_view>)> done);

  // Runs inside a user's creating transaction, after the insert (every door): app wiring makes
  // the invitation there, so that its token, queued mail and audit record commit with the user
  // (issue 13 item 2: no invitation lost if a node dies right after the create). Returns what to
  // run once the transaction committed (may be empty). Must fail only on a store error, which
  // rolls the create back; a store retry runs it again (only the last run's action is kept).
  using after_commit_fn = std::function<void()>;
  using user_created_fn =
      std::function<result<after_commit_fn>(store::transaction&, const call_context&, const domain::user&)>;
  void on_user_created(user_created_fn fn) { on_user_created_ = std::move(fn); }

 private:
  // The read-modify-write behind UpdateUser (identitystore) and SCIM PUT/PATCH. `audit_ids`:
  // the audit record's responseElements carry the id (SCIM's do; UpdateUser's are null, as
  // CloudTrail shows them).
  result<user_view> rewrite_user(const call_context& ctx, const std::string& id, const user_mutation& fn,
                                 const version_condition& if_match, view_options view, bool audit_ids);
  // Its transaction body, owning what it uses (write_then), and its responseElements.
  store_body<user_view> rewrite_body(const call_context& ctx, std::string id, user_mutation fn,
                                     version_condition if_match, view_options view);
  std::function<std::string(const user_view&)> rewrite_ids(bool audit_ids) const;

  result<store_body<user_view>> prepare_create(const call_context& ctx, domain::user u,
                                               std::shared_ptr<after_commit_fn> after);
  std::string created_ids(const user_view& v) const;
  store_body<std::monostate> delete_body(const call_context& ctx, const std::string& id,
                                         const version_condition& if_match);

  identity_context& shared_;
  audited_store& store_;
  const clock& clock_;
  random_source& random_;
  const std::string& store_id_;
  const quotas& quotas_;
  user_created_fn on_user_created_;
};

}  // namespace atrium::service
