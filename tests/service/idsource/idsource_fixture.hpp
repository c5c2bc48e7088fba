#pragma once
// Shared fixture of the identity-source tests: a real SQLite store, the identity-source
// service, the SP sign-in and the portal's sessions wired as the server wires them (RSA 2048 to
// keep the tests quick), users, and an external IdP made of crypto::make_idp_key_pair and
// xml::build_response (the IdP side of the same xml/ layer, signing as a real IdP would).
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <memory>
#include <nlohmann/json.hpp>

#include "base/strings.hpp"
#include "crypto/idp_keys.hpp"
#include "service/idsource/identity_source_service.hpp"
#include "service/idsource/sp_sign_in.hpp"
#include "store/sqlite/sqlite_database.hpp"
#include "xml/dom.hpp"
#include "xml/saml_bindings.hpp"
#include "xml/saml_response_builder.hpp"

namespace atrium::service::idtest {

inline constexpr const char* idp_entity = "https://idp.example.test/metadata";
inline constexpr const char* idp_sso = "https://idp.example.test/sso";
inline constexpr const char* base_url = "https://atrium.test:8443";

inline const crypto::idp_key_pair& idp_keys(int which = 0) {
  static const auto k = [] {
    crypto::init();
    std::vector<crypto::idp_key_pair> out;
    for (const char* cn : {"IdP one", "IdP two", "attacker"}) {
      auto made = crypto::make_idp_key_pair(cn, from_epoch_millis(1'790'000'000'000), std::chrono::days(3650), 2048);
      if (!made) throw std::runtime_error(made.error().message);
      out.push_back(*made);
    }
    return out;
  }();
  return k.at(static_cast<std::size_t>(which));
}

inline std::string idp_metadata_xml(const std::string& entity = idp_entity, int key = 0) {
  auto b64 = crypto::pem_certificate_base64(idp_keys(key).certificate_pem);
  return "<md:EntityDescriptor xmlns:md=\"urn:oasis:names:tc:SAML:2.0:metadata\" "
         "xmlns:ds=\"http://www.w3.org/2000/09/xmldsig#\" entityID=\"" + entity + "\">"
         "<md:IDPSSODescriptor WantAuthnRequestsSigned=\"true\" protocolSupportEnumeration=\"urn:oasis:names:tc:SAML:2.0:protocol\">"
         "<md:KeyDescriptor use=\"signing\"><ds:KeyInfo><ds:X509Data><ds:X509Certificate>" + *b64 +
         "</ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor>"
         "<md:SingleSignOnService Binding=\"urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST\" Location=\"https://idp.example.test/post\"/>"
         "<md:SingleSignOnService Binding=\"urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect\" Location=\"" + std::string(idp_sso) + "\"/>"
         "</md:IDPSSODescriptor></md:EntityDescriptor>";
}

class idsource_test : public ::testing::Test {
 protected:
  void SetUp() override {
    crypto::init();
    dir_ = std::filesystem::temp_directory_path() /
           ("atrium-idsource-" + std::to_string(::getpid()) + "-" + ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    auto db = store::sqlite::sqlite_database::open({dir_ / "t.db", false});
    ASSERT_TRUE(db) << db.error().message;
    db_ = std::move(*db);
    audit_ = std::make_unique<auditor>(clk_, rnd_, std::nullopt);
    audited_ = std::make_unique<audited_store>(*db_, *audit_);
    endpoints_ = std::make_shared<sp_endpoints>();
    endpoints_->set_base_url(base_url);
    keys_ = std::make_unique<sp_keys>(*db_, clk_, box_, "Atrium SP test", 2048);
    svc_ = std::make_unique<identity_source_service>(*audited_, clk_, rnd_, *keys_, endpoints_, "d-1234567890");
    sessions_ = std::make_unique<session_service>(*audited_, clk_, rnd_);
    sp_settings ss;
    ss.account_id = "123456789012";
    sp_ = std::make_unique<sp_sign_in>(*audited_, *sessions_, *keys_, endpoints_, clk_, rnd_, ss);
    ctx_.who.arn = "arn:aws:iam::123456789012:root";
    ctx_.event_source = "sso-directory.amazonaws.com";
  }
  void TearDown() override {
    sp_.reset();
    svc_.reset();
    db_.reset();
    std::filesystem::remove_all(dir_);
  }

  call_context op(const char* name) {
    auto c = ctx_;
    c.event_name = name;
    return c;
  }

  domain::user add_user(const std::string& id, const std::string& name, bool active = true) {
    domain::user u;
    u.id = id;
    u.user_name = name;
    u.display_name = name;
    u.active = active;
    EXPECT_TRUE(db_->write([&](store::transaction& tx) { return tx.users().insert(u); }));
    return u;
  }

  // An IdP configured from its metadata and enabled; returns its id.
  std::string enabled_idp(const std::string& entity = idp_entity, int key = 0) {
    idp_input in;
    in.metadata = idp_metadata_xml(entity, key);
    auto id = svc_->create_idp(op("CreateExternalIdPConfigurationForDirectory"), in);
    EXPECT_TRUE(id) << (id ? "" : id.error().message);
    auto on = svc_->enable_idp(op("EnableExternalIdPConfigurationForDirectory"), *id, "ACCEPT");
    EXPECT_TRUE(on) << (on ? "" : on.error().message);
    return *id;
  }

  sign_in_client browser() { return {"198.51.100.7", "Mozilla/5.0 test", "req-1", ""}; }

  // The AuthnRequest ID in the redirect URL begin() made.
  std::string request_id_of(const std::string& redirect_url) {
    auto q = xml::parse_redirect_query(redirect_url.substr(redirect_url.find('?') + 1));
    EXPECT_TRUE(q);
    auto doc = xml::decode_redirect_message(q->message);
    EXPECT_TRUE(doc);
    return *xml::attribute(doc->root(), "ID");
  }

  // What the IdP sends back: a Response for `in_response_to` naming `name_id`, signed with `key`.
  xml::response_values response_for(std::optional<std::string> in_response_to, const std::string& name_id) {
    xml::response_values v;
    v.issuer = idp_entity;
    v.destination = v.recipient = std::string(base_url) + "/portal/sp/acs";
    v.audience = std::string(base_url) + "/portal/sp";
    v.in_response_to = std::move(in_response_to);
    v.name_id = name_id;
    v.name_id_format = "urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress";
    v.session_index = "_s1";
    v.issue_instant = v.authn_instant = clk_.now();
    v.not_before = clk_.now() - std::chrono::minutes(1);
    v.not_on_or_after = clk_.now() + std::chrono::minutes(5);
    return v;
  }
  std::string signed_response(const xml::response_values& v, int key = 0,
                              xml::sign_target target = xml::sign_target::both) {
    auto s = xml::signer::from_pem(idp_keys(key).private_key_pem, idp_keys(key).certificate_pem);
    EXPECT_TRUE(s);
    auto x = xml::build_response(v, rnd_, *s, target);
    EXPECT_TRUE(x) << (x ? "" : x.error().message);
    return base64_encode(*x);
  }

  std::vector<store::audit_record> audit_records() {
    (void)db_->write([](store::transaction&) -> result<void> { return {}; });  // after the detached writes
    std::vector<store::audit_record> out;
    (void)db_->read([&](store::transaction& tx) -> result<void> {
      auto r = tx.audit().query({});
      if (r) out = std::move(*r);
      return {};
    });
    return out;
  }
  // The reason of the newest ExternalIdPDirectoryLogin failure.
  std::string last_failure_reason() {
    for (const auto& r : audit_records()) {
      if (r.json.find("\"ExternalIdPDirectoryLogin\":\"Failure\"") == std::string::npos) continue;
      auto j = nlohmann::json::parse(r.json);
      return j["additionalEventData"]["Reason"].get<std::string>();
    }
    return {};
  }

  seeded_random rnd_{7};
  manual_clock clk_{from_epoch_millis(1'795'000'000'000)};
  crypto::secret_box box_{std::string(32, 'k')};
  std::filesystem::path dir_;
  std::unique_ptr<store::database> db_;
  std::unique_ptr<auditor> audit_;
  std::unique_ptr<audited_store> audited_;
  std::shared_ptr<sp_endpoints> endpoints_;
  std::unique_ptr<sp_keys> keys_;
  std::unique_ptr<identity_source_service> svc_;
  std::unique_ptr<session_service> sessions_;
  std::unique_ptr<sp_sign_in> sp_;
  call_context ctx_;
};

}  // namespace atrium::service::idtest
