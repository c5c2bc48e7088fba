#include "service/signin/sign_in_service.hpp"

#include <algorithm>
#include <charconv>

#include "base/json_text.hpp"
#include "base/try.hpp"
#include "base/strings.hpp"
#include "crypto/primitives.hpp"
#include "service/signin/sign_in_registration.hpp"
#include "service/signin/sign_in_workflow.hpp"
#include "service/signin/webauthn_ceremonies.hpp"
#include "store/transient_state_repository.hpp"

namespace atrium::service {

const char* to_string(sign_in_step s) {
  switch (s) {
    case sign_in_step::password: return "password";
    case sign_in_step::new_password: return "new-password";
    case sign_in_step::mfa: return "mfa";
    case sign_in_step::register_mfa: return "register-mfa";
    case sign_in_step::done: return "done";
  }
  return "done";
}

mfa_decision decide_mfa(const mfa_settings& s, bool has_totp, bool has_webauthn, bool trusted_device) {
  mfa_decision d;
  if (s.mode == mfa_mode::disabled) return d;
  // Context-aware: a trusted device (same browser, same address, < 90 days) is not challenged,
  // even under "block their sign-in" (the guide's "Configure MFA device enforcement", Important).
  if (s.mode == mfa_mode::context_aware && trusted_device) return d;
  if (has_totp && s.totp_allowed) d.methods.push_back("TOTP");
  if (has_webauthn && s.webauthn_allowed) d.methods.push_back("WEBAUTHN");
  if (!d.methods.empty()) {
    d.next = sign_in_step::mfa;
    return d;
  }
  switch (s.without_device) {
    case no_device_policy::allow: return d;
    case no_device_policy::block:
      d.blocked = true;
      return d;
    case no_device_policy::email_code:
      d.next = sign_in_step::mfa;
      d.methods = {"EMAIL_OTP"};
      return d;
    case no_device_policy::require_registration:
      if (s.totp_allowed) d.methods.push_back("TOTP");
      if (s.webauthn_allowed) d.methods.push_back("WEBAUTHN");
      if (!d.methods.empty()) d.next = sign_in_step::register_mfa;
      return d;
  }
  return d;
}

sign_in_service::sign_in_service(audited_store& store, password_service& passwords, mfa_service& mfa,
                                 session_service& sessions, login_throttle& throttle, const clock& clk,
                                 random_source& rnd, sign_in_settings s)
    : store_(store), passwords_(passwords), mfa_(mfa), sessions_(sessions), throttle_(throttle), clock_(clk),
      random_(rnd), s_(std::move(s)), token_box_(mfa.box().derive(token_key_context, token_key_id)),
      registration_(std::make_unique<sign_in_registration>(*this, mfa)) {}

sign_in_service::~sign_in_service() = default;

sign_in_registration& sign_in_service::registration() { return *registration_; }

// ---- workflows in the store -------------------------------------------------------------------
// transient_state kind "sign-in" (migration 0019): any node takes the next step (issue 13 item 2).

namespace {

constexpr const char* workflow_kind = "sign-in";
// How often one node sweeps expired short-lived rows (any node may; the DELETE is bounded).
// Every sign-in leaves its id's row until its token expires (below), so the sweep keeps up
// with 200 sign-ins a second per node, more than two cores' hashes allow.
constexpr std::chrono::seconds sweep_every{10};
constexpr int64_t sweep_rows = 2000;
// What a used workflow id's row holds once its sign-in finished or was refused for good.
constexpr std::string_view used_value = R"({"step":"done"})";
// A used id's row outlives its token by this much: the token's expiry is checked with the
// clock of the node it reaches and the row is swept by another node's clock, so without the
// margin a node whose clock runs ahead could sweep the row while the token is still good
// elsewhere, and the token could start its password step again.
constexpr std::chrono::minutes used_grace{5};

// A started sign-in (step password, nothing verified) travels with the browser instead of in
// the store (issue 18 item 6; docs/sign-in.md "Sign-in workflow"): the workflow id the portal
// answers is "<AuthWorkflowID>.<sealed>", sealed under the sign-in token key (derived from the
// master key that every node holds: sign_in_service::token_key_context; crypto::secret_box:
// XSalsa20-Poly1305, so it cannot be forged or altered) over
// "sign-in/1\n<AuthWorkflowID>\n<expiry, epoch ms>\n<the name as typed>". Only the typed name
// goes in, never the user it resolved to: the token's length says nothing the browser did not
// send. The tag keeps any other sealed value from passing for a token.
constexpr std::string_view token_tag = "sign-in/1";

std::string workflow_token(const std::string& id, sys_time expires, std::string_view typed,
                           const crypto::secret_box& box) {
  std::string plain;
  plain.reserve(token_tag.size() + id.size() + typed.size() + 24);
  plain.append(token_tag).append("\n").append(id).append("\n");
  plain.append(std::to_string(epoch_millis(expires))).append("\n").append(typed);
  return id + "." + box.seal(plain);
}

struct started_sign_in {
  std::string id;  // AuthWorkflowID
  sys_time expires{};
  std::string typed;
};

// nullopt for anything that is not a token this deployment sealed.
std::optional<started_sign_in> open_token(std::string_view token, const crypto::secret_box& box) {
  auto dot = token.find('.');
  if (dot == std::string_view::npos) return std::nullopt;
  auto plain = box.open(token.substr(dot + 1));
  if (!plain) return std::nullopt;
  std::string_view rest = *plain;
  std::string_view parts[3];
  for (auto& part : parts) {
    auto nl = rest.find('\n');
    if (nl == std::string_view::npos) return std::nullopt;
    part = rest.substr(0, nl);
    rest.remove_prefix(nl + 1);
  }
  if (parts[0] != token_tag || parts[1] != token.substr(0, dot)) return std::nullopt;
  int64_t ms = 0;
  auto [end, ec] = std::from_chars(parts[2].data(), parts[2].data() + parts[2].size(), ms);
  if (ec != std::errc() || end != parts[2].data() + parts[2].size()) return std::nullopt;
  return started_sign_in{std::string(parts[1]), from_epoch_millis(ms), std::string(rest)};
}

nlohmann::json strings_json(const std::vector<std::string>& v) { return nlohmann::json(v); }

std::vector<std::string> json_strings(const nlohmann::json& j) {
  std::vector<std::string> out;
  if (!j.is_array()) return out;
  for (const auto& e : j)
    if (e.is_string()) out.push_back(e.get<std::string>());
  return out;
}

sign_in_step step_of(std::string_view s) {
  for (auto st : {sign_in_step::password, sign_in_step::new_password, sign_in_step::mfa, sign_in_step::register_mfa})
    if (s == to_string(st)) return st;
  return sign_in_step::done;
}

// The workflow as its row's value; the held one-time password sealed with the master key.
std::string workflow_value(const sign_in_service::workflow& w, const crypto::secret_box& box) {
  nlohmann::json j = {{"user_id", w.user_id},         {"user_name", w.user_name},
                      {"display_name", w.display_name}, {"audit_name", w.audit_name},
                      {"throttle_key", w.throttle_key}, {"step", to_string(w.step)},
                      {"methods", strings_json(w.methods)}, {"factors", strings_json(w.factors)},
                      {"enrollment_required", w.enrollment_required}, {"mode", static_cast<int>(w.mode)}};
  std::string_view held = w.current_password;
  if (!held.empty()) j["held"] = box.seal(held);
  return j.dump();
}

result<std::shared_ptr<sign_in_service::workflow>> workflow_of(const store::transient_record& r,
                                                               const crypto::secret_box& box) {
  auto j = nlohmann::json::parse(r.value, nullptr, false);
  if (!j.is_object()) return fail(errc::internal, "A stored sign-in workflow cannot be read.");
  auto w = std::make_shared<sign_in_service::workflow>();
  w->id = r.key;
  w->version = r.version;
  w->expires_at = r.expires;
  auto text = [&](const char* k) { return j.contains(k) && j[k].is_string() ? j[k].get<std::string>() : std::string(); };
  w->user_id = text("user_id");
  w->user_name = text("user_name");
  w->display_name = text("display_name");
  w->audit_name = text("audit_name");
  w->throttle_key = text("throttle_key");
  w->step = step_of(text("step"));
  w->methods = json_strings(j.value("methods", nlohmann::json::array()));
  w->factors = json_strings(j.value("factors", nlohmann::json::array()));
  w->enrollment_required = j.value("enrollment_required", false);
  w->mode = static_cast<mfa_mode>(j.value("mode", static_cast<int>(mfa_mode::context_aware)));
  if (auto held = text("held"); !held.empty()) {
    auto plain = box.open(held);
    if (!plain) return fail(errc::internal, "A stored sign-in workflow cannot be opened.");
    w->current_password.assign(*plain);
    std::fill(plain->begin(), plain->end(), '\0');
  }
  return w;
}

}  // namespace

// A workflow past its password step: its row, named by the AuthWorkflowID in the token.
result<std::shared_ptr<sign_in_service::workflow>> sign_in_service::find(const std::string& id) {
  auto t = open_token(id, token_box_);
  if (!t) return expired();
  std::optional<store::transient_record> row;
  auto now = clock_.now();
  auto r = store_.db().read([&](store::transaction& tx) -> result<void> {
    TRY(got, tx.transient_state().get(workflow_kind, t->id, now));
    row = std::move(got);
    return {};
  });
  if (!r) return std::unexpected(r.error());
  if (!row) return expired();
  TRY(w, workflow_of(*row, mfa_.box()));
  if (w->step == sign_in_step::done) return expired();  // finished: the id stays taken until it expires
  return w;
}

// The workflow as start() resolved it: who the typed name means, how the throttle counts it and
// the name its events carry.
std::shared_ptr<sign_in_service::workflow> sign_in_service::new_workflow(std::string id, sys_time expires,
                                                                         const std::optional<domain::user>& user,
                                                                         std::string_view typed) {
  auto w = std::make_shared<workflow>();
  w->id = std::move(id);
  w->expires_at = expires;
  if (user) {
    w->audit_name = user->user_name;
    w->throttle_key = "u:" + user->id;
    if (user->active) {
      w->user_id = user->id;
      w->user_name = user->user_name;
      w->display_name = user->display_name.value_or(user->user_name);
    }
  } else {
    // CloudTrail hides names that match no user: they are often a password typed in the
    // wrong field.
    w->audit_name = "HIDDEN_DUE_TO_SECURITY_REASONS";
    auto bare = candidates_bare(typed);
    w->throttle_key = "n:" + domain::fold_key(bare);
  }
  return w;
}

// The first write of a workflow (version 0) is the password step's, and it takes the workflow's
// id: put() answers version 1 only when no unexpired row had it, so a second use of one started
// sign-in (replayed, or racing on another node) rolls back and is out of order. Flushed: a
// verified factor.
result<void> sign_in_service::save(workflow& w) {
  store::transient_record rec{workflow_kind, w.id, workflow_value(w, mfa_.box()), w.expires_at, 0};
  // Set inside, applied after the commit: a PostgreSQL write may run its function again.
  int64_t written = 0;
  auto now = clock_.now();
  auto r = store_.write_with_records([&](store::transaction& tx, std::vector<store::audit_record>& records) -> result<void> {
    written = 0;
    records = w.events;
    if (w.version == 0) {
      TRY(v, tx.transient_state().put(rec, now));
      if (v != 1) return out_of_order();  // taken meanwhile: roll the overwrite back
      written = v;
      return {};
    }
    TRY(ok, tx.transient_state().update(rec, w.version, now));
    if (ok) written = w.version + 1;
    return {};
  });
  if (!r) return std::unexpected(r.error());
  if (written == 0) return out_of_order();  // rolled back: the events are still to write
  w.events.clear();
  w.version = written;
  return {};
}

// A sign-in refused for good (blocked, or its session's commit failed): its id is marked used
// until the token expires, so the token cannot start the password step again.
void sign_in_service::forget(const workflow& w) {
  store::transient_record used{workflow_kind, w.id, std::string(used_value), w.expires_at + used_grace, 0};
  auto now = clock_.now();
  store_.db().write_detached([used, now](store::transaction& tx) -> result<void> {
    TRY(v, tx.transient_state().put(used, now));
    (void)v;
    return {};
  });
}

// Expired rows of every kind (workflows, enrollments, throttle counters): at most once a
// minute per node, detached (nobody waits for it), bounded.
void sign_in_service::sweep(sys_time now) {
  int64_t ms = epoch_millis(now);
  int64_t last = last_sweep_ms_.load();
  if (ms - last < std::chrono::duration_cast<std::chrono::milliseconds>(sweep_every).count()) return;
  if (!last_sweep_ms_.compare_exchange_strong(last, ms)) return;
  store_.db().write_detached([now](store::transaction& tx) -> result<void> {
    TRY(n, tx.transient_state().remove_expired(now, sweep_rows));
    (void)n;
    return {};
  });
}

result<int64_t> sign_in_service::workflows_pending() {
  int64_t n = 0;
  auto now = clock_.now();
  auto r = store_.db().read([&](store::transaction& tx) -> result<void> {
    TRY(c, tx.transient_state().count(workflow_kind, now));
    n = c;
    return {};
  });
  if (!r) return std::unexpected(r.error());
  return n;
}

// ---- audit -----------------------------------------------------------------------------------

call_context anonymous_sign_in_context(const sign_in_client& c, const std::string& account_id,
                                       const std::string& region, const std::string& user_name) {
  call_context ctx;
  ctx.who.type = "Unknown";
  ctx.who.principal_id = account_id;
  ctx.who.account_id = account_id;
  ctx.who.user_name = user_name;
  ctx.source_ip = c.source_ip;
  ctx.user_agent = bounded_user_agent(c.user_agent);
  ctx.request_id = c.request_id;
  ctx.region = region;
  ctx.via = domain::door::console;
  return ctx;
}

call_context sign_in_service::user_context(const sign_in_client& c, const std::string& user_name) const {
  auto ctx = anonymous_sign_in_context(c, s_.account_id, s_.region, user_name);
  ctx.event_source = "signin.amazonaws.com";
  return ctx;
}

void sign_in_service::event(workflow& w, const sign_in_client& c, const char* name, const char* credential_type,
                            bool ok) {
  auto ctx = user_context(c, w.audit_name);
  ctx.event_name = name;
  nlohmann::ordered_json extra = {{"AuthWorkflowID", w.id}, {"CredentialType", credential_type}};
  nlohmann::ordered_json details = {{name, ok ? "Success" : "Failure"}};
  w.events.push_back(store_.events().make_service_event(ctx, ordered_to_json_text(extra), ordered_to_json_text(details)));
}

void sign_in_service::flush_events(workflow& w) {
  for (const auto& e : w.events) store_.record_event(e);
  w.events.clear();
}

// ---- throttling ------------------------------------------------------------------------------

namespace {
result<void> too_many(std::chrono::seconds wait) {
  error e{errc::throttled, "Too many attempts. Try again in " + std::to_string(wait.count()) + " seconds.", "retry_after",
          std::to_string(wait.count())};
  return std::unexpected(e);
}
}  // namespace

result<void> sign_in_service::admit(std::string_view account_key, std::string_view address) {
  if (auto wait = throttle_.check(account_key, address)) return too_many(*wait);
  return {};
}

result<void> sign_in_service::admit_attempt(const workflow& w, const sign_in_client& c) {
  return admit(w.throttle_key, c.source_ip);
}

void sign_in_service::count_failure(const workflow& w, const sign_in_client& c) {
  throttle_.failure(w.throttle_key, c.source_ip);
}

// ---- names -----------------------------------------------------------------------------------

result<std::optional<domain::user>> sign_in_service::resolve(std::string_view typed) {
  std::optional<domain::user> found;
  auto r = store_.db().read([&](store::transaction& tx) -> result<void> {
    TRY(u, resolve_in(tx, typed));
    found = std::move(u);
    return {};
  });
  if (!r) return std::unexpected(r.error());
  return found;
}

result<std::optional<domain::user>> sign_in_service::resolve_in(store::transaction& tx, std::string_view typed) {
  std::string_view candidates[2] = {typed, {}};
  if (auto slash = typed.find('\\'); slash != std::string_view::npos)
    candidates[1] = typed.substr(slash + 1);  // down-level logon name DOMAIN\user
  else if (auto at = typed.rfind('@'); at != std::string_view::npos && at > 0)
    candidates[1] = typed.substr(0, at);  // UPN user@domain
  for (auto name : candidates) {
    if (name.empty()) continue;
    store::user_filter f;
    f.user_name_key = domain::fold_key(name);
    auto p = tx.users().list(f, {"", 1});
    if (!p) return std::unexpected(p.error());
    if (!p->items.empty()) return std::optional<domain::user>(std::move(p->items.front()));
  }
  return std::optional<domain::user>();
}

// ---- steps -----------------------------------------------------------------------------------

// Writes no state (issue 18 item 6): the started sign-in travels sealed in its token (above) and
// the password step's commit takes its id. The CredentialChallenge event is still recorded at
// once, batched into the next group commit like a read's record (docs/audit.md "Durability").
result<sign_in_answer> sign_in_service::start(const sign_in_client& c, std::string_view user_name) {
  auto typed = trim(user_name);
  // A locked address is refused before a token is sealed (security review finding: start is
  // anonymous), as the password step refuses it: the address's counter is read in the snapshot
  // that resolves the name (one more row read), and nothing is written or counted.
  std::optional<domain::user> user;
  std::optional<std::chrono::seconds> wait;
  auto r = store_.db().read([&](store::transaction& tx) -> result<void> {
    user.reset();
    wait = throttle_.check_address_in(tx, c.source_ip);
    if (wait) return {};
    TRY(u, resolve_in(tx, typed));
    user = std::move(u);
    return {};
  });
  if (!r) return std::unexpected(r.error());
  if (wait) return std::unexpected(too_many(*wait).error());
  auto now = clock_.now();
  auto w = new_workflow(random_.uuid4(), now + s_.workflow_ttl, user, typed);
  sweep(now);
  event(*w, c, "CredentialChallenge", "PASSWORD", true);
  for (auto& e : w->events) store_.record_event_deferred(std::move(e));
  w->events.clear();
  sign_in_answer a;
  a.workflow_id = workflow_token(w->id, w->expires_at, typed, token_box_);
  a.next = sign_in_step::password;
  return a;
}

// The password step reads everything it needs before the hash in one snapshot (issue 18 item 6:
// one read transaction where there were five): whether the token's id is taken already (a later
// step's row, or a used one), the user the typed name means, the throttle's counters of the
// account and the address, the password row and what MFA will ask. The throttle is still
// checked before the hash, and an unknown user reads the same rows and costs the same hash.
result<sign_in_answer> sign_in_service::password(const sign_in_client& c, const std::string& workflow_id,
                                                 std::string_view password) {
  auto now = clock_.now();
  auto t = open_token(workflow_id, token_box_);
  if (!t || t->expires <= now) return expired();
  std::shared_ptr<workflow> w;
  sign_in_step taken = sign_in_step::password;  // the step of the id's row when it has one
  std::optional<std::chrono::seconds> wait;
  bool counted = true;  // whether the account has a throttle counter (a success without one skips its read)
  std::optional<store::password_record> row;
  mfa_inputs inputs;
  auto r = store_.db().read([&](store::transaction& tx) -> result<void> {
    w.reset();
    TRY(got, tx.transient_state().get(workflow_kind, t->id, now));
    if (got) {
      TRY(found, workflow_of(*got, mfa_.box()));
      taken = found->step;
      return {};
    }
    TRY(user, resolve_in(tx, t->typed));
    w = new_workflow(t->id, t->expires, user, t->typed);
    wait = throttle_.check_in(tx, w->throttle_key, c.source_ip, &counted);
    if (wait) return {};
    TRY(p, password_service::password_row(tx, w->user_id));
    row = std::move(p);
    TRY(m, mfa_inputs_in(tx, w->user_id, c));
    inputs = std::move(m);
    return {};
  });
  if (!r) return std::unexpected(r.error());
  if (!w) return taken == sign_in_step::done ? expired() : out_of_order();
  event_flush unwritten([&] { flush_events(*w); });
  if (wait) return std::unexpected(too_many(*wait).error());
  // Unknown and disabled users cost the same hash (a dummy); the row gave the must-change flag.
  auto verified = passwords_.check_row(row, w->user_id, password);
  bool ok = verified.ok && !w->user_id.empty();
  event(*w, c, "CredentialVerification", "PASSWORD", ok);
  if (!ok) {
    count_failure(*w, c);
    return invalid_credentials();
  }
  throttle_.success(w->throttle_key, counted);
  w->factors.push_back("PASSWORD");
  if (verified.must_change) {
    w->step = sign_in_step::new_password;
    w->current_password.assign(password);
    if (auto saved = save(*w); !saved) return std::unexpected(saved.error());
    sign_in_answer a;
    a.next = w->step;
    return a;
  }
  return after_password(*w, c, &inputs);
}

result<sign_in_answer> sign_in_service::new_password(const sign_in_client& c, const std::string& workflow_id,
                                                     std::string_view new_password) {
  TRY(w, find(workflow_id));
  if (w->step != sign_in_step::new_password) return out_of_order();
  event_flush unwritten([&] { flush_events(*w); });
  auto ctx = user_context(c, w->user_name);
  auto changed = passwords_.change(ctx, w->user_id, w->current_password, new_password);
  if (!changed) return std::unexpected(changed.error());  // the policy's message: PasswordPolicy
  w->current_password.wipe();
  return after_password(*w, c);
}

// What MFA decides from, in the caller's snapshot.
result<sign_in_service::mfa_inputs> sign_in_service::mfa_inputs_in(store::transaction& tx, const std::string& user_id,
                                                                    const sign_in_client& c) {
  mfa_inputs in;
  TRY(settings, mfa_service::settings_in(tx));
  in.settings = std::move(settings);
  // With MFA disabled nothing else decides (decide_mfa); the settings are the deployment's, so
  // skipping these reads tells nothing about the user.
  if (in.settings.mode == mfa_mode::disabled) return in;
  TRY(devices, mfa_service::devices_in(tx, user_id));
  for (const auto& d : devices) {
    in.has_totp = in.has_totp || d.kind == mfa_kind::totp;
    in.has_webauthn = in.has_webauthn || d.kind == mfa_kind::webauthn;
  }
  if (in.settings.mode == mfa_mode::context_aware && !c.device_token.empty())
    in.trusted = sessions_.is_trusted(tx, c.device_token, user_id, c.source_ip, c.user_agent);
  return in;
}

// After the password (and a required new one): what MFA asks (docs/sign-in.md).
result<sign_in_answer> sign_in_service::after_password(workflow& w, const sign_in_client& c, const mfa_inputs* read) {
  mfa_inputs own;
  if (!read) {
    auto r = store_.db().read([&](store::transaction& tx) -> result<void> {
      TRY(m, mfa_inputs_in(tx, w.user_id, c));
      own = std::move(m);
      return {};
    });
    if (!r) return std::unexpected(r.error());
    read = &own;
  }
  const auto* settings = &read->settings;
  bool has_totp = read->has_totp, has_webauthn = read->has_webauthn, trusted = read->trusted;
  w.mode = settings->mode;
  auto d = decide_mfa(*settings, has_totp, has_webauthn, trusted);
  if (d.blocked) {
    forget(w);
    w.step = sign_in_step::done;
    return fail(errc::access_denied,
                "Your administrator requires a multi-factor authentication device to sign in. Ask them to register one for you.");
  }
  if (d.next == sign_in_step::done) return complete(w, c, false);
  sign_in_answer a;
  a.next = w.step = d.next;
  a.methods = w.methods = d.methods;
  if (d.next == sign_in_step::register_mfa) {
    w.enrollment_required = true;
    if (auto saved = save(w); !saved) return std::unexpected(saved.error());
    return a;
  }
  auto ctx = user_context(c, w.user_name);
  for (const auto& m : d.methods) {
    if (m == "WEBAUTHN") {
      auto options = mfa_.webauthn().begin_assertion(w.user_id);
      if (!options) return std::unexpected(options.error());
      a.public_key = std::move(*options);
    } else if (m == "EMAIL_OTP") {
      if (auto sent = passwords_.codes().send(ctx, w.user_id); !sent) return std::unexpected(sent.error());
    }
    event(w, c, "CredentialChallenge", m.c_str(), true);
  }
  if (auto saved = save(w); !saved) return std::unexpected(saved.error());
  return a;
}

result<sign_in_answer> sign_in_service::mfa(const sign_in_client& c, const std::string& workflow_id,
                                            const mfa_response& r) {
  TRY(w, find(workflow_id));
  if (w->step != sign_in_step::mfa) return out_of_order();
  if (std::find(w->methods.begin(), w->methods.end(), r.type) == w->methods.end())
    return fail(errc::validation, "This sign-in does not accept " + r.type + ".");
  if (auto ok = admit_attempt(*w, c); !ok) return std::unexpected(ok.error());
  event_flush unwritten([&] { flush_events(*w); });
  auto ctx = user_context(c, w->user_name);
  result<bool> verified = false;
  if (r.type == "TOTP") verified = mfa_.verify_totp(ctx, w->user_id, r.code);
  else if (r.type == "WEBAUTHN") verified = mfa_.webauthn().finish_assertion(ctx, w->user_id, r.credential);
  else verified = passwords_.codes().verify(ctx, w->user_id, r.code);
  // A refused assertion (bad signature, wrong challenge, counter regression) is a failed
  // verification like a wrong code; only a store failure is an error.
  bool ok = verified ? *verified : false;
  if (!verified && verified.error().code == errc::internal) return std::unexpected(verified.error());
  event(*w, c, "CredentialVerification", r.type.c_str(), ok);
  if (!ok) {
    count_failure(*w, c);
    return invalid_credentials();
  }
  throttle_.success(w->throttle_key);
  w->factors.push_back(r.type);
  return complete(*w, c, r.trust_device);
}

// Every challenge met: the session (and a trusted device when asked for under context-aware
// MFA) and the UserAuthentication event commit in one transaction.
result<sign_in_answer> sign_in_service::complete(workflow& w, const sign_in_client& c, bool trust_device) {
  sign_in_answer a;
  a.next = sign_in_step::done;
  std::string joined;
  for (const auto& f : w.factors) joined += (joined.empty() ? "" : ",") + f;
  bool lost_race = false;  // another request took the id first: its state is not ours to end
  auto r = store_.write_with_records([&](store::transaction& tx, std::vector<store::audit_record>& records) -> result<void> {
    // The workflow's id is taken in the session's transaction (marked used until its token
    // expires), at the version this step read, or first (put() answers 1) when the password step
    // finishes it: two requests finishing the same sign-in (on one node or two) get one session
    // between them, and the token cannot start another.
    store::transient_record used{workflow_kind, w.id, std::string(used_value), w.expires_at + used_grace, 0};
    lost_race = false;  // a PostgreSQL write may run this function again
    if (w.version == 0) {
      TRY(v, tx.transient_state().put(used, clock_.now()));
      lost_race = v != 1;
      if (lost_race) return out_of_order();  // roll the overwrite back
    } else {
      TRY(ok, tx.transient_state().update(used, w.version, clock_.now()));
      lost_race = !ok;
      if (lost_race) return out_of_order();
    }
    records = w.events;  // this step's CredentialVerification, in the session's commit
    auto s = sessions_.create(tx, w.user_id, c.source_ip, c.user_agent);
    if (!s) return std::unexpected(s.error());
    a.session_token = s->token;
    a.csrf_token = s->csrf_token;
    a.session_expires = s->record.expires_at;
    a.session_lifetime = std::chrono::duration_cast<std::chrono::seconds>(s->record.expires_at - s->record.created_at);
    if (trust_device && w.mode == mfa_mode::context_aware) {
      auto d = sessions_.trust(tx, w.user_id, c.source_ip, c.user_agent);
      if (!d) return std::unexpected(d.error());
      a.device_token = *d;
    }
    auto ctx = user_context(c, w.audit_name);
    ctx.event_name = "UserAuthentication";
    nlohmann::ordered_json extra = {{"AuthWorkflowID", w.id}, {"LoginTo", s_.login_to}, {"CredentialType", joined}};
    if (w.enrollment_required) extra["DeviceEnrollmentRequired"] = "true";
    records.push_back(store_.events().make_service_event(
        ctx, ordered_to_json_text(extra), ordered_to_json_text({{"UserAuthentication", "Success"}})));
    return {};
  });
  // The session's transaction took the workflow; a failed one leaves it to forget, unless the
  // failure is another request having taken it (the winner may be in its MFA step).
  if (r) w.events.clear();
  else if (!lost_race) forget(w);
  w.step = sign_in_step::done;
  if (!r) {
    // Disabled or deleted between the steps: the same answer as a wrong password.
    if (r.error().code == errc::unauthenticated) return invalid_credentials();
    return std::unexpected(r.error());
  }
  sessions_.purge_expired();
  return a;
}

}  // namespace atrium::service
