#pragma once
// The organization of AWS Organizations as Identity Center sees it (issue 4 item 2): one
// organization whose management account is the deployment's account, one root, nested
// organizational units (OUs) and member accounts. Id formats, input limits and ARNs follow the
// Organizations API reference (shapes OrganizationId, RootId, OrganizationalUnitId, AccountId,
// AccountName, Email, OrganizationalUnitName) so that clients which parse them keep working.
// Pure: no I/O; time and randomness are parameters.
#include <string>
#include <string_view>

#include "base/clock.hpp"
#include "base/random.hpp"
#include "base/result.hpp"

namespace atrium::domain {

struct organization {
  std::string id;                     // o-xxxxxxxxxx
  std::string management_account_id;  // 12 digits
  std::string root_id;                // r-xxxx
  std::string feature_set = "ALL";    // Identity Center needs all features
  sys_time created_at{};
  friend bool operator==(const organization&, const organization&) = default;
};

struct org_unit {
  std::string id;         // ou-<4 of root>-<8>
  std::string name;
  std::string parent_id;  // r-… or ou-…
  sys_time created_at{};
  friend bool operator==(const org_unit&, const org_unit&) = default;
};

struct account {
  std::string id;  // 12 digits
  std::string name;
  std::string email;
  std::string parent_id;             // r-… or ou-…
  std::string status = "ACTIVE";     // Organizations' AccountStatus
  std::string joined_method = "INVITED";  // INVITED | CREATED
  sys_time joined_at{};
  friend bool operator==(const account&, const account&) = default;
};

// Input limits (Organizations API reference, data types).
inline constexpr std::size_t max_account_name = 50;
inline constexpr std::size_t min_email = 6, max_email = 64;
inline constexpr std::size_t max_ou_name = 128;

std::string new_organization_id(random_source& rnd);             // "o-" + 10 [a-z0-9]
std::string new_root_id(random_source& rnd);                     // "r-" + 4 [a-z0-9]
std::string new_ou_id(std::string_view root_id, random_source& rnd);  // "ou-<root4>-" + 8

bool is_organization_id(std::string_view s);  // ^o-[a-z0-9]{10,32}$
bool is_root_id(std::string_view s);          // ^r-[0-9a-z]{4,32}$
bool is_ou_id(std::string_view s);            // ^ou-[0-9a-z]{4,32}-[a-z0-9]{8,32}$
bool is_account_id(std::string_view s);       // ^\d{12}$
inline bool is_parent_id(std::string_view s) { return is_root_id(s) || is_ou_id(s); }

// errc::validation with the Organizations InvalidInputException Reason in error::resource_type
// (MIN_LENGTH_EXCEEDED, MAX_LENGTH_EXCEEDED, INVALID_PATTERN) so the door can answer in the
// service's own words.
result<void> check_account_name(std::string_view name);  // 1-50 printable ASCII
result<void> check_email(std::string_view email);        // 6-64, local@domain.tld, no spaces
result<void> check_ou_name(std::string_view name);       // 1-128 characters, valid UTF-8
result<void> check_account_id(std::string_view id);
result<void> check_parent_id(std::string_view id);

// A validation error carrying an InvalidInputException Reason.
std::unexpected<error> invalid_input(std::string reason, std::string message);

// ARNs exactly as AWS Organizations writes them.
std::string organization_arn(const organization& o);
std::string root_arn(const organization& o);
std::string ou_arn(const organization& o, std::string_view ou_id);
std::string account_arn(const organization& o, std::string_view account_id);

}  // namespace atrium::domain
