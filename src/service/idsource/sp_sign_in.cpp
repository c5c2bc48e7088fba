#include "service/idsource/sp_sign_in.hpp"

#include <nlohmann/json.hpp>

#include "base/json_text.hpp"
#include "base/strings.hpp"
#include "base/try.hpp"
#include "crypto/primitives.hpp"
#include "domain/identity.hpp"
#include "service/audit/event_sources.hpp"
#include "xml/dom.hpp"
#include "xml/names.hpp"
#include "xml/saml_bindings.hpp"
#include "xml/saml_response_validator.hpp"
#include "xml/saml_sp_messages.hpp"
#include "xml/schema.hpp"

namespace atrium::service {

namespace {

constexpr std::size_t max_saml_response = 512 * 1024;  // base64 of the form field
constexpr std::size_t max_relay = 512;

// The values a refusal record may name (never the assertion, never a token).
std::string bounded(std::string_view s, std::size_t n = 256) { return std::string(s.substr(0, n)); }

// The Issuer the Response claims, read before anything is verified: it only picks which IdP's
// certificates verify it (the validator then requires it to equal that IdP's entity ID).
std::string claimed_issuer(const xml::document& doc) {
  const xmlNode* root = doc.root();
  if (!xml::is_element(root, xml::ns_samlp, "Response")) return {};
  for (const xmlNode* n : xml::element_children(root, xml::ns_saml, "Issuer"))
    if (auto t = xml::element_text(n)) return std::string(trim(*t));
  for (const xmlNode* a : xml::element_children(root, xml::ns_saml, "Assertion"))
    for (const xmlNode* n : xml::element_children(a, xml::ns_saml, "Issuer"))
      if (auto t = xml::element_text(n)) return std::string(trim(*t));
  return {};
}

std::optional<std::string> claimed_in_response_to(const xml::document& doc) {
  const xmlNode* root = doc.root();
  if (!root) return std::nullopt;
  auto v = xml::attribute(root, "InResponseTo");
  if (v && v->empty()) return std::nullopt;
  return v;
}

// The IdP's attributes for access control (guide "Attributes for access control": a value
// passed in the assertion takes precedence over the configured source). Single-valued, key and
// value within the session-tag limits; anything else is left out.
nlohmann::json access_control_of(const xml::validated_assertion& a) {
  nlohmann::json out = nlohmann::json::object();
  for (const auto& attr : a.attributes) {
    if (!attr.name.starts_with(access_control_prefix)) continue;
    std::string key = attr.name.substr(access_control_prefix.size());
    if (key.empty() || key.size() > 128 || attr.values.size() != 1 || attr.values[0].empty() ||
        attr.values[0].size() > 256 || out.size() >= 50)
      continue;
    out[key] = attr.values[0];
  }
  return out;
}

}  // namespace

std::optional<std::string> portal_relay(std::optional<std::string> relay) {
  if (!relay || relay->size() > max_relay || !relay->starts_with("/portal/") || relay->starts_with("//"))
    return std::nullopt;
  for (unsigned char c : *relay)
    if (c <= 0x20 || c >= 0x7f || c == '\\') return std::nullopt;
  if (relay->find("/..") != std::string::npos) return std::nullopt;
  return relay;
}

struct sp_sign_in::attempt {
  std::string issuer;
  std::string name_id;
  std::string idp_id;
};

sp_sign_in::sp_sign_in(audited_store& store, session_service& sessions, sp_keys& keys,
                       std::shared_ptr<const sp_endpoints> endpoints, const clock& clk, random_source& rnd,
                       sp_settings s)
    : store_(store),
      sessions_(sessions),
      keys_(keys),
      endpoints_(std::move(endpoints)),
      clock_(clk),
      random_(rnd),
      s_(std::move(s)) {}

call_context sp_sign_in::event_context(const sign_in_client& c, const std::string& user_name) const {
  auto ctx = anonymous_sign_in_context(c, s_.account_id, s_.region, user_name);
  ctx.event_source = std::string(event_sources::sso_directory);
  ctx.event_name = event_name;
  return ctx;
}

result<sp_login_start> sp_sign_in::begin(const sign_in_client&, std::optional<std::string> idp_id,
                                         std::optional<std::string> relay) {
  std::optional<store::external_idp_record> idp;
  auto read = store_.db().read([&](store::transaction& tx) -> result<void> {
    TRY(st, read_identity_source(tx));
    if (!st.external) return fail(errc::not_found, "The identity source is not an external identity provider.");
    TRY(all, tx.external_idps().list());
    int enabled = 0;
    for (auto& r : all) {
      if (!r.enabled) continue;
      ++enabled;
      if (!idp_id || r.id == *idp_id) idp = r;
    }
    if (idp_id && !idp) return fail(errc::not_found, "No enabled identity provider " + bounded(*idp_id, 64) + ".");
    if (!idp) return fail(errc::not_found, "No identity provider is enabled.");
    if (!idp_id && enabled > 1) return invalid("Several identity providers are enabled: choose one by your e-mail.");
    return {};
  });
  if (!read) return std::unexpected(read.error());
  TRY(key, keys_.get());
  auto now = clock_.now();
  sp_login_start out;
  out.idp_id = idp->id;
  out.browser_token = random_.hex(32);
  store::sp_request_record rec;
  rec.request_id = xml::make_message_id(random_);
  rec.browser_hash = crypto::sha256_hex(out.browser_token);
  rec.idp_id = idp->id;
  rec.relay = portal_relay(std::move(relay));
  rec.created_at = now;
  rec.expires_at = now + s_.request_lifetime;
  auto xml = xml::build_authn_request({rec.request_id, endpoints_->entity_id(), endpoints_->acs_url(), idp->sso_url, now});
  TRY(query, xml::make_redirect_query(xml, true, std::nullopt, idp->sign_authn_requests ? &key->signer : nullptr));
  auto w = store_.db().write([&](store::transaction& tx) -> result<void> {
    TRY_VOID(tx.external_idps().remove_expired(now));
    return tx.external_idps().put_request(rec);
  });
  if (!w) return std::unexpected(w.error());
  out.redirect_url = idp->sso_url + (idp->sso_url.find('?') == std::string::npos ? "?" : "&") + query;
  return out;
}

result<sp_login_done> sp_sign_in::consume(const sign_in_client& c, std::string_view saml_response,
                                          std::optional<std::string> relay_state, std::string_view browser_token) {
  attempt a;
  auto r = run(c, a, saml_response, std::move(relay_state), browser_token);
  if (!r) record_failure(c, a, r.error().message);
  return r;
}

void sp_sign_in::record_refusal(const sign_in_client& c, const std::string& reason) { record_failure(c, attempt{}, reason); }

void sp_sign_in::record_failure(const sign_in_client& c, const attempt& a, const std::string& reason) {
  auto ctx = event_context(c, a.name_id);
  nlohmann::ordered_json extra = {{"Reason", reason}};
  if (!a.issuer.empty()) extra["IdpEntityId"] = bounded(a.issuer);
  if (!a.idp_id.empty()) extra["IdpId"] = a.idp_id;
  if (!a.name_id.empty()) extra["NameID"] = bounded(a.name_id);
  store_.record_event(store_.events().make_service_event(ctx, ordered_to_json_text(extra),
                                                         ordered_to_json_text({{event_name, "Failure"}})));
}

result<sp_login_done> sp_sign_in::run(const sign_in_client& c, attempt& a, std::string_view saml_response,
                                      std::optional<std::string> relay_state, std::string_view browser_token) {
  if (saml_response.empty()) return invalid("The form has no SAMLResponse.");
  if (saml_response.size() > max_saml_response) return invalid("The SAMLResponse is larger than 512 KB.");
  auto doc = xml::decode_post_message(saml_response);
  if (!doc) return invalid("The SAMLResponse is not a readable SAML message: " + doc.error().message);
  // Well-formed XML of another kind is malformed input too (SAML bindings §3.5.4: the form
  // carries a <samlp:Response>), not an unknown IdP: refused before any IdP is looked up.
  if (!xml::is_element(doc->root(), xml::ns_samlp, "Response")) return invalid("The SAMLResponse is not a SAML Response.");
  a.issuer = claimed_issuer(*doc);
  auto in_response_to = claimed_in_response_to(*doc);
  std::optional<store::external_idp_record> idp;
  auto read = store_.db().read([&](store::transaction& tx) -> result<void> {
    TRY(st, read_identity_source(tx));
    if (!st.external) return refused("The identity source is not an external identity provider.");
    TRY(all, tx.external_idps().list());
    for (auto& r : all)
      if (r.enabled && r.entity_id == a.issuer) idp = std::move(r);
    return {};
  });
  if (!read) return std::unexpected(read.error());
  if (!idp) return refused("No enabled identity provider has the Issuer '" + bounded(a.issuer) + "'.");
  a.idp_id = idp->id;
  if (!in_response_to && !idp->allow_idp_initiated)
    return refused("Unsolicited response: IdP-initiated sign-in is not allowed for this identity provider.");
  if (in_response_to && browser_token.empty())
    return refused("The browser has no atrium_sp_request cookie: start the sign-in again.");

  xml::response_expectations expect;
  expect.idp_entity_id = idp->entity_id;
  expect.sp_entity_id = endpoints_->entity_id();
  expect.acs_url = endpoints_->acs_url();
  expect.in_response_to = in_response_to;
  expect.allow_unsolicited = !in_response_to;
  expect.now = clock_.now();
  expect.clock_skew = s_.clock_skew;
  TRY(certs, xml::trusted_certs::from_pem(idp->certificates));
  xml::verifier verify(std::move(certs));
  TRY(schema, xml::saml_schema::shared());
  auto v = xml::validate_response(*doc, expect, verify, *schema);
  if (!v) return std::unexpected(v.error());
  a.name_id = v->name_id;
  if (!v->name_id_format.empty() && v->name_id_format != xml::name_id_email && v->name_id_format != xml::name_id_unspecified)
    return refused("The NameID format is " + bounded(v->name_id_format) + "; it must be emailAddress.");
  if (!is_addr_spec(v->name_id)) return refused("The NameID is not an e-mail address (RFC 2822 addr-spec).");

  sp_login_done out;
  auto attrs = access_control_of(*v);
  auto now = clock_.now();
  auto w = store_.write_with_records([&](store::transaction& tx, std::vector<store::audit_record>& records) -> result<void> {
    std::optional<std::string> stored_relay;
    if (in_response_to) {
      TRY(req, tx.external_idps().take_request(*in_response_to, crypto::sha256_hex(browser_token), now));
      if (!req || req->idp_id != idp->id)
        return refused("InResponseTo does not name a pending request of this browser (expired, answered, or another "
                       "browser's).");
      stored_relay = req->relay;
    }
    // Kept until the assertion could no longer be accepted (its NotOnOrAfter plus the skew).
    auto used = tx.external_idps().use_assertion(idp->entity_id, v->assertion_id, v->not_on_or_after + s_.clock_skew);
    if (!used && used.error().code == errc::conflict) return refused(used.error().message);
    if (!used) return used;
    store::user_filter f;
    f.user_name_key = domain::fold_key(v->name_id);
    TRY(p, tx.users().list(f, {"", 1}));
    if (p.items.empty() || p.items.front().user_name != v->name_id)
      return refused("No user has the userName " + bounded(v->name_id) + " (users are provisioned first: SCIM or by hand).");
    const auto& user = p.items.front();
    if (!user.active) return refused("The user " + bounded(v->name_id) + " is disabled.");
    TRY(session, sessions_.create(tx, user.id, c.source_ip, c.user_agent));
    if (!attrs.empty()) TRY_VOID(tx.external_idps().put_session_attributes(session.record.id, idp->id, to_json_text(attrs)));
    out.session = std::move(session);
    out.user_name = user.user_name;
    out.relay = stored_relay ? *stored_relay : portal_relay(relay_state).value_or("/portal/");
    nlohmann::ordered_json extra = {{"IdpEntityId", bounded(idp->entity_id)}, {"IdpId", idp->id},
                                    {"NameID", bounded(v->name_id)}, {"LoginTo", endpoints_->base_url() + "/portal/"},
                                    {"Mode", in_response_to ? "SP_INITIATED" : "IDP_INITIATED"}};
    records.push_back(store_.events().make_service_event(event_context(c, user.user_name), ordered_to_json_text(extra),
                                                         ordered_to_json_text({{event_name, "Success"}})));
    return {};
  });
  if (!w) return std::unexpected(w.error());
  sessions_.purge_expired();
  purge_expired();
  return out;
}

void sp_sign_in::purge_expired() {
  auto now = clock_.now();
  int64_t now_ms = epoch_millis(now);
  int64_t last = last_purge_ms_.load();
  if (now_ms - last < 10 * 60 * 1000 || !last_purge_ms_.compare_exchange_strong(last, now_ms)) return;
  store_.db().write_detached([now](store::transaction& tx) -> result<void> {
    auto n = tx.external_idps().remove_expired(now);
    if (!n) return std::unexpected(n.error());
    return {};
  });
}

result<std::optional<std::string>> sp_sign_in::idp_for_email(std::string_view email) {
  std::optional<std::string> out;
  auto r = store_.db().read([&](store::transaction& tx) -> result<void> {
    TRY(idp, enabled_idp_of_email(tx, email));
    out = std::move(idp);
    return {};
  });
  if (!r) return std::unexpected(r.error());
  return out;
}

result<bool> sp_sign_in::sends_to_idp() {
  bool out = false;
  auto r = store_.db().read([&](store::transaction& tx) -> result<void> {
    TRY(st, read_identity_source(tx));
    out = st.external && !st.multiple_idps;
    return {};
  });
  if (!r) return std::unexpected(r.error());
  return out;
}

result<bool> sp_sign_in::password_sign_in_allowed(std::string_view user_name) {
  bool out = true;
  auto r = store_.db().read([&](store::transaction& tx) -> result<void> {
    TRY(allowed, passwords_in_atrium(tx, user_name));
    out = allowed;
    return {};
  });
  if (!r) return std::unexpected(r.error());
  return out;
}

}  // namespace atrium::service
