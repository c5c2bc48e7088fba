#pragma once
// Use cases of the identity store (users, groups, memberships). Every door (identitystore API
// today, SCIM and the console later) calls these; each one authorizes, loads, applies the
// domain rules, saves and audits in one transaction (architecture guide, service/).
#include <cstdint>
#include <functional>
#include <optional>
#include <variant>
#include <string>
#include <vector>

#include "base/clock.hpp"
#include "base/random.hpp"
#include "domain/identity.hpp"
#include "service/audited_store.hpp"
#include "service/call_context.hpp"
#include "service/member_change.hpp"
#include "service/membership_graph.hpp"
#include "store/repositories.hpp"

namespace atrium::service {

struct quotas {
  int64_t max_users = 100'000;   // the service's current quota; not a ceiling of ours
  int64_t max_groups = 100'000;
  int64_t max_members_per_group = 1'000'000;
};

// UpdateUser / UpdateGroup: the change the door made of the request's AttributeOperations. It
// runs on the stored entity inside the write transaction; the domain rules run after it.
using user_edit = std::function<result<void>(domain::user&)>;
using group_attribute_edit = std::function<result<void>(domain::group&)>;

// GetUserId / GetGroupId alternate identifiers.
struct alternate_identifier {
  std::optional<domain::external_id> external_id;
  std::string attribute_path;                   // UniqueAttribute.AttributePath
  std::optional<std::string> attribute_value;  // UniqueAttribute.AttributeValue; nullopt: not a string
};

template <class T>
struct listing {
  std::vector<T> items;
  std::optional<std::string> next_token;
};

struct membership_check {
  std::string group_id;
  bool exists = false;
};

// HTTP If-Match as versions (RFC 9110 §13.1.1): nullopt is no condition ("*" or no header);
// otherwise the stored version must be one of these.
using version_condition = std::optional<std::vector<int64_t>>;
// errc::concurrent_modification (SCIM 412) when `version` does not satisfy `c`.
result<void> check_version(const version_condition& c, int64_t version);

// Read-modify-write inside one transaction (SCIM PUT and PATCH): the function turns the stored
// entity into the new one. `if_match` is the version the client last saw (HTTP If-Match);
// a stored version outside it is errc::concurrent_modification (SCIM 412).
using user_mutation = std::function<result<domain::user>(const domain::user& current)>;
struct group_edit {
  domain::group group;
  std::vector<member_change> members;  // applied in order after the group document
};
using group_mutation = std::function<result<group_edit>(const domain::group& current)>;

// What a door shows of an entity beyond its document: the groups of a user (direct and
// through nesting) and the direct members of a group. Both cost queries, so they are asked for.
struct view_options {
  bool groups = true;   // user_view::groups
  bool members = true;  // group_view::members
};
struct group_ref {
  std::string id;
  std::string display_name;
  bool direct = false;
};
struct user_view {
  domain::user user;
  std::vector<group_ref> groups;
};
struct group_view {
  domain::group group;
  std::vector<store::member_ref> members;
};

// SCIM-style listings: index paging (offset/count, with a total) or cursor paging (an opaque
// cursor bound to `scope`, the filter it was issued for).
struct query_window {
  int64_t offset = 0;
  int count = 100;
  std::optional<std::string> cursor;  // set: cursor paging; "" asks for the first page
};
struct user_query {
  store::user_filter filter;
  std::optional<std::string> in_group;  // users in this group, directly or through nesting
  bool matches_nothing = false;         // contradictory filter: an empty answer without a query
  std::string scope;                    // canonical text of the filter, binds cursors
};
struct group_query {
  store::group_filter filter;
  bool matches_nothing = false;
  std::string scope;
};
template <class T>
struct query_page {
  std::vector<T> items;
  std::optional<int64_t> total;  // index paging only
  std::optional<std::string> next_cursor;
};

// Opaque NextToken: base64url of "<scope>\n<last id>". The scope binds a token to the operation
// and filter it came from; a token from another listing is a ValidationException. Keyset
// pagination keeps it correct while rows are inserted and deleted between pages.
std::string encode_page_token(std::string_view scope, std::string_view last_id);
result<std::string> decode_page_token(std::string_view scope, std::string_view token);

class identity_service {
 public:
  identity_service(audited_store& store, const clock& clk, random_source& rnd,
                   std::string identity_store_id, quotas q);

  const std::string& identity_store_id() const { return store_id_; }

  result<domain::user> create_user(const call_context& ctx, domain::user u);
  result<domain::user> describe_user(const call_context& ctx, const std::string& id);
  result<domain::user> update_user(const call_context& ctx, const std::string& id, const user_edit& edit);
  result<std::monostate> delete_user(const call_context& ctx, const std::string& id,
                                     const version_condition& if_match = std::nullopt);
  result<listing<domain::user>> list_users(const call_context& ctx, const store::user_filter& f,
                                           const std::optional<std::string>& next_token, int max);
  result<std::string> get_user_id(const call_context& ctx, const alternate_identifier& alt);

  // SCIM: read-modify-write (PUT, PATCH), views, listings with totals or cursors.
  result<user_view> modify_user(const call_context& ctx, const std::string& id, const user_mutation& fn,
                                const version_condition& if_match, view_options view);
  result<user_view> get_user_view(const call_context& ctx, const std::string& id, view_options view);
  result<query_page<user_view>> query_users(const call_context& ctx, const user_query& q,
                                            const query_window& w, view_options view);
  result<user_view> create_user_view(const call_context& ctx, domain::user u);

  result<domain::group> create_group(const call_context& ctx, domain::group g);
  // Creates the group and its direct members (users or groups) in one transaction: an unknown
  // member id fails the whole call and leaves no group behind.
  result<group_view> create_group_with_members(const call_context& ctx, domain::group g,
                                               const std::vector<std::string>& member_ids);
  result<group_view> modify_group(const call_context& ctx, const std::string& id, const group_mutation& fn,
                                  const version_condition& if_match, view_options view);
  result<group_view> get_group_view(const call_context& ctx, const std::string& id, view_options view);
  result<query_page<group_view>> query_groups(const call_context& ctx, const group_query& q,
                                              const query_window& w, view_options view);
  // Effective membership with nested groups flattened (for access decisions).
  result<std::vector<group_link>> effective_groups_of(const call_context& ctx, const std::string& user_id);
  result<std::vector<std::string>> effective_members_of(const call_context& ctx, const std::string& group_id);
  result<domain::group> describe_group(const call_context& ctx, const std::string& id);
  result<domain::group> update_group(const call_context& ctx, const std::string& id, const group_attribute_edit& edit);
  result<std::monostate> delete_group(const call_context& ctx, const std::string& id,
                                      const version_condition& if_match = std::nullopt);
  result<listing<domain::group>> list_groups(const call_context& ctx, const store::group_filter& f,
                                             const std::optional<std::string>& next_token, int max);
  result<std::string> get_group_id(const call_context& ctx, const alternate_identifier& alt);

  result<domain::membership> create_membership(const call_context& ctx, const std::string& group_id,
                                               const std::string& user_id);
  result<domain::membership> describe_membership(const call_context& ctx, const std::string& id);
  result<std::monostate> delete_membership(const call_context& ctx, const std::string& id);
  result<std::string> get_membership_id(const call_context& ctx, const std::string& group_id,
                                        const std::string& user_id);
  result<listing<domain::membership>> list_memberships(const call_context& ctx,
                                                       const std::string& group_id,
                                                       const std::optional<std::string>& next_token,
                                                       int max);
  result<listing<domain::membership>> list_memberships_for_member(
      const call_context& ctx, const std::string& user_id,
      const std::optional<std::string>& next_token, int max);
  result<std::vector<membership_check>> is_member_in_groups(const call_context& ctx,
                                                            const std::string& user_id,
                                                            const std::vector<std::string>& group_ids);

  // Called once a user's creation has committed (every door), outside the transaction, with
  // the caller's context: app wiring queues the invitation mail from here (docs/sign-in.md).
  // Must not throw and should return quickly; a failure there never fails the create.
  using user_created_fn = std::function<void(const call_context&, const domain::user&)>;
  void on_user_created(user_created_fn fn) { on_user_created_ = std::move(fn); }

 private:
  domain::audit_stamp stamp(const call_context& ctx) const;
  void touch(domain::audit_stamp& s, const call_context& ctx) const;
  // {"<key>": "<id>", ...} as serialised JSON: the responseElements of SCIM's changes.
  std::string ids(std::initializer_list<std::pair<const char*, std::string>> kv) const;
  // The read-modify-write behind UpdateUser/UpdateGroup (identitystore) and SCIM PUT/PATCH.
  // `audit_ids`: the audit record's responseElements carry the id (SCIM's do; UpdateUser's are
  // null, as CloudTrail shows them).
  result<user_view> rewrite_user(const call_context& ctx, const std::string& id, const user_mutation& fn,
                                 const version_condition& if_match, view_options view, bool audit_ids);
  result<group_view> rewrite_group(const call_context& ctx, const std::string& id, const group_mutation& fn,
                                   const version_condition& if_match, view_options view, bool audit_ids);
  result<void> apply_member_changes(store::transaction& tx, const call_context& ctx,
                                    const std::string& group_id, const std::vector<member_change>& changes);
  result<void> add_member(store::transaction& tx, const call_context& ctx, const std::string& group_id,
                          const std::string& member_id);
  // Bumps the group's version and "Updated by" when its members change (SCIM meta.version).
  result<void> touch_group(store::transaction& tx, const call_context& ctx, const std::string& group_id);
  // Before a user or group is deleted: the groups it was a direct member of change too.
  result<void> leave_all_groups(store::transaction& tx, const call_context& ctx, const std::string& member_id);
  result<user_view> user_view_of(store::transaction& tx, domain::user u, view_options view);
  result<group_view> group_view_of(store::transaction& tx, domain::group g, view_options view);
  // Where a listing starts: after the id inside `token`, which must belong to `scope`.
  static result<store::page_request> start_page(std::string_view scope,
                                                const std::optional<std::string>& token, int max);
  template <class T>
  static listing<T> to_listing(store::page<T> p, std::string_view scope) {
    listing<T> out;
    if (p.more && !p.items.empty()) out.next_token = encode_page_token(scope, p.items.back().id);
    out.items = std::move(p.items);
    return out;
  }

  audited_store& store_;
  const clock& clock_;
  random_source& random_;
  std::string store_id_;
  quotas quotas_;
  user_created_fn on_user_created_;
};


}  // namespace atrium::service
