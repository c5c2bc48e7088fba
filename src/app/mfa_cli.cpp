#include "app/mfa_cli.hpp"

#include <iostream>
#include <nlohmann/json.hpp>

#include "app/cli_common.hpp"
#include "app/runtime.hpp"
#include "service/idsource/idp_config.hpp"
#include "base/json_text.hpp"
#include "base/strings.hpp"
#include "proto/aws/wire.hpp"
#include "crypto/primitives.hpp"
#include "domain/identity.hpp"
#include "service/signin/mfa_service.hpp"
#include "store/mfa_device_repository.hpp"

namespace atrium::app {

namespace {

using nlohmann::json;

// The device named by --device: a device id, else a device name of that user.
result<std::string> find_device(const std::vector<service::mfa_device>& devs, const std::string& which) {
  for (const auto& d : devs)
    if (d.id == which) return d.id;
  for (const auto& d : devs)
    if (d.name == which) return d.id;
  return not_found("MfaDevice", which);
}

result<bool> parse_bool(const std::string& s) {
  if (iequals_ascii(s, "true")) return true;
  if (iequals_ascii(s, "false")) return false;
  return fail(errc::validation, "--users-manage-devices is true or false.");
}

result<void> apply_types(service::mfa_settings& s, const std::string& list) {
  s.totp_allowed = s.webauthn_allowed = false;
  for (auto t : split(list, ',')) {
    auto v = trim(t);
    if (iequals_ascii(v, "totp")) s.totp_allowed = true;
    else if (iequals_ascii(v, "webauthn")) s.webauthn_allowed = true;
    else return fail(errc::validation, "--types is a list of totp and webauthn.");
  }
  return {};
}

json settings_json(const service::mfa_settings& s) {
  json types = json::array();
  if (s.totp_allowed) types.push_back("totp");
  if (s.webauthn_allowed) types.push_back("webauthn");
  return {{"Mode", to_string(s.mode)}, {"Types", types}, {"WithoutDevice", to_string(s.without_device)},
          {"UsersManageDevices", s.users_manage_devices}};
}

void print_settings(const service::mfa_settings& s) {
  std::cout << "Mode:                 " << to_string(s.mode) << "\n"
            << "Types:                " << (s.totp_allowed ? "totp" : "") << (s.totp_allowed && s.webauthn_allowed ? "," : "")
            << (s.webauthn_allowed ? "webauthn" : "") << "\n"
            << "Without a device:     " << to_string(s.without_device) << "\n"
            << "Users manage devices: " << (s.users_manage_devices ? "true" : "false") << "\n";
}

// The service needs the master key only to seal TOTP secrets; these commands never do, but
// the service is one object.
std::unique_ptr<service::mfa_service> make_service(service::audited_store& audit, const crypto::secret_box& box,
                                                   const clock& clk, random_source& rnd) {
  service::mfa_options o;
  return std::make_unique<service::mfa_service>(audit, box, clk, rnd, o);
}

}  // namespace

mfa_commands::mfa_commands(CLI::App* admin) {
  mfa_ = admin->add_subcommand("mfa", "Multi-factor authentication: settings and users' devices")->require_subcommand(1);
  settings_ = mfa_->add_subcommand("settings", "Print or change the MFA settings (no option: print)");
  settings_->add_option("--mode", mode_, "context-aware | always-on | disabled");
  settings_->add_option("--types", types_, "Allowed MFA types: totp,webauthn (comma-separated)");
  settings_->add_option("--without-device", without_device_, "require-registration | email-code | block | allow");
  settings_->add_option("--users-manage-devices", users_manage_, "true: users add and manage their own devices");
  devices_ = mfa_->add_subcommand("devices", "A user's MFA devices")->require_subcommand(1);
  list_ = devices_->add_subcommand("list", "List a user's MFA devices");
  rename_ = devices_->add_subcommand("rename", "Rename a user's MFA device");
  delete_ = devices_->add_subcommand("delete", "Delete a user's MFA device");
  for (auto* c : {settings_, list_, rename_, delete_}) {
    add_common(c, common_);
    c->add_flag("--json", json_, "Print JSON");
  }
  for (auto* c : {list_, rename_, delete_}) c->add_option("--user", user_, "User name or user id")->required();
  for (auto* c : {rename_, delete_}) c->add_option("--device", device_, "Device id or name")->required();
  rename_->add_option("--name", name_, "New name (1-64 printable characters)")->required();
}

std::optional<int> mfa_commands::run() {
  if (!*mfa_) return std::nullopt;
  return *settings_ ? settings() : devices();
}

int mfa_commands::settings() {
  auto cfg = load_config(common_);
  auto rt = runtime::open(cfg);
  auto env = cli_env_of(*rt);
  auto box = crypto::secret_box::load_or_create(cfg.master_key_file());
  if (!box) throw std::runtime_error("cannot load master key: " + box.error().message);
  system_clock clk;
  crypto::sodium_random rnd;
  auto mfa = make_service(env.audit, *box, clk, rnd);
  bool change = !mode_.empty() || !types_.empty() || !without_device_.empty() || !users_manage_.empty();
  auto ctx = cli_context(env, "sso.amazonaws.com", change ? "PutMfaDeviceManagementForDirectory" : "GetMfaDeviceManagementForDirectory");
  auto cur = mfa->settings();
  if (!cur) return cli_failed(env, ctx, cur.error());
  auto s = *cur;
  if (change) {
    auto apply = [&]() -> result<void> {
      if (!mode_.empty()) {
        auto m = service::parse_mfa_mode(mode_);
        if (!m) return std::unexpected(m.error());
        s.mode = *m;
      }
      if (!types_.empty())
        if (auto t = apply_types(s, types_); !t) return t;
      if (!without_device_.empty()) {
        auto p = service::parse_no_device_policy(without_device_);
        if (!p) return std::unexpected(p.error());
        s.without_device = *p;
      }
      if (!users_manage_.empty()) {
        auto b = parse_bool(users_manage_);
        if (!b) return std::unexpected(b.error());
        s.users_manage_devices = *b;
      }
      return mfa->set_settings(ctx, s);
    };
    if (auto r = apply(); !r) return cli_failed(env, ctx, r.error());
  }
  // With an external IdP as identity source, MFA is the IdP's business (issue 17 item 6; the
  // service's settings page says so): these settings apply to built-in (break-glass) users only.
  bool external = false;
  (void)rt->base().db->read([&](store::transaction& tx) -> result<void> {
    auto st = service::read_identity_source(tx);
    if (st) external = st->external;
    return {};
  });
  if (json_) {
    auto j = settings_json(s);
    if (external) {
      j["IdentitySource"] = "EXTERNAL_IDP";
      j["AppliesTo"] = "BUILT_IN_USERS_ONLY";
    }
    std::cout << j.dump() << "\n";
  } else {
    print_settings(s);
    if (external)
      std::cout << "The identity source is an external identity provider: its users' MFA is configured there; "
                   "these settings apply only to built-in users who sign in with a password.\n";
  }
  return 0;
}

int mfa_commands::devices() {
  auto cfg = load_config(common_);
  auto rt = runtime::open(cfg);
  auto env = cli_env_of(*rt);
  auto box = crypto::secret_box::load_or_create(cfg.master_key_file());
  if (!box) throw std::runtime_error("cannot load master key: " + box.error().message);
  system_clock clk;
  crypto::sodium_random rnd;
  auto mfa = make_service(env.audit, *box, clk, rnd);
  const char* event = *list_ ? "ListMfaDevicesForUser" : *rename_ ? "UpdateMfaDeviceForUser" : "DeleteMfaDeviceForUser";
  auto ctx = cli_context(env, "sso-directory.amazonaws.com", event);
  ctx.request_parameters = to_json_text({{"user", user_}});
  auto user = find_cli_user(*rt->base().db, user_);
  if (!user) return cli_failed(env, ctx, user.error());
  const std::string* uid = &user->id;
  auto devs = mfa->devices(*uid);
  if (!devs) return cli_failed(env, ctx, devs.error());
  if (*list_) {
    env.audit.record_success(ctx);
    json out = json::array();
    for (const auto& d : *devs)
      out.push_back({{"DeviceId", d.id}, {"Type", to_string(d.kind)}, {"Name", d.name}, {"Created", iso8601(d.created, false)},
                     {"LastUsed", d.last_used ? json(iso8601(*d.last_used, false)) : json(nullptr)}});
    if (json_) {
      std::cout << json{{"UserId", *uid}, {"Devices", out}}.dump() << "\n";
    } else if (devs->empty()) {
      std::cout << "  (no MFA devices)\n";
    } else {
      for (const auto& d : *devs)
        std::cout << "  " << d.id << "  " << to_string(d.kind) << "  " << d.name << "  created " << iso8601(d.created, false)
                  << "  last used " << (d.last_used ? iso8601(*d.last_used, false) : std::string("never")) << "\n";
    }
    return 0;
  }
  auto dev = find_device(*devs, device_);
  if (!dev) return cli_failed(env, ctx, dev.error());
  if (*rename_) {
    if (auto r = mfa->rename(ctx, *uid, *dev, name_); !r) return cli_failed(env, ctx, r.error());
    if (json_) std::cout << json{{"UserId", *uid}, {"DeviceId", *dev}, {"Name", name_}}.dump() << "\n";
    else std::cout << "Renamed " << *dev << " to " << name_ << ".\n";
    return 0;
  }
  if (auto r = mfa->remove(ctx, *uid, *dev); !r) return cli_failed(env, ctx, r.error());
  if (json_) std::cout << json{{"UserId", *uid}, {"DeviceId", *dev}, {"Deleted", true}}.dump() << "\n";
  else std::cout << "Deleted " << *dev << ".\n";
  return 0;
}

}  // namespace atrium::app
