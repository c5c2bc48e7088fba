#pragma once
// Configuration: defaults, then a JSON file (--config or ATRIUM_CONFIG), then ATRIUM_*
// environment variables, then command-line flags; later sources win. Every key is listed in
// docs/configuration.md.
#include <cstdint>
#include <filesystem>
#include <string>

#include "domain/assignment.hpp"
#include "http/server.hpp"
#include "service/identity/identity_types.hpp"
#include "service/signin/password_service.hpp"
#include "service/sso_admin/permission_set_service.hpp"
#include "service/admin/throttle.hpp"

namespace atrium::app {

struct config {
  std::filesystem::path data_dir = "atrium-data";
  std::string region = "us-east-1";
  std::string log_level = "info";
  std::string public_host = "localhost";  // extra DNS name in the self-signed certificate
  std::filesystem::path port_file;        // when set, the bound port is written here
  bool sqlite_synchronous_full = true;
  // As many as worker and network threads (point reads run on the network threads): reads
  // never wait for one.
  int sqlite_reader_connections = 10;
  int sqlite_cache_mb = 64;   // writer page cache; each reader gets a quarter
  int sqlite_mmap_mb = 0;     // database file mapped for reads (0: off; see docs/configuration.md)
  // The store (docs/deployment.md): "sqlite" (one node, data_dir/atrium.db) or "postgresql"
  // (several nodes on one database). The PostgreSQL password comes from password_file or from
  // libpq's PGPASSWORD in the environment, never from the command line, and is never logged.
  std::string store_kind = "sqlite";
  std::string pg_conninfo;                  // libpq keyword/value string or postgresql:// URI
  std::filesystem::path pg_password_file;
  int pg_pool_size = 8;                     // connections per node at most
  int pg_connect_timeout_seconds = 5;
  int pg_statement_timeout_ms = 30000;
  int pg_acquire_timeout_ms = 10000;        // wait for a free pooled connection
  int pg_reconnect_backoff_max_ms = 5000;
  // Deferred and detached writes (audit records of reads, failures) queued at most, per node,
  // both backends: a request queuing one more waits for room (docs/audit.md "Durability").
  int deferred_queue_limit = 4096;
  bool audit_file = true;  // append audit events to <data_dir>/audit/events.jsonl
  http::server_config server;
  // Point reads (DescribeUser, SCIM GET, the portal's session) served on the network thread
  // instead of the worker pool (issue 18 item 3); SQLite only (a PostgreSQL read is a round trip
  // to another host, which a network thread must not wait for).
  bool server_inline_reads = true;
  // Writes the door can complete asynchronously do so (no worker parked on a group commit,
  // issue 18 item 3); false: every request answers on its worker (for comparison).
  bool server_async_writes = true;
  service::throttle_settings throttle;
  service::quotas quotas;
  service::permission_set_quotas permission_set_quotas;  // quotas.permission_sets etc.
  // Asynchronous sso-admin requests in progress at once (the service allows 10) and where
  // permission sets are provisioned: "record-only" keeps them in Atrium, "aws-iam" creates the
  // roles in the accounts through the IAM API.
  int64_t sso_admin_max_outstanding_requests = 1000;
  // The user portal (docs/sign-in.md, docs/configuration.md): sign-in session lifetime, where
  // the built web UI is, and the failed-attempt lockouts.
  int portal_session_hours = 8;
  std::filesystem::path web_assets_dir;  // empty: web/ beside the binary, else the source tree's web/dist
  int portal_account_failures = 5;       // failures before an account's lockout starts
  int portal_address_failures = 20;      // failures before a source address's lockout starts
  int portal_first_lockout_seconds = 1;  // capped by portal_max_lockout_seconds
  int portal_max_lockout_seconds = 900;
  // SAML applications (issue 15; docs/applications.md): the catalog of pre-integrated
  // applications and the size of the signing key each new application gets.
  std::filesystem::path applications_catalog_dir;  // empty: catalog/ beside the binary, else data/catalog
  int applications_key_bits = 3072;
  int applications_max = 3000;
  // Atrium as SAML SP (issue 17; docs/identity-source-admin.md): the clock skew allowed on the
  // external IdP's times (sp.clock_skew_seconds).
  int sp_clock_skew_seconds = 60;
  // The admin console (issue 14; docs/admin-console.md): the identity-store user that the first
  // start makes the console's administrator (console.bootstrap_admin; empty: none, grant access
  // with `atrium admin console-access grant`).
  std::string console_bootstrap_admin;
  std::string provisioner_kind = "record-only";
  // How long a node's claim on a provisioning job lasts without renewal (renewed every third of
  // it while the job runs): a job whose node died is taken over after at most this long.
  int provisioner_job_lease_seconds = 60;
  std::string provisioner_iam_endpoint;   // aws-iam: IAM endpoint (default https://iam.amazonaws.com)
  std::string provisioner_sts_endpoint;   // aws-iam: STS endpoint (default https://sts.amazonaws.com)
  std::string provisioner_management_account_id;  // aws-iam: empty = GetCallerIdentity
  std::string provisioner_access_role_name;       // aws-iam: role assumed in member accounts
  // How permission sets' roles are named in accounts (provisioner.role_name_prefix,
  // provisioner.role_path; docs/provisioning.md "Role names").
  domain::role_naming provisioner_role_naming;
  // How many (account, permission set) lanes of assignment jobs run at once
  // (provisioner.parallelism; docs/provisioning.md "Parallel jobs"). 16: a lane mostly waits for
  // IAM's answers, and the service's 10 outstanding requests per caller then never queue behind
  // each other's lanes within a round (issue 18 item 4).
  int provisioner_parallelism = 16;
  // Console and CLI federation (docs/console-access.md): where the browser posts the SAML
  // Response, the STS endpoint that exchanges it for role credentials, and the Audience.
  std::string federation_aws_signin_url = "https://signin.aws.amazon.com/saml";
  std::string federation_sts_endpoint = "https://sts.amazonaws.com";
  std::string federation_audience = "urn:amazon:webservices";
  // Passwords of built-in users (passwords.*) and outbound mail (mail.*; docs/sign-in.md
  // "Passwords and mail"). No mail.smtp_host: mail is only logged, nothing leaves.
  service::password_settings passwords;  // portal_url is filled from portal.public_url at start
  std::string portal_public_url;         // empty: https://<public_host>:<server.port>/portal
  std::string mail_smtp_host;
  uint16_t mail_smtp_port = 25;
  std::string mail_from = "Atrium <atrium@localhost>";
  std::string mail_starttls = "auto";    // auto | always | never
  std::string mail_username, mail_password;  // the password also from ATRIUM_SMTP_PASSWORD
  bool mail_tls_verify = true;
  std::string mail_ca_file;
  bool mail_invite_new_users = true;     // invitation mail when a user with an address is created
  // The outbox in the store (docs/deployment.md "Mail"): lease per message, how often a node
  // looks for others' and retried mail, backoff and attempts on refusal, and a delay before a
  // node's sender starts (tests that kill a node between the commit and the send).
  int mail_outbox_lease_seconds = 60;
  int mail_outbox_poll_ms = 1000;
  int mail_outbox_first_backoff_seconds = 30;
  int mail_outbox_max_attempts = 8;
  int mail_outbox_start_delay_ms = 0;

  std::filesystem::path db_file() const { return data_dir / "atrium.db"; }
  std::filesystem::path master_key_file() const { return data_dir / "master.key"; }
  std::filesystem::path audit_jsonl() const { return data_dir / "audit" / "events.jsonl"; }
};

// Applies one "key = value" setting (keys as in docs/configuration.md, e.g. "server.port",
// "throttle.default_rate"). Returns an error message for unknown keys or bad values.
std::string apply_setting(config& c, const std::string& key, const std::string& value);
// Reads a JSON object file of settings, nested or dotted ({"server": {"port": 8443}}).
std::string apply_file(config& c, const std::filesystem::path& file);
// Reads ATRIUM_<KEY> variables, KEY upper-cased with '.' as '_' (ATRIUM_SERVER_PORT).
std::string apply_environment(config& c);

}  // namespace atrium::app
