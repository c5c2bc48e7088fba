#pragma once
// Permission sets and the instance they belong to (issue 4 items 1 and 3; user guide
// "Permission sets", "Create a permission set", "Set session duration", "Quotas"; sso-admin
// service model 2020-07-20 for the patterns and lengths). Pure: no I/O, no clock reads.
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/clock.hpp"
#include "base/random.hpp"
#include "base/result.hpp"

namespace atrium::domain {

// "ssoins-" + 16 lower-case hex (one instance per deployment) and its ARN.
std::string new_instance_id(random_source& rnd);
bool is_instance_id(std::string_view s);
std::string instance_arn(std::string_view instance_id);  // arn:aws:sso:::instance/ssoins-...
// "ps-" + 16 lower-case hex and arn:aws:sso:::permissionSet/ssoins-.../ps-...
std::string new_permission_set_id(random_source& rnd);
std::string permission_set_arn(std::string_view instance_id, std::string_view ps_id);

struct resource_tag {
  std::string key;
  std::string value;
  friend bool operator==(const resource_tag&, const resource_tag&) = default;
};

// A customer managed policy reference: the policy is looked up by name and path in each
// account the permission set is provisioned to (guide: "Customer managed policies").
struct customer_managed_ref {
  std::string name;
  std::string path = "/";
  friend bool operator==(const customer_managed_ref&, const customer_managed_ref&) = default;
};

// Exactly one of the two (service model "PermissionsBoundary").
struct permissions_boundary {
  std::optional<std::string> managed_policy_arn;
  std::optional<customer_managed_ref> customer_managed;
  friend bool operator==(const permissions_boundary&, const permissions_boundary&) = default;
};

struct permission_set {
  std::string id;   // ps-<16 hex>
  std::string arn;  // arn:aws:sso:::permissionSet/ssoins-<16 hex>/ps-<16 hex>
  std::string name;
  std::optional<std::string> description;
  std::string session_duration = "PT1H";  // ISO-8601 as given; see session_seconds()
  std::optional<std::string> relay_state;
  sys_time created_at{};
  // What provisioning compares (issue 4 item 5): `version` starts at 1 and grows by one with
  // every change of what an account's IAM role is made from (description, session duration,
  // relay state, policies, boundary); tags do not count. `updated_at` is the time of that
  // change. A provisioned copy remembers the version it was made from; a permission set whose
  // version is larger is "out of date" in that account (guide: "Reprovision").
  int64_t version = 1;
  sys_time updated_at{};
  std::vector<std::string> managed_policy_arns;  // in attach order
  std::vector<customer_managed_ref> customer_managed;
  std::optional<std::string> inline_policy;  // JSON text as put
  std::optional<permissions_boundary> boundary;
  std::vector<resource_tag> tags;
};

// ---- Rules (ValidationException texts in the service's words) ----

// 1-32 of [\w+=,.@-].
result<void> check_permission_set_name(std::string_view name);
// 1-700 of tab, LF, CR, U+0020-U+007E, U+00A1-U+00FF (model "PermissionSetDescription").
result<void> check_permission_set_description(std::string_view d);
// ISO-8601 duration between PT1H and PT12H (guide "Set session duration"): PT2H, PT90M,
// PT1H30M, PT3600S. Returns the length in seconds.
result<std::chrono::seconds> session_seconds(std::string_view iso);
// 1-240 characters, an http(s) URL of the model's character set.
result<void> check_relay_state(std::string_view url);
// arn:aws:iam::aws:policy[/path]/Name (model "ManagedPolicyArn", 20-2048).
result<void> check_managed_policy_arn(std::string_view arn);
// Name 1-128 of [\w+=,.@-]; path "/" or "/a/b/" (1-512).
result<void> check_customer_managed_ref(const customer_managed_ref& ref);
result<void> check_boundary(const permissions_boundary& b);
// Size and characters only (1..max_bytes of U+0009, U+000A, U+000D, U+0020-U+00FF as UTF-8);
// the service checks that it is a JSON policy document.
result<void> check_inline_policy_text(std::string_view doc, size_t max_bytes);

// Tags (guide "Tagging AWS SSO resources"): key 1-128, value 0-256 characters of
// [\p{L}\p{Z}\p{N}_.:/=+\-@], keys case-sensitive, "aws:" prefix reserved, at most
// `max_tags` on a resource after the change.
result<void> check_tag(const resource_tag& t);
result<void> check_tag_key(std::string_view key);
// Applies `add` to `current` (same key: value replaced), then checks the count.
result<std::vector<resource_tag>> merge_tags(std::vector<resource_tag> current, const std::vector<resource_tag>& add,
                                             size_t max_tags);
std::vector<resource_tag> remove_tags(std::vector<resource_tag> current, const std::vector<std::string>& keys);

}  // namespace atrium::domain
