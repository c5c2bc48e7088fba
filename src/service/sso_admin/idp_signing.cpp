#include "service/sso_admin/idp_signing.hpp"

#include <algorithm>
#include <nlohmann/json.hpp>

#include "base/json_text.hpp"
#include "crypto/idp_keys.hpp"
#include "xml/dom.hpp"

namespace atrium::service {

namespace {

using nlohmann::json;

struct stored {
  idp_certificate cert;
  std::string sealed_key;
};

json to_json(const stored& s) {
  return {{"Id", s.cert.id},
          {"CertificatePem", s.cert.certificate_pem},
          {"Fingerprint", s.cert.sha256_fingerprint},
          {"NotBefore", epoch_millis(s.cert.not_before)},
          {"NotAfter", epoch_millis(s.cert.not_after)},
          {"Active", s.cert.active},
          {"SealedKey", s.sealed_key}};
}

result<std::vector<stored>> load(store::transaction& tx) {
  auto text = tx.settings().get(idp_signing_setting);
  if (!text) return std::unexpected(text.error());
  std::vector<stored> out;
  if (!*text) return out;
  auto j = json::parse(**text, nullptr, false);
  if (!j.is_array()) return fail(errc::internal, "setting " + std::string(idp_signing_setting) + " is not a JSON array");
  try {
    for (const auto& e : j) {
      stored s;
      s.cert.id = e.at("Id").get<std::string>();
      s.cert.certificate_pem = e.at("CertificatePem").get<std::string>();
      s.cert.sha256_fingerprint = e.at("Fingerprint").get<std::string>();
      s.cert.not_before = from_epoch_millis(e.at("NotBefore").get<int64_t>());
      s.cert.not_after = from_epoch_millis(e.at("NotAfter").get<int64_t>());
      s.cert.active = e.at("Active").get<bool>();
      s.sealed_key = e.at("SealedKey").get<std::string>();
      out.push_back(std::move(s));
    }
  } catch (const json::exception& e) {
    return fail(errc::internal, std::string("setting ") + idp_signing_setting + " is damaged: " + e.what());
  }
  // Active first, then newest first.
  std::stable_sort(out.begin(), out.end(), [](const stored& a, const stored& b) {
    if (a.cert.active != b.cert.active) return a.cert.active;
    return a.cert.not_before > b.cert.not_before;
  });
  return out;
}

result<void> save(store::transaction& tx, const std::vector<stored>& all) {
  json j = json::array();
  for (const auto& s : all) j.push_back(to_json(s));
  return tx.settings().put(idp_signing_setting, j.dump());
}

json summary(const idp_certificate& c) {
  return {{"CertificateId", c.id}, {"Fingerprint", c.sha256_fingerprint}, {"NotAfter", iso8601(c.not_after, false)}};
}

}  // namespace

idp_signing::idp_signing(audited_store& store, const clock& clk, const crypto::secret_box& box, std::string common_name,
                         int rsa_bits)
    : store_(store), clock_(clk), box_(box), common_name_(std::move(common_name)), rsa_bits_(rsa_bits) {}

result<std::vector<idp_certificate>> idp_signing::list() {
  std::vector<idp_certificate> out;
  auto r = store_.db().read([&](store::transaction& tx) -> result<void> {
    auto all = load(tx);
    if (!all) return std::unexpected(all.error());
    for (auto& s : *all) out.push_back(std::move(s.cert));
    return {};
  });
  if (!r) return std::unexpected(r.error());
  return out;
}

result<bool> idp_signing::ensure(const call_context& ctx) {
  auto existing = list();
  if (!existing) return std::unexpected(existing.error());
  if (!existing->empty()) return false;
  // RSA generation takes a while: done before the write transaction, which checks again.
  auto made = crypto::make_idp_key_pair(common_name_, clock_.now(), std::chrono::days(5 * 365), rsa_bits_);
  if (!made) return std::unexpected(made.error());
  stored s{{"idpcert-" + made->sha256_fingerprint.substr(0, 16), made->certificate_pem, made->sha256_fingerprint,
            made->not_before, made->not_after, true},
           box_.seal(made->private_key_pem)};
  return store_.write<bool>(
      ctx,
      [&](store::transaction& tx) -> result<bool> {
        auto all = load(tx);
        if (!all) return std::unexpected(all.error());
        if (!all->empty()) return false;
        if (auto w = save(tx, {s}); !w) return std::unexpected(w.error());
        return true;
      },
      json_text_of([&](const bool&) { return summary(s.cert); }));
}

result<idp_certificate> idp_signing::rotate(const call_context& ctx) {
  auto made = crypto::make_idp_key_pair(common_name_, clock_.now(), std::chrono::days(5 * 365), rsa_bits_);
  if (!made) return std::unexpected(made.error());
  stored fresh{{"idpcert-" + made->sha256_fingerprint.substr(0, 16), made->certificate_pem, made->sha256_fingerprint,
                made->not_before, made->not_after, true},
               box_.seal(made->private_key_pem)};
  return store_.write<idp_certificate>(
      ctx,
      [&](store::transaction& tx) -> result<idp_certificate> {
        auto all = load(tx);
        if (!all) return std::unexpected(all.error());
        if (std::any_of(all->begin(), all->end(), [](const stored& s) { return !s.cert.active; }))
          return fail(errc::conflict,
                      "A previous IdP certificate is still listed; update the accounts, then retire it "
                      "(atrium admin idp rotate-certificate --retire-old) before rotating again.");
        for (auto& s : *all) s.cert.active = false;
        all->insert(all->begin(), fresh);
        if (auto w = save(tx, *all); !w) return std::unexpected(w.error());
        return fresh.cert;
      },
      json_text_of([](const idp_certificate& c) { return summary(c); }));
}

result<int> idp_signing::retire_previous(const call_context& ctx) {
  return store_.write<int>(
      ctx,
      [&](store::transaction& tx) -> result<int> {
        auto all = load(tx);
        if (!all) return std::unexpected(all.error());
        auto before = all->size();
        std::erase_if(*all, [](const stored& s) { return !s.cert.active; });
        int removed = static_cast<int>(before - all->size());
        if (removed > 0)
          if (auto w = save(tx, *all); !w) return std::unexpected(w.error());
        return removed;
      },
      json_text_of([](const int& n) { return json{{"RetiredCertificates", n}}; }));
}

namespace {

// The active certificate with its sealed key, read in one snapshot.
result<stored> active_of(store::database& db) {
  stored active;
  auto r = db.read([&](store::transaction& tx) -> result<void> {
    auto all = load(tx);
    if (!all) return std::unexpected(all.error());
    if (all->empty() || !all->front().cert.active) return fail(errc::not_found, "no active IdP signing certificate");
    active = std::move(all->front());
    return {};
  });
  if (!r) return std::unexpected(r.error());
  return active;
}

}  // namespace

result<std::string> idp_signing::active_private_key_pem() {
  auto active = active_of(store_.db());
  if (!active) return std::unexpected(active.error());
  return box_.open(active->sealed_key);
}

result<std::string> idp_signing::active_certificate_id() {
  auto active = active_of(store_.db());
  if (!active) return std::unexpected(active.error());
  return active->cert.id;
}

result<idp_signing::key_pair> idp_signing::active_key_pair() {
  auto active = active_of(store_.db());
  if (!active) return std::unexpected(active.error());
  auto key = box_.open(active->sealed_key);
  if (!key) return std::unexpected(key.error());
  return key_pair{std::move(active->cert), std::move(*key)};
}

std::string idp_signing::metadata_xml(const std::vector<idp_certificate>& certs, const idp_metadata_params& params) {
  // SAML 2.0 Metadata (saml-metadata-2.0-os) §2.3.2 EntityDescriptor, §2.4.3 IDPSSODescriptor.
  std::string x = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
  x += "<md:EntityDescriptor xmlns:md=\"urn:oasis:names:tc:SAML:2.0:metadata\" "
       "xmlns:ds=\"http://www.w3.org/2000/09/xmldsig#\" entityID=\"" + xml::escape(params.entity_id) + "\">\n";
  x += std::string("  <md:IDPSSODescriptor WantAuthnRequestsSigned=\"") +
       (params.want_authn_requests_signed ? "true" : "false") +
       "\" protocolSupportEnumeration=\"urn:oasis:names:tc:SAML:2.0:protocol\">\n";
  for (const auto& c : certs) {
    auto b64 = crypto::pem_certificate_base64(c.certificate_pem);
    if (!b64) continue;  // a damaged entry is left out rather than published broken
    x += "    <md:KeyDescriptor use=\"signing\">\n      <ds:KeyInfo>\n        <ds:X509Data>\n"
         "          <ds:X509Certificate>" + xml::escape(*b64) + "</ds:X509Certificate>\n"
         "        </ds:X509Data>\n      </ds:KeyInfo>\n    </md:KeyDescriptor>\n";
  }
  for (const char* f : {"urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress",
                        "urn:oasis:names:tc:SAML:2.0:nameid-format:persistent",
                        "urn:oasis:names:tc:SAML:2.0:nameid-format:transient",
                        "urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified"})
    x += std::string("    <md:NameIDFormat>") + f + "</md:NameIDFormat>\n";
  for (const char* b : {"urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect", "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST"})
    x += std::string("    <md:SingleSignOnService Binding=\"") + b + "\" Location=\"" + xml::escape(params.sso_url) + "\"/>\n";
  x += "  </md:IDPSSODescriptor>\n</md:EntityDescriptor>\n";
  return x;
}

}  // namespace atrium::service
