#pragma once
// Delegated administration (issue 4 item 7): the policies attached to admin access keys, and the
// check the AWS door makes with them. Built-in policies are stored by name and resolved here, so
// a fix to a built-in reaches every key that has it.
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "base/clock.hpp"
#include "domain/admin_policy.hpp"
#include "service/audit/audited_store.hpp"
#include "service/audit/call_context.hpp"
#include "store/admin_policy_repository.hpp"
#include "store/repositories.hpp"

namespace atrium::service {

// What to attach: a built-in by name (document empty), or an inline document under a name.
struct key_policy_spec {
  std::string name;
  std::optional<std::string> document;
};

// At most this many policies per key (IAM allows 10 managed policies per user by default).
inline constexpr std::size_t max_policies_per_key = 10;

// Checks a spec: a built-in must exist; an inline document must parse (and may not take a
// built-in's name); names are 1-128 characters of [A-Za-z0-9+=,.@_-] like IAM policy names.
result<void> validate_key_policy(const key_policy_spec& spec);

// A stored row's policy: the built-in of that name, or the inline document parsed. nullopt when it
// grants nothing (a built-in removed from a newer binary, a document that no longer parses).
std::optional<domain::admin_policy> resolve_stored_policy(const std::string& name,
                                                          const std::optional<std::string>& document);

// The parsed policies of a key, read in the caller's transaction.
result<std::shared_ptr<const std::vector<domain::admin_policy>>> load_key_policies(store::transaction& tx,
                                                                                   const std::string& access_key_id);

// The door's check. Denied -> errc::access_denied with IAM's message: "User: <arn> is not
// authorized to perform: <action> on resource: <arn>[ with an explicit deny]". A principal
// without policies (not an access key) is not checked here.
result<void> authorize(const principal& who, const domain::policy_request& req);

class key_policies {
 public:
  key_policies(audited_store& store, const clock& clk) : store_(store), clock_(clk) {}

  result<std::vector<store::key_policy_record>> list(const std::string& access_key_id) const;
  // Audited as AttachUserPolicy / DetachUserPolicy-like events (event names AttachKeyPolicy,
  // DetachKeyPolicy) from the CLI context the caller passes.
  result<void> attach(const std::string& access_key_id, const key_policy_spec& spec, const call_context& ctx);
  result<void> detach(const std::string& access_key_id, const std::string& name, const call_context& ctx);

 private:
  audited_store& store_;
  const clock& clock_;
};

}  // namespace atrium::service
