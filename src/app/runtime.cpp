#include "app/runtime.hpp"

#include <spdlog/spdlog.h>

#include <nlohmann/json.hpp>
#include <atomic>
#include <condition_variable>
#include <mutex>
#include <stdexcept>
#include <stop_token>
#include <thread>

#include "base/clock.hpp"
#include "cloud/iam_provisioner.hpp"
#include "cloud/smtp_mailer.hpp"
#include "crypto/primitives.hpp"
#include "crypto/tls_cert.hpp"
#include "domain/ids.hpp"
#include "domain/permission_set.hpp"
#include "http/server.hpp"
#include "proto/aws/aws_door.hpp"
#include "proto/aws/identitystore_api.hpp"
#include "proto/aws/organizations_api.hpp"
#include "proto/aws/provisioning_api.hpp"
#include "proto/aws/sso_admin_abac.hpp"
#include "proto/aws/sso_admin_api.hpp"
#include "proto/aws/sso_admin_assignments.hpp"
#include "proto/aws/sso_admin_permission_sets.hpp"
#include "proto/portal/portal_door.hpp"
#include "proto/scim/scim_door.hpp"
#include "service/abac_service.hpp"
#include "service/permission_set_tags.hpp"
#include "service/assignment_service.hpp"
#include "service/audited_store.hpp"
#include "service/auditor.hpp"
#include "service/identity_service.hpp"
#include "service/idp_signing.hpp"
#include "service/permission_set_service.hpp"
#include "service/organization_service.hpp"
#include "service/outbox.hpp"
#include "service/password_service.hpp"
#include "service/provisioning_jobs.hpp"
#include "service/record_only_provisioner.hpp"
#include "service/scim_provisioning.hpp"
#include "service/throttle.hpp"
#include "service/login_throttle.hpp"
#include "service/mfa_service.hpp"
#include "service/portal_accounts.hpp"
#include "service/session_service.hpp"
#include "service/sign_in_service.hpp"
#include "store/sqlite/sqlite_database.hpp"

namespace atrium::app {

struct runtime::parts {
  config cfg;
  system_clock clk;
  crypto::sodium_random rnd;
  std::unique_ptr<store::database> db;
  std::optional<crypto::secret_box> box;
  deployment_ids ids;
  std::unique_ptr<service::auditor> audit;
  std::unique_ptr<service::audited_store> audited;
  std::unique_ptr<service::admin_auth> auth;
  std::unique_ptr<service::throttler> throttle;
  std::unique_ptr<service::identity_service> identity;
  std::unique_ptr<proto::aws::identitystore_api> identitystore;
  std::unique_ptr<service::scim_provisioning> provisioning;
  std::unique_ptr<proto::aws::provisioning_api> provisioning_api;
  std::unique_ptr<service::organization_service> organization;
  std::unique_ptr<proto::aws::organizations_api> organizations_api;
  std::unique_ptr<service::permission_set_service> permission_sets;
  std::unique_ptr<proto::aws::sso_admin_api> sso_admin;
  std::unique_ptr<service::abac_service> abac;
  std::unique_ptr<service::permission_set_tags> ps_tags;  // aws:ResourceTag for delegated admin
  std::unique_ptr<proto::aws::aws_door> aws;
  std::unique_ptr<proto::scim::scim_door> scim;
  // Account assignments; the job runner is last so that its thread stops before what it uses goes.
  // SAML metadata put into each account's AWSSSO_..._DO_NOT_DELETE provider (cloud's idp_signing).
  std::unique_ptr<service::idp_signing> idp;
  std::function<std::string()> idp_metadata;
  std::unique_ptr<service::account_provisioner> provisioner;
  std::unique_ptr<service::assignment_service> assignments;
  std::unique_ptr<service::provisioning_jobs> jobs;
  // Passwords and mail. The outbox is declared last so that its thread finishes the queued
  // mail (which uses the password service, the store and the mailer) before those go.
  std::unique_ptr<service::mailer> mail_transport;  // smtp_mailer, or log_mailer without a relay
  std::unique_ptr<service::queued_mailer> mail;
  std::unique_ptr<service::password_service> passwords;
  std::atomic<int> mail_failures{0};
  std::unique_ptr<service::outbox> outbox;
  // The user portal (docs/sign-in.md), made by serve() once the port is known (the portal's
  // URL names it: WebAuthn origin, LoginTo of the sign-in events).
  std::unique_ptr<service::mfa_service> mfa;
  std::unique_ptr<service::session_service> sessions;
  std::unique_ptr<service::login_throttle> login_throttle;
  std::unique_ptr<service::portal_accounts> portal_accounts;
  std::unique_ptr<service::sign_in_service> sign_in;
  std::unique_ptr<proto::portal::portal_door> portal;
};

namespace {

[[noreturn]] void fatal(const std::string& what) { throw std::runtime_error(what); }

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

// Changes Atrium makes by itself at start-up (creating the organization) are audited as the
// deployment's root acting through the system door.
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

// provisioner.kind: record-only (default) or aws-iam (the IAM Query API of the configured
// endpoints, with the base credentials from AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY).
std::unique_ptr<service::account_provisioner> make_provisioner(const config& cfg) {
  if (cfg.provisioner_kind != "aws-iam")
    return std::make_unique<service::record_only_provisioner>([](const std::string& line) {
      spdlog::info(R"("msg":"record-only provisioner","change":{})", nlohmann::json(line).dump());
    });
  auto creds = cloud::credentials_from_environment();
  if (!creds) fatal("provisioner.kind=aws-iam needs AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY in the environment");
  cloud::iam_provisioner_config ic;
  if (!cfg.provisioner_iam_endpoint.empty()) ic.iam_endpoint = cfg.provisioner_iam_endpoint;
  if (!cfg.provisioner_sts_endpoint.empty()) ic.sts_endpoint = cfg.provisioner_sts_endpoint;
  ic.region = cfg.region;
  ic.management_account_id = cfg.provisioner_management_account_id;
  if (!cfg.provisioner_access_role_name.empty()) ic.access_role_name = cfg.provisioner_access_role_name;
  return std::make_unique<cloud::iam_provisioner>(ic, *creds);
}

// mail.*: an SMTP relay, or (no mail.smtp_host) the log only: nothing leaves the machine.
std::unique_ptr<service::mailer> make_mailer(const config& cfg, const clock& clk, random_source& rnd) {
  if (cfg.mail_smtp_host.empty())
    return std::make_unique<cloud::log_mailer>([](const std::string& line) {
      spdlog::info(R"("msg":{})", nlohmann::json(line).dump());
    });
  cloud::smtp_settings s;
  s.host = cfg.mail_smtp_host;
  s.port = std::to_string(cfg.mail_smtp_port);
  s.from = cfg.mail_from;
  s.starttls = cfg.mail_starttls == "always" ? cloud::starttls_mode::always
               : cfg.mail_starttls == "never" ? cloud::starttls_mode::never
                                              : cloud::starttls_mode::automatic;
  s.username = cfg.mail_username;
  s.password = cfg.mail_password;
  if (s.password.empty())
    if (const char* env = std::getenv("ATRIUM_SMTP_PASSWORD")) s.password = env;
  s.helo_name = cfg.public_host;
  s.verify_tls = cfg.mail_tls_verify;
  s.ca_file = cfg.mail_ca_file;
  return std::make_unique<cloud::smtp_mailer>(s, clk, rnd);
}

// Mail that could not be delivered (or queued) is logged and audited; the body never is.
service::call_context mail_context(const service::call_context& base, const std::string& event) {
  service::call_context c = base;
  c.event_source = "sso-directory.amazonaws.com";
  c.event_name = event;
  return c;
}

proto::aws::wire_request to_wire(const http::request& r) {
  return {r.method, r.target, r.headers, r.body, r.remote_ip, r.request_id};
}

// The SCIM and portal doors take and give the same fields under their own type names (each
// door stays free of http/): one conversion each way serves both.
template <class DoorRequest>
DoorRequest to_door(const http::request& r) {
  return {r.method, r.target, r.headers, r.body, r.remote_ip, r.request_id};
}

template <class DoorResponse>
http::response from_door(DoorResponse s) {
  http::response r;
  r.status = s.status;
  r.content_type = std::move(s.content_type);
  r.headers = std::move(s.headers);
  r.body = std::move(s.body);
  r.operation = std::move(s.operation);
  r.error_code = std::move(s.error_code);
  return r;
}

// Token expiry as Prometheus gauges, refreshed once a minute off the network threads (the
// guide's reminders start 90 days before a token expires).
class token_gauges {
 public:
  token_gauges(store::database& db, const clock& clk, const service::token_policy& policy,
               http::metrics_registry& m)
      : db_(db), clock_(clk), policy_(policy), metrics_(m), thread_([this](std::stop_token st) { loop(st); }) {}

 private:
  void loop(std::stop_token st) {
    std::mutex mu;
    std::condition_variable_any cv;
    while (!st.stop_requested()) {
      refresh();
      std::unique_lock lock(mu);
      cv.wait_for(lock, st, std::chrono::seconds(60), [] { return false; });
    }
  }
  void refresh() {
    std::vector<store::scim_token_record> tokens;
    auto r = db_.read([&](store::transaction& tx) -> result<void> {
      auto t = tx.scim_tokens().list();
      if (!t) return std::unexpected(t.error());
      tokens = std::move(*t);
      return {};
    });
    if (!r) return;
    auto now = clock_.now();
    double soon = 0, earliest = 0;
    for (const auto& t : tokens) {
      if (t.expires_at - now <= std::chrono::duration_cast<std::chrono::milliseconds>(policy_.warn_before)) ++soon;
      double at = epoch_seconds(t.expires_at);
      if (earliest == 0 || at < earliest) earliest = at;
    }
    metrics_.set_gauge("atrium_scim_tokens", "SCIM access tokens that exist", static_cast<double>(tokens.size()));
    metrics_.set_gauge("atrium_scim_tokens_expiring_soon",
                       "SCIM access tokens that expire within the warning period (90 days) or have expired", soon);
    metrics_.set_gauge("atrium_scim_token_earliest_expiry_timestamp_seconds",
                       "Expiry time of the SCIM access token that expires first (0: none)", earliest);
  }

  store::database& db_;
  const clock& clock_;
  service::token_policy policy_;
  http::metrics_registry& metrics_;
  std::jthread thread_;
};

// The portal as users reach it (portal.public_url, else https://<public_host>:<port>/portal) and
// its origin (scheme://host[:port]), which the WebAuthn origin and the Origin checks compare.
std::string portal_url_of(const config& cfg, uint16_t port) {
  if (!cfg.portal_public_url.empty()) return cfg.portal_public_url;
  return std::string(cfg.server.tls ? "https://" : "http://") + cfg.public_host + ":" + std::to_string(port) + "/portal";
}
std::string origin_of(const std::string& url) {
  auto host_at = url.find("://");
  host_at = host_at == std::string::npos ? 0 : host_at + 3;
  return url.substr(0, url.find('/', host_at));
}
std::string host_of(const std::string& origin) {
  auto host_at = origin.find("://");
  std::string host = origin.substr(host_at == std::string::npos ? 0 : host_at + 3);
  if (!host.empty() && host.front() == '[') return host.substr(1, host.find(']') - 1);  // IPv6 literal
  return host.substr(0, host.find(':'));
}

// web.assets_dir, else the first built UI found: next to the binary (installed), then the
// source tree's web/dist (make build).
std::filesystem::path assets_dir_of(const config& cfg) {
  if (!cfg.web_assets_dir.empty()) return cfg.web_assets_dir;
  std::error_code ec;
  auto exe = std::filesystem::read_symlink("/proc/self/exe", ec);
  if (!ec && std::filesystem::exists(exe.parent_path() / "web" / "index.html", ec)) return exe.parent_path() / "web";
  return ATRIUM_WEB_DIST;
}

http::response from_wire(proto::aws::wire_response w) {
  http::response r;
  r.status = w.status;
  r.content_type = "application/x-amz-json-1.1";
  for (auto& h : w.headers)
    if (h.first != "Content-Type") r.headers.push_back(std::move(h));
  r.body = std::move(w.body);
  r.operation = std::move(w.operation);
  r.error_code = std::move(w.error_code);
  return r;
}

}  // namespace

// Passwords and mail: the relay (or log) behind a background outbox, the password service, and
// the invitation queued after a user's creation has committed (any door).
void runtime::wire_passwords(parts& p) {
  const auto& cfg = p.cfg;
  p.outbox = std::make_unique<service::outbox>();
  p.mail_transport = make_mailer(cfg, p.clk, p.rnd);
  p.mail = std::make_unique<service::queued_mailer>(
      *p.mail_transport, *p.outbox, [&p](const service::mail_message& m, const error& e) {
        ++p.mail_failures;
        spdlog::error(R"("msg":"mail not delivered","to":{},"subject":{},"error":{})", nlohmann::json(m.to).dump(),
                      nlohmann::json(m.subject).dump(), nlohmann::json(e.message).dump());
        auto ctx = mail_context(system_context(p.ids.account_id), "SendEmail");
        ctx.request_parameters = {{"subject", m.subject}};
        p.audited->record_failure(ctx, {"MailDeliveryFailed", e.message});
      });
  service::password_settings ps = cfg.passwords;
  ps.portal_url = !cfg.portal_public_url.empty()
                      ? cfg.portal_public_url
                      : std::string(cfg.server.tls ? "https://" : "http://") + cfg.public_host + ":" +
                            std::to_string(cfg.server.port) + "/portal";
  p.passwords = std::make_unique<service::password_service>(*p.audited, *p.mail, p.clk, p.rnd, ps);
  // Only with a relay: without one the link could reach nobody (send it later with the CLI).
  if (!cfg.mail_invite_new_users || cfg.mail_smtp_host.empty()) return;
  p.identity->on_user_created([&p](const service::call_context& ctx, const domain::user& u) {
    bool has_address = false;
    for (const auto& e : u.emails) has_address = has_address || (e.value && !e.value->empty());
    if (!has_address) return;
    // After the commit and off the caller's thread: the create never waits for, or fails on, mail.
    bool queued = p.outbox->post([&p, ctx, id = u.id] {
      if (auto r = p.passwords->send_invitation(ctx, id); !r)
        spdlog::warn(R"("msg":"invitation not sent","userId":{},"error":{})", nlohmann::json(id).dump(),
                     nlohmann::json(r.error().message).dump());
    });
    if (!queued) {
      auto c = mail_context(ctx, "SendInvitation");
      c.request_parameters = {{"userId", u.id}};
      p.audited->record_failure(c, {"MailDeliveryFailed", "The mail queue is full."});
    }
  });
}

// The user portal: MFA (WebAuthn origin and relying party = the portal's), sessions, the
// failed-attempt throttle, the sign-in workflow and the door. Called by serve() once listening.
void runtime::wire_portal(parts& p, uint16_t port) {
  const auto& cfg = p.cfg;
  std::string url = portal_url_of(cfg, port);
  std::string origin = origin_of(url);
  service::mfa_options mo;
  mo.origin = origin;
  mo.rp_id = host_of(origin);
  p.mfa = std::make_unique<service::mfa_service>(*p.audited, *p.box, p.clk, p.rnd, mo);
  service::session_settings ss;
  ss.lifetime = std::chrono::hours(cfg.portal_session_hours);
  p.sessions = std::make_unique<service::session_service>(*p.audited, p.clk, p.rnd, ss);
  service::login_throttle_settings ts;
  ts.account_free_failures = cfg.portal_account_failures;
  ts.address_free_failures = cfg.portal_address_failures;
  ts.max_lockout = std::chrono::seconds(cfg.portal_max_lockout_seconds);
  p.login_throttle = std::make_unique<service::login_throttle>(p.clk, ts);
  p.portal_accounts = std::make_unique<service::portal_accounts>(*p.db);
  p.sign_in = std::make_unique<service::sign_in_service>(
      *p.audited, *p.passwords, *p.mfa, *p.sessions, *p.login_throttle, p.clk, p.rnd,
      service::sign_in_settings{p.ids.account_id, cfg.region, url + "/"});
  proto::portal::portal_settings ps;
  ps.public_url = origin;
  ps.assets_dir = assets_dir_of(cfg);
  p.portal = std::make_unique<proto::portal::portal_door>(
      proto::portal::portal_services{*p.sign_in, *p.sessions, *p.passwords, *p.mfa, *p.portal_accounts}, ps);
}

runtime::runtime() : p_(std::make_unique<parts>()) {}
runtime::~runtime() = default;

std::unique_ptr<runtime> runtime::open(const config& cfg) {
  crypto::init();
  std::unique_ptr<runtime> rt(new runtime());
  auto& p = *rt->p_;
  p.cfg = cfg;
  std::filesystem::create_directories(cfg.data_dir);
  store::sqlite::sqlite_options so;
  so.file = cfg.db_file();
  so.synchronous_full = cfg.sqlite_synchronous_full;
  so.reader_connections = cfg.sqlite_reader_connections;
  so.memory.writer_cache_mib = cfg.sqlite_cache_mb;
  so.memory.reader_cache_mib = std::max(1, cfg.sqlite_cache_mb / 4);
  so.memory.mmap_mib = cfg.sqlite_mmap_mb;
  auto db = store::sqlite::sqlite_database::open(so);
  if (!db) fatal("cannot open store " + cfg.db_file().string() + ": " + db.error().message);
  p.db = std::move(*db);
  auto box = crypto::secret_box::load_or_create(cfg.master_key_file());
  if (!box) fatal("cannot load master key: " + box.error().message);
  p.box.emplace(std::move(*box));
  p.ids.identity_store_id = setting_or_create(*p.db, "identity_store_id",
                                              [&] { return domain::new_identity_store_id(p.rnd); });
  p.ids.account_id = setting_or_create(*p.db, "account_id", [&] { return twelve_digits(p.rnd); });
  p.ids.instance_id = setting_or_create(*p.db, "instance_id", [&] { return domain::new_instance_id(p.rnd); });
  p.ids.instance_arn = domain::instance_arn(p.ids.instance_id);
  std::optional<std::filesystem::path> jsonl;
  if (cfg.audit_file) jsonl = cfg.audit_jsonl();
  p.audit = std::make_unique<service::auditor>(p.clk, p.rnd, jsonl);
  p.audited = std::make_unique<service::audited_store>(*p.db, *p.audit);
  p.auth = std::make_unique<service::admin_auth>(*p.db, *p.box, p.rnd, p.clk, p.ids.account_id);
  p.throttle = std::make_unique<service::throttler>(p.clk, cfg.throttle);
  p.identity = std::make_unique<service::identity_service>(*p.audited, p.clk, p.rnd,
                                                           p.ids.identity_store_id, cfg.quotas);
  p.identitystore = std::make_unique<proto::aws::identitystore_api>(*p.identity);
  wire_passwords(p);
  p.provisioning = std::make_unique<service::scim_provisioning>(*p.audited, p.clk, p.rnd);
  p.provisioning_api = std::make_unique<proto::aws::provisioning_api>(*p.provisioning, rt->scim_endpoint(cfg.server.port));
  // sso-admin: one table of operations; each operation file adds its own (sso_admin_api.hpp).
  p.sso_admin = std::make_unique<proto::aws::sso_admin_api>(
      proto::aws::sso_instance_info{p.ids.instance_arn, p.ids.identity_store_id, p.ids.account_id});
  p.permission_sets = std::make_unique<service::permission_set_service>(
      *p.audited, p.clk, p.rnd, p.ids.instance_id, p.ids.identity_store_id, p.ids.account_id, cfg.permission_set_quotas);
  if (auto r = p.permission_sets->open_instance(); !r) fatal("cannot create the sso-admin instance: " + r.error().message);
  proto::aws::add_permission_set_operations(*p.sso_admin, *p.permission_sets);
  p.abac = std::make_unique<service::abac_service>(*p.audited);
  proto::aws::add_abac_operations(*p.sso_admin, *p.abac);
  // Atrium's SAML IdP certificate, made on first start (RSA 2048 like AWS's own IdP
  // certificates, so a first start stays fast); its key is sealed with the master key.
  p.idp = std::make_unique<service::idp_signing>(*p.audited, p.clk, *p.box, "Atrium IdP " + p.ids.instance_id, 2048);
  auto idp_ctx = system_context(p.ids.account_id);
  idp_ctx.event_source = "sso.amazonaws.com";
  idp_ctx.event_name = "CreateIdpCertificate";
  if (auto made = p.idp->ensure(idp_ctx); !made) fatal("cannot create the IdP certificate: " + made.error().message);
  p.idp_metadata = [&p] {
    auto certs = p.idp->list();
    if (!certs) return std::string();
    std::string url = std::string(p.cfg.server.tls ? "https://" : "http://") + p.cfg.public_host + ":" +
                      std::to_string(p.cfg.server.port) + "/saml/assertion/" + p.ids.instance_id;
    return service::idp_signing::metadata_xml(*certs, {url, url});
  };
  // Account assignments: requests are rows that the job runner (started by serve) provisions.
  p.provisioner = make_provisioner(cfg);
  auto metadata = [&p] { return p.idp_metadata ? p.idp_metadata() : std::string(); };
  p.assignments = std::make_unique<service::assignment_service>(
      *p.audited, p.clk, p.rnd, service::store_lookups(p.ids.instance_arn, metadata),
      service::assignment_settings{cfg.sso_admin_max_outstanding_requests});
  p.jobs = std::make_unique<service::provisioning_jobs>(*p.audited, p.clk, *p.provisioner,
                                                        service::store_lookups(p.ids.instance_arn, metadata));
  p.assignments->on_enqueue([jobs = p.jobs.get()] { jobs->notify(); });
  p.permission_sets->set_provisioned_check(service::permission_set_in_use);
  proto::aws::add_assignment_operations(*p.sso_admin, *p.assignments);
  // The organization (management account = this deployment's account) exists from the first start.
  p.organization = std::make_unique<service::organization_service>(*p.audited, p.clk, p.rnd, p.ids.account_id);
  if (auto o = p.organization->ensure(system_context(p.ids.account_id)); !o)
    fatal("cannot create the organization: " + o.error().message);
  p.organizations_api = std::make_unique<proto::aws::organizations_api>(*p.organization);
  p.aws = std::make_unique<proto::aws::aws_door>(
      *p.auth, *p.throttle, *p.audited,
      std::vector<proto::aws::json_api*>{p.identitystore.get(), p.provisioning_api.get(), p.sso_admin.get(),
                                         p.organizations_api.get()},
      proto::aws::door_settings{cfg.region, cfg.server.lim.body_bytes});
  p.ps_tags = std::make_unique<service::permission_set_tags>(*p.db, *p.permission_sets);
  p.aws->set_tag_source(p.ps_tags.get());
  proto::scim::scim_settings ss;
  ss.tls = cfg.server.tls;
  ss.public_host = cfg.public_host;
  ss.region = cfg.region;
  ss.account_id = p.ids.account_id;
  ss.max_body_bytes = cfg.server.lim.body_bytes;
  p.scim = std::make_unique<proto::scim::scim_door>(*p.provisioning, *p.identity, *p.throttle, *p.audited, ss);
  return rt;
}

const deployment_ids& runtime::ids() const { return p_->ids; }
service::scim_provisioning& runtime::provisioning() { return *p_->provisioning; }
service::audited_store& runtime::audited() { return *p_->audited; }
service::idp_signing& runtime::idp_signing() { return *p_->idp; }
std::string runtime::idp_metadata() const { return p_->idp_metadata(); }
service::account_provisioner& runtime::provisioner() { return *p_->provisioner; }
service::identity_service& runtime::identity() { return *p_->identity; }
service::password_service& runtime::passwords() { return *p_->passwords; }
int runtime::drain_mail() {
  p_->outbox->drain();
  return p_->mail_failures.load();
}
service::permission_set_service& runtime::permission_sets() { return *p_->permission_sets; }
service::organization_service& runtime::organization() { return *p_->organization; }

std::string runtime::scim_endpoint(uint16_t port) const {
  return std::string(p_->cfg.server.tls ? "https://" : "http://") + p_->cfg.public_host + ":" +
         std::to_string(port) + "/scim/v2";
}
service::admin_auth& runtime::auth() { return *p_->auth; }
store::database& runtime::db() { return *p_->db; }

int runtime::serve(const std::function<void(uint16_t)>& on_ready) {
  auto& p = *p_;
  auto scfg = p.cfg.server;
  if (scfg.tls && (scfg.cert_file.empty() || scfg.key_file.empty())) {
    scfg.cert_file = p.cfg.data_dir / "tls" / "cert.pem";
    scfg.key_file = p.cfg.data_dir / "tls" / "key.pem";
    auto made = crypto::ensure_self_signed_cert(scfg.cert_file, scfg.key_file,
                                                {"localhost", p.cfg.public_host}, {"127.0.0.1", "::1"});
    if (!made) fatal("cannot create TLS certificate: " + made.error().message);
    if (*made)
      spdlog::info(R"("msg":"created self-signed TLS certificate","file":{})",
                   nlohmann::json(scfg.cert_file.string()).dump());
  }
  auto metrics = std::make_shared<http::metrics_registry>();
  http::server srv(scfg,
                   [&p](const http::request& r) {
                     if (p.portal && p.portal->handles(r.method, r.target))
                       return from_door(p.portal->handle(to_door<proto::portal::portal_request>(r)));
                     if (p.scim->handles(r.target)) return from_door(p.scim->handle(to_door<proto::scim::scim_request>(r)));
                     return from_wire(p.aws->handle(to_wire(r)));
                   },
                   metrics,
                   [&p](const http::request& partial, http::response generic) {
                     if (p.portal && p.portal->handles(partial.method, partial.target)) {
                       auto r = generic;
                       r.content_type = "application/json";
                       r.body = nlohmann::json{{"error", "InvalidRequest"}, {"message", "The request could not be read."}}.dump();
                       r.error_code = "InvalidRequest";
                       return r;
                     }
                     if (!p.scim->handles(partial.target)) return generic;
                     std::string detail = generic.status == 413   ? "The request body is larger than " +
                                                                      std::to_string(p.cfg.server.lim.body_bytes) + " bytes."
                                          : generic.status == 431 ? "The request headers are too large."
                                                                  : "The request could not be parsed.";
                     auto r = from_door(proto::scim::scim_door::transport_error(generic.status, detail));
                     for (auto& h : generic.headers) r.headers.push_back(std::move(h));
                     return r;
                   });
  srv.listen();
  wire_portal(p, srv.port());
  p.provisioning_api->set_endpoint(scim_endpoint(srv.port()));
  token_gauges gauges(*p.db, p.clk, p.provisioning->policy(), *metrics);
  p.jobs->start();  // resumes requests left IN_PROGRESS by a previous run
  on_ready(srv.port());
  srv.run();
  p.jobs->stop();
  return 0;
}

}  // namespace atrium::app
