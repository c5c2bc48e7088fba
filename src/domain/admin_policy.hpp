#pragma once
// IAM-style policies for delegated administration (issue 4 item 7; user guide "Delegating
// permission set administration", "Identity-based policy examples for AWS SSO" and "AWS managed
// policies for AWS Single Sign-On"). Parsing and evaluation are pure: the door supplies the
// action, the resources with their tags, and the caller's policies.
//
// Evaluation follows IAM's identity-policy logic: an explicit Deny in any matching statement
// wins, otherwise any matching Allow allows, otherwise the request is implicitly denied. A call
// that touches several resources (CreateAccountAssignment names an instance, a permission set
// and an account) must be allowed on every one of them.
#include <cstddef>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.hpp"

namespace atrium::domain {

enum class policy_effect { allow, deny };

// The condition operators Atrium evaluates. Any other operator is refused when the policy is
// attached (failing closed at attach time is better than a statement that silently never matches).
enum class condition_operator { string_equals, string_not_equals, string_like, string_not_like };

struct policy_condition {
  condition_operator op = condition_operator::string_equals;
  std::string key;                  // "aws:ResourceTag/Environment"; keys are case-insensitive
  std::vector<std::string> values;  // any one of them may match (OR)
};

struct policy_statement {
  std::string sid;
  policy_effect effect = policy_effect::allow;
  bool not_action = false;
  std::vector<std::string> actions;  // "sso:Create*", "*"; matched case-insensitively
  bool not_resource = false;
  std::vector<std::string> resources;  // ARN patterns; matched case-sensitively
  std::vector<policy_condition> conditions;  // all must hold (AND)
};

struct admin_policy {
  std::string version;
  std::vector<policy_statement> statements;
};

// Limits on an attached document. IAM caps a customer managed policy at 6,144 characters not
// counting white space; we use the same count so any policy IAM accepts fits, and also bound the
// raw text (with white space) so parsing stays cheap.
struct policy_limits {
  static constexpr std::size_t max_chars = 6144;         // non-white-space characters
  static constexpr std::size_t max_raw_bytes = 65536;    // the document as sent
  static constexpr std::size_t max_statements = 100;
  static constexpr std::size_t max_nesting = 6;          // doc > Statement > stmt > Condition > op > values
  static constexpr std::size_t max_pattern_chars = 2048;  // one action or resource pattern
  static constexpr std::size_t max_values = 100;          // per list (Action, Resource, condition values)
};

// Parses and validates a policy document; errc::validation with IAM-like messages otherwise
// ("MalformedPolicyDocument: ..."), naming the statement that is wrong.
result<admin_policy> parse_admin_policy(std::string_view document);

// One resource a request touches, with the tags it carries (aws:ResourceTag/<key>).
struct policy_resource {
  std::string arn;
  std::map<std::string, std::string> tags;
};

struct policy_request {
  std::string action;                                // "sso:CreatePermissionSet"
  std::vector<policy_resource> resources;            // empty means "*" (no resource-level scope)
  std::map<std::string, std::string> request_tags;   // aws:RequestTag/<key> (tags sent with the call)
};

enum class policy_decision { allow, explicit_deny, implicit_deny };

struct policy_verdict {
  policy_decision decision = policy_decision::implicit_deny;
  std::string resource;  // the first resource that was not allowed ("*" when none was named)
};

policy_verdict evaluate(std::span<const admin_policy> policies, const policy_request& req);

// Whether some call of `action` may be allowed on some resource (for a UI's offers; see the .cpp).
bool may_be_allowed(std::span<const admin_policy> policies, std::string_view action);

// IAM wildcard match: `*` any run of characters, `?` exactly one.
bool wildcard_match(std::string_view pattern, std::string_view text, bool case_insensitive);

// Built-in policies, equivalent to the AWS managed policies of the guide plus Atrium's
// AdministratorAccess (what keys made before policies existed have). The AWS ones are extended
// with `identitystore:` actions wherever they grant the matching `sso-directory:` actions,
// because Atrium's directory is served through the identitystore API.
struct builtin_policy {
  std::string_view name;
  std::string_view document;
};
std::span<const builtin_policy> builtin_policies();
std::optional<std::string_view> builtin_policy_document(std::string_view name);

// What a key made with `--read-only` before policies existed is treated as.
inline constexpr std::string_view legacy_read_only_policies[] = {"AWSSSOReadOnly", "AWSSSODirectoryReadOnly"};
inline constexpr std::string_view legacy_full_policy = "AdministratorAccess";

}  // namespace atrium::domain
