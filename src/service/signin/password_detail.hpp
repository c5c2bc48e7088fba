#pragma once
// Helpers shared by password_service and email_codes (password_detail.cpp); not for other use
// cases.
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <variant>

#include "base/random.hpp"
#include "crypto/password_hash.hpp"
#include "domain/identity.hpp"
#include "service/audit/call_context.hpp"
#include "service/audit/audited_store.hpp"
#include "service/mail/mailer.hpp"
#include "service/signin/password_service.hpp"
#include "store/repositories.hpp"

namespace atrium::service::password_detail {

// ctx as one of the password events (eventSource sso-directory.amazonaws.com).
call_context as_event(const call_context& ctx, const char* event, std::string params);
// Uniform in [0, upper) from the injected source (libsodium's randombytes_uniform method).
uint32_t uniform(random_source& rnd, uint32_t upper);
// The user's primary (else first) e-mail address.
std::optional<std::string> email_of(const domain::user& u);
result<domain::user> load_user(store::transaction& tx, const std::string& id);
sys_time plus(sys_time t, std::chrono::minutes d);
// "Hello <display name>," (or "Hello,"): the first line of every mail.
std::string greeting(const domain::user& u);
// Sends; a refused message is audited under ctx with errorCode MailDeliveryFailed.
result<void> deliver(audited_store& store, mailer& mail, const call_context& ctx, const mail_message& m);

crypto::argon2_cost cost_of(const password_settings& s);
// A hash of a random password at the configured cost, made once: what unknown users are
// "verified" against so that they cost the same time as known ones.
const std::string& dummy_hash(const password_settings& s);
// 16 characters, at least one of each class of the policy, uniformly shuffled.
std::string one_time_password(random_source& rnd);
// The invitation or reset mail with its link `<portal_url>/set-password?token=…`.
mail_message link_mail(const domain::user& u, const std::string& to, const password_settings& s,
                       const std::string& token, store::token_kind kind, sys_time expires);

}  // namespace atrium::service::password_detail
