#include "app/core.hpp"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <functional>
#include <stdexcept>

#include "domain/ids.hpp"
#include "domain/permission_set.hpp"
#include "store/postgresql/pg_database.hpp"
#include "store/sqlite/sqlite_database.hpp"

namespace atrium::app {

namespace {

// Reads a deployment setting, creating it on first start.
std::string setting_or_create(store::database& db, const std::string& key,
                              const std::function<std::string()>& make) {
  std::string value;
  auto r = db.write([&](store::transaction& tx) -> result<void> {
    auto v = tx.settings().get(key);
    if (!v) return std::unexpected(v.error());
    if (*v) {
      value = **v;
      return {};
    }
    value = make();
    return tx.settings().put(key, value);
  });
  if (!r) fatal("cannot initialise setting " + key + ": " + r.error().message);
  return value;
}

std::string twelve_digits(random_source& rnd) {
  std::string out;
  unsigned char b[12];
  rnd.fill(b, sizeof b);
  for (unsigned char c : b) out.push_back(static_cast<char>('0' + c % 10));
  if (out[0] == '0') out[0] = '1';
  return out;
}

std::unique_ptr<store::database> open_postgresql(const config& cfg) {
  if (cfg.pg_conninfo.empty()) fatal("store.kind=postgresql needs store.postgresql.conninfo");
  store::postgresql::pg_options o;
  o.connection.conninfo = cfg.pg_conninfo;
  if (!cfg.pg_password_file.empty()) o.connection.password = read_password_file(cfg.pg_password_file);
  o.connection.connect_timeout_s = cfg.pg_connect_timeout_seconds;
  o.connection.statement_timeout_ms = cfg.pg_statement_timeout_ms;
  o.pool_size = cfg.pg_pool_size;
  o.acquire_timeout_ms = cfg.pg_acquire_timeout_ms;
  o.reconnect_backoff_max_ms = cfg.pg_reconnect_backoff_max_ms;
  o.detached_max = static_cast<std::size_t>(cfg.deferred_queue_limit);
  auto db = store::postgresql::pg_database::open(o);
  // The error names the server with the password redacted (store/postgresql/connection.hpp).
  if (!db) fatal("cannot open store " + store::postgresql::redact_conninfo(cfg.pg_conninfo) + ": " + db.error().message);
  return std::move(*db);
}

std::unique_ptr<store::database> open_store(const config& cfg) {
  std::filesystem::create_directories(cfg.data_dir);  // the master key and the audit file live here
  if (cfg.store_kind == "postgresql") return open_postgresql(cfg);
  store::sqlite::sqlite_options so;
  so.file = cfg.db_file();
  so.synchronous_full = cfg.sqlite_synchronous_full;
  so.reader_connections = cfg.sqlite_reader_connections;
  so.memory.writer_cache_mib = cfg.sqlite_cache_mb;
  so.memory.reader_cache_mib = std::max(1, cfg.sqlite_cache_mb / 4);
  so.memory.mmap_mib = cfg.sqlite_mmap_mb;
  so.deferred_max = static_cast<std::size_t>(cfg.deferred_queue_limit);
  auto db = store::sqlite::sqlite_database::open(so);
  if (!db) fatal("cannot open store " + cfg.db_file().string() + ": " + db.error().message);
  return std::move(*db);
}

}  // namespace

std::string read_password_file(const std::filesystem::path& file) {
  std::ifstream in(file);
  if (!in) fatal("cannot read store.postgresql.password_file " + file.string());
  std::string line;
  std::getline(in, line);
  if (!line.empty() && line.back() == '\r') line.pop_back();
  return line;
}

[[noreturn]] void fatal(const std::string& what) { throw std::runtime_error(what); }

service::call_context system_context(const std::string& account_id) {
  service::call_context ctx;
  ctx.who.type = "Root";
  ctx.who.account_id = account_id;
  ctx.who.arn = "arn:aws:iam::" + account_id + ":root";
  ctx.who.user_name = "atrium";
  ctx.source_ip = "localhost";
  ctx.user_agent = "atrium";
  ctx.event_source = "organizations.amazonaws.com";
  ctx.via = domain::door::system;
  return ctx;
}

std::string core::public_url(uint16_t port, std::string_view path) const {
  return std::string(cfg.server.tls ? "https://" : "http://") + cfg.public_host + ":" + std::to_string(port) +
         std::string(path);
}

std::unique_ptr<core> open_core(const config& cfg, const clock& clk, random_source& rnd) {
  auto c = std::make_unique<core>(cfg, clk, rnd);
  c->db = open_store(cfg);
  auto box = crypto::secret_box::load_or_create(cfg.master_key_file());
  if (!box) fatal("cannot load master key: " + box.error().message);
  c->box.emplace(std::move(*box));
  auto& ids = c->ids;
  ids.identity_store_id = setting_or_create(*c->db, "identity_store_id", [&] { return domain::new_identity_store_id(rnd); });
  ids.account_id = setting_or_create(*c->db, "account_id", [&] { return twelve_digits(rnd); });
  ids.instance_id = setting_or_create(*c->db, "instance_id", [&] { return domain::new_instance_id(rnd); });
  ids.instance_arn = domain::instance_arn(ids.instance_id);
  std::optional<std::filesystem::path> jsonl;
  if (cfg.audit_file) jsonl = cfg.audit_jsonl();
  c->audit = std::make_unique<service::auditor>(clk, rnd, jsonl);
  c->audited = std::make_unique<service::audited_store>(*c->db, *c->audit);
  c->auth = std::make_unique<service::admin_auth>(*c->db, *c->box, rnd, clk, ids.account_id);
  c->throttle = std::make_unique<service::throttler>(clk, cfg.throttle);
  return c;
}

std::filesystem::path data_dir_of(const std::filesystem::path& configured, const char* beside_binary, const char* marker,
                                  const char* source_tree) {
  if (!configured.empty()) return configured;
  std::error_code ec;
  auto exe = std::filesystem::read_symlink("/proc/self/exe", ec);
  if (!ec && std::filesystem::exists(exe.parent_path() / beside_binary / marker, ec)) return exe.parent_path() / beside_binary;
  return source_tree;
}

}  // namespace atrium::app
