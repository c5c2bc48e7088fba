#pragma once
// Pending WebAuthn challenges (service/signin/webauthn_ceremonies): one per user and ceremony,
// taken once. Reached through transaction::webauthn_challenges(); store/sqlite implements it in
// webauthn_challenge_repo.cpp over migration 0016. A user's challenges go with the user (ON
// DELETE CASCADE).
#include <cstdint>
#include <optional>
#include <string>

#include "base/clock.hpp"
#include "base/result.hpp"

namespace atrium::store {

struct webauthn_challenge_record {
  std::string user_id;
  std::string ceremony;          // "registration" | "assertion"
  std::string sealed_challenge;  // crypto::secret_box of the raw challenge bytes
  sys_time created{};
  sys_time expires{};
};

class webauthn_challenge_repository {
 public:
  virtual ~webauthn_challenge_repository() = default;
  // Stores the user's challenge of that ceremony, replacing an earlier one (used or not).
  virtual result<void> put(const webauthn_challenge_record& r) = 0;
  // Deletes the user's challenge of that ceremony and returns it when it had not expired at
  // `now` (one statement: two answers to one challenge cannot both get it). nullopt when there
  // was none or it had expired.
  virtual result<std::optional<webauthn_challenge_record>> take(const std::string& user_id,
                                                                const std::string& ceremony, sys_time now) = 0;
  // Deletes every challenge expired at `now`; how many.
  virtual result<int64_t> remove_expired(sys_time now) = 0;
};

}  // namespace atrium::store
