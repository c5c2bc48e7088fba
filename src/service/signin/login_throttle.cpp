#include "service/signin/login_throttle.hpp"

#include <algorithm>
#include <cstdio>
#include <vector>

#include "base/try.hpp"
#include "store/transient_state_repository.hpp"

namespace atrium::service {

namespace {
// Account and address keys live in one table; the prefixes keep them apart.
std::string account_of(std::string_view k) { return "a:" + std::string(k); }
std::string address_of(std::string_view k) { return "i:" + std::string(k); }

constexpr const char* throttle_kind = "login-throttle";

// A counter row's value: "failures last_failure_ms locked_until_ms".
std::string throttle_value(int failures, sys_time last, sys_time locked) {
  return std::to_string(failures) + " " + std::to_string(epoch_millis(last)) + " " + std::to_string(epoch_millis(locked));
}
bool parse_throttle(const std::string& v, int& failures, sys_time& last, sys_time& locked) {
  long long f = 0, l = 0, k = 0;
  if (std::sscanf(v.c_str(), "%lld %lld %lld", &f, &l, &k) != 3 || f < 0) return false;
  failures = static_cast<int>(std::min<long long>(f, 1'000'000));
  last = from_epoch_millis(l);
  locked = from_epoch_millis(k);
  return true;
}
}  // namespace

login_throttle::login_throttle(const clock& clk, login_throttle_settings s, store::database* shared)
    : clock_(clk), s_(s), db_(shared) {}

std::optional<std::chrono::seconds> login_throttle::wait_of(const entry& e, sys_time now) {
  if (now >= e.locked_until) return std::nullopt;
  auto left = std::chrono::ceil<std::chrono::seconds>(e.locked_until - now);
  return std::max(left, std::chrono::seconds(1));
}

std::optional<std::chrono::seconds> login_throttle::wait_for(const std::string& key, sys_time now) {
  auto it = entries_.find(key);
  if (it == entries_.end()) return std::nullopt;
  return wait_of(it->second, now);
}

result<std::optional<std::chrono::seconds>> login_throttle::stored_wait(store::transaction& tx, const std::string& key,
                                                                        sys_time now, bool* present) const {
  TRY(row, tx.transient_state().get(throttle_kind, key, now));
  if (present) *present = row.has_value();
  entry e;
  if (row && parse_throttle(row->value, e.failures, e.last_failure, e.locked_until)) return wait_of(e, now);
  return std::optional<std::chrono::seconds>();
}

result<void> login_throttle::read_waits(store::transaction& tx, std::string_view account_key, std::string_view address,
                                        sys_time now, std::optional<std::chrono::seconds>& account,
                                        std::optional<std::chrono::seconds>& addr, bool& counted) const {
  TRY(a, stored_wait(tx, account_of(account_key), now, &counted));
  TRY(b, stored_wait(tx, address_of(address), now));
  account = a;
  addr = b;
  return {};
}

std::optional<std::chrono::seconds> login_throttle::in_memory(std::string_view account_key, std::string_view address,
                                                              sys_time now, bool& counted) {
  std::lock_guard lock(mu_);
  counted = entries_.contains(account_of(account_key));
  return longer(wait_for(account_of(account_key), now), wait_for(address_of(address), now));
}

std::optional<std::chrono::seconds> login_throttle::longer(std::optional<std::chrono::seconds> a,
                                                           std::optional<std::chrono::seconds> b) {
  if (a && b) return std::max(*a, *b);
  return a ? a : b;
}

// The same check in a read of its own. A read that cannot open fails closed, as check_in's does.
std::optional<std::chrono::seconds> login_throttle::check(std::string_view account_key, std::string_view address,
                                                          bool* account_counted) {
  if (!db_) return check_in_memory(account_key, address, account_counted);
  std::optional<std::chrono::seconds> wait;
  auto r = db_->read([&](store::transaction& tx) -> result<void> {
    wait = check_in(tx, account_key, address, account_counted);
    return {};
  });
  if (!r) return std::chrono::seconds(1);  // fail closed: no unthrottled guessing while the store is out
  return wait;
}

std::optional<std::chrono::seconds> login_throttle::check_in_memory(std::string_view account_key,
                                                                    std::string_view address, bool* account_counted) {
  bool counted = true;
  auto wait = in_memory(account_key, address, clock_.now(), counted);
  if (account_counted) *account_counted = counted;
  return wait;
}

std::optional<std::chrono::seconds> login_throttle::check_in(store::transaction& tx, std::string_view account_key,
                                                             std::string_view address, bool* account_counted) {
  if (!db_) return check_in_memory(account_key, address, account_counted);
  auto now = clock_.now();
  bool counted = true;  // unknown (a store error) counts as present: success() then looks
  std::optional<std::chrono::seconds> a, b;
  if (!read_waits(tx, account_key, address, now, a, b, counted)) return std::chrono::seconds(1);  // fail closed
  if (account_counted) *account_counted = counted;
  return longer(a, b);
}

std::optional<std::chrono::seconds> login_throttle::check_address_in(store::transaction& tx, std::string_view address) {
  auto now = clock_.now();
  if (!db_) {
    std::lock_guard lock(mu_);
    return wait_for(address_of(address), now);
  }
  auto wait = stored_wait(tx, address_of(address), now);
  if (!wait) return std::chrono::seconds(1);  // fail closed
  return *wait;
}

void login_throttle::count_into(entry& e, int free_failures, sys_time now) const {
  if (e.failures > 0 && now - e.last_failure >= s_.forget_after) e = entry{};
  ++e.failures;
  e.last_failure = now;
  int over = e.failures - free_failures;
  if (over < 0) return;
  // first_lockout * 2^over, capped (the shift is bounded so that it cannot overflow).
  auto lock = s_.first_lockout * (int64_t{1} << std::min(over, 20));
  e.locked_until = now + std::min<std::chrono::seconds>(lock, s_.max_lockout);
}

void login_throttle::count(const std::string& key, int free_failures, sys_time now) {
  count_into(entries_[key], free_failures, now);
}

// Read and counted in one write transaction: SQLite's single writer, PostgreSQL's SERIALIZABLE
// (run again on a conflict) make concurrent failures on several nodes all count.
void login_throttle::count_shared(const std::vector<std::pair<std::string, int>>& keys) {
  auto now = clock_.now();
  (void)db_->write([&](store::transaction& tx) -> result<void> {
    for (const auto& [key, free_failures] : keys) {
      TRY(row, tx.transient_state().get(throttle_kind, key, now));
      entry e;
      if (row) (void)parse_throttle(row->value, e.failures, e.last_failure, e.locked_until);
      count_into(e, free_failures, now);
      auto expires = std::max(e.last_failure + s_.forget_after, e.locked_until);
      TRY(v, tx.transient_state().put({throttle_kind, key, throttle_value(e.failures, e.last_failure, e.locked_until),
                                       expires, 0},
                                      now));
      (void)v;
    }
    return {};
  });
}

void login_throttle::failure(std::string_view account_key, std::string_view address) {
  if (db_) {
    count_shared({{account_of(account_key), s_.account_free_failures}, {address_of(address), s_.address_free_failures}});
    return;
  }
  auto now = clock_.now();
  std::lock_guard lock(mu_);
  if (entries_.size() + 2 > s_.max_keys) make_room(now);
  count(account_of(account_key), s_.account_free_failures, now);
  count(address_of(address), s_.address_free_failures, now);
}

void login_throttle::success(std::string_view account_key, bool counted) {
  if (!counted) return;
  if (db_) {
    // Most successes have no counter: a read decides whether a write is needed at all.
    auto key = account_of(account_key);
    auto now = clock_.now();
    bool present = true;
    (void)db_->read([&](store::transaction& tx) -> result<void> {
      TRY(row, tx.transient_state().get(throttle_kind, key, now));
      present = row.has_value();
      return {};
    });
    if (!present) return;
    (void)db_->write([&](store::transaction& tx) -> result<void> {
      TRY(gone, tx.transient_state().remove(throttle_kind, key));
      (void)gone;
      return {};
    });
    return;
  }
  std::lock_guard lock(mu_);
  entries_.erase(account_of(account_key));
}

void login_throttle::pending(std::string_view key) {
  if (db_) {
    count_shared({{account_of(key), s_.address_free_failures}});
    return;
  }
  auto now = clock_.now();
  std::lock_guard lock(mu_);
  if (entries_.size() + 2 > s_.max_keys) make_room(now);
  count(account_of(key), s_.address_free_failures, now);
}

// Forgotten keys go first; if the table is still full, the half with the oldest failures.
void login_throttle::make_room(sys_time now) {
  std::erase_if(entries_, [&](const auto& kv) {
    return now - kv.second.last_failure >= s_.forget_after && now >= kv.second.locked_until;
  });
  if (entries_.size() + 2 <= s_.max_keys) return;
  std::vector<sys_time> times;
  times.reserve(entries_.size());
  for (const auto& kv : entries_) times.push_back(kv.second.last_failure);
  auto mid = times.begin() + static_cast<std::ptrdiff_t>(times.size() / 2);
  std::nth_element(times.begin(), mid, times.end());
  sys_time cut = *mid;
  std::erase_if(entries_, [&](const auto& kv) { return kv.second.last_failure <= cut; });
}

}  // namespace atrium::service
