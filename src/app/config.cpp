#include "app/config.hpp"

#include <charconv>
#include <cstdlib>
#include <fstream>
#include <functional>
#include <map>
#include <nlohmann/json.hpp>

namespace atrium::app {

namespace {

using setter = std::function<std::string(config&, const std::string&)>;

template <class Int>
std::string parse_int(const std::string& v, Int& out, Int lo, Int hi) {
  long long n = 0;
  auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), n);
  if (ec != std::errc() || p != v.data() + v.size() || n < static_cast<long long>(lo) ||
      n > static_cast<long long>(hi))
    return "must be an integer between " + std::to_string(lo) + " and " + std::to_string(hi);
  out = static_cast<Int>(n);
  return "";
}

std::string parse_double(const std::string& v, double& out) {
  char* end = nullptr;
  double d = std::strtod(v.c_str(), &end);
  if (v.empty() || *end != '\0' || !(d > 0)) return "must be a positive number";
  out = d;
  return "";
}

std::string parse_bool(const std::string& v, bool& out) {
  if (v == "true" || v == "1" || v == "yes") out = true;
  else if (v == "false" || v == "0" || v == "no") out = false;
  else return "must be true or false";
  return "";
}

std::string parse_seconds(const std::string& v, std::chrono::seconds& out) {
  int n = 0;
  auto e = parse_int(v, n, 1, 86400);
  if (e.empty()) out = std::chrono::seconds(n);
  return e;
}

// An http(s) URL without spaces, quotes or angle brackets (it goes into a CSP header and a
// form's action).
std::string parse_url(const std::string& v, std::string& out) {
  auto host_at = v.find("://") + 3;
  bool ok = (v.starts_with("https://") || v.starts_with("http://")) && v.size() <= 2048 &&
            v.find_first_of(" \t\r\n\"'<>;,\\") == std::string::npos && host_at < v.size() && v[host_at] != '/';
  if (!ok) return "must be an http:// or https:// URL (at most 2048 characters, no spaces, quotes, ';' or ',')";
  out = v;
  return "";
}

const std::map<std::string, setter>& setters() {
  static const std::map<std::string, setter> table = {
      {"data_dir", [](config& c, const std::string& v) { c.data_dir = v; return std::string(); }},
      {"region", [](config& c, const std::string& v) { c.region = v; return std::string(); }},
      {"log_level", [](config& c, const std::string& v) { c.log_level = v; return std::string(); }},
      {"public_host", [](config& c, const std::string& v) { c.public_host = v; return std::string(); }},
      {"port_file", [](config& c, const std::string& v) { c.port_file = v; return std::string(); }},
      {"audit_file", [](config& c, const std::string& v) { return parse_bool(v, c.audit_file); }},
      {"sqlite.synchronous_full", [](config& c, const std::string& v) { return parse_bool(v, c.sqlite_synchronous_full); }},
      {"sqlite.reader_connections", [](config& c, const std::string& v) { return parse_int(v, c.sqlite_reader_connections, 1, 256); }},
      {"sqlite.cache_mb", [](config& c, const std::string& v) { return parse_int(v, c.sqlite_cache_mb, 2, 65536); }},
      {"sqlite.mmap_mb", [](config& c, const std::string& v) { return parse_int(v, c.sqlite_mmap_mb, 0, 1048576); }},
      {"store.kind", [](config& c, const std::string& v) {
         if (v != "sqlite" && v != "postgresql") return std::string("store.kind must be sqlite or postgresql");
         c.store_kind = v;
         return std::string(); }},
      {"store.deferred_queue_limit", [](config& c, const std::string& v) { return parse_int(v, c.deferred_queue_limit, 16, 1'000'000); }},
      {"store.postgresql.conninfo", [](config& c, const std::string& v) { c.pg_conninfo = v; return std::string(); }},
      {"store.postgresql.password_file", [](config& c, const std::string& v) { c.pg_password_file = v; return std::string(); }},
      {"store.postgresql.pool_size", [](config& c, const std::string& v) { return parse_int(v, c.pg_pool_size, 1, 1000); }},
      {"store.postgresql.connect_timeout_seconds", [](config& c, const std::string& v) { return parse_int(v, c.pg_connect_timeout_seconds, 1, 600); }},
      {"store.postgresql.statement_timeout_ms", [](config& c, const std::string& v) { return parse_int(v, c.pg_statement_timeout_ms, 0, 3'600'000); }},
      {"store.postgresql.acquire_timeout_ms", [](config& c, const std::string& v) { return parse_int(v, c.pg_acquire_timeout_ms, 1, 600'000); }},
      {"store.postgresql.reconnect_backoff_max_ms", [](config& c, const std::string& v) { return parse_int(v, c.pg_reconnect_backoff_max_ms, 1, 600'000); }},
      {"server.bind", [](config& c, const std::string& v) { c.server.bind_address = v; return std::string(); }},
      {"server.port", [](config& c, const std::string& v) { return parse_int<uint16_t>(v, c.server.port, 0, 65535); }},
      {"server.tls", [](config& c, const std::string& v) { return parse_bool(v, c.server.tls); }},
      {"server.cert_file", [](config& c, const std::string& v) { c.server.cert_file = v; return std::string(); }},
      {"server.key_file", [](config& c, const std::string& v) { c.server.key_file = v; return std::string(); }},
      {"server.network_threads", [](config& c, const std::string& v) { return parse_int(v, c.server.network_threads, 1, 64); }},
      {"server.inline_reads", [](config& c, const std::string& v) { return parse_bool(v, c.server_inline_reads); }},
      {"server.async_writes", [](config& c, const std::string& v) { return parse_bool(v, c.server_async_writes); }},
      {"server.worker_threads", [](config& c, const std::string& v) { return parse_int(v, c.server.worker_threads, 1, 1024); }},
      {"server.shutdown_grace_seconds", [](config& c, const std::string& v) { return parse_seconds(v, c.server.shutdown_grace); }},
      {"limits.header_bytes", [](config& c, const std::string& v) { return parse_int<std::size_t>(v, c.server.lim.header_bytes, 1024, 1 << 20); }},
      {"limits.body_bytes", [](config& c, const std::string& v) { return parse_int<std::size_t>(v, c.server.lim.body_bytes, 1024, 64 << 20); }},
      {"limits.read_timeout_seconds", [](config& c, const std::string& v) { return parse_seconds(v, c.server.lim.read_timeout); }},
      {"limits.idle_timeout_seconds", [](config& c, const std::string& v) { return parse_seconds(v, c.server.lim.idle_timeout); }},
      {"limits.max_connections", [](config& c, const std::string& v) { return parse_int<std::size_t>(v, c.server.lim.max_connections, 1, 1 << 20); }},
      {"throttle.default_rate", [](config& c, const std::string& v) {
         auto e = parse_double(v, c.throttle.default_rate);
         if (e.empty()) c.throttle.default_burst = 2 * c.throttle.default_rate;
         return e; }},
      {"throttle.default_burst", [](config& c, const std::string& v) { return parse_double(v, c.throttle.default_burst); }},
      {"quotas.max_users", [](config& c, const std::string& v) { return parse_int<int64_t>(v, c.quotas.max_users, 1, 100'000'000); }},
      {"quotas.max_groups", [](config& c, const std::string& v) { return parse_int<int64_t>(v, c.quotas.max_groups, 1, 100'000'000); }},
      {"quotas.max_members_per_group", [](config& c, const std::string& v) { return parse_int<int64_t>(v, c.quotas.max_members_per_group, 1, 100'000'000); }},
      {"quotas.permission_sets", [](config& c, const std::string& v) { return parse_int(v, c.permission_set_quotas.permission_sets, 1, 1'000'000); }},
      {"quotas.managed_policies_per_permission_set", [](config& c, const std::string& v) { return parse_int(v, c.permission_set_quotas.managed_policies, 1, 1000); }},
      {"quotas.customer_managed_policies_per_permission_set", [](config& c, const std::string& v) { return parse_int(v, c.permission_set_quotas.customer_managed_policies, 1, 1000); }},
      {"quotas.inline_policy_bytes", [](config& c, const std::string& v) { return parse_int(v, c.permission_set_quotas.inline_policy_bytes, 1, 32768); }},
      {"quotas.tags_per_resource", [](config& c, const std::string& v) { return parse_int(v, c.permission_set_quotas.tags, 1, 1000); }},
      {"sso_admin.max_outstanding_requests", [](config& c, const std::string& v) { return parse_int<int64_t>(v, c.sso_admin_max_outstanding_requests, 1, 1'000'000); }},
      {"portal.session_hours", [](config& c, const std::string& v) { return parse_int(v, c.portal_session_hours, 1, 24 * 7); }},
      {"portal.account_failures", [](config& c, const std::string& v) { return parse_int(v, c.portal_account_failures, 1, 1000); }},
      {"portal.address_failures", [](config& c, const std::string& v) { return parse_int(v, c.portal_address_failures, 1, 100000); }},
      {"portal.first_lockout_seconds", [](config& c, const std::string& v) { return parse_int(v, c.portal_first_lockout_seconds, 1, 3600); }},
      {"portal.max_lockout_seconds", [](config& c, const std::string& v) { return parse_int(v, c.portal_max_lockout_seconds, 1, 86400); }},
      {"web.assets_dir", [](config& c, const std::string& v) { c.web_assets_dir = v; return std::string(); }},
      {"applications.catalog_dir", [](config& c, const std::string& v) { c.applications_catalog_dir = v; return std::string(); }},
      {"applications.certificate_key_bits", [](config& c, const std::string& v) {
         auto e = parse_int(v, c.applications_key_bits, 2048, 4096);
         if (e.empty() && c.applications_key_bits != 2048 && c.applications_key_bits != 3072 && c.applications_key_bits != 4096)
           return std::string("must be 2048, 3072 or 4096");
         return e; }},
      {"console.bootstrap_admin", [](config& c, const std::string& v) {
         if (v.size() > 128) return std::string("must be at most 128 characters");
         c.console_bootstrap_admin = v;
         return std::string(); }},
      {"sp.clock_skew_seconds", [](config& c, const std::string& v) { return parse_int(v, c.sp_clock_skew_seconds, 0, 600); }},
      {"applications.max_applications", [](config& c, const std::string& v) { return parse_int(v, c.applications_max, 1, 100000); }},
      {"provisioner.kind", [](config& c, const std::string& v) {
         if (v != "record-only" && v != "aws-iam") return std::string("provisioner.kind must be record-only or aws-iam");
         c.provisioner_kind = v;
         return std::string(); }},
      {"provisioner.job_lease_seconds", [](config& c, const std::string& v) { return parse_int<int>(v, c.provisioner_job_lease_seconds, 1, 3600); }},
      {"provisioner.iam_endpoint", [](config& c, const std::string& v) { c.provisioner_iam_endpoint = v; return std::string(); }},
      {"provisioner.sts_endpoint", [](config& c, const std::string& v) { c.provisioner_sts_endpoint = v; return std::string(); }},
      {"provisioner.management_account_id", [](config& c, const std::string& v) { c.provisioner_management_account_id = v; return std::string(); }},
      {"provisioner.access_role_name", [](config& c, const std::string& v) { c.provisioner_access_role_name = v; return std::string(); }},
      {"provisioner.role_name_prefix", [](config& c, const std::string& v) {
         domain::role_naming n{v, "/"};
         if (auto r = domain::check_role_naming(n); !r) return r.error().message;
         c.provisioner_role_naming.prefix = v;
         return std::string(); }},
      {"provisioner.parallelism", [](config& c, const std::string& v) { return parse_int(v, c.provisioner_parallelism, 1, 64); }},
      {"provisioner.role_path", [](config& c, const std::string& v) {
         domain::role_naming n{"A", v};
         if (auto r = domain::check_role_naming(n); !r) return r.error().message;
         c.provisioner_role_naming.path = v;
         return std::string(); }},
      {"federation.aws_signin_url", [](config& c, const std::string& v) { return parse_url(v, c.federation_aws_signin_url); }},
      {"federation.sts_endpoint", [](config& c, const std::string& v) { return parse_url(v, c.federation_sts_endpoint); }},
      {"federation.audience", [](config& c, const std::string& v) {
         if (v.empty() || v.size() > 1024) return std::string("must be 1-1024 characters");
         c.federation_audience = v;
         return std::string(); }},
      {"passwords.argon2_memory_kib", [](config& c, const std::string& v) { return parse_int<uint64_t>(v, c.passwords.argon2_memory_kib, 8192, 4u << 20); }},
      {"passwords.argon2_iterations", [](config& c, const std::string& v) { return parse_int<uint32_t>(v, c.passwords.argon2_iterations, 1, 100); }},
      {"passwords.reset_link_ttl_minutes", [](config& c, const std::string& v) {
         int n = 0;
         auto e = parse_int(v, n, 5, 7 * 24 * 60);
         if (e.empty()) c.passwords.reset_link_ttl = std::chrono::minutes(n);
         return e; }},
      {"portal.public_url", [](config& c, const std::string& v) {
         if (!v.empty() && !v.starts_with("https://") && !v.starts_with("http://")) return std::string("must start with https:// or http://");
         c.portal_public_url = v;
         while (c.portal_public_url.ends_with('/')) c.portal_public_url.pop_back();
         return std::string(); }},
      {"mail.smtp_host", [](config& c, const std::string& v) { c.mail_smtp_host = v; return std::string(); }},
      {"mail.smtp_port", [](config& c, const std::string& v) { return parse_int<uint16_t>(v, c.mail_smtp_port, 1, 65535); }},
      {"mail.from", [](config& c, const std::string& v) { c.mail_from = v; return std::string(); }},
      {"mail.starttls", [](config& c, const std::string& v) {
         if (v != "auto" && v != "always" && v != "never") return std::string("must be auto, always or never");
         c.mail_starttls = v;
         return std::string(); }},
      {"mail.username", [](config& c, const std::string& v) { c.mail_username = v; return std::string(); }},
      {"mail.password", [](config& c, const std::string& v) { c.mail_password = v; return std::string(); }},
      {"mail.tls_verify", [](config& c, const std::string& v) { return parse_bool(v, c.mail_tls_verify); }},
      {"mail.ca_file", [](config& c, const std::string& v) { c.mail_ca_file = v; return std::string(); }},
      {"mail.invite_new_users", [](config& c, const std::string& v) { return parse_bool(v, c.mail_invite_new_users); }},
      {"mail.outbox_lease_seconds", [](config& c, const std::string& v) { return parse_int(v, c.mail_outbox_lease_seconds, 1, 3600); }},
      {"mail.outbox_poll_ms", [](config& c, const std::string& v) { return parse_int(v, c.mail_outbox_poll_ms, 10, 60'000); }},
      {"mail.outbox_first_backoff_seconds", [](config& c, const std::string& v) { return parse_int(v, c.mail_outbox_first_backoff_seconds, 1, 3600); }},
      {"mail.outbox_max_attempts", [](config& c, const std::string& v) { return parse_int(v, c.mail_outbox_max_attempts, 1, 100); }},
      {"mail.outbox_start_delay_ms", [](config& c, const std::string& v) { return parse_int(v, c.mail_outbox_start_delay_ms, 0, 86'400'000); }},
  };
  return table;
}

void flatten(const nlohmann::json& j, const std::string& prefix,
             std::vector<std::pair<std::string, std::string>>& out) {
  for (auto it = j.begin(); it != j.end(); ++it) {
    std::string key = prefix.empty() ? it.key() : prefix + "." + it.key();
    if (it->is_object()) flatten(*it, key, out);
    else if (it->is_string()) out.emplace_back(key, it->get<std::string>());
    else out.emplace_back(key, it->dump());
  }
}

}  // namespace

std::string apply_setting(config& c, const std::string& key, const std::string& value) {
  // throttle.rate.<Operation> = N overrides one operation ("identitystore.CreateUser").
  if (key.starts_with("throttle.rate.")) {
    double rate = 0;
    if (auto e = parse_double(value, rate); !e.empty()) return key + " " + e;
    c.throttle.rate_overrides[key.substr(14)] = rate;
    return "";
  }
  auto it = setters().find(key);
  if (it == setters().end()) return "unknown setting '" + key + "'";
  if (auto e = it->second(c, value); !e.empty()) return key + " " + e;
  return "";
}

std::string apply_file(config& c, const std::filesystem::path& file) {
  std::ifstream in(file);
  if (!in) return "cannot read config file " + file.string();
  auto j = nlohmann::json::parse(in, nullptr, false);
  if (j.is_discarded() || !j.is_object()) return "config file " + file.string() + " is not a JSON object";
  std::vector<std::pair<std::string, std::string>> kv;
  flatten(j, "", kv);
  for (const auto& [k, v] : kv)
    if (auto e = apply_setting(c, k, v); !e.empty()) return file.string() + ": " + e;
  return "";
}

std::string apply_environment(config& c) {
  for (const auto& [key, fn] : setters()) {
    std::string env = "ATRIUM_";
    for (char ch : key) env.push_back(ch == '.' ? '_' : static_cast<char>(std::toupper(ch)));
    if (const char* v = std::getenv(env.c_str()))
      if (auto e = fn(c, v); !e.empty()) return env + ": " + key + " " + e;
  }
  return "";
}

}  // namespace atrium::app
