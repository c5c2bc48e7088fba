// Sign-in through an external IdP on the real store (issue 17 items 3, 4, 6, 7): the IdP's
// Responses are built and signed by xml::build_response with the IdP's own key, as an IdP does.
// Every refusal path of consume() is here, each leaving an ExternalIdPDirectoryLogin record
// with its reason.
#include "service/idsource/sp_sign_in.hpp"

#include "idsource_fixture.hpp"
#include "xml/dom.hpp"

namespace atrium::service::idtest {

namespace {
const char* signin_alice = "0123456789-00000000-0000-4000-8000-000000000001";
const char* signin_bob = "0123456789-00000000-0000-4000-8000-000000000002";
}  // namespace

class sp_sign_in_test : public idsource_test {
 protected:
  void SetUp() override {
    idsource_test::SetUp();
    add_user(signin_alice, "alice@example.test");
    add_user(signin_bob, "bob@example.test", false);
    idp_id_ = enabled_idp();
  }

  // begin() for a fresh browser; returns {request ID, browser token}.
  std::pair<std::string, std::string> begun(std::optional<std::string> relay = std::nullopt) {
    auto b = sp_->begin(browser(), std::nullopt, std::move(relay));
    EXPECT_TRUE(b) << (b ? "" : b.error().message);
    return {request_id_of(b->redirect_url), b->browser_token};
  }

  result<sp_login_done> consume(const std::string& response, const std::string& token,
                                std::optional<std::string> relay_state = std::nullopt) {
    return sp_->consume(browser(), response, std::move(relay_state), token);
  }

  std::string idp_id_;
};

TEST_F(sp_sign_in_test, begin_sends_an_authn_request_to_the_idp_and_keeps_only_a_hash) {
  auto b = sp_->begin(browser(), std::nullopt, std::string("/portal/applications"));
  ASSERT_TRUE(b) << b.error().message;
  ASSERT_TRUE(b->redirect_url.starts_with(std::string(idp_sso) + "?SAMLRequest="));
  auto q = xml::parse_redirect_query(b->redirect_url.substr(b->redirect_url.find('?') + 1));
  ASSERT_TRUE(q);
  // The metadata asked for signed requests (WantAuthnRequestsSigned): RSA-SHA256 over the query,
  // verifiable with the SP's certificate from its metadata.
  ASSERT_TRUE(q->sig_alg);
  auto key = keys_->get();
  ASSERT_TRUE(key);
  auto certs = xml::trusted_certs::from_pem(key->get()->certificate_pem);
  ASSERT_TRUE(certs);
  EXPECT_TRUE(xml::verify_redirect_signature(*q, *certs));
  auto doc = xml::decode_redirect_message(q->message);
  ASSERT_TRUE(doc);
  EXPECT_EQ(xml::attribute(doc->root(), "Destination"), idp_sso);
  EXPECT_EQ(xml::attribute(doc->root(), "AssertionConsumerServiceURL"), std::string(base_url) + "/portal/sp/acs");
  EXPECT_EQ(b->browser_token.size(), 64u);
  EXPECT_EQ(b->idp_id, idp_id_);
}

TEST_F(sp_sign_in_test, a_response_to_this_browsers_request_starts_a_session_once) {
  auto [rid, token] = begun(std::string("/portal/applications"));
  auto response = signed_response(response_for(rid, "alice@example.test"));
  auto done = consume(response, token);
  ASSERT_TRUE(done) << done.error().message;
  EXPECT_EQ(done->user_name, "alice@example.test");
  EXPECT_EQ(done->relay, "/portal/applications");
  auto valid = sessions_->validate(done->session.token);
  ASSERT_TRUE(valid && *valid);
  EXPECT_EQ((*valid)->user.id, signin_alice);
  bool success = false;
  for (const auto& r : audit_records())
    success = success || r.json.find("\"ExternalIdPDirectoryLogin\":\"Success\"") != std::string::npos;
  EXPECT_TRUE(success);
  // The same Response again: the request was taken.
  auto again = consume(response, token);
  ASSERT_FALSE(again);
  EXPECT_EQ(again.error().code, errc::unauthenticated);
  EXPECT_NE(last_failure_reason().find("InResponseTo"), std::string::npos) << last_failure_reason();
}

TEST_F(sp_sign_in_test, an_unsolicited_replay_is_refused_by_the_store) {
  idp_input in;
  in.allow_idp_initiated = true;
  ASSERT_TRUE(svc_->update_idp(op("UpdateExternalIdPConfigurationForDirectory"), idp_id_, in));
  auto response = signed_response(response_for(std::nullopt, "alice@example.test"));
  auto first = consume(response, "");
  ASSERT_TRUE(first) << first.error().message;
  EXPECT_EQ(first->relay, "/portal/");
  auto replay = consume(response, "");
  ASSERT_FALSE(replay);
  EXPECT_NE(replay.error().message.find("replay"), std::string::npos) << replay.error().message;
  EXPECT_NE(last_failure_reason().find("replay"), std::string::npos);
}

TEST_F(sp_sign_in_test, unsolicited_responses_are_refused_unless_allowed) {
  auto r = consume(signed_response(response_for(std::nullopt, "alice@example.test")), "");
  ASSERT_FALSE(r);
  EXPECT_NE(last_failure_reason().find("Unsolicited"), std::string::npos);
}

TEST_F(sp_sign_in_test, another_browsers_request_is_refused) {
  auto [rid, token] = begun();
  auto [other_rid, other_token] = begun();
  (void)other_rid;
  auto r = consume(signed_response(response_for(rid, "alice@example.test")), other_token);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, errc::unauthenticated);
  // No cookie at all.
  auto none = consume(signed_response(response_for(rid, "alice@example.test")), "");
  ASSERT_FALSE(none);
  EXPECT_NE(last_failure_reason().find("cookie"), std::string::npos);
  // The rightful browser still can: the refused attempts did not use its request up.
  EXPECT_TRUE(consume(signed_response(response_for(rid, "alice@example.test")), token));
}

TEST_F(sp_sign_in_test, an_expired_request_is_refused) {
  auto [rid, token] = begun();
  clk_.advance(std::chrono::minutes(11));
  auto r = consume(signed_response(response_for(rid, "alice@example.test")), token);
  ASSERT_FALSE(r);
  EXPECT_NE(last_failure_reason().find("InResponseTo"), std::string::npos);
}

TEST_F(sp_sign_in_test, missing_disabled_and_case_different_users_are_refused) {
  for (const char* name : {"nobody@example.test", "Alice@example.test"}) {
    auto [rid, token] = begun();
    auto r = consume(signed_response(response_for(rid, name)), token);
    ASSERT_FALSE(r) << name;
    EXPECT_NE(last_failure_reason().find("No user has the userName"), std::string::npos) << name;
  }
  auto [rid, token] = begun();
  auto r = consume(signed_response(response_for(rid, "bob@example.test")), token);
  ASSERT_FALSE(r);
  EXPECT_NE(last_failure_reason().find("disabled"), std::string::npos);
}

TEST_F(sp_sign_in_test, name_id_must_be_an_email_address) {
  {
    auto [rid, token] = begun();
    auto v = response_for(rid, "alice@example.test");
    v.name_id_format = "urn:oasis:names:tc:SAML:2.0:nameid-format:persistent";
    ASSERT_FALSE(consume(signed_response(v), token));
    EXPECT_NE(last_failure_reason().find("NameID format"), std::string::npos);
  }
  add_user("0123456789-00000000-0000-4000-8000-000000000003", "carol");
  auto [rid, token] = begun();
  auto v = response_for(rid, "carol");
  v.name_id_format = "urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified";
  ASSERT_FALSE(consume(signed_response(v), token));
  EXPECT_NE(last_failure_reason().find("addr-spec"), std::string::npos);
}

TEST_F(sp_sign_in_test, signatures_by_another_key_or_none_are_refused) {
  auto [rid, token] = begun();
  ASSERT_FALSE(consume(signed_response(response_for(rid, "alice@example.test"), 2), token));
  EXPECT_FALSE(last_failure_reason().empty());
  auto unsigned_xml = xml::build_response_xml(response_for(rid, "alice@example.test"), rnd_);
  ASSERT_TRUE(unsigned_xml);
  ASSERT_FALSE(consume(base64_encode(*unsigned_xml), token));
  // Still pending: the right Response goes through.
  EXPECT_TRUE(consume(signed_response(response_for(rid, "alice@example.test")), token));
}

TEST_F(sp_sign_in_test, wrong_audience_recipient_issuer_and_times_are_refused) {
  auto [rid, token] = begun();
  auto wrong_audience = response_for(rid, "alice@example.test");
  wrong_audience.audience = "https://other.example.test/sp";
  EXPECT_FALSE(consume(signed_response(wrong_audience), token));
  auto wrong_recipient = response_for(rid, "alice@example.test");
  wrong_recipient.destination = wrong_recipient.recipient = "https://other.example.test/acs";
  EXPECT_FALSE(consume(signed_response(wrong_recipient), token));
  auto wrong_issuer = response_for(rid, "alice@example.test");
  wrong_issuer.issuer = "https://other-idp.example.test";
  EXPECT_FALSE(consume(signed_response(wrong_issuer), token));
  EXPECT_NE(last_failure_reason().find("Issuer"), std::string::npos);
  auto expired = response_for(rid, "alice@example.test");
  expired.not_before = clk_.now() - std::chrono::minutes(10);
  expired.not_on_or_after = clk_.now() - std::chrono::minutes(2);
  EXPECT_FALSE(consume(signed_response(expired), token));
  auto future = response_for(rid, "alice@example.test");
  future.not_before = clk_.now() + std::chrono::minutes(5);
  future.not_on_or_after = clk_.now() + std::chrono::minutes(10);
  EXPECT_FALSE(consume(signed_response(future), token));
}

TEST_F(sp_sign_in_test, malformed_and_dtd_bearing_messages_are_refused) {
  EXPECT_FALSE(consume("", ""));
  EXPECT_FALSE(consume("not base64 !!", ""));
  std::string laughs = "<!DOCTYPE r [<!ENTITY a \"aaaa\"><!ENTITY b \"&a;&a;&a;&a;\">]><r>&b;</r>";
  auto r = consume(base64_encode(laughs), "");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, errc::validation);
  EXPECT_NE(last_failure_reason().find("readable"), std::string::npos);
}

TEST_F(sp_sign_in_test, well_formed_xml_that_is_not_a_response_is_malformed_not_an_unknown_issuer) {
  for (std::string doc : {"<html/>", "<samlp:AuthnRequest xmlns:samlp=\"urn:oasis:names:tc:SAML:2.0:protocol\"/>",
                          "<Response><Issuer>https://idp.example.test</Issuer></Response>"}) {
    auto r = consume(base64_encode(doc), "");
    ASSERT_FALSE(r) << doc;
    EXPECT_EQ(r.error().code, errc::validation) << doc;
    EXPECT_EQ(r.error().message, "The SAMLResponse is not a SAML Response.") << doc;
    EXPECT_EQ(last_failure_reason(), "The SAMLResponse is not a SAML Response.") << doc;
  }
  // A samlp:Response from an issuer no IdP has is still refused as untrusted (403).
  auto r = consume(base64_encode("<samlp:Response xmlns:samlp=\"urn:oasis:names:tc:SAML:2.0:protocol\" "
                                 "xmlns:saml=\"urn:oasis:names:tc:SAML:2.0:assertion\"><saml:Issuer>https://other.example.test"
                                 "</saml:Issuer></samlp:Response>"),
                   "");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, errc::unauthenticated);
}

TEST_F(sp_sign_in_test, access_control_attributes_are_kept_for_the_session) {
  auto [rid, token] = begun();
  auto v = response_for(rid, "alice@example.test");
  v.attributes.push_back({"https://aws.amazon.com/SAML/Attributes/AccessControl:CostCenter",
                          "urn:oasis:names:tc:SAML:2.0:attrname-format:uri", {"4242"}});
  v.attributes.push_back({"https://aws.amazon.com/SAML/Attributes/AccessControl:Multi",
                          "urn:oasis:names:tc:SAML:2.0:attrname-format:uri", {"a", "b"}});
  auto done = consume(signed_response(v), token);
  ASSERT_TRUE(done) << done.error().message;
  std::optional<std::string> attrs;
  ASSERT_TRUE(db_->read([&](store::transaction& tx) -> result<void> {
    auto a = tx.external_idps().session_attributes(done->session.record.id);
    if (!a) return std::unexpected(a.error());
    attrs = *a;
    return {};
  }));
  ASSERT_TRUE(attrs);
  EXPECT_EQ(*attrs, "{\"CostCenter\":\"4242\"}");  // multi-valued ones are left out
}

TEST_F(sp_sign_in_test, the_built_in_source_refuses_idp_sign_in) {
  ASSERT_TRUE(svc_->disable_external(op("DisableExternalIdPConfigurationForDirectory"), "ACCEPT"));
  auto b = sp_->begin(browser(), std::nullopt, std::nullopt);
  ASSERT_FALSE(b);
  EXPECT_EQ(b.error().code, errc::not_found);
  auto r = consume(signed_response(response_for("_x", "alice@example.test")), "t");
  ASSERT_FALSE(r);
  EXPECT_NE(last_failure_reason().find("not an external"), std::string::npos);
  auto allowed = sp_->password_sign_in_allowed("alice@example.test");
  ASSERT_TRUE(allowed);
  EXPECT_TRUE(*allowed);
}

TEST_F(sp_sign_in_test, certificate_rotation_accepts_both_certificates) {
  idp_input in;
  in.certificates = std::vector<std::string>{idp_keys(0).certificate_pem, idp_keys(1).certificate_pem};
  ASSERT_TRUE(svc_->update_idp(op("UpdateExternalIdPConfigurationForDirectory"), idp_id_, in));
  for (int key : {0, 1}) {
    auto [rid, token] = begun();
    auto r = consume(signed_response(response_for(rid, "alice@example.test"), key), token);
    EXPECT_TRUE(r) << key << ": " << (r ? "" : r.error().message);
  }
  in.certificates = std::vector<std::string>{idp_keys(1).certificate_pem};  // the old one retired
  ASSERT_TRUE(svc_->update_idp(op("UpdateExternalIdPConfigurationForDirectory"), idp_id_, in));
  auto [rid, token] = begun();
  EXPECT_FALSE(consume(signed_response(response_for(rid, "alice@example.test"), 0), token));
}

TEST_F(sp_sign_in_test, multiple_idps_pick_by_domain_and_keep_break_glass_passwords) {
  ASSERT_TRUE(svc_->update_settings(op("UpdateIdentitySourceSettings"), true));
  idp_input first;
  first.domains = std::vector<std::string>{"Example.TEST"};
  ASSERT_TRUE(svc_->update_idp(op("UpdateExternalIdPConfigurationForDirectory"), idp_id_, first));
  idp_input in;
  in.metadata = idp_metadata_xml("https://second-idp.example.test", 1);
  in.domains = std::vector<std::string>{"corp.example"};
  auto second = svc_->create_idp(op("CreateExternalIdPConfigurationForDirectory"), in);
  ASSERT_TRUE(second) << second.error().message;
  ASSERT_TRUE(svc_->enable_idp(op("EnableExternalIdPConfigurationForDirectory"), *second, "ACCEPT"));
  auto pick = sp_->idp_for_email("dave@corp.example");
  ASSERT_TRUE(pick);
  EXPECT_EQ(*pick, *second);
  pick = sp_->idp_for_email("alice@EXAMPLE.test");
  ASSERT_TRUE(pick);
  EXPECT_EQ(*pick, idp_id_);
  // Break-glass: a name no IdP claims signs in with a password.
  auto allowed = sp_->password_sign_in_allowed("admin@break-glass.test");
  ASSERT_TRUE(allowed);
  EXPECT_TRUE(*allowed);
  allowed = sp_->password_sign_in_allowed("alice@example.test");
  ASSERT_TRUE(allowed);
  EXPECT_FALSE(*allowed);
  // Unnamed with two enabled: the sign-in page has to ask.
  auto b = sp_->begin(browser(), std::nullopt, std::nullopt);
  ASSERT_FALSE(b);
  EXPECT_EQ(b.error().code, errc::validation);
  // A domain is one IdP's only.
  idp_input clash;
  clash.domains = std::vector<std::string>{"example.test"};
  auto c = svc_->update_idp(op("UpdateExternalIdPConfigurationForDirectory"), *second, clash);
  ASSERT_FALSE(c);
  EXPECT_EQ(c.error().code, errc::conflict);
  // Off again only with one enabled.
  auto off = svc_->update_settings(op("UpdateIdentitySourceSettings"), false);
  ASSERT_FALSE(off);
  EXPECT_EQ(off.error().code, errc::conflict);
}

TEST(portal_relay, only_portal_paths) {
  EXPECT_EQ(portal_relay(std::string("/portal/applications")), "/portal/applications");
  for (const char* bad : {"https://evil.test/", "//evil.test/portal/", "/portal/../x", "/other", "/portal/a b", "/portal\\x"})
    EXPECT_FALSE(portal_relay(std::string(bad))) << bad;
  EXPECT_FALSE(portal_relay(std::nullopt));
}

}  // namespace atrium::service::idtest
