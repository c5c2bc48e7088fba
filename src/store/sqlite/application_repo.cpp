#include "store/sqlite/application_repo.hpp"

#include <nlohmann/json.hpp>

#include "base/strings.hpp"
#include "store/decoded_memo.hpp"
#include "store/sqlite/rows.hpp"

namespace atrium::store::sqlite {

using nlohmann::json;

namespace {

json app_sp_json(const domain::service_provider& sp) {
  json acs = json::array();
  for (const auto& a : sp.acs) acs.push_back({{"url", a.url}, {"index", a.index}, {"default", a.is_default}});
  return {{"entity", sp.entity_id}, {"acs", acs}, {"certs", sp.signing_certificates}, {"fields", sp.template_fields}};
}

domain::service_provider app_sp_of(const json& j) {
  domain::service_provider sp;
  sp.entity_id = j.value("entity", "");
  for (const auto& a : j.value("acs", json::array()))
    sp.acs.push_back({a.value("url", ""), a.value("index", 0), a.value("default", false)});
  sp.signing_certificates = j.value("certs", std::vector<std::string>{});
  sp.template_fields = j.value("fields", std::map<std::string, std::string>{});
  return sp;
}

json app_mappings_json(const std::vector<domain::attribute_mapping>& rows) {
  json out = json::array();
  for (const auto& r : rows) out.push_back({{"name", r.name}, {"value", r.value}, {"format", r.format}});
  return out;
}

domain::portal_options app_portal_of(const json& j) {
  domain::portal_options p;
  if (auto o = j.find("origin"); o != j.end()) p.origin = domain::sign_in_origin_from(o->get<std::string>());
  if (auto u = j.find("url"); u != j.end()) p.application_url = u->get<std::string>();
  p.visible = j.value("visible", true);
  return p;
}

application_certificate_record app_cert_row(const statement& s) {
  return {s.text(0), s.text(1), s.text(2), s.text(3), s.text(4), static_cast<int>(s.integer(5)),
          from_epoch_millis(s.integer(6)), from_epoch_millis(s.integer(7)), from_epoch_millis(s.integer(8)),
          s.integer(9) != 0};
}

application_assignment_record app_assignment_row(const statement& s) {
  return {s.text(0), s.text(1) == "GROUP" ? domain::principal_type::group : domain::principal_type::user, s.text(2),
          from_epoch_millis(s.integer(3))};
}

saml_request_record app_request_row(const statement& s) {
  saml_request_record r{s.text(0), s.text(1), s.text(2), s.text(3), std::nullopt, s.integer(5) != 0,
                        from_epoch_millis(s.integer(6)), from_epoch_millis(s.integer(7)), std::nullopt};
  if (!s.is_null(4)) r.relay_state = s.text(4);
  if (!s.is_null(8)) r.answered_at = from_epoch_millis(s.integer(8));
  return r;
}

result<domain::application> app_doc_row(const statement& s) { return decode_application(s.text(0)); }

}  // namespace

// Short keys; unknown keys are ignored on read so that a later version may add fields.
std::string encode_application(const domain::application& a) {
  json portal = {{"visible", a.portal.visible}};
  if (a.portal.origin) portal["origin"] = domain::to_string(*a.portal.origin);
  if (a.portal.application_url) portal["url"] = *a.portal.application_url;
  json response = {{"session", a.response.session_duration.count()}, {"sign", domain::to_string(a.response.sign)}};
  if (a.response.relay_state) response["relay"] = *a.response.relay_state;
  json j = {{"id", a.id},
            {"instance", a.instance_id},
            {"account", a.account_id},
            {"provider", a.provider_arn},
            {"name", a.name},
            {"status", domain::to_string(a.status)},
            {"portal", portal},
            {"required", a.assignment_required},
            {"created", epoch_millis(a.created_at)},
            {"region", a.created_from},
            {"sp", app_sp_json(a.sp)},
            {"response", response},
            {"mappings", app_mappings_json(a.mappings)},
            {"version", a.version}};
  if (a.description) j["description"] = *a.description;
  if (a.icon_png) j["icon"] = base64_encode(*a.icon_png);
  return j.dump();
}

namespace {

result<domain::application> decode_application_text(std::string_view text) {
  json j = json::parse(text, nullptr, false);
  if (j.is_discarded() || !j.is_object()) return fail(errc::internal, "corrupt application document");
  try {
    domain::application a;
    a.id = j.value("id", "");
    a.instance_id = j.value("instance", "");
    a.account_id = j.value("account", "");
    a.provider_arn = j.value("provider", "");
    a.name = j.value("name", "");
    if (auto d = j.find("description"); d != j.end()) a.description = d->get<std::string>();
    a.status = domain::app_status_from(j.value("status", "ENABLED")).value_or(domain::app_status::enabled);
    a.portal = app_portal_of(j.value("portal", json::object()));
    a.assignment_required = j.value("required", true);
    a.created_at = from_epoch_millis(j.value("created", int64_t{0}));
    a.created_from = j.value("region", "");
    a.sp = app_sp_of(j.value("sp", json::object()));
    auto r = j.value("response", json::object());
    a.response.session_duration = std::chrono::seconds(r.value("session", int64_t{3600}));
    a.response.sign = domain::sign_target_from(r.value("sign", "both")).value_or(domain::saml_sign_target::both);
    if (auto rs = r.find("relay"); rs != r.end()) a.response.relay_state = rs->get<std::string>();
    for (const auto& m : j.value("mappings", json::array()))
      a.mappings.push_back({m.value("name", ""), m.value("value", ""), m.value("format", "unspecified")});
    if (auto i = j.find("icon"); i != j.end() && i->is_string()) a.icon_png = base64_decode(i->get<std::string>());
    a.version = j.value("version", int64_t{1});
    return a;
  } catch (const json::exception& e) {
    return fail(errc::internal, std::string("corrupt application document: ") + e.what());
  }
}

}  // namespace

// Decoded once per stored text (store/decoded_memo.hpp): a SAML launch reads its application
// every time (issue 15 item 9), and every update writes a new text (its version is in it).
result<domain::application> decode_application(std::string_view text) {
  static decoded_memo<domain::application> memo(4 * 1024 * 1024);
  return memo.get(text, decode_application_text);
}

// ---- applications --------------------------------------------------------------------------

result<void> application_repo::insert(const domain::application& a) {
  PREPARE(s, c_, "INSERT INTO applications(id, provider_arn, created_at, version, doc) VALUES (?, ?, ?, ?, ?)");
  s.bind(1, a.id).bind(2, a.provider_arn).bind(3, epoch_millis(a.created_at)).bind(4, a.version).bind(5, encode_application(a));
  return run(s);
}

result<void> application_repo::update(const domain::application& a, int64_t expected_version) {
  PREPARE(s, c_, "UPDATE applications SET provider_arn = ?, version = ?, doc = ? WHERE id = ? AND version = ?");
  s.bind(1, a.provider_arn).bind(2, a.version).bind(3, encode_application(a)).bind(4, a.id).bind(5, expected_version);
  if (auto r = run(s); !r) return r;
  if (c_.changes() > 0) return {};
  auto cur = get(a.id);
  if (!cur) return std::unexpected(cur.error());
  if (!*cur) return not_found("APPLICATION", a.id);
  return fail(errc::concurrent_modification, "The application was changed by another request; retry.");
}

result<std::optional<domain::application>> application_repo::get(const std::string& id) {
  PREPARE(s, c_, "SELECT doc FROM applications WHERE id = ?");
  s.bind(1, id);
  return one_row(s, app_doc_row);
}

result<bool> application_repo::remove(const std::string& id) {
  PREPARE(s, c_, "DELETE FROM applications WHERE id = ?");
  s.bind(1, id);
  if (auto r = run(s); !r) return std::unexpected(r.error());
  return c_.changes() > 0;
}

result<page<domain::application>> application_repo::list(const std::optional<std::string>& provider_arn,
                                                         const page_request& p) {
  if (provider_arn) {
    PREPARE(s, c_, "SELECT doc FROM applications WHERE provider_arn = ? AND id > ? ORDER BY id LIMIT ?");
    s.bind(1, *provider_arn).bind(2, p.after_id).bind(3, page_limit(p) + 1);
    return page_of(s, page_limit(p), app_doc_row);
  }
  PREPARE(s, c_, "SELECT doc FROM applications WHERE id > ? ORDER BY id LIMIT ?");
  s.bind(1, p.after_id).bind(2, page_limit(p) + 1);
  return page_of(s, page_limit(p), app_doc_row);
}

result<int64_t> application_repo::count() {
  PREPARE(s, c_, "SELECT COUNT(*) FROM applications");
  return scalar(s);
}

// ---- certificates --------------------------------------------------------------------------

result<void> application_repo::insert_certificate(const application_certificate_record& r) {
  PREPARE(s, c_, "INSERT INTO application_certificates(id, application_id, certificate_pem, sealed_key, fingerprint, key_bits, not_before, not_after, created_at, active) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
  s.bind(1, r.id).bind(2, r.application_id).bind(3, r.certificate_pem).bind(4, r.sealed_key).bind(5, r.sha256_fingerprint)
      .bind(6, int64_t{r.key_bits}).bind(7, epoch_millis(r.not_before)).bind(8, epoch_millis(r.not_after))
      .bind(9, epoch_millis(r.created_at)).bind(10, int64_t{r.active ? 1 : 0});
  return run(s);
}

result<std::vector<application_certificate_record>> application_repo::certificates(const std::string& application_id) {
  PREPARE(s, c_, "SELECT id, application_id, certificate_pem, sealed_key, fingerprint, key_bits, not_before, not_after, created_at, active FROM application_certificates WHERE application_id = ? ORDER BY created_at, id");
  s.bind(1, application_id);
  std::vector<application_certificate_record> out;
  while (true) {
    auto row = s.step();
    if (!row) return std::unexpected(row.error());
    if (!*row) break;
    out.push_back(app_cert_row(s));
  }
  s.reset();
  return out;
}

result<bool> application_repo::remove_certificate(const std::string& application_id, const std::string& certificate_id) {
  PREPARE(s, c_, "DELETE FROM application_certificates WHERE application_id = ? AND id = ?");
  s.bind(1, application_id).bind(2, certificate_id);
  if (auto r = run(s); !r) return std::unexpected(r.error());
  return c_.changes() > 0;
}

result<bool> application_repo::activate_certificate(const std::string& application_id, const std::string& certificate_id) {
  PREPARE(exists, c_, "SELECT COUNT(*) FROM application_certificates WHERE application_id = ? AND id = ?");
  exists.bind(1, application_id).bind(2, certificate_id);
  TRY(n, scalar(exists));
  if (n == 0) return false;
  // Two statements in the caller's transaction: the partial unique index allows one active row.
  PREPARE(off, c_, "UPDATE application_certificates SET active = 0 WHERE application_id = ? AND active = 1");
  off.bind(1, application_id);
  TRY_VOID(run(off));
  PREPARE(on, c_, "UPDATE application_certificates SET active = 1 WHERE application_id = ? AND id = ?");
  on.bind(1, application_id).bind(2, certificate_id);
  TRY_VOID(run(on));
  return true;
}

// ---- assignments ---------------------------------------------------------------------------

result<bool> application_repo::insert_assignment(const application_assignment_record& a) {
  PREPARE(s, c_, "INSERT OR IGNORE INTO application_assignments(application_id, principal_id, principal_type, created_at) VALUES (?, ?, ?, ?)");
  s.bind(1, a.application_id).bind(2, a.principal_id)
      .bind(3, std::string_view(a.principal_kind == domain::principal_type::group ? "GROUP" : "USER"))
      .bind(4, epoch_millis(a.created_at));
  if (auto r = run(s); !r) return std::unexpected(r.error());
  return c_.changes() > 0;
}

result<bool> application_repo::remove_assignment(const std::string& application_id, const std::string& principal_id) {
  PREPARE(s, c_, "DELETE FROM application_assignments WHERE application_id = ? AND principal_id = ?");
  s.bind(1, application_id).bind(2, principal_id);
  if (auto r = run(s); !r) return std::unexpected(r.error());
  return c_.changes() > 0;
}

result<std::optional<application_assignment_record>> application_repo::get_assignment(const std::string& application_id,
                                                                                      const std::string& principal_id) {
  PREPARE(s, c_, "SELECT application_id, principal_type, principal_id, created_at FROM application_assignments WHERE application_id = ? AND principal_id = ?");
  s.bind(1, application_id).bind(2, principal_id);
  return one_row(s, app_assignment_row);
}

result<page<application_assignment_record>> application_repo::assignments_of(const std::string& application_id,
                                                                             const page_request& p) {
  PREPARE(s, c_, "SELECT application_id, principal_type, principal_id, created_at FROM application_assignments WHERE application_id = ? AND principal_id > ? ORDER BY principal_id LIMIT ?");
  s.bind(1, application_id).bind(2, p.after_id).bind(3, page_limit(p) + 1);
  return page_of(s, page_limit(p), app_assignment_row);
}

result<page<application_assignment_record>> application_repo::assignments_for(
    const std::vector<std::string>& principal_ids, const std::optional<std::string>& application_id, const page_request& p) {
  // One statement text whatever the number of principals (json_each), keyset on
  // (application_id, principal_id) written as "<app> <principal>".
  auto space = p.after_id.find(' ');
  std::string after_app = space == std::string::npos ? p.after_id : p.after_id.substr(0, space);
  std::string after_principal = space == std::string::npos ? "" : p.after_id.substr(space + 1);
  PREPARE(s, c_, "SELECT a.application_id, a.principal_type, a.principal_id, a.created_at FROM application_assignments a JOIN json_each(?1) j ON a.principal_id = j.value WHERE (?2 IS NULL OR a.application_id = ?2) AND (a.application_id > ?3 OR (a.application_id = ?3 AND a.principal_id > ?4)) ORDER BY a.application_id, a.principal_id LIMIT ?5");
  s.bind(1, json(principal_ids).dump()).bind(2, application_id).bind(3, after_app).bind(4, after_principal)
      .bind(5, page_limit(p) + 1);
  return page_of(s, page_limit(p), app_assignment_row);
}

// ---- pending AuthnRequests -------------------------------------------------------------------

result<void> application_repo::insert_request(const saml_request_record& r) {
  PREPARE(s, c_, "INSERT INTO saml_requests(id, application_id, request_id, acs_url, relay_state, force_authn, created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)");
  s.bind(1, r.id).bind(2, r.application_id).bind(3, r.request_id).bind(4, r.acs_url).bind(5, r.relay_state)
      .bind(6, int64_t{r.force_authn ? 1 : 0}).bind(7, epoch_millis(r.created_at)).bind(8, epoch_millis(r.expires_at));
  auto done = run(s);
  if (!done && done.error().code == errc::conflict)
    return fail(errc::conflict, "This AuthnRequest ID was seen before (a replayed request).");
  return done;
}

result<std::optional<saml_request_record>> application_repo::get_request(const std::string& id) {
  PREPARE(s, c_, "SELECT id, application_id, request_id, acs_url, relay_state, force_authn, created_at, expires_at, answered_at FROM saml_requests WHERE id = ?");
  s.bind(1, id);
  return one_row(s, app_request_row);
}

result<bool> application_repo::answer_request(const std::string& id, sys_time now) {
  PREPARE(s, c_, "UPDATE saml_requests SET answered_at = ? WHERE id = ? AND answered_at IS NULL");
  s.bind(1, epoch_millis(now)).bind(2, id);
  if (auto r = run(s); !r) return std::unexpected(r.error());
  return c_.changes() > 0;
}

result<int64_t> application_repo::remove_expired_requests(sys_time now) {
  PREPARE(s, c_, "DELETE FROM saml_requests WHERE expires_at <= ?");
  s.bind(1, epoch_millis(now));
  if (auto r = run(s); !r) return std::unexpected(r.error());
  return c_.changes();
}

}  // namespace atrium::store::sqlite
