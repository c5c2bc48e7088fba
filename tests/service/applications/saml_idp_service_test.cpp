// Atrium as SAML IdP of an application, on the real store: IdP-initiated and SP-initiated sign-in
// (HTTP-Redirect and HTTP-POST, signed and not), each Response checked by the SP-side validator
// of xml/ against the application's certificate; and what IdPs get wrong: unregistered ACS URLs,
// long RelayState, replayed and unknown requests, DTDs and entities, forged and wrapped
// signatures, unassigned, disabled and deleted users, ForceAuthn, certificate rotation.
#include "service/applications/saml_idp_service.hpp"

#include "app_fixture.hpp"
#include "xml/saml_response_validator.hpp"
#include "xml/schema.hpp"
#include "xml/trusted_certs.hpp"

namespace atrium::service::apptest {

namespace {

const char* user_id = "0123456789-00000000-0000-4000-8000-000000000001";
const char* other_id = "0123456789-00000000-0000-4000-8000-000000000002";
const char* team_id = "0123456789-00000000-0000-4000-8000-0000000000a1";
const char* dept_id = "0123456789-00000000-0000-4000-8000-0000000000a2";

}  // namespace

class saml_idp : public app_services_test {
 protected:
  void SetUp() override {
    app_services_test::SetUp();
    user_ = add_user(user_id, "alice");
    add_user(other_id, "bob");
    add_group(team_id, "team");
    add_group(dept_id, "dept");
    add_member(team_id, user_id);
    add_member(dept_id, team_id, domain::member_kind::group);  // alice is in dept through team
    app_ = configured_app();
    ASSERT_TRUE(apps_->assign(op("CreateApplicationAssignment"), app_.id, {domain::principal_type::group, dept_id}));
    ASSERT_TRUE(settings_->update_response_schema(op("UpdateApplicationInstanceResponseSchemaConfiguration"), app_.id,
                                                  {{"Subject", "${user:email}", "emailAddress"},
                                                   {"groups", "${user:groups}", "uri"},
                                                   {"department", "${path:enterprise.department}", "basic"},
                                                   {"given", "${user:givenName}", "unspecified"}}));
    sp_signer_ = std::make_unique<xml::signer>(*xml::signer::from_pem(sp_keys().private_key_pem, sp_keys().certificate_pem));
  }

  signed_in_user session_of(const std::string& id, sys_time at) { return {id, "session-" + id, at}; }
  signed_in_user alice() { return session_of(user_id, clk_.now() - std::chrono::minutes(5)); }

  // The Response as an SP checks it (xml::validate_post_response) with the active certificate.
  result<xml::validated_assertion> check(const saml_post& p, std::optional<std::string> in_response_to) {
    auto certs = settings_->list_certificates(op("ListApplicationInstanceCertificates"), app_.id);
    if (!certs) return std::unexpected(certs.error());
    std::vector<std::string> pems;
    for (const auto& c : *certs)
      if (c.active) pems.push_back(c.certificate_pem);
    auto trusted = xml::trusted_certs::from_pem(pems);
    if (!trusted) return std::unexpected(trusted.error());
    xml::verifier v(std::move(*trusted));
    xml::response_expectations e;
    e.idp_entity_id = endpoints_->entity_id(app_.id);
    e.sp_entity_id = sp_entity;
    e.acs_url = p.acs_url;
    e.in_response_to = in_response_to;
    e.allow_unsolicited = !in_response_to;
    e.now = clk_.now();
    auto schema = xml::saml_schema::shared();
    return xml::validate_post_response(p.saml_response, e, v, **schema);
  }

  authn_request_spec spec() {
    authn_request_spec s;
    s.issue_instant = clk_.now();
    return s;
  }

  domain::user user_;
  domain::application app_;
  std::unique_ptr<xml::signer> sp_signer_;
};

TEST_F(saml_idp, idp_initiated_launch_signs_a_response_with_the_mapped_attributes) {
  auto launched = idp_->launch(op("Federate"), alice(), app_.id);
  ASSERT_TRUE(launched) << launched.error().message;
  ASSERT_TRUE(launched->post);
  EXPECT_EQ(launched->post->acs_url, sp_acs);  // the default ACS
  auto a = check(*launched->post, std::nullopt);
  ASSERT_TRUE(a) << a.error().message;
  EXPECT_TRUE(a->response_signed);
  EXPECT_TRUE(a->assertion_signed);
  EXPECT_EQ(a->name_id, "alice@example.test");
  EXPECT_EQ(a->name_id_format, "urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress");
  EXPECT_FALSE(a->in_response_to);
  // groups: both, through nesting; department: left out (alice has none), never empty.
  ASSERT_EQ(a->attributes.size(), 2u);
  EXPECT_EQ(a->attributes[0].name, "groups");
  EXPECT_EQ(a->attributes[0].name_format, "urn:oasis:names:tc:SAML:2.0:attrname-format:uri");
  EXPECT_EQ(a->attributes[0].values, (std::vector<std::string>{team_id, dept_id}));
  EXPECT_EQ(a->attributes[1].name, "given");
  // The guide's session duration (1 hour by default) is NotOnOrAfter.
  EXPECT_EQ(a->not_on_or_after, clk_.now() + std::chrono::hours(1));
  bool federate = false;
  for (const auto& r : audit_records()) federate = federate || r.json.find("\"Federate\"") != std::string::npos;
  EXPECT_TRUE(federate);
}

TEST_F(saml_idp, start_url_applications_send_the_browser_to_the_application) {
  response_edit e;
  e.start_url = std::optional<std::string>("https://sp.example.test/login");
  ASSERT_TRUE(settings_->update_response(op("UpdateApplicationInstanceResponseConfiguration"), app_.id, e));
  auto launched = idp_->launch(op("Federate"), alice(), app_.id);
  ASSERT_TRUE(launched);
  EXPECT_FALSE(launched->post);
  EXPECT_EQ(launched->redirect_url, "https://sp.example.test/login");
}

TEST_F(saml_idp, sp_initiated_redirect_and_post_echo_the_request_id_once) {
  auto in = redirect_request(authn_request_xml(spec()), nullptr, std::string("/wiki/page"));
  auto begun = idp_->begin(op("SAMLAuthnRequest"), app_.id, in);
  ASSERT_TRUE(begun) << begun.error().message;
  EXPECT_EQ(begun->application_name, "Wiki");
  auto post = idp_->answer(op("Federate"), alice(), begun->handle);
  ASSERT_TRUE(post) << post.error().message;
  EXPECT_EQ(post->relay_state, "/wiki/page");
  auto a = check(*post, std::string("_req0123456789abcdef"));
  ASSERT_TRUE(a) << a.error().message;
  EXPECT_EQ(a->in_response_to, "_req0123456789abcdef");

  // The same request answered again: refused.
  auto again = idp_->answer(op("Federate"), alice(), begun->handle);
  ASSERT_FALSE(again);
  EXPECT_EQ(again.error().code, errc::conflict);
  // The same AuthnRequest ID sent again: a replay.
  auto replay = idp_->begin(op("SAMLAuthnRequest"), app_.id, in);
  ASSERT_FALSE(replay);
  EXPECT_EQ(replay.error().code, errc::conflict);

  // HTTP-POST, to the second ACS by URL.
  auto s = spec();
  s.id = "_post0123456789abcdef";
  s.acs_url = "https://sp.example.test/acs2";
  auto begun2 = idp_->begin(op("SAMLAuthnRequest"), app_.id, post_request(authn_request_xml(s), nullptr));
  ASSERT_TRUE(begun2) << begun2.error().message;
  auto post2 = idp_->answer(op("Federate"), alice(), begun2->handle);
  ASSERT_TRUE(post2);
  EXPECT_EQ(post2->acs_url, "https://sp.example.test/acs2");
}

TEST_F(saml_idp, unknown_and_expired_requests_get_no_assertion) {
  auto unknown = idp_->answer(op("Federate"), alice(), std::string(64, 'a'));
  ASSERT_FALSE(unknown);
  EXPECT_EQ(unknown.error().code, errc::not_found);
  auto begun = idp_->begin(op("SAMLAuthnRequest"), app_.id, redirect_request(authn_request_xml(spec()), nullptr));
  ASSERT_TRUE(begun);
  clk_.advance(std::chrono::minutes(14));  // lifetime 10 minutes + 3 of skew
  auto late = idp_->answer(op("Federate"), alice(), begun->handle);
  ASSERT_FALSE(late);
  EXPECT_EQ(late.error().code, errc::not_found);
  // An AuthnRequest issued long ago is refused at once.
  auto old = spec();
  old.id = "_old";
  old.issue_instant = clk_.now() - std::chrono::hours(1);
  EXPECT_FALSE(idp_->begin(op("SAMLAuthnRequest"), app_.id, redirect_request(authn_request_xml(old), nullptr)));
}

TEST_F(saml_idp, requests_the_application_did_not_register_are_refused) {
  auto s = spec();
  s.acs_url = "https://evil.example/acs";  // not registered: no open redirect
  auto acs = idp_->begin(op("SAMLAuthnRequest"), app_.id, redirect_request(authn_request_xml(s), nullptr));
  ASSERT_FALSE(acs);
  EXPECT_NE(acs.error().message.find("AssertionConsumerServiceURL"), std::string::npos);
  s = spec();
  s.acs_url = std::string(sp_acs) + "/../evil";
  EXPECT_FALSE(idp_->begin(op("SAMLAuthnRequest"), app_.id, redirect_request(authn_request_xml(s), nullptr)));
  s = spec();
  s.issuer = "https://other-sp.example";
  EXPECT_FALSE(idp_->begin(op("SAMLAuthnRequest"), app_.id, redirect_request(authn_request_xml(s), nullptr)));
  s = spec();
  s.destination = "https://elsewhere.example/sso";
  EXPECT_FALSE(idp_->begin(op("SAMLAuthnRequest"), app_.id, redirect_request(authn_request_xml(s), nullptr)));
  auto relay = idp_->begin(op("SAMLAuthnRequest"), app_.id,
                           redirect_request(authn_request_xml(spec()), nullptr, std::string(81, 'r')));
  ASSERT_FALSE(relay);
  EXPECT_NE(relay.error().message.find("80 bytes"), std::string::npos);
  EXPECT_TRUE(idp_->begin(op("SAMLAuthnRequest"), app_.id,
                          redirect_request(authn_request_xml(spec()), nullptr, std::string(80, 'r'))));
  auto unknown_app = idp_->begin(op("SAMLAuthnRequest"), "apl-ffffffffffffffff", redirect_request(authn_request_xml(spec()), nullptr));
  ASSERT_FALSE(unknown_app);
  EXPECT_EQ(unknown_app.error().code, errc::not_found);
}

TEST_F(saml_idp, dtds_and_entities_are_refused_before_parsing) {
  std::string with_dtd = "<?xml version=\"1.0\"?><!DOCTYPE x [<!ENTITY e SYSTEM \"file:///etc/passwd\">]>" + authn_request_xml(spec());
  auto r1 = idp_->begin(op("SAMLAuthnRequest"), app_.id, post_request(with_dtd, nullptr));
  ASSERT_FALSE(r1);
  EXPECT_EQ(r1.error().code, errc::validation);
  auto s = spec();
  s.issuer = "&e;";
  auto r2 = idp_->begin(op("SAMLAuthnRequest"), app_.id, post_request(authn_request_xml(s), nullptr));
  EXPECT_FALSE(r2);
}

TEST_F(saml_idp, signed_requests_are_verified_when_the_application_has_the_sp_certificate) {
  service_provider_edit e;
  e.signing_certificates = std::vector<std::string>{sp_keys().certificate_pem};
  ASSERT_TRUE(settings_->update_service_provider(op("UpdateApplicationInstanceServiceProviderConfiguration"), app_.id, e));
  auto md = settings_->idp_metadata(app_.id);
  ASSERT_TRUE(md);
  EXPECT_NE(md->find("WantAuthnRequestsSigned=\"true\""), std::string::npos);

  auto unsigned_req = idp_->begin(op("SAMLAuthnRequest"), app_.id, redirect_request(authn_request_xml(spec()), nullptr));
  ASSERT_FALSE(unsigned_req);
  EXPECT_EQ(unsigned_req.error().code, errc::unauthenticated);
  auto attacker = *xml::signer::from_pem(attacker_keys().private_key_pem, attacker_keys().certificate_pem);
  auto forged = idp_->begin(op("SAMLAuthnRequest"), app_.id, redirect_request(authn_request_xml(spec()), &attacker));
  ASSERT_FALSE(forged);
  EXPECT_EQ(forged.error().code, errc::unauthenticated);
  auto good = idp_->begin(op("SAMLAuthnRequest"), app_.id, redirect_request(authn_request_xml(spec()), sp_signer_.get()));
  ASSERT_TRUE(good) << good.error().message;

  auto s = spec();
  s.id = "_post-signed";
  auto post_good = idp_->begin(op("SAMLAuthnRequest"), app_.id, post_request(authn_request_xml(s), sp_signer_.get()));
  ASSERT_TRUE(post_good) << post_good.error().message;
  s.id = "_post-forged";
  EXPECT_FALSE(idp_->begin(op("SAMLAuthnRequest"), app_.id, post_request(authn_request_xml(s), &attacker)));
  s.id = "_post-unsigned";
  EXPECT_FALSE(idp_->begin(op("SAMLAuthnRequest"), app_.id, post_request(authn_request_xml(s), nullptr)));
}

// Signature wrapping: a validly signed request moved inside an attacker's element, with the
// attacker's values on the root; or a tampered ACS URL after signing.
TEST_F(saml_idp, wrapped_or_tampered_signed_requests_are_refused) {
  service_provider_edit e;
  e.signing_certificates = std::vector<std::string>{sp_keys().certificate_pem};
  ASSERT_TRUE(settings_->update_service_provider(op("UpdateApplicationInstanceServiceProviderConfiguration"), app_.id, e));
  auto s = spec();
  s.id = "_signed";
  auto doc = xml::document::parse(authn_request_xml(s));
  ASSERT_TRUE(doc);
  ASSERT_TRUE(sp_signer_->sign(*doc, doc->root()));
  std::string signed_text = doc->to_string();
  // Tampered: the ACS URL changed after signing (the second registered one, so only the
  // signature can catch it).
  std::string tampered = signed_text;
  auto at = tampered.find(sp_acs);
  ASSERT_NE(at, std::string::npos);
  tampered.replace(at, std::string(sp_acs).size(), "https://sp.example.test/acs2");
  inbound_authn_request in;
  in.binding = xml::saml_binding::post;
  in.message = base64_encode(tampered);
  auto r1 = idp_->begin(op("SAMLAuthnRequest"), app_.id, in);
  ASSERT_FALSE(r1);
  EXPECT_EQ(r1.error().code, errc::unauthenticated);
  // Wrapped: an unsigned root with the attacker's ID, carrying the signed request as an extension.
  auto body_start = signed_text.find("<samlp:AuthnRequest");
  std::string inner = signed_text.substr(body_start);
  auto w = spec();
  w.id = "_attacker";
  w.acs_url = "https://sp.example.test/acs2";
  w.extra_before_issuer = "<samlp:Extensions>" + inner + "</samlp:Extensions>";
  in.message = base64_encode(authn_request_xml(w));
  EXPECT_FALSE(idp_->begin(op("SAMLAuthnRequest"), app_.id, in));
}

TEST_F(saml_idp, no_assertion_for_unassigned_disabled_or_deleted) {
  auto bob = idp_->launch(op("Federate"), session_of(other_id, clk_.now()), app_.id);
  ASSERT_FALSE(bob);
  EXPECT_EQ(bob.error().code, errc::access_denied);
  EXPECT_NE(bob.error().message.find("not assigned"), std::string::npos);

  // An SP-initiated request for bob: accepted (nobody is known yet), answered with nothing.
  auto begun = idp_->begin(op("SAMLAuthnRequest"), app_.id, redirect_request(authn_request_xml(spec()), nullptr));
  ASSERT_TRUE(begun);
  EXPECT_EQ(idp_->answer(op("Federate"), session_of(other_id, clk_.now()), begun->handle).error().code, errc::access_denied);
  // The request stays unanswered: alice may still use it.
  EXPECT_TRUE(idp_->answer(op("Federate"), alice(), begun->handle));

  // The assignment deleted: no more assertions.
  ASSERT_TRUE(apps_->unassign(op("DeleteApplicationAssignment"), app_.id, {domain::principal_type::group, dept_id}));
  EXPECT_EQ(idp_->launch(op("Federate"), alice(), app_.id).error().code, errc::access_denied);
  // Not required: everyone may open it, but a disabled user still may not.
  ASSERT_TRUE(apps_->set_assignment_required(op("PutApplicationAssignmentConfiguration"), app_.id, false));
  EXPECT_TRUE(idp_->launch(op("Federate"), alice(), app_.id));
  auto disabled = user_;
  disabled.active = false;
  disabled.version = 2;
  ASSERT_TRUE(db_->write([&](store::transaction& tx) { return tx.users().update(disabled, 1); }));
  EXPECT_EQ(idp_->launch(op("Federate"), alice(), app_.id).error().code, errc::unauthenticated);
  // A disabled application.
  ASSERT_TRUE(apps_->update(op("UpdateApplication"), app_.id, {{}, {}, domain::app_status::disabled, {}}));
  EXPECT_EQ(idp_->launch(op("Federate"), session_of(other_id, clk_.now()), app_.id).error().code, errc::access_denied);
}

// The portal's launch (issue 15 item 9): the session check runs inside the launch's read, once,
// and the user it read is the one the assertion is made of (not read and decoded again). A
// refusal of the gate is the portal's (not signed in, CSRF): no Federate record; a refusal
// after the gate is a failed Federate event, as with launch(ctx, user, id).
TEST_F(saml_idp, a_gated_launch_uses_the_gate_user_and_only_its_own_refusals_are_federate_events) {
  auto federate_records = [&] {
    int n = 0;
    for (const auto& r : audit_records()) n += r.json.find("\"Federate\"") != std::string::npos;
    return n;
  };
  int gate_calls = 0;
  auto as_read = user_;
  as_read.emails = {domain::email{"gate@example.test", "work", true}};
  service::launch_gate gate = [&](store::transaction&) -> result<launch_gate_pass> {
    ++gate_calls;
    return launch_gate_pass{alice(), as_read, op("Federate")};
  };
  bool at_gate = true;
  auto launched = idp_->launch(gate, app_.id, at_gate);
  ASSERT_TRUE(launched) << launched.error().message;
  EXPECT_FALSE(at_gate);
  EXPECT_EQ(gate_calls, 1);
  auto a = check(*launched->post, std::nullopt);
  ASSERT_TRUE(a) << a.error().message;
  EXPECT_EQ(a->name_id, "gate@example.test") << "the gate's user, not a second read of the row";
  EXPECT_EQ(federate_records(), 1);

  service::launch_gate refuse = [](store::transaction&) -> result<launch_gate_pass> {
    return fail(errc::unauthenticated, "Sign in first.");
  };
  auto refused = idp_->launch(refuse, app_.id, at_gate);
  ASSERT_FALSE(refused);
  EXPECT_TRUE(at_gate);
  EXPECT_EQ(refused.error().message, "Sign in first.");
  EXPECT_EQ(federate_records(), 1) << "the gate's refusal is not a Federate event";

  as_read.active = false;
  auto disabled = idp_->launch(gate, app_.id, at_gate);
  ASSERT_FALSE(disabled);
  EXPECT_FALSE(at_gate);
  EXPECT_EQ(disabled.error().code, errc::unauthenticated);
  EXPECT_EQ(federate_records(), 2) << "a refused launch is a failed Federate event";
}

TEST_F(saml_idp, force_authn_needs_a_session_newer_than_the_request) {
  auto s = spec();
  s.force_authn = true;
  auto begun = idp_->begin(op("SAMLAuthnRequest"), app_.id, redirect_request(authn_request_xml(s), nullptr));
  ASSERT_TRUE(begun);
  auto stale = idp_->answer(op("Federate"), alice(), begun->handle);
  ASSERT_FALSE(stale);
  EXPECT_EQ(stale.error().code, errc::unauthenticated);
  clk_.advance(std::chrono::seconds(30));
  EXPECT_TRUE(idp_->answer(op("Federate"), session_of(user_id, clk_.now()), begun->handle));
}

TEST_F(saml_idp, signer_is_made_once_per_active_certificate_and_follows_rotation_on_every_node) {
  // A second node: its own signer cache and IdP service over the same store.
  signer_cache other_cache(box_);
  saml_idp_service other_node(*audited_, clk_, rnd_, other_cache, endpoints_);
  for (int i = 0; i < 3; ++i) {
    auto launched = idp_->launch(op("Federate"), alice(), app_.id);
    ASSERT_TRUE(launched && launched->post);
    ASSERT_TRUE(check(*launched->post, std::nullopt));
  }
  EXPECT_EQ(signers_->builds(), 1) << "the key is unsealed and parsed once, not per Response";
  ASSERT_TRUE(other_node.launch(op("Federate"), alice(), app_.id));
  EXPECT_EQ(other_cache.builds(), 1);
  // Rotation through this node; the other node's next Response is signed with the new key.
  auto fresh = settings_->create_certificate(op("CreateApplicationInstanceCertificate"), app_.id, {2048, 12});
  ASSERT_TRUE(fresh) << fresh.error().message;
  ASSERT_TRUE(settings_->activate_certificate(op("UpdateApplicationInstanceActiveCertificate"), app_.id, fresh->id));
  auto on_other = other_node.launch(op("Federate"), alice(), app_.id);
  ASSERT_TRUE(on_other && on_other->post);
  auto checked = check(*on_other->post, std::nullopt);  // trusts the new active certificate only
  ASSERT_TRUE(checked) << checked.error().message;
  EXPECT_EQ(other_cache.builds(), 2);
  EXPECT_EQ(other_cache.size(), 1u) << "the old key left memory with the rotation";
  auto here = idp_->launch(op("Federate"), alice(), app_.id);
  ASSERT_TRUE(here && here->post);
  EXPECT_TRUE(check(*here->post, std::nullopt));
  EXPECT_EQ(signers_->builds(), 2);
}

TEST_F(saml_idp, signer_cache_holds_at_most_its_capacity) {
  // Deleted applications are never asked for again: the cache must not keep them forever.
  signer_cache small(box_, 2);
  for (int i = 0; i < 3; ++i) {
    auto cert = make_application_certificate(box_, clk_, "app-" + std::to_string(i), {2048, 12});
    ASSERT_TRUE(cert) << cert.error().message;
    ASSERT_TRUE(small.signer_for(*cert));
    ASSERT_TRUE(small.signer_for(*cert));  // the same certificate again: from memory
  }
  EXPECT_EQ(small.builds(), 3);
  EXPECT_EQ(small.size(), 2u);
}

TEST_F(saml_idp, certificate_rotation_as_the_guide_describes) {
  auto first = settings_->list_certificates(op("ListApplicationInstanceCertificates"), app_.id);
  ASSERT_TRUE(first);
  ASSERT_EQ(first->size(), 1u);
  EXPECT_TRUE((*first)[0].active);
  EXPECT_EQ(health_of((*first)[0], clk_.now()), certificate_health::valid);
  // Step 1: a new one, inactive; the metadata lists both (the active one first).
  auto fresh = settings_->create_certificate(op("CreateApplicationInstanceCertificate"), app_.id, {2048, 12});
  ASSERT_TRUE(fresh) << fresh.error().message;
  EXPECT_FALSE(fresh->active);
  EXPECT_EQ(health_of(*fresh, clk_.now() + std::chrono::days(300)), certificate_health::expiring);
  EXPECT_EQ(health_of(*fresh, clk_.now() + std::chrono::days(400)), certificate_health::expired);
  auto md = settings_->idp_metadata(app_.id);
  ASSERT_TRUE(md);
  auto first_b64 = crypto::pem_certificate_base64((*first)[0].certificate_pem);
  auto fresh_b64 = crypto::pem_certificate_base64(fresh->certificate_pem);
  ASSERT_TRUE(first_b64 && fresh_b64);
  EXPECT_LT(md->find(*first_b64), md->find(*fresh_b64));
  EXPECT_EQ(settings_->create_certificate(op("CreateApplicationInstanceCertificate"), app_.id, {2048, 12}).error().code,
            errc::conflict);  // at most two
  EXPECT_EQ(settings_->delete_certificate(op("DeleteApplicationInstanceCertificate"), app_.id, (*first)[0].id).error().code,
            errc::conflict);  // the active one stays
  // Step 3: make it active; Responses are now signed with it.
  ASSERT_TRUE(settings_->activate_certificate(op("UpdateApplicationInstanceActiveCertificate"), app_.id, fresh->id));
  auto launched = idp_->launch(op("Federate"), alice(), app_.id);
  ASSERT_TRUE(launched);
  ASSERT_TRUE(check(*launched->post, std::nullopt));  // check() trusts the active certificate only
  // Step 4: delete the old one.
  ASSERT_TRUE(settings_->delete_certificate(op("DeleteApplicationInstanceCertificate"), app_.id, (*first)[0].id));
  EXPECT_EQ(settings_->list_certificates(op("ListApplicationInstanceCertificates"), app_.id)->size(), 1u);
  EXPECT_FALSE(settings_->create_certificate(op("CreateApplicationInstanceCertificate"), app_.id, {1024, 12}));
}

}  // namespace atrium::service::apptest
