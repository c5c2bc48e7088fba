#include "service/audit/audit_lookup.hpp"

namespace atrium::service {

result<audit_lookup_page> audit_lookup::lookup(const call_context& ctx, const audit_lookup_query& q) const {
  if (q.max_results < 1 || q.max_results > 50) return fail(errc::validation, "MaxResults must be 1-50.");
  if (q.since && q.until && *q.since > *q.until) return fail(errc::validation, "StartTime must not be after EndTime.");
  if (q.skip < 0 || q.skip > max_audit_skip || (q.skip > 0 && !q.until))
    return fail(errc::validation, "The page token is not valid.");
  store::audit_query sq{q.event_name, q.principal, q.since, q.until, q.skip + q.max_results + 1};
  return store_.read<audit_lookup_page>(ctx, [&](store::transaction& tx) -> result<audit_lookup_page> {
    auto rows = tx.audit().query(sq);
    if (!rows) return std::unexpected(rows.error());
    audit_lookup_page out;
    // The store orders records newest first (time, then insertion): the first `skip` are the
    // ones at `until` the previous page showed.
    auto from = std::min(rows->size(), static_cast<std::size_t>(q.skip));
    bool more = rows->size() > from + static_cast<std::size_t>(q.max_results);
    auto to = std::min(rows->size(), from + static_cast<std::size_t>(q.max_results));
    out.events.assign(std::make_move_iterator(rows->begin() + static_cast<std::ptrdiff_t>(from)),
                      std::make_move_iterator(rows->begin() + static_cast<std::ptrdiff_t>(to)));
    if (more && !out.events.empty()) {
      auto last = out.events.back().event_time;
      int same = 0;
      for (const auto& r : out.events) same += r.event_time == last ? 1 : 0;
      out.next_until = last;
      out.next_skip = (q.until && *q.until == last) ? q.skip + same : same;
    }
    return out;
  });
}

}  // namespace atrium::service
