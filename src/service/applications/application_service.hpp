#pragma once
// The applications as the public sso-admin API has them (issue 15 item 3; service model
// 2020-07-20: CreateApplication, DescribeApplication, UpdateApplication, DeleteApplication,
// ListApplications, CreateApplicationAssignment, DeleteApplicationAssignment,
// DescribeApplicationAssignment, ListApplicationAssignments,
// ListApplicationAssignmentsForPrincipal, PutApplicationAssignmentConfiguration,
// GetApplicationAssignmentConfiguration), and which applications a user may open: assigned to
// the user or to a group the user is in, directly or through nested groups (membership_graph).
// Every change is written with its CloudTrail record in one transaction (audited_store); the
// caller's context names the event.
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "base/clock.hpp"
#include "base/random.hpp"
#include "crypto/primitives.hpp"
#include "domain/application.hpp"
#include "domain/assignment.hpp"
#include "service/applications/app_certificates.hpp"
#include "service/applications/application_catalog.hpp"
#include "service/audit/audited_store.hpp"
#include "service/audit/call_context.hpp"
#include "store/application_repository.hpp"

namespace atrium::service {

struct application_settings {
  std::string instance_id;   // ssoins-<16 hex>
  std::string account_id;    // the deployment's account: ApplicationAccount
  std::string region;        // CreatedFrom
  certificate_request first_certificate;  // the one made with each new application
  int max_applications = 3000;
};

struct new_application {
  std::string provider_arn;
  std::string name;
  std::optional<std::string> description;
  domain::portal_options portal;
  domain::app_status status = domain::app_status::enabled;
};

// UpdateApplication: members left empty are kept.
struct application_edit {
  std::optional<std::string> name;
  std::optional<std::string> description;
  std::optional<domain::app_status> status;
  std::optional<domain::portal_options> portal;  // SignInOptions only (Visibility is kept)
};

struct principal_ref {
  domain::principal_type kind = domain::principal_type::user;
  std::string id;
};

class application_service {
 public:
  application_service(audited_store& store, const clock& clk, random_source& rnd, const crypto::secret_box& box,
                      const application_catalog& catalog, application_settings s);

  // The application with the provider's defaults (a catalog entry's NameID format, mappings,
  // signing, start URL and relay state once filled, session duration; a custom application's
  // Subject = ${user:subject}) and a first, active signing certificate.
  result<domain::application> create(const call_context& ctx, const new_application& a);
  result<domain::application> describe(const call_context& ctx, const std::string& id);
  result<void> update(const call_context& ctx, const std::string& id, const application_edit& e);
  result<void> remove(const call_context& ctx, const std::string& id);
  result<store::page<domain::application>> list(const call_context& ctx, const std::optional<std::string>& provider_arn,
                                                const store::page_request& p);

  // The principal must exist in the identity store (ResourceNotFoundException otherwise).
  // Assigning twice is no error.
  result<void> assign(const call_context& ctx, const std::string& app_id, const principal_ref& who);
  // errc::not_found when the principal was not assigned.
  result<void> unassign(const call_context& ctx, const std::string& app_id, const principal_ref& who);
  result<store::application_assignment_record> describe_assignment(const call_context& ctx, const std::string& app_id,
                                                                   const principal_ref& who);
  result<store::page<store::application_assignment_record>> list_assignments(const call_context& ctx,
                                                                             const std::string& app_id,
                                                                             const store::page_request& p);
  // The principal's own assignments (a user's direct ones; ListApplicationAssignmentsForPrincipal).
  result<store::page<store::application_assignment_record>> list_assignments_for(
      const call_context& ctx, const principal_ref& who, const std::optional<std::string>& app_id,
      const store::page_request& p);
  result<void> set_assignment_required(const call_context& ctx, const std::string& app_id, bool required);
  result<bool> assignment_required(const call_context& ctx, const std::string& app_id);

  // The portal's tiles: enabled, visible applications the user may open, by name.
  result<std::vector<domain::application>> for_user(const std::string& user_id);

  const application_catalog& catalog() const { return catalog_; }
  const application_settings& settings() const { return s_; }

 private:
  result<domain::application> defaults_for(const new_application& a);
  audited_store& store_;
  const clock& clock_;
  random_source& random_;
  const crypto::secret_box& box_;
  const application_catalog& catalog_;
  application_settings s_;
};

// Inside a transaction: the application (errc::not_found "APPLICATION" when there is none).
result<domain::application> load_application(store::transaction& tx, const std::string& id);

// One audited write that loads the application, applies `change` (result<void>(application&),
// which may refuse), validates it and stores it with the next version. `render` gives the
// CloudTrail responseElements of the result (serialised JSON: json_text_of).
template <class Change, class Render>
result<domain::application> edit_application(audited_store& store, const call_context& ctx, const std::string& id,
                                             Change&& change, Render&& render) {
  return store.write<domain::application>(
      ctx,
      [&](store::transaction& tx) -> result<domain::application> {
        auto a = load_application(tx, id);
        if (!a) return a;
        auto before = a->version;
        if (auto c = change(*a); !c) return std::unexpected(c.error());
        if (auto v = domain::validate_application(*a); !v) return std::unexpected(v.error());
        a->version = before + 1;
        if (auto u = tx.applications().update(*a, before); !u) return std::unexpected(u.error());
        return a;
      },
      std::forward<Render>(render));
}

// True when the user may open the application: it requires no assignment, or the user or a
// group the user is in (directly or nested) is assigned.
result<bool> user_may_open(store::transaction& tx, const domain::application& a, const std::string& user_id);
// The same with the user's effective groups already read (the IdP maps them to attributes too).
result<bool> user_may_open(store::transaction& tx, const domain::application& a, const std::string& user_id,
                           const std::vector<std::string>& group_ids);

}  // namespace atrium::service
