#include "service/oidc/code_attempts.hpp"

#include <algorithm>

#include "base/try.hpp"
#include "store/oidc_repository.hpp"

namespace atrium::service::oidc {

namespace {

std::string session_key(std::string_view id) { return "s:" + std::string(id); }
std::string address_key(std::string_view ip) { return "a:" + std::string(ip); }

}  // namespace

result<int64_t> code_attempts::wait_for(store::transaction& tx, const std::string& key, int64_t limit, sys_time now) {
  TRY(row, tx.oidc().get_attempts(key));
  if (!row || row->window_start + limits_.window <= now || row->failures < limit) return int64_t{0};
  auto left = std::chrono::duration_cast<std::chrono::seconds>(row->window_start + limits_.window - now).count();
  return std::max<int64_t>(1, left);
}

result<void> code_attempts::admit(std::string_view session_id, std::string_view address) {
  auto now = clock_.now();
  int64_t wait = 0;
  TRY_VOID(db_.read([&](store::transaction& tx) -> result<void> {
    TRY(s, wait_for(tx, session_key(session_id), limits_.per_session, now));
    TRY(a, wait_for(tx, address_key(address), limits_.per_address, now));
    wait = std::max(s, a);
    return {};
  }));
  if (wait == 0) return {};
  return std::unexpected(error{errc::throttled,
                               "Too many wrong codes. Try again in " + std::to_string(wait) + " seconds.",
                               "retry_after", std::to_string(wait)});
}

result<void> code_attempts::failure(std::string_view session_id, std::string_view address) {
  auto now = clock_.now();
  return db_.write([&](store::transaction& tx) -> result<void> {
    for (const auto& key : {session_key(session_id), address_key(address)}) {
      TRY(row, tx.oidc().get_attempts(key));
      store::oidc_attempts_record r{key, now, 0};
      if (row && row->window_start + limits_.window > now) r = *row;
      ++r.failures;
      TRY_VOID(tx.oidc().put_attempts(r));
    }
    return {};
  });
}

}  // namespace atrium::service::oidc
