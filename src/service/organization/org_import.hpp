#pragma once
// Importing an organization from an AWS Organizations endpoint (issue 4 item 2): the source is
// read top down (DescribeOrganization, ListRoots, ListOrganizationalUnitsForParent from the root
// recursively, ListAccountsForParent under the root and every OU, each followed through its
// NextToken pages) and every OU and account is registered here. Idempotent: a re-import updates
// names, emails and parents and keeps ids (accounts keep their 12 digits; OUs keep the ids the
// source gave them, so they match the AWS console). Accounts and OUs that disappeared from the
// source are reported, not removed (removing one would cut its assignments).
#include <string>
#include <string_view>
#include <vector>

#include "service/organization/organization_service.hpp"

namespace atrium::service {

// One Organizations JSON 1.1 operation ("ListRoots", {...}) -> the answer, both as serialised
// JSON. Implemented over the SigV4 client in app/ (cloud::aws_client), by a fake in tests.
class organization_source {
 public:
  virtual ~organization_source() = default;
  virtual result<std::string> call(std::string_view operation, std::string_view request_json) = 0;
};

struct import_summary {
  std::string source_organization_id;
  std::string source_management_account_id;
  int ous_created = 0, ous_updated = 0;
  int accounts_created = 0, accounts_updated = 0;
  std::vector<std::string> not_in_source;  // local account ids the source did not list
};

// Bounds that keep a hostile or broken endpoint from looping forever.
struct import_limits {
  int max_depth = 5;          // Organizations nests OUs at most five levels under the root
  int max_pages = 10'000;     // per listing
  int max_entities = 100'000;
};

result<import_summary> import_organization(organization_service& svc, organization_source& src,
                                           const call_context& ctx, const import_limits& limits = {});

}  // namespace atrium::service
