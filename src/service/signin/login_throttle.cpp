#include "service/signin/login_throttle.hpp"

#include <algorithm>
#include <vector>

namespace atrium::service {

namespace {
// Account and address keys live in one table; the prefixes keep them apart.
std::string account_of(std::string_view k) { return "a:" + std::string(k); }
std::string address_of(std::string_view k) { return "i:" + std::string(k); }
}  // namespace

login_throttle::login_throttle(const clock& clk, login_throttle_settings s) : clock_(clk), s_(s) {}

std::optional<std::chrono::seconds> login_throttle::wait_for(const std::string& key, sys_time now) {
  auto it = entries_.find(key);
  if (it == entries_.end() || now >= it->second.locked_until) return std::nullopt;
  auto left = std::chrono::ceil<std::chrono::seconds>(it->second.locked_until - now);
  return std::max(left, std::chrono::seconds(1));
}

std::optional<std::chrono::seconds> login_throttle::check(std::string_view account_key, std::string_view address) {
  auto now = clock_.now();
  std::lock_guard lock(mu_);
  auto a = wait_for(account_of(account_key), now);
  auto b = wait_for(address_of(address), now);
  if (a && b) return std::max(*a, *b);
  return a ? a : b;
}

void login_throttle::count(const std::string& key, int free_failures, sys_time now) {
  auto& e = entries_[key];
  if (e.failures > 0 && now - e.last_failure >= s_.forget_after) e = entry{};
  ++e.failures;
  e.last_failure = now;
  int over = e.failures - free_failures;
  if (over < 0) return;
  // first_lockout * 2^over, capped (the shift is bounded so that it cannot overflow).
  auto lock = s_.first_lockout * (int64_t{1} << std::min(over, 20));
  e.locked_until = now + std::min<std::chrono::seconds>(lock, s_.max_lockout);
}

void login_throttle::failure(std::string_view account_key, std::string_view address) {
  auto now = clock_.now();
  std::lock_guard lock(mu_);
  if (entries_.size() + 2 > s_.max_keys) make_room(now);
  count(account_of(account_key), s_.account_free_failures, now);
  count(address_of(address), s_.address_free_failures, now);
}

void login_throttle::success(std::string_view account_key) {
  std::lock_guard lock(mu_);
  entries_.erase(account_of(account_key));
}

void login_throttle::pending(std::string_view key) {
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
