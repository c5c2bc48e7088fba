#include "app/wire_sso_admin.hpp"

#include <spdlog/spdlog.h>
#include <unistd.h>

#include <cstdio>
#include <random>

#include <nlohmann/json.hpp>

#include "cloud/iam_provisioner.hpp"
#include "cloud/sts_saml_client.hpp"
#include "proto/aws/sso_admin_abac.hpp"
#include "proto/aws/sso_admin_assignments.hpp"
#include "proto/aws/sso_admin_permission_sets.hpp"
#include "service/sso_admin/assignment_lookups.hpp"
#include "service/sso_admin/record_only_provisioner.hpp"

namespace atrium::app {

namespace {

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
  ic.saml_audience = cfg.federation_aws_signin_url;
  return std::make_unique<cloud::iam_provisioner>(ic, *creds);
}

// The IdP's entity id: the entityID of the metadata every account's SAML provider holds, and so
// the Issuer of every assertion sent to AWS.
std::string idp_entity_id(const core& c) {
  return c.public_url(c.cfg.server.port, "/saml/assertion/" + c.ids.instance_id);
}

// Atrium's SAML IdP certificate, made on first start (RSA 2048 like AWS's own IdP
// certificates, so a first start stays fast); its key is sealed with the master key.
void wire_idp(core& c, sso_admin_wing& w) {
  w.idp = std::make_unique<service::idp_signing>(*c.audited, c.clk, *c.box, "Atrium IdP " + c.ids.instance_id, 2048);
  auto ctx = system_context(c.ids.account_id);
  ctx.event_source = "sso.amazonaws.com";
  ctx.event_name = "CreateIdpCertificate";
  if (auto made = w.idp->ensure(ctx); !made) fatal("cannot create the IdP certificate: " + made.error().message);
  w.idp_metadata = [&c, idp = w.idp.get()] {
    auto certs = idp->list();
    if (!certs) return std::string();
    std::string url = idp_entity_id(c);
    return service::idp_signing::metadata_xml(*certs, {url, url});
  };
}

// Console and CLI federation: assertions signed with the IdP's active key, Issuer = the
// metadata's entityID; STS only when roles really exist (provisioner.kind=aws-iam).
void wire_federation(core& c, sso_admin_wing& w) {
  if (c.cfg.provisioner_kind == "aws-iam") {
    cloud::sts_saml_config sc;
    sc.endpoint = c.cfg.federation_sts_endpoint;
    sc.region = c.cfg.region;
    w.sts = std::make_unique<cloud::sts_saml_client>(sc);
  }
  service::federation_settings fs;
  fs.idp_entity_id = idp_entity_id(c);
  fs.signin_url = c.cfg.federation_aws_signin_url;
  fs.audience = c.cfg.federation_audience;
  fs.region = c.cfg.region;
  fs.provisioner_kind = c.cfg.provisioner_kind;
  w.federation = std::make_unique<service::aws_federation>(*c.audited, c.clk, c.rnd, *w.idp, fs, w.sts.get());
}

// This process's claim on provisioning jobs: an id no other node (or restart) has. Not from
// the injected random source: the node id is not part of any answer, and drawing from it would
// change every id a seeded test (the golden exchanges) sees.
service::job_lease job_lease_of(core& c) {
  char host[256] = {0};
  if (::gethostname(host, sizeof host - 1) != 0) host[0] = 0;
  std::random_device rd;
  char tag[9];
  std::snprintf(tag, sizeof tag, "%08x", static_cast<unsigned>(rd()));
  return {std::string(host) + ":" + std::to_string(::getpid()) + ":" + tag,
          std::chrono::seconds(c.cfg.provisioner_job_lease_seconds)};
}

// Account assignments: requests are rows that the job runner (started by serve) provisions.
void wire_assignments(core& c, sso_admin_wing& w) {
  w.provisioner = make_provisioner(c.cfg);
  auto metadata = [&w] { return w.idp_metadata ? w.idp_metadata() : std::string(); };
  w.assignments = std::make_unique<service::assignment_service>(
      *c.audited, c.clk, c.rnd, service::store_lookups(c.ids.instance_arn, metadata),
      service::assignment_settings{c.cfg.sso_admin_max_outstanding_requests});
  w.jobs = std::make_unique<service::provisioning_jobs>(*c.audited, c.clk, *w.provisioner,
                                                        service::store_lookups(c.ids.instance_arn, metadata),
                                                        c.cfg.provisioner_role_naming, c.cfg.provisioner_parallelism,
                                                        job_lease_of(c));
  w.assignments->on_enqueue([jobs = w.jobs.get()] { jobs->notify(); });
  w.permission_sets->set_provisioned_check(service::permission_set_in_use);
  proto::aws::add_assignment_operations(*w.api, *w.assignments);
}

}  // namespace

std::unique_ptr<sso_admin_wing> wire_sso_admin(core& c) {
  const auto& ids = c.ids;
  auto w = std::make_unique<sso_admin_wing>();
  // sso-admin: one table of operations; each operation file adds its own (sso_admin_api.hpp).
  w->api = std::make_unique<proto::aws::sso_admin_api>(
      proto::aws::sso_instance_info{ids.instance_arn, ids.identity_store_id, ids.account_id});
  w->permission_sets = std::make_unique<service::permission_set_service>(
      *c.audited, c.clk, c.rnd, ids.instance_id, ids.identity_store_id, ids.account_id, c.cfg.permission_set_quotas);
  if (auto r = w->permission_sets->open_instance(); !r) fatal("cannot create the sso-admin instance: " + r.error().message);
  proto::aws::add_permission_set_operations(*w->api, *w->permission_sets);
  w->abac = std::make_unique<service::abac_service>(*c.audited);
  proto::aws::add_abac_operations(*w->api, *w->abac);
  wire_idp(c, *w);
  wire_assignments(c, *w);
  wire_federation(c, *w);
  w->tags = std::make_unique<service::permission_set_tags>(*c.db, *w->permission_sets);
  return w;
}

}  // namespace atrium::app
