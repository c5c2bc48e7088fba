#pragma once
// E-mailed one-time sign-in codes (guide "Configure MFA device enforcement": "Send them a
// one-time password by email" when a user has no device): 6 digits, single use, short-lived,
// five wrong guesses spend a code; a new code replaces the previous one. Stored as a one-time
// token of kind email_code (only its hash, bound to the user); compared in constant time.
// password_service holds one (codes()) with the instance's email_code_ttl.
#include <chrono>
#include <string>
#include <string_view>

#include "base/clock.hpp"
#include "base/random.hpp"
#include "base/result.hpp"
#include "service/audit/audited_store.hpp"
#include "service/audit/call_context.hpp"
#include "service/mail/mailer.hpp"

namespace atrium::service {

class email_codes {
 public:
  email_codes(audited_store& store, mailer& mail, const clock& clk, random_source& rnd, std::chrono::minutes ttl);

  // Makes a code (audited SendEmailVerificationCode) and mails it to the user's primary address.
  result<void> send(const call_context& ctx, const std::string& user_id);
  // True once for the user's current, unexpired code.
  result<bool> verify(const call_context& ctx, const std::string& user_id, std::string_view code);

 private:
  audited_store& store_;
  mailer& mail_;
  const clock& clk_;
  random_source& rnd_;
  std::chrono::minutes ttl_;
};

}  // namespace atrium::service
