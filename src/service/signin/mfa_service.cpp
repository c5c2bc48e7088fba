#include "service/signin/mfa_service.hpp"

#include <algorithm>

#include "base/json_text.hpp"
#include "base/strings.hpp"
#include "base/try.hpp"  // not only through a unity batch neighbour
#include "crypto/totp.hpp"
#include "service/signin/mfa_internal.hpp"
#include "service/signin/qr_svg.hpp"
#include "store/mfa_device_repository.hpp"

namespace atrium::service {

namespace {

using nlohmann::json;

// One settings row holds the instance's MFA configuration ("Configure multi-factor
// authentication" in the guide).
constexpr const char* settings_key = "mfa.settings";

json settings_json(const mfa_settings& s) {
  json types = json::array();
  if (s.totp_allowed) types.push_back(to_string(mfa_kind::totp));
  if (s.webauthn_allowed) types.push_back(to_string(mfa_kind::webauthn));
  return {{"mode", to_string(s.mode)}, {"types", types}, {"withoutDevice", to_string(s.without_device)},
          {"usersManageDevices", s.users_manage_devices}};
}

result<mfa_settings> settings_from(const std::string& text) {
  auto j = json::parse(text, nullptr, false);
  auto bad = [] { return fail(errc::internal, "The stored MFA settings are unreadable."); };
  if (!j.is_object() || !j.contains("mode") || !j["mode"].is_string() || !j.contains("withoutDevice") ||
      !j["withoutDevice"].is_string() || !j.contains("types") || !j["types"].is_array())
    return bad();
  mfa_settings s;
  auto mode = parse_mfa_mode(j["mode"].get<std::string>());
  auto nd = parse_no_device_policy(j["withoutDevice"].get<std::string>());
  if (!mode || !nd) return bad();
  s.mode = *mode;
  s.without_device = *nd;
  s.totp_allowed = s.webauthn_allowed = false;
  for (const auto& t : j["types"]) {
    if (t == to_string(mfa_kind::totp)) s.totp_allowed = true;
    if (t == to_string(mfa_kind::webauthn)) s.webauthn_allowed = true;
  }
  s.users_manage_devices = j.value("usersManageDevices", true);
  return s;
}


// "Authenticator app 2": the first number not taken by one of the user's device names.
std::string default_name(const std::vector<store::mfa_device_record>& existing, const std::string& kind) {
  std::string base = kind == "totp" ? "Authenticator app" : "Security key";
  for (int n = 1;; ++n) {
    std::string candidate = base + " " + std::to_string(n);
    bool taken = false;
    for (const auto& d : existing) taken = taken || d.name == candidate;
    if (!taken) return candidate;
  }
}

}  // namespace

const char* to_string(mfa_mode m) {
  switch (m) {
    case mfa_mode::context_aware: return "context-aware";
    case mfa_mode::always_on: return "always-on";
    case mfa_mode::disabled: return "disabled";
  }
  return "context-aware";
}

const char* to_string(no_device_policy p) {
  switch (p) {
    case no_device_policy::require_registration: return "require-registration";
    case no_device_policy::email_code: return "email-code";
    case no_device_policy::block: return "block";
    case no_device_policy::allow: return "allow";
  }
  return "require-registration";
}

// The portal's and the sign-in events' words (CredentialType TOTP / WEBAUTHN).
const char* to_string(mfa_kind k) { return k == mfa_kind::totp ? "TOTP" : "WEBAUTHN"; }

result<mfa_mode> parse_mfa_mode(std::string_view s) {
  for (auto m : {mfa_mode::context_aware, mfa_mode::always_on, mfa_mode::disabled})
    if (iequals_ascii(s, to_string(m))) return m;
  return fail(errc::validation, "The MFA mode is one of context-aware, always-on and disabled.");
}

result<no_device_policy> parse_no_device_policy(std::string_view s) {
  for (auto p : {no_device_policy::require_registration, no_device_policy::email_code, no_device_policy::block,
                 no_device_policy::allow})
    if (iequals_ascii(s, to_string(p))) return p;
  return fail(errc::validation, "Without a device, users are one of require-registration, email-code, block and allow.");
}

result<std::string> device_name(std::string_view name) {
  auto n = trim(name);
  if (n.empty()) return std::string();
  if (!valid_utf8(n) || has_control_chars(n) || utf8_length(n) > 64)
    return fail(errc::validation, "An MFA device name is 1 to 64 printable characters.");
  return std::string(n);
}

mfa_device to_device(const store::mfa_device_record& r) {
  return {r.id, r.user_id, r.kind == "totp" ? mfa_kind::totp : mfa_kind::webauthn, r.name, r.created, r.last_used};
}

static json device_json(const mfa_device& d) {
  return {{"deviceId", d.id}, {"userId", d.user_id}, {"type", to_string(d.kind)}, {"name", d.name},
          {"created", iso8601(d.created)}};
}

call_context audit_context(const call_context& ctx, const char* source, const char* event, std::string params) {
  call_context c = ctx;
  c.read_only = false;
  c.event_source = source;
  c.event_name = event;
  c.request_parameters = std::move(params);
  return c;
}

namespace {
// An enrollment row's value: the user, the sealed secret, the wrong codes so far.
struct pending_enrollment {
  std::string user_id;
  std::string sealed_secret;
  int attempts = 0;
};

std::string enrollment_value(const std::string& user_id, const std::string& sealed_secret, int attempts) {
  return nlohmann::json{{"u", user_id}, {"s", sealed_secret}, {"a", attempts}}.dump();
}

std::optional<pending_enrollment> parse_enrollment(const std::string& value) {
  auto j = nlohmann::json::parse(value, nullptr, false);
  if (!j.is_object() || !j.contains("u") || !j["u"].is_string() || !j.contains("s") || !j["s"].is_string() ||
      !j.contains("a") || !j["a"].is_number_integer())
    return std::nullopt;
  return pending_enrollment{j["u"].get<std::string>(), j["s"].get<std::string>(), j["a"].get<int>()};
}
}  // namespace

result<void> mfa_user_exists(store::transaction& tx, const std::string& user_id) {
  auto u = tx.users().get(user_id);
  if (!u) return std::unexpected(u.error());
  if (!*u) return not_found("USER", user_id);
  return {};
}

result<mfa_settings> mfa_settings_in(store::transaction& tx) {
  auto v = tx.settings().get(settings_key);
  if (!v) return std::unexpected(v.error());
  if (!*v) return mfa_settings{};
  return settings_from(**v);
}

result<mfa_device> add_mfa_device(audited_store& store, const mfa_options& opt, const call_context& ctx, const char* event,
                                  store::mfa_device_record rec) {
  auto c = audit_context(ctx, directory_source, event, to_json_text({{"userId", rec.user_id}, {"deviceName", rec.name}}));
  return store.write<mfa_device>(
      c,
      [&](store::transaction& tx) -> result<mfa_device> {
        if (auto u = mfa_user_exists(tx, rec.user_id); !u) return std::unexpected(u.error());
        auto existing = tx.mfa_devices().list_for_user(rec.user_id);
        if (!existing) return std::unexpected(existing.error());
        long same = std::count_if(existing->begin(), existing->end(), [&](const auto& d) { return d.kind == rec.kind; });
        int cap = rec.kind == "totp" ? opt.max_totp_devices : opt.max_webauthn_devices;
        if (same >= cap)
          return fail(errc::quota_exceeded, rec.kind == "totp" ? "A user can register at most " + std::to_string(cap) + " authenticator apps."
                                                              : "A user can register at most " + std::to_string(cap) + " security keys.");
        if (rec.name.empty()) rec.name = default_name(*existing, rec.kind);
        if (auto r = tx.mfa_devices().insert(rec); !r) return std::unexpected(r.error());
        return to_device(rec);
      },
      json_text_of([](const mfa_device& d) { return device_json(d); }));
}

mfa_service::mfa_service(audited_store& store, const crypto::secret_box& box, const clock& clk, random_source& rnd,
                         mfa_options opt)
    : p_(std::make_unique<impl>(store, box, clk, rnd, std::move(opt))) {}

mfa_service::~mfa_service() = default;

const crypto::secret_box& mfa_service::box() const { return p_->box; }

webauthn_ceremonies& mfa_service::webauthn() { return p_->webauthn; }

result<mfa_settings> mfa_service::settings() {
  std::optional<mfa_settings> out;
  auto r = p_->store.db().read([&](store::transaction& tx) -> result<void> {
    TRY(s, settings_in(tx));
    out = std::move(s);
    return {};
  });
  if (!r) return std::unexpected(r.error());
  return *out;
}

result<mfa_settings> mfa_service::settings_in(store::transaction& tx) { return mfa_settings_in(tx); }

result<void> mfa_service::set_settings(const call_context& ctx, const mfa_settings& s) {
  // The console asks for at least one type ("Users can authenticate with these MFA types").
  if (!s.totp_allowed && !s.webauthn_allowed)
    return fail(errc::validation, "Allow at least one MFA type (authenticator apps or security keys).");
  auto c = audit_context(ctx, sso_source, "PutMfaDeviceManagementForDirectory", to_json_text(settings_json(s)));
  auto r = p_->store.write<bool>(
      c,
      [&](store::transaction& tx) -> result<bool> {
        if (auto p = tx.settings().put(settings_key, settings_json(s).dump()); !p) return std::unexpected(p.error());
        return true;
      },
      json_text_of([](bool) { return json(nullptr); }));
  if (!r) return std::unexpected(r.error());
  return {};
}

result<std::vector<mfa_device>> mfa_service::devices(const std::string& user_id) {
  std::vector<mfa_device> out;
  auto r = p_->store.db().read([&](store::transaction& tx) -> result<void> {
    TRY(d, devices_in(tx, user_id));
    out = std::move(d);
    return {};
  });
  if (!r) return std::unexpected(r.error());
  return out;
}

result<std::vector<mfa_device>> mfa_service::devices_in(store::transaction& tx, const std::string& user_id) {
  std::vector<mfa_device> out;
  TRY(rows, tx.mfa_devices().list_for_user(user_id));
  out.reserve(rows.size());
  for (const auto& d : rows) out.push_back(to_device(d));
  return out;
}

result<void> mfa_service::rename(const call_context& ctx, const std::string& user_id, const std::string& device_id,
                                 std::string_view name) {
  auto n = device_name(name);
  if (!n) return std::unexpected(n.error());
  if (n->empty()) return fail(errc::validation, "An MFA device name is 1 to 64 printable characters.");
  auto c = audit_context(ctx, directory_source, "UpdateMfaDeviceForUser",
                         to_json_text({{"userId", user_id}, {"deviceId", device_id}, {"deviceName", *n}}));
  auto r = p_->store.write<bool>(
      c,
      [&](store::transaction& tx) -> result<bool> {
        auto d = tx.mfa_devices().get(device_id);
        if (!d) return std::unexpected(d.error());
        if (!*d || (*d)->user_id != user_id) return not_found("MfaDevice", device_id);
        return tx.mfa_devices().rename(device_id, *n);
      },
      json_text_of([](bool) { return json(nullptr); }));
  if (!r) return std::unexpected(r.error());
  return {};
}

result<void> mfa_service::remove(const call_context& ctx, const std::string& user_id, const std::string& device_id) {
  auto c = audit_context(ctx, directory_source, "DeleteMfaDeviceForUser", to_json_text({{"userId", user_id}, {"deviceId", device_id}}));
  auto r = p_->store.write<bool>(
      c,
      [&](store::transaction& tx) -> result<bool> {
        auto d = tx.mfa_devices().get(device_id);
        if (!d) return std::unexpected(d.error());
        if (!*d || (*d)->user_id != user_id) return not_found("MfaDevice", device_id);
        return tx.mfa_devices().remove(device_id);
      },
      json_text_of([](bool) { return json(nullptr); }));
  if (!r) return std::unexpected(r.error());
  return {};
}

result<totp_enrollment> mfa_service::begin_totp(const std::string& user_id, std::string_view account_label) {
  auto r = p_->store.db().read([&](store::transaction& tx) -> result<void> {
    if (auto u = mfa_user_exists(tx, user_id); !u) return u;
    auto s = mfa_settings_in(tx);
    if (!s) return std::unexpected(s.error());
    if (!s->totp_allowed) return fail(errc::access_denied, "Authenticator apps are not an allowed MFA type.");
    auto rows = tx.mfa_devices().list_for_user(user_id);
    if (!rows) return std::unexpected(rows.error());
    long n = std::count_if(rows->begin(), rows->end(), [](const auto& d) { return d.kind == "totp"; });
    if (n >= p_->opt.max_totp_devices)
      return fail(errc::quota_exceeded, "A user can register at most " + std::to_string(p_->opt.max_totp_devices) + " authenticator apps.");
    return {};
  });
  if (!r) return std::unexpected(r.error());
  totp_enrollment e;
  std::string secret = crypto::totp::new_secret(p_->rnd);
  e.secret_base32 = crypto::totp::base32(secret);
  e.otpauth_uri = crypto::totp::otpauth_uri(p_->opt.issuer, account_label, e.secret_base32);
  auto svg = qr_svg(e.otpauth_uri);
  if (!svg) return std::unexpected(svg.error());
  e.qr_svg = std::move(*svg);
  auto now = p_->clk.now();
  e.enrollment_id = "enr-" + p_->rnd.hex(16);
  // In the store (migration 0019), not in this node's memory: the confirming request may reach
  // another node (issue 13 item 2). The secret is sealed as a device's is.
  store::transient_record rec{std::string(totp_enrollment_kind), e.enrollment_id,
                              enrollment_value(user_id, p_->box.seal(secret), 0), now + p_->opt.challenge_ttl, 0};
  auto put = p_->store.db().write([&](store::transaction& tx) -> result<void> {
    TRY(pending, tx.transient_state().count(std::string(totp_enrollment_kind), now));
    if (pending >= static_cast<int64_t>(max_pending_ceremonies))
      return fail(errc::throttled, "Too many MFA registrations and sign-ins are in progress; try again shortly.");
    TRY(v, tx.transient_state().put(rec, now));
    (void)v;
    return {};
  });
  if (!put) return std::unexpected(put.error());
  return e;
}

result<mfa_device> mfa_service::finish_totp(const call_context& ctx, const std::string& user_id,
                                            const std::string& enrollment_id, std::string_view code,
                                            std::string_view name) {
  auto n = device_name(name);
  if (!n) return std::unexpected(n.error());
  auto now = p_->clk.now();
  store::mfa_device_record rec;
  // Read, check and count in one write transaction: the attempt counter holds across nodes
  // (SQLite's single writer, PostgreSQL's SERIALIZABLE retry).
  result<void> outcome;
  auto w = p_->store.db().write([&](store::transaction& tx) -> result<void> {
    outcome = {};
    TRY(row, tx.transient_state().get(std::string(totp_enrollment_kind), enrollment_id, now));
    auto pending = row ? parse_enrollment(row->value) : std::nullopt;
    if (!pending || pending->user_id != user_id) {
      outcome = fail(errc::validation, "The authenticator app registration has expired; start again.");
      return {};
    }
    auto secret = p_->box.open(pending->sealed_secret);
    if (!secret) return fail(errc::internal, "A pending authenticator app's secret cannot be opened.");
    // The guide: "type the one-time password that currently appears" — proof that the app
    // holds the secret before it is stored. A few wrong codes end the registration.
    auto step = crypto::totp::match(*secret, code, now);
    if (!step) {
      outcome = fail(errc::unauthenticated, "The authenticator code is not valid.");
      if (pending->attempts + 1 >= max_enrollment_attempts) {
        TRY(gone, tx.transient_state().remove(row->kind, row->key));
        (void)gone;
        return {};
      }
      row->value = enrollment_value(user_id, pending->sealed_secret, pending->attempts + 1);
      TRY(v, tx.transient_state().put(*row, now));
      (void)v;
      return {};
    }
    // Taken once: a second confirmation of the same enrollment (on any node) finds no row.
    TRY(taken, tx.transient_state().remove(row->kind, row->key, row->version));
    if (!taken) {
      outcome = fail(errc::validation, "The authenticator app registration has expired; start again.");
      return {};
    }
    rec.sealed_secret = pending->sealed_secret;
    rec.last_step = *step;  // the registration code cannot be used again to sign in
    return {};
  });
  if (!w) return std::unexpected(w.error());
  if (!outcome) return std::unexpected(outcome.error());
  rec.id = "mfa-" + p_->rnd.hex(16);
  rec.user_id = user_id;
  rec.kind = "totp";
  rec.name = *n;
  rec.created = now;
  return add_mfa_device(p_->store, p_->opt, ctx, "CompleteVirtualMfaDeviceRegistration", std::move(rec));
}

result<bool> mfa_service::verify_totp(const call_context& ctx, const std::string& user_id, std::string_view code) {
  std::vector<store::mfa_device_record> apps;
  bool allowed = false;
  auto r = p_->store.db().read([&](store::transaction& tx) -> result<void> {
    auto s = mfa_settings_in(tx);
    if (!s) return std::unexpected(s.error());
    allowed = s->totp_allowed;
    auto rows = tx.mfa_devices().list_for_user(user_id);
    if (!rows) return std::unexpected(rows.error());
    for (auto& d : *rows)
      if (d.kind == "totp") apps.push_back(std::move(d));
    return {};
  });
  if (!r) return std::unexpected(r.error());
  if (!allowed) return false;
  auto now = p_->clk.now();
  for (const auto& d : apps) {
    auto secret = p_->box.open(d.sealed_secret);
    if (!secret) return fail(errc::internal, "An authenticator app's secret cannot be opened.");
    auto step = crypto::totp::match(*secret, code, now);
    if (!step) continue;
    // RFC 6238 §5.2: each step is accepted once per device; the conditional update decides.
    bool accepted = false;
    auto w = p_->store.db().write([&](store::transaction& tx) -> result<void> {
      auto a = tx.mfa_devices().accept_totp_step(d.id, *step, now);
      if (!a) return std::unexpected(a.error());
      accepted = *a;
      return {};
    });
    if (!w) return std::unexpected(w.error());
    if (accepted) return true;
  }
  return false;
}

}  // namespace atrium::service
