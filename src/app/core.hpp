#pragma once
// What every wing of the application is wired on: the configuration, the injected clock and
// random source, the store, the master key, the deployment's ids, the audit, the admin keys'
// authentication, the throttle and the router the doors register with. Made first and
// destroyed last (runtime.cpp).
#include <filesystem>
#include <memory>
#include <optional>
#include <string>

#include "app/config.hpp"
#include "base/clock.hpp"
#include "base/random.hpp"
#include "crypto/primitives.hpp"
#include "proto/kit/router.hpp"
#include "service/admin/admin_auth.hpp"
#include "service/audit/audited_store.hpp"
#include "service/audit/auditor.hpp"
#include "service/admin/throttle.hpp"
#include "store/repositories.hpp"

namespace atrium::app {

struct deployment_ids {
  std::string identity_store_id;  // d-xxxxxxxxxx
  std::string account_id;         // 12 digits: the management account of this deployment
  std::string instance_id;        // ssoins-<16 hex>: the one sso-admin instance (settings "instance_id")
  std::string instance_arn;       // arn:aws:sso:::instance/<instance_id>
};

struct core {
  core(const config& c, const clock& clk, random_source& rnd) : cfg(c), clk(clk), rnd(rnd) {}

  config cfg;
  const clock& clk;
  random_source& rnd;
  std::unique_ptr<store::database> db;
  std::optional<crypto::secret_box> box;
  deployment_ids ids;
  std::unique_ptr<service::auditor> audit;
  std::unique_ptr<service::audited_store> audited;
  std::unique_ptr<service::admin_auth> auth;
  std::unique_ptr<service::throttler> throttle;
  // Which door serves a path, and the error shape of the server's own answers there.
  proto::router routes;

  // scheme://public_host:<port><path>, the URLs the deployment hands out.
  std::string public_url(uint16_t port, std::string_view path) const;
};

// Opens the store (creating the data directory), loads or creates the master key and the
// deployment's ids, and makes the audit, the admin keys' authentication and the throttle.
// Throws std::runtime_error (start-up).
std::unique_ptr<core> open_core(const config& cfg, const clock& clk, random_source& rnd);

[[noreturn]] void fatal(const std::string& what);

// The first line of store.postgresql.password_file (a trailing newline is not part of it).
// Throws std::runtime_error when the file cannot be read.
std::string read_password_file(const std::filesystem::path& file);

// A data folder the binary uses (the web UI, the application catalog): `configured` when set,
// else `<folder of the binary>/<beside_binary>` when it holds `marker` (an installation), else
// `source_tree` (the build tree's copy).
std::filesystem::path data_dir_of(const std::filesystem::path& configured, const char* beside_binary, const char* marker,
                                  const char* source_tree);

// Changes Atrium makes by itself at start-up (creating the organization) are audited as the
// deployment's root acting through the system door.
service::call_context system_context(const std::string& account_id);

}  // namespace atrium::app
