#pragma once
// The values the identity store's use cases take and give (users, groups, memberships): what
// the doors pass in and read back. The use cases are user_service, group_service and
// membership_service beside this file.
#include <cstdint>
#include <functional>
#include <optional>
#include <variant>
#include <string>
#include <vector>

#include "base/result.hpp"
#include "domain/identity.hpp"
#include "service/identity/member_change.hpp"
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

}  // namespace atrium::service
