#include "service/applications/saml_idp_service.hpp"

#include <nlohmann/json.hpp>

#include "base/json_text.hpp"
#include "base/strings.hpp"
#include "base/try.hpp"
#include "crypto/primitives.hpp"
#include "domain/attribute_mapping.hpp"
#include "service/applications/application_service.hpp"
#include "service/identity/membership_graph.hpp"
#include "xml/names.hpp"
#include "xml/saml_authn_request.hpp"
#include "xml/saml_response_builder.hpp"
#include "xml/trusted_certs.hpp"
#include "xml/verifier.hpp"

namespace atrium::service {

namespace {

using nlohmann::json;

constexpr std::size_t max_request_id = 256;

result<void> usable(const domain::application& a) {
  if (a.status != domain::app_status::enabled)
    return fail(errc::access_denied, "The application " + a.name + " is disabled. Ask your administrator.");
  if (!a.configured())
    return fail(errc::validation, "The application " + a.name + " has no SP entity ID or ACS URL yet.");
  return {};
}

// SAML bindings §3.4.4.1 (Redirect: detached signature over the query) and §3.5.4 with SAML core
// §5 (POST: enveloped signature of the root element, xml::verifier with its wrapping defence).
// When the application has the SP's certificates, an unsigned request is refused.
result<void> verify_request_signature(const domain::application& a, const inbound_authn_request& in,
                                      xml::parsed_authn_request& parsed) {
  if (a.sp.signing_certificates.empty()) return {};
  TRY(certs, xml::trusted_certs::from_pem(a.sp.signing_certificates));
  if (in.binding == xml::saml_binding::redirect) {
    if (!in.redirect || !in.redirect->signature)
      return refused("The application signs its AuthnRequests, but this one has no Signature.");
    if (parsed.request.has_signature) return refused("A Redirect-bound AuthnRequest must not carry an enveloped signature.");
    return xml::verify_redirect_signature(*in.redirect, certs);
  }
  if (!parsed.request.has_signature) return refused("The application signs its AuthnRequests, but this one is not signed.");
  xml::verifier v(std::move(certs));
  TRY_VOID(v.verify(parsed.doc, parsed.doc.root()));
  return {};
}

const char* federate_error_code(const error& e) {
  switch (e.code) {
    case errc::access_denied: return "NotAssigned";
    case errc::unauthenticated: return "Reauthenticate";
    case errc::not_found: return "RequestExpired";
    case errc::conflict: return "RequestAnswered";
    case errc::validation: return "InvalidRequest";
    default: return "InternalError";
  }
}

json federate_parameters(const domain::application& a, const std::optional<std::string>& in_response_to) {
  json p = {{"applicationArn", a.arn()}, {"applicationName", a.name}};
  if (in_response_to) p["inResponseTo"] = *in_response_to;
  return p;
}

}  // namespace

struct saml_idp_service::assertion_inputs {
  domain::application app;
  domain::user user;
  std::vector<std::string> group_ids;
  store::application_certificate_record certificate;
};

saml_idp_service::saml_idp_service(audited_store& store, const clock& clk, random_source& rnd, signer_cache& signers,
                                   std::shared_ptr<const idp_endpoints> endpoints, saml_idp_settings s)
    : store_(store), clock_(clk), random_(rnd), signers_(signers), endpoints_(std::move(endpoints)), s_(s) {}

result<pending_sign_in> saml_idp_service::begin(const call_context& ctx, const std::string& app_id,
                                                const inbound_authn_request& in) {
  purge_expired();
  if (in.relay_state) TRY_VOID(domain::check_relay_state_value(*in.relay_state));
  domain::application app;
  auto loaded = store_.db().read([&](store::transaction& tx) -> result<void> {
    TRY(a, load_application(tx, app_id));
    app = std::move(a);
    return {};
  });
  if (!loaded) return std::unexpected(loaded.error());
  TRY_VOID(usable(app));
  TRY(schema, xml::saml_schema::shared());
  TRY(parsed, xml::parse_authn_request(in.message, in.binding, *schema));
  const auto& req = parsed.request;
  if (req.issuer != app.sp.entity_id)
    return invalid("The AuthnRequest's Issuer is not the SP entity ID of " + app.name + ".");
  TRY_VOID(verify_request_signature(app, in, parsed));
  if (req.id.size() > max_request_id) return invalid("The AuthnRequest's ID is longer than 256 characters.");
  if (req.destination && *req.destination != endpoints_->sso_url(app_id))
    return invalid("The AuthnRequest's Destination is not this sign-in URL.");
  auto now = clock_.now();
  if (req.issue_instant > now + s_.clock_skew || req.issue_instant + s_.request_lifetime < now)
    return invalid("The AuthnRequest's IssueInstant is too old or in the future.");
  if (req.protocol_binding && *req.protocol_binding != xml::binding_post)
    return invalid("Atrium answers with the HTTP-POST binding only (ProtocolBinding).");
  const domain::acs_endpoint* acs = app.find_acs(req.acs_url, req.acs_index);
  if (!acs) return invalid("The AssertionConsumerServiceURL is not one that " + app.name + " registered.");
  pending_sign_in out{random_.hex(32), app.id, app.name};
  store::saml_request_record row{crypto::sha256_hex(out.handle), app.id, req.id, acs->url, in.relay_state,
                                 req.force_authn, now,
                                 std::max(now, req.issue_instant) + s_.request_lifetime + s_.clock_skew, std::nullopt};
  auto written = store_.write<bool>(
      ctx,
      [&](store::transaction& tx) -> result<bool> {
        TRY_VOID(tx.applications().insert_request(row));
        return true;
      },
      json_text_of([&](const bool&) { return json{{"applicationArn", app.arn()}, {"requestId", req.id}, {"acsUrl", acs->url}}; }));
  if (!written) return std::unexpected(written.error());
  return out;
}

result<saml_idp_service::assertion_inputs> saml_idp_service::gather(store::transaction& tx, const std::string& app_id,
                                                                    const signed_in_user& u, domain::user* known) {
  TRY(app, load_application(tx, app_id));
  TRY_VOID(usable(app));
  std::optional<domain::user> user;
  if (known) {
    user = std::move(*known);
  } else {
    TRY(row, tx.users().get(u.user_id));
    user = std::move(row);
  }
  if (!user || !user->active) return refused("The user is disabled or deleted; sign in again.");
  TRY(groups, effective_groups(tx, u.user_id));
  std::vector<std::string> group_ids;
  group_ids.reserve(groups.size());
  for (const auto& g : groups) group_ids.push_back(g.group_id);
  TRY(may, user_may_open(tx, app, u.user_id, group_ids));
  if (!may) return fail(errc::access_denied, "You are not assigned to " + app.name + ". Ask your administrator for access.");
  TRY(certs, tx.applications().certificates(app_id));
  auto active = std::find_if(certs.begin(), certs.end(), [](const auto& c) { return c.active; });
  if (active == certs.end()) return fail(errc::internal, "The application " + app.name + " has no active certificate.");
  return assertion_inputs{std::move(app), std::move(*user), std::move(group_ids), std::move(*active)};
}

result<std::string> saml_idp_service::build(const assertion_inputs& in, const signed_in_user& u,
                                            const std::string& acs_url, const std::optional<std::string>& in_response_to) {
  TRY(mapped, domain::map_attributes(in.app.mappings, domain::user_facts{in.user, in.group_ids}));
  TRY(signer, signers_.signer_for(in.certificate));
  auto now = clock_.now();
  xml::response_values v;
  v.issuer = endpoints_->entity_id(in.app.id);
  v.destination = acs_url;
  v.recipient = acs_url;
  v.audience = in.app.sp.entity_id;
  v.in_response_to = in_response_to;
  v.name_id = std::move(mapped.name_id);
  v.name_id_format = std::string(domain::urn_of(mapped.format));
  // SessionIndex names the portal session without being its key (SAML core §2.7.2).
  v.session_index = "_" + crypto::sha256_hex("saml-session-index:" + u.session_id).substr(0, 32);
  v.issue_instant = now;
  v.authn_instant = u.authenticated_at;
  v.not_before = now - std::chrono::seconds(30);
  // The guide's "Session duration": NotOnOrAfter of SubjectConfirmationData and Conditions; the
  // session the SP may keep (SessionNotOnOrAfter) is as long.
  v.not_on_or_after = now + in.app.response.session_duration;
  v.session_not_on_or_after = v.not_on_or_after;
  v.attributes.reserve(mapped.attributes.size());
  for (auto& a : mapped.attributes)
    v.attributes.push_back({std::move(a.name), std::string(domain::urn_of(a.format)), std::move(a.values)});
  auto target = in.app.response.sign == domain::saml_sign_target::assertion ? xml::sign_target::assertion
              : in.app.response.sign == domain::saml_sign_target::response  ? xml::sign_target::response
                                                                             : xml::sign_target::both;
  TRY(xml_text, xml::build_response(v, random_, *signer, target));
  return base64_encode(xml_text);
}

// A refused answer or launch is recorded as a failed Federate event (the assertion that was
// not issued), with the refusal's code and message.
template <class T>
result<T> saml_idp_service::audited(const call_context& ctx, result<T> r) {
  if (r) return r;
  auto failed = ctx;
  failed.event_name = "Federate";
  store_.record_failure(failed, {federate_error_code(r.error()), r.error().message});
  return r;
}

result<saml_post> saml_idp_service::answer(const call_context& ctx, const signed_in_user& u, const std::string& handle) {
  return audited(ctx, answer_request(ctx, u, handle));
}

result<app_launch> saml_idp_service::launch(const call_context& ctx, const signed_in_user& u, const std::string& app_id) {
  return audited(ctx, launch_application(ctx, u, app_id));
}

result<saml_post> saml_idp_service::answer_request(const call_context& ctx, const signed_in_user& u, const std::string& handle) {
  const std::string id = crypto::sha256_hex(handle);
  store::saml_request_record pending;
  std::optional<assertion_inputs> inputs;
  auto now = clock_.now();
  // Read, then build and sign outside any transaction (the writer thread is shared), then mark
  // the request answered with the Federate record: only the first answer commits.
  auto read = store_.db().read([&](store::transaction& tx) -> result<void> {
    TRY(row, tx.applications().get_request(id));
    if (!row || row->expires_at <= now) return fail(errc::not_found, "This sign-in request is unknown or has expired; start again from the application.");
    if (row->answered_at) return fail(errc::conflict, "This sign-in request was answered already (a replayed request); start again from the application.");
    pending = std::move(*row);
    TRY(got, gather(tx, pending.application_id, u));
    inputs = std::move(got);
    return {};
  });
  if (!read) return std::unexpected(read.error());
  if (pending.force_authn && u.authenticated_at < pending.created_at)
    return refused("The application asks for a fresh sign-in (ForceAuthn); sign in again.");
  if (!inputs->app.find_acs(pending.acs_url, std::nullopt))
    return invalid("The ACS URL of this request is no longer registered for " + inputs->app.name + ".");
  TRY(response, build(*inputs, u, pending.acs_url, pending.request_id));
  auto audit_ctx = ctx;
  audit_ctx.event_name = "Federate";
  audit_ctx.request_parameters = to_json_text(federate_parameters(inputs->app, pending.request_id));
  auto written = store_.write<bool>(
      audit_ctx,
      [&](store::transaction& tx) -> result<bool> {
        TRY(first, tx.applications().answer_request(id, now));
        if (!first) return fail(errc::conflict, "This sign-in request was answered already (a replayed request).");
        return true;
      },
      json_text_of([&](const bool&) { return json{{"acsUrl", pending.acs_url}}; }));
  if (!written) return std::unexpected(written.error());
  return saml_post{pending.acs_url, std::move(response), pending.relay_state, inputs->app.name};
}

result<app_launch> saml_idp_service::launch_application(const call_context& ctx, const signed_in_user& u,
                                                       const std::string& app_id) {
  auto audit_ctx = ctx;
  audit_ctx.event_name = "Federate";
  auto inputs = store_.read<assertion_inputs>(audit_ctx, [&](store::transaction& tx) { return gather(tx, app_id, u); });
  if (!inputs) return std::unexpected(inputs.error());
  return launch_with(*inputs, u);
}

result<app_launch> saml_idp_service::launch(const launch_gate& gate, const std::string& app_id, bool& refused_at_gate) {
  refused_at_gate = false;
  std::optional<launch_gate_pass> pass;
  std::optional<assertion_inputs> inputs;
  auto read = store_.db().read([&](store::transaction& tx) -> result<void> {
    auto p = gate(tx);
    if (!p) {
      refused_at_gate = true;
      return std::unexpected(p.error());
    }
    pass = std::move(*p);
    TRY(in, gather(tx, app_id, pass->who, &pass->user));
    inputs = std::move(in);
    return {};
  });
  if (refused_at_gate) return std::unexpected(read.error());
  if (!pass) return std::unexpected(read.error());  // the store failed before the gate answered
  auto audit_ctx = pass->ctx;
  audit_ctx.event_name = "Federate";
  if (!read) return audited(audit_ctx, result<app_launch>(std::unexpected(read.error())));
  store_.record_success(audit_ctx);  // as launch() records it: a read, batched
  return audited(audit_ctx, launch_with(*inputs, pass->who));
}

result<app_launch> saml_idp_service::launch_with(const assertion_inputs& in, const signed_in_user& u) {
  app_launch out;
  out.application_name = in.app.name;
  // The guide's "Application start URL": the application starts an SP-initiated sign-in.
  if (in.app.portal.origin == domain::sign_in_origin::application && in.app.portal.application_url) {
    out.redirect_url = *in.app.portal.application_url;
    return out;
  }
  const auto* acs = in.app.default_acs();
  TRY(response, build(in, u, acs->url, std::nullopt));
  out.post = saml_post{acs->url, std::move(response), in.app.response.relay_state, in.app.name};
  return out;
}

result<std::string> saml_idp_service::pending_application_name(const std::string& handle) {
  std::string name;
  auto r = store_.db().read([&](store::transaction& tx) -> result<void> {
    TRY(row, tx.applications().get_request(crypto::sha256_hex(handle)));
    if (!row || row->expires_at <= clock_.now()) return fail(errc::not_found, "This sign-in request is unknown or has expired.");
    TRY(app, load_application(tx, row->application_id));
    name = app.name;
    return {};
  });
  if (!r) return std::unexpected(r.error());
  return name;
}

void saml_idp_service::purge_expired() {
  auto now = clock_.now();
  int64_t now_ms = epoch_millis(now);
  int64_t last = last_purge_ms_.load();
  if (now_ms - last < 10 * 60 * 1000) return;
  if (!last_purge_ms_.compare_exchange_strong(last, now_ms)) return;  // another thread does it
  store_.db().write_detached([now](store::transaction& tx) -> result<void> {
    TRY_VOID(tx.applications().remove_expired_requests(now));
    return {};
  });
}

}  // namespace atrium::service
