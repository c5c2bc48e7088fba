#include "service/audit/audit_lookup.hpp"

namespace atrium::service {

result<audit_lookup_page> audit_lookup::lookup(const call_context& ctx, const audit_lookup_query& q) const {
  if (q.max_results < 1 || q.max_results > 50) return fail(errc::validation, "MaxResults must be 1-50.");
  if (q.since && q.until && *q.since > *q.until) return fail(errc::validation, "StartTime must not be after EndTime.");
  store::audit_query sq{q.event_name, q.principal, q.since, q.until, q.max_results + 1};
  return store_.read<audit_lookup_page>(ctx, [&](store::transaction& tx) -> result<audit_lookup_page> {
    auto rows = tx.audit().query(sq);
    if (!rows) return std::unexpected(rows.error());
    audit_lookup_page out;
    if (static_cast<int>(rows->size()) > q.max_results) {
      rows->resize(static_cast<std::size_t>(q.max_results));
      // Records are kept to the millisecond: the next page starts one millisecond earlier.
      out.next_until = rows->back().event_time - std::chrono::milliseconds(1);
    }
    out.events = std::move(*rows);
    return out;
  });
}

}  // namespace atrium::service
