#pragma once
// Shared fixture of the application service tests: a real SQLite store, the catalog from
// data/catalog, the application services wired as the server wires them (RSA 2048 keys to keep
// the tests quick), users and groups, a service provider's key pair, and AuthnRequests built the
// way an SP sends them (HTTP-Redirect with a detached signature, HTTP-POST with an enveloped one).
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <memory>

#include "base/strings.hpp"
#include "crypto/idp_keys.hpp"
#include "service/applications/app_certificates.hpp"
#include "service/applications/application_catalog.hpp"
#include "service/applications/application_service.hpp"
#include "service/applications/saml_idp_service.hpp"
#include "service/applications/saml_settings_service.hpp"
#include "store/sqlite/sqlite_database.hpp"
#include "xml/document.hpp"
#include "xml/saml_bindings.hpp"
#include "xml/saml_time.hpp"
#include "xml/signer.hpp"

namespace atrium::service::apptest {

inline constexpr const char* instance_id = "ssoins-0123456789abcdef";
inline constexpr const char* account_id = "123456789012";
inline constexpr const char* sp_entity = "https://sp.example.test/metadata";
inline constexpr const char* sp_acs = "https://sp.example.test/acs";

inline const crypto::idp_key_pair& sp_keys() {
  static const auto k = [] {
    crypto::init();
    auto made = crypto::make_idp_key_pair("SP test", from_epoch_millis(1'700'000'000'000), std::chrono::days(3650), 2048);
    if (!made) throw std::runtime_error(made.error().message);
    return *made;
  }();
  return k;
}
inline const crypto::idp_key_pair& attacker_keys() {
  static const auto k = [] {
    auto made = crypto::make_idp_key_pair("attacker", from_epoch_millis(1'700'000'000'000), std::chrono::days(3650), 2048);
    if (!made) throw std::runtime_error(made.error().message);
    return *made;
  }();
  return k;
}

struct authn_request_spec {
  std::string id = "_req0123456789abcdef";
  std::string issuer = sp_entity;
  std::optional<std::string> acs_url = std::string(sp_acs);
  std::optional<std::string> destination;
  sys_time issue_instant{};
  bool force_authn = false;
  std::string extra_before_issuer;  // raw XML put before <saml:Issuer> (attacks)
};

inline std::string authn_request_xml(const authn_request_spec& s) {
  std::string x = "<samlp:AuthnRequest xmlns:samlp=\"urn:oasis:names:tc:SAML:2.0:protocol\" "
                  "xmlns:saml=\"urn:oasis:names:tc:SAML:2.0:assertion\" ID=\"" + s.id + "\" Version=\"2.0\" IssueInstant=\"" +
                  xml::format_saml_time(s.issue_instant) + "\"";
  if (s.destination) x += " Destination=\"" + *s.destination + "\"";
  if (s.acs_url) x += " AssertionConsumerServiceURL=\"" + *s.acs_url + "\" ProtocolBinding=\"urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST\"";
  if (s.force_authn) x += " ForceAuthn=\"true\"";
  x += ">" + s.extra_before_issuer + "<saml:Issuer>" + s.issuer + "</saml:Issuer></samlp:AuthnRequest>";
  return x;
}

// The HTTP-Redirect binding as a browser brings it: the query split as the door splits it.
inline inbound_authn_request redirect_request(const std::string& xml_text, const xml::signer* sign_with,
                                              std::optional<std::string> relay = std::nullopt) {
  auto q = xml::make_redirect_query(xml_text, true, relay, sign_with);
  if (!q) throw std::runtime_error(q.error().message);
  auto parsed = xml::parse_redirect_query(*q);
  if (!parsed) throw std::runtime_error(parsed.error().message);
  inbound_authn_request in;
  in.binding = xml::saml_binding::redirect;
  in.message = parsed->message;
  in.relay_state = parsed->relay_state;
  in.redirect = *parsed;
  return in;
}

// The HTTP-POST binding: base64 of the document, signed (enveloped) when `sign_with` is given.
inline inbound_authn_request post_request(const std::string& xml_text, const xml::signer* sign_with,
                                          std::optional<std::string> relay = std::nullopt) {
  std::string text = xml_text;
  if (sign_with) {
    auto doc = xml::document::parse(xml_text);
    if (!doc) throw std::runtime_error(doc.error().message);
    if (auto r = sign_with->sign(*doc, doc->root()); !r) throw std::runtime_error(r.error().message);
    text = doc->to_string();
  }
  inbound_authn_request in;
  in.binding = xml::saml_binding::post;
  in.message = base64_encode(text);
  in.relay_state = std::move(relay);
  return in;
}

class app_services_test : public ::testing::Test {
 protected:
  void SetUp() override {
    crypto::init();
    dir_ = std::filesystem::temp_directory_path() /
           ("atrium-apps-" + std::to_string(::getpid()) + "-" + ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    auto db = store::sqlite::sqlite_database::open({dir_ / "t.db", false});
    ASSERT_TRUE(db) << db.error().message;
    db_ = std::move(*db);
    audit_ = std::make_unique<auditor>(clk_, rnd_, std::nullopt);
    audited_ = std::make_unique<audited_store>(*db_, *audit_);
    auto catalog = application_catalog::load(ATRIUM_CATALOG_DIR);
    ASSERT_TRUE(catalog) << catalog.error().message;
    catalog_ = std::make_unique<application_catalog>(std::move(*catalog));
    endpoints_ = std::make_shared<idp_endpoints>();
    endpoints_->set_base_url("https://atrium.test:8443");
    signers_ = std::make_unique<signer_cache>(box_);
    apps_ = std::make_unique<application_service>(*audited_, clk_, rnd_, box_, *catalog_,
                                                  application_settings{instance_id, account_id, "eu-west-1", {2048, 60}, 50});
    settings_ = std::make_unique<saml_settings_service>(*audited_, clk_, box_, *catalog_, endpoints_);
    idp_ = std::make_unique<saml_idp_service>(*audited_, clk_, rnd_, *signers_, endpoints_);
    ctx_.who.arn = "arn:aws:iam::123456789012:root";
    ctx_.event_source = "sso.amazonaws.com";
  }
  void TearDown() override {
    idp_.reset();
    settings_.reset();
    apps_.reset();
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
    u.display_name = name + " Example";
    u.active = active;
    u.emails = {domain::email{name + "@example.test", "work", true}};
    u.user_name_parts = domain::name{};
    u.user_name_parts->given_name = name;
    EXPECT_TRUE(db_->write([&](store::transaction& tx) { return tx.users().insert(u); }));
    return u;
  }
  void add_group(const std::string& id, const std::string& name) {
    domain::group g;
    g.id = id;
    g.display_name = name;
    EXPECT_TRUE(db_->write([&](store::transaction& tx) { return tx.groups().insert(g); }));
  }
  void add_member(const std::string& group, const std::string& member, domain::member_kind kind = domain::member_kind::user) {
    domain::membership m{"m-" + group + "-" + member, group, member, kind, {}};
    EXPECT_TRUE(db_->write([&](store::transaction& tx) { return tx.memberships().insert(m); }));
  }

  // A custom application with the SP's entity ID and ACS, ready to sign in to.
  domain::application configured_app(const std::string& name = "Wiki") {
    auto a = apps_->create(op("CreateApplication"), {std::string(domain::custom_saml_provider_arn), name, std::nullopt, {}, {}});
    EXPECT_TRUE(a) << (a ? "" : a.error().message);
    service_provider_edit e;
    e.entity_id = sp_entity;
    e.acs_urls = std::vector<std::string>{sp_acs, "https://sp.example.test/acs2"};
    auto c = settings_->update_service_provider(op("UpdateApplicationInstanceServiceProviderConfiguration"), a->id, e);
    EXPECT_TRUE(c) << (c ? "" : c.error().message);
    return *c;
  }

  std::vector<store::audit_record> audit_records() {
    std::vector<store::audit_record> out;
    EXPECT_TRUE(db_->flush());  // read calls' records are batched (docs/audit.md)
    (void)db_->read([&](store::transaction& tx) -> result<void> {
      auto r = tx.audit().query({});
      if (r) out = std::move(*r);
      return {};
    });
    return out;
  }

  seeded_random rnd_{42};
  manual_clock clk_{from_epoch_millis(1'795'000'000'000)};
  crypto::secret_box box_{std::string(32, 'k')};
  std::filesystem::path dir_;
  std::unique_ptr<store::database> db_;
  std::unique_ptr<auditor> audit_;
  std::unique_ptr<audited_store> audited_;
  std::unique_ptr<application_catalog> catalog_;
  std::shared_ptr<idp_endpoints> endpoints_;
  std::unique_ptr<signer_cache> signers_;
  std::unique_ptr<application_service> apps_;
  std::unique_ptr<saml_settings_service> settings_;
  std::unique_ptr<saml_idp_service> idp_;
  call_context ctx_;
};

}  // namespace atrium::service::apptest
