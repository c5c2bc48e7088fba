#pragma once
// The organization (issue 4 item 2; user guide "Manage AWS accounts"): one organization whose
// management account is the deployment's account, a root, nested OUs and member accounts.
// Identity Center does not create or close accounts; Atrium registers the accounts that exist
// in AWS (by hand with `atrium admin org`, or by importing an Organizations endpoint) so that
// permission sets can be assigned to them. The organization and its root are created on first
// use with the management account in the root. Every write is audited (event source
// organizations.amazonaws.com); the Organizations API reads are audited as reads.
//
// Errors carry what the Organizations door needs to name them: errc::not_found with
// resource_type ACCOUNT | ORGANIZATIONAL_UNIT | PARENT | CHILD | SOURCE_PARENT |
// DESTINATION_PARENT; errc::conflict with resource_type DUPLICATE_OU | OU_NOT_EMPTY |
// DUPLICATE_ACCOUNT | CONSTRAINT_VIOLATION; errc::validation with the InvalidInputException
// Reason in resource_type (domain/org.hpp).
#include <mutex>
#include <optional>
#include <string>

#include "base/clock.hpp"
#include "base/random.hpp"
#include "domain/org.hpp"
#include "service/audit/audited_store.hpp"
#include "service/audit/call_context.hpp"
#include "store/organization_repository.hpp"

namespace atrium::service {

// A parent or child as ListParents/ListChildren name it.
struct org_node {
  std::string id;
  std::string type;  // ROOT | ORGANIZATIONAL_UNIT | ACCOUNT
};

struct account_input {
  std::string id;
  std::string name;
  std::string email;
  std::string parent_id;  // empty: the root (new accounts) or unchanged (existing ones)
};

struct registered_account {
  domain::account account;
  bool created = false;  // false: an existing account was updated
};

struct registered_unit {
  domain::org_unit unit;
  bool created = false;
};

class organization_service {
 public:
  organization_service(audited_store& store, const clock& clk, random_source& rnd,
                       std::string management_account_id);

  // Creates the organization, its root and the management account (in the root) unless they
  // exist. Cheap after the first success. Every other call does this first.
  result<domain::organization> ensure(const call_context& ctx);

  // ---- Reads for other use cases (assignments, delegated administration). No audit record.
  // Inside the caller's own transaction:
  static result<std::optional<domain::account>> account(store::transaction& tx, const std::string& id);
  static result<bool> account_exists(store::transaction& tx, const std::string& id);
  static result<store::page<domain::account>> list_accounts(store::transaction& tx, const store::page_request& p);
  // The organization (nullopt before first use), for ARNs (domain::account_arn etc.).
  static result<std::optional<domain::organization>> organization(store::transaction& tx);
  // The parents of an account or OU from its direct parent up to the root ([ou-b, ou-a, r-…]),
  // for OU-based delegation; empty when the child is unknown. Bounded (Organizations nests
  // five levels; a longer chain is a corrupt store and is cut).
  static result<std::vector<std::string>> ancestors(store::transaction& tx, const std::string& child_id);
  // In a read snapshot of their own:
  result<std::optional<domain::account>> account(const std::string& id);
  result<bool> account_exists(const std::string& id);
  result<store::page<domain::account>> list_accounts(const store::page_request& p);

  // ---- The Organizations API's reads (audited as reads).
  result<domain::organization> describe_organization(const call_context& ctx);
  result<domain::account> describe_account(const call_context& ctx, const std::string& id);
  result<domain::org_unit> describe_unit(const call_context& ctx, const std::string& id);
  result<store::page<domain::account>> list_accounts(const call_context& ctx, const store::page_request& p);
  result<store::page<domain::account>> accounts_for_parent(const call_context& ctx, const std::string& parent_id,
                                                           const store::page_request& p);
  result<store::page<domain::org_unit>> units_for_parent(const call_context& ctx, const std::string& parent_id,
                                                         const store::page_request& p);
  // Every OU in id order (the CLI's listing).
  result<store::page<domain::org_unit>> list_units(const call_context& ctx, const store::page_request& p);
  result<org_node> parent_of(const call_context& ctx, const std::string& child_id);

  // ---- Writes.
  // Registers an account or, when its id is known, updates name, email and (if given) parent.
  result<registered_account> register_account(const call_context& ctx, const account_input& in);
  result<domain::account> rename_account(const call_context& ctx, const std::string& id, const std::string& name);
  // source_parent_id empty: wherever the account is (the CLI); MoveAccount gives it.
  result<domain::account> move_account(const call_context& ctx, const std::string& id,
                                       const std::string& source_parent_id, const std::string& destination_parent_id);
  // The management account cannot be removed (CONSTRAINT_VIOLATION).
  result<domain::account> remove_account(const call_context& ctx, const std::string& id);
  result<domain::org_unit> create_unit(const call_context& ctx, const std::string& parent_id, const std::string& name);
  result<domain::org_unit> rename_unit(const call_context& ctx, const std::string& id, const std::string& name);
  // Refused (OU_NOT_EMPTY) while accounts or OUs are in it.
  result<domain::org_unit> delete_unit(const call_context& ctx, const std::string& id);

  // Import: creates the OU with the given id (the source's) or updates its name and parent.
  // An OU of the same name already under the parent is taken as this one (created = false).
  result<registered_unit> put_unit(const call_context& ctx, const std::string& id, const std::string& parent_id,
                                   const std::string& name);

  const std::string& management_account_id() const { return management_account_id_; }

 private:
  result<domain::organization> org_in(store::transaction& tx);
  result<domain::organization> cached();

  audited_store& store_;
  const clock& clock_;
  random_source& random_;
  std::string management_account_id_;
  std::mutex mu_;
  std::optional<domain::organization> org_;  // immutable once created
};

// Organizations' shapes as serialised JSON (base/json_text.hpp), shared by the audit records,
// the API and the CLI.
std::string organization_json(const domain::organization& o, const std::string& management_email);
std::string root_json(const domain::organization& o);
std::string account_json(const domain::organization& o, const domain::account& a);
std::string unit_json(const domain::organization& o, const domain::org_unit& u);

inline constexpr const char* default_management_name = "Management account";
inline constexpr const char* default_management_email = "management@atrium.invalid";

}  // namespace atrium::service
