#pragma once
#include "store/postgresql/connection.hpp"
#include "store/webauthn_challenge_repository.hpp"

namespace atrium::store::postgresql {

class webauthn_challenge_repo final : public webauthn_challenge_repository {
 public:
  explicit webauthn_challenge_repo(connection& c) : c_(c) {}
  result<void> put(const webauthn_challenge_record& r) override;
  result<std::optional<webauthn_challenge_record>> take(const std::string& user_id, const std::string& ceremony,
                                                        sys_time now) override;
  result<int64_t> remove_expired(sys_time now) override;

 private:
  connection& c_;
};

}  // namespace atrium::store::postgresql
