#pragma once
// What the identity store's use cases share: the audited store, the clock and random source,
// the identity store's id and quotas, "Created by"/"Updated by" stamps, responseElements of
// SCIM's changes, page tokens, and the steps that more than one of user_service, group_service
// and membership_service take inside a transaction (a group's version bump when its members
// change, leaving every group before a delete, the views SCIM shows).
#include <functional>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "base/clock.hpp"
#include "base/random.hpp"
#include "service/audit/audited_store.hpp"
#include "service/audit/call_context.hpp"
#include "service/identity/identity_types.hpp"

namespace atrium::service {

class identity_context {
 public:
  identity_context(audited_store& store, const clock& clk, random_source& rnd, std::string identity_store_id,
                   quotas q);
  identity_context(const identity_context&) = delete;
  identity_context& operator=(const identity_context&) = delete;

  const std::string& identity_store_id() const { return store_id_; }
  audited_store& store() { return store_; }
  const clock& clk() const { return clock_; }
  random_source& rnd() { return random_; }
  const quotas& limits() const { return quotas_; }

  domain::audit_stamp stamp(const call_context& ctx) const;
  void touch(domain::audit_stamp& s, const call_context& ctx) const;
  // {"identityStoreId": …, "<key>": "<id>", …} as serialised JSON: SCIM changes' responseElements.
  std::string ids(std::initializer_list<std::pair<const char*, std::string>> kv) const;

  // Bumps the group's version and "Updated by" when its members change (SCIM meta.version).
  result<void> touch_group(store::transaction& tx, const call_context& ctx, const std::string& group_id);
  // Before a user or group is deleted: the groups it was a direct member of change too.
  result<void> leave_all_groups(store::transaction& tx, const call_context& ctx, const std::string& member_id);
  // What deleting a user or a group removes besides its own row: it leaves its groups (which
  // change too), its memberships go, and so do its account assignments (roles left without one
  // are removed by the job runner).
  result<void> remove_references_to(store::transaction& tx, const call_context& ctx, const std::string& principal_id);
  result<user_view> user_view_of(store::transaction& tx, domain::user u, view_options view);
  result<group_view> group_view_of(store::transaction& tx, domain::group g, view_options view);
  // The count a create compares with quotas.max_users / max_groups. With one writer (SQLite):
  // nullopt, the create reads it inside its write, exact. With several (PostgreSQL): read here,
  // in a short read before the write, so that concurrent creates form no read-write cycle; k
  // creates in flight may overshoot by at most k - 1 (docs/deployment.md "Quotas").
  result<std::optional<int64_t>> count_before_write(const std::function<result<int64_t>(store::transaction&)>& count);

  // Where a listing starts: after the id inside `token`, which must belong to `scope`.
  static result<store::page_request> start_page(std::string_view scope, const std::optional<std::string>& token,
                                                int max);
  template <class T>
  static listing<T> to_listing(store::page<T> p, std::string_view scope) {
    listing<T> out;
    if (p.more && !p.items.empty()) out.next_token = encode_page_token(scope, p.items.back().id);
    out.items = std::move(p.items);
    return out;
  }

 private:
  audited_store& store_;
  const clock& clock_;
  random_source& random_;
  std::string store_id_;
  quotas quotas_;
};

// One page of a SCIM listing: index paging counts the matches and skips `offset`; cursor paging
// continues after the id inside the cursor, which must have been issued for `scope`.
template <class View, class Filter, class Repo, class ToView>
result<query_page<View>> page_query(Repo& repo, const Filter& f, const std::string& scope, const query_window& w,
                                    ToView&& to_view) {
  query_page<View> out;
  store::page_request pr{"", w.count, 0};
  if (w.cursor) {
    if (!w.cursor->empty()) {
      auto after = decode_page_token(scope, *w.cursor);
      if (!after) return fail(errc::validation, "The cursor is invalid, or was issued for another filter.");
      pr.after_id = std::move(*after);
    }
  } else {
    pr.offset = w.offset;
    if (w.count == 0) {  // RFC 7644 §3.4.2.4: count 0 asks only for totalResults
      auto total = repo.count_matching(f);
      if (!total) return std::unexpected(total.error());
      out.total = *total;
      return out;
    }
  }
  auto page = repo.list(f, pr);
  if (!page) return std::unexpected(page.error());
  if (!w.cursor) {
    // The last page, reached without skipping past the end, tells the total itself (same
    // transaction, same snapshot): an IdP's lookup by userName before each create is then one
    // statement, not a COUNT and a SELECT.
    if (!page->more && (!page->items.empty() || w.offset == 0)) {
      out.total = w.offset + static_cast<int64_t>(page->items.size());
    } else {
      auto total = repo.count_matching(f);
      if (!total) return std::unexpected(total.error());
      out.total = *total;
    }
  }
  std::string last_id = page->items.empty() ? std::string() : page->items.back().id;
  for (auto& e : page->items) {
    auto v = to_view(std::move(e));
    if (!v) return std::unexpected(v.error());
    out.items.push_back(std::move(*v));
  }
  if (w.cursor && page->more && !last_id.empty()) out.next_cursor = encode_page_token(scope, last_id);
  return out;
}

}  // namespace atrium::service
