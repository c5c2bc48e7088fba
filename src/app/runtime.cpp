#include "app/runtime.hpp"

#include <spdlog/spdlog.h>

#include <nlohmann/json.hpp>

#include "app/readiness_door.hpp"
#include "app/token_gauges.hpp"
#include "app/wire_cli_access.hpp"
#include "app/wire_console.hpp"
#include "app/wire_applications.hpp"
#include "app/wire_identity.hpp"
#include "app/wire_idsource.hpp"
#include "app/wire_mail.hpp"
#include "app/wire_organization.hpp"
#include "app/wire_portal.hpp"
#include "app/wire_signin.hpp"
#include "app/wire_sso_admin.hpp"
#include "crypto/tls_cert.hpp"
#include "http/server.hpp"
#include "proto/aws/aws_door.hpp"

namespace atrium::app {

struct runtime::owned {
  system_clock clk;
  crypto::sodium_random rnd;
};

runtime::runtime() : owned_(std::make_unique<owned>()) {}

// Members go in reverse order: the portal, the door, then each wing's threads (jobs, outbox)
// stop before the core they use.
runtime::~runtime() = default;

std::unique_ptr<runtime> runtime::open(const config& cfg, runtime_options options) {
  crypto::init();
  std::unique_ptr<runtime> rt(new runtime());
  const clock& clk = options.clk ? *options.clk : rt->owned_->clk;
  random_source& rnd = options.rnd ? *options.rnd : rt->owned_->rnd;
  rt->core_ = open_core(cfg, clk, rnd);
  auto& c = *rt->core_;
  rt->identity_ = wire_identity(c);
  rt->mail_ = wire_mail(c, rt->identity_->identity->users);
  rt->sso_admin_ = wire_sso_admin(c);
  rt->organization_ = wire_organization(c);
  rt->applications_ = wire_applications(c, *rt->sso_admin_);
  rt->idsource_ = wire_idsource(c);
  rt->console_ = wire_console(c, *rt->identity_->identity, *rt->mail_->passwords);
  // The AWS JSON APIs: POST / with X-Amz-Target, the router's fallback.
  auto aws = std::make_unique<proto::aws::aws_door>(
      *c.auth, *c.throttle, *c.audited,
      std::vector<proto::aws::json_api*>{rt->identity_->identitystore.get(), rt->identity_->provisioning_api.get(),
                                         rt->sso_admin_->api.get(), rt->organization_->api.get(),
                                         rt->applications_->console_api.get(), rt->idsource_->api.get(),
                                         rt->idsource_->configuration_api.get(), rt->console_->api.get(),
                                         rt->console_->users_api.get(), rt->console_->audit_api.get(),
                                         rt->console_->mfa_api.get(), rt->console_->search_api.get(),
                                         rt->console_->portal_session_api.get()},
      proto::aws::door_settings{cfg.region, cfg.server.lim.body_bytes});
  aws->set_tag_source(rt->sso_admin_->tags.get());
  aws->set_org_source(rt->organization_->resources.get());
  c.routes.set_fallback(*aws);
  rt->readiness_ = std::make_unique<readiness_door>(*c.db);
  c.routes.add_exact("/readyz", *rt->readiness_, {"GET"});
  rt->aws_ = std::move(aws);
  return rt;
}

int runtime::drain_mail() {
  mail_->outbox->drain();
  if (mail_->stored) mail_->stored->drain();  // this process's and any other node's due mail
  return mail_->failures.load();
}

void runtime::open_portal(uint16_t port) {
  auto& c = *core_;
  signin_ = wire_signin(c, *mail_->passwords, port);
  applications_->endpoints->set_base_url(signin_->origin);  // the IdP's URLs name the portal's origin
  open_sp_sign_in(c, *idsource_, *signin_);
  cli_ = wire_cli_access(c, *signin_, *sso_admin_->federation);
  open_console_door(c, *console_, *aws_, *signin_);
  portal_ = wire_portal(c, *signin_, *mail_->passwords, *sso_admin_->federation, applications_.get(),
                        cli_->portal.get(), idsource_.get(), console_->access.get());
}

int runtime::serve(const std::function<void(uint16_t)>& on_ready) {
  auto& c = *core_;
  auto scfg = c.cfg.server;
  if (scfg.tls && (scfg.cert_file.empty() || scfg.key_file.empty())) {
    scfg.cert_file = c.cfg.data_dir / "tls" / "cert.pem";
    scfg.key_file = c.cfg.data_dir / "tls" / "key.pem";
    auto made = crypto::ensure_self_signed_cert(scfg.cert_file, scfg.key_file,
                                                {"localhost", c.cfg.public_host}, {"127.0.0.1", "::1"});
    if (!made) fatal("cannot create TLS certificate: " + made.error().message);
    if (*made)
      spdlog::info(R"("msg":"created self-signed TLS certificate","file":{})",
                   nlohmann::json(scfg.cert_file.string()).dump());
  }
  auto metrics = std::make_shared<http::metrics_registry>();
  http::server srv(
      scfg,
      http::async_handler([&c](const http::request& r, http::responder later) {
        if (c.cfg.server_async_writes) return c.routes.handle_async(r, std::move(later));
        later(c.routes.handle(r));
      }),
      metrics,
      [&c](const http::request& partial, http::response generic) {
        return c.routes.transport_error(partial, std::move(generic));
      });
  if (c.cfg.server_inline_reads && c.cfg.store_kind == "sqlite")
    srv.serve_inline_when([&c](const http::request& r) { return c.routes.is_point_read(r); });
  srv.listen();
  open_portal(srv.port());
  identity_->provisioning_api->set_endpoint(scim_endpoint(c, srv.port()));
  token_gauges gauges(*c.db, c.clk, identity_->provisioning->policy(), *metrics);
  sso_admin_->jobs->start();  // resumes requests left IN_PROGRESS by a previous run
  if (mail_->stored) mail_->stored->start();  // sends what is queued, also what a dead node left
  on_ready(srv.port());
  srv.run();
  sso_admin_->jobs->stop();
  // A write queued by an asynchronous handler whose answer the server stopped waiting for
  // (shutdown_grace) still runs its body, which refers to the services and doors. They are
  // destroyed before the store (core_ goes last), so every queued write runs now, while they
  // live: the writer takes jobs in order, so this empty write returns once those before it
  // ran. Their completions find the server's pool stopped and are dropped.
  (void)c.db->write([](store::transaction&) -> result<void> { return {}; });
  return 0;
}

}  // namespace atrium::app
