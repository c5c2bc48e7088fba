#pragma once
// The audit trail read back (issue 14: the console's audit view), as CloudTrail's LookupEvents
// reads its event history: newest first, by event name and a time range, a page at a time. The
// lookup itself is audited like any read.
#include <optional>
#include <string>
#include <vector>

#include "service/audit/audited_store.hpp"

namespace atrium::service {

struct audit_lookup_query {
  std::optional<std::string> event_name;
  std::optional<std::string> principal;
  std::optional<sys_time> since, until;  // inclusive
  int max_results = 50;                  // CloudTrail: 1-50
  // Paging: records at exactly `until` already shown (the previous page's next_skip).
  int skip = 0;
};

inline constexpr int max_audit_skip = 100'000;

struct audit_lookup_page {
  std::vector<store::audit_record> events;
  // Present when more may follow: the next page is until = next_until, skip = next_skip (records
  // share a millisecond, so a time alone would skip or repeat some).
  std::optional<sys_time> next_until;
  int next_skip = 0;
};

class audit_lookup {
 public:
  explicit audit_lookup(audited_store& store) : store_(store) {}
  result<audit_lookup_page> lookup(const call_context& ctx, const audit_lookup_query& q) const;

 private:
  audited_store& store_;
};

}  // namespace atrium::service
