#pragma once
// Use cases of the identity store (users, groups, memberships). Every door (identitystore API
// today, SCIM and the console later) calls these; each one authorizes, loads, applies the
// domain rules, saves and audits in one transaction (architecture guide, service/).
#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <variant>
#include <string>
#include <vector>

#include "base/clock.hpp"
#include "base/random.hpp"
#include "domain/identity.hpp"
#include "service/audited_store.hpp"
#include "service/call_context.hpp"
#include "store/repositories.hpp"

namespace atrium::service {

struct quotas {
  int64_t max_users = 100'000;   // the service's current quota; not a ceiling of ours
  int64_t max_groups = 100'000;
  int64_t max_members_per_group = 1'000'000;
};

struct attribute_operation {
  std::string path;
  std::optional<nlohmann::json> value;  // absent or null: remove
};

// GetUserId / GetGroupId alternate identifiers.
struct alternate_identifier {
  std::optional<domain::external_id> external_id;
  std::string attribute_path;  // UniqueAttribute.AttributePath
  nlohmann::json attribute_value;
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
  result<domain::user> update_user(const call_context& ctx, const std::string& id,
                                   const std::vector<attribute_operation>& ops);
  result<std::monostate> delete_user(const call_context& ctx, const std::string& id);
  result<listing<domain::user>> list_users(const call_context& ctx, const store::user_filter& f,
                                           const std::optional<std::string>& next_token, int max);
  result<std::string> get_user_id(const call_context& ctx, const alternate_identifier& alt);

  result<domain::group> create_group(const call_context& ctx, domain::group g);
  result<domain::group> describe_group(const call_context& ctx, const std::string& id);
  result<domain::group> update_group(const call_context& ctx, const std::string& id,
                                     const std::vector<attribute_operation>& ops);
  result<std::monostate> delete_group(const call_context& ctx, const std::string& id);
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

 private:
  domain::audit_stamp stamp(const call_context& ctx) const;
  void touch(domain::audit_stamp& s, const call_context& ctx) const;
  result<void> check_writable(const call_context& ctx) const;
  nlohmann::json ids(std::initializer_list<std::pair<const char*, std::string>> kv) const;
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
};


}  // namespace atrium::service
