// Console and CLI federation on the real SQLite store: who may federate (direct, nested group,
// disabled, not assigned, not provisioned), the signed Response as an SP reads it (xml::verifier
// against the IdP certificate, the SP-side validator for Destination, Recipient, Audience and
// times), PrincipalTag values from the attributes for access control, the recorded role name,
// one signer per certificate, the audit records, and role credentials through a fake STS.
#include "service/federation/aws_federation.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "base/strings.hpp"
#include "crypto/idp_keys.hpp"
#include "crypto/primitives.hpp"
#include "service/sso_admin/abac_service.hpp"
#include "store/assignment_repository.hpp"
#include "store/external_idp_repository.hpp"
#include "store/session_repository.hpp"
#include "store/organization_repository.hpp"
#include "store/permission_set_repository.hpp"
#include "store/sqlite/sqlite_database.hpp"
#include "xml/saml_response_validator.hpp"
#include "xml/schema.hpp"
#include "xml/trusted_certs.hpp"
#include "xml/verifier.hpp"

// Its own namespace: the unity build puts this file beside others of atrium::service.
namespace atrium::service::aws_federation_tests {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;

constexpr const char* account = "111122223333";
constexpr const char* other_account = "444455556666";
constexpr const char* ps_arn = "arn:aws:sso:::permissionSet/ssoins-0123456789abcdef/ps-1111111111111111";
constexpr const char* ps2_arn = "arn:aws:sso:::permissionSet/ssoins-0123456789abcdef/ps-2222222222222222";
constexpr const char* alice = "0123456789-0198a0b1-c2d3-7e4f-8a9b-000000000001";
constexpr const char* bob = "0123456789-0198a0b1-c2d3-7e4f-8a9b-000000000002";
constexpr const char* team = "0123456789-0198a0b1-c2d3-7e4f-8a9b-0000000000a1";
constexpr const char* outer = "0123456789-0198a0b1-c2d3-7e4f-8a9b-0000000000a2";
constexpr const char* entity = "https://atrium.test:8443/saml/assertion/ssoins-0123456789abcdef";
constexpr const char* signin = "https://signin.aws.amazon.com/saml";

class fake_sts final : public saml_role_exchange {
 public:
  result<aws_role_credentials> assume_role_with_saml(const std::string& role_arn, const std::string& principal_arn,
                                                    const std::string& saml_response,
                                                    std::chrono::seconds duration) override {
    calls.push_back({role_arn, principal_arn, saml_response, duration});
    if (!refuse.empty()) return fail(errc::access_denied, refuse);
    return aws_role_credentials{"ASIAFAKE", "secret", "token", expiry};
  }
  struct call {
    std::string role_arn, principal_arn, saml_response;
    std::chrono::seconds duration;
  };
  std::vector<call> calls;
  std::string refuse;
  sys_time expiry{};
};

class aws_federation_test : public ::testing::Test {
 protected:
  void SetUp() override {
    crypto::init();
    dir_ = std::filesystem::temp_directory_path() /
           ("atrium-fed-" + std::to_string(::getpid()) + "-" + ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    auto db = store::sqlite::sqlite_database::open({dir_ / "t.db", false});
    ASSERT_TRUE(db) << db.error().message;
    db_ = std::move(*db);
    audit_ = std::make_unique<auditor>(clk_, rnd_, dir_ / "events.jsonl");
    audited_ = std::make_unique<audited_store>(*db_, *audit_);
    idp_ = std::make_unique<idp_signing>(*audited_, clk_, box_, "Atrium IdP test", 2048);
    admin_.who.arn = "arn:aws:iam::123456789012:root";
    admin_.event_name = "CreateIdpCertificate";
    ASSERT_TRUE(idp_->ensure(admin_));
    settings_.idp_entity_id = entity;
    settings_.provisioner_kind = "aws-iam";
    fed_ = std::make_unique<aws_federation>(*audited_, clk_, rnd_, *idp_, settings_, &sts_);
    seed();
    ctx_.source_ip = "203.0.113.7";
    ctx_.user_agent = "test-browser";
  }
  void TearDown() override {
    fed_.reset();
    idp_.reset();
    db_.reset();
    std::filesystem::remove_all(dir_);
  }

  void write(const std::function<result<void>(store::transaction&)>& fn) {
    auto r = db_->write(fn);
    ASSERT_TRUE(r) << r.error().message;
  }

  // alice: assigned Developer directly in `account`; bob: through team, which is nested in
  // outer, which holds the assignment. Developer is provisioned under Atrium's names.
  void seed() {
    write([&](store::transaction& tx) -> result<void> {
      domain::user a;
      a.id = alice;
      a.user_name = "alice@example.com";
      a.title = "Engineer";
      a.enterprise_ext = domain::enterprise{};
      a.enterprise_ext->cost_center = "4711";
      if (auto r = tx.users().insert(a); !r) return r;
      domain::user b;
      b.id = bob;
      b.user_name = "bob";
      if (auto r = tx.users().insert(b); !r) return r;
      for (auto [id, name] : {std::pair{team, "team"}, std::pair{outer, "outer"}}) {
        domain::group g;
        g.id = id;
        g.display_name = name;
        if (auto r = tx.groups().insert(g); !r) return r;
      }
      if (auto r = tx.memberships().insert({"m1", team, bob, domain::member_kind::user, {}}); !r) return r;
      if (auto r = tx.memberships().insert({"m2", outer, team, domain::member_kind::group, {}}); !r) return r;
      for (auto [arn, name] : {std::pair{ps_arn, "Developer"}, std::pair{ps2_arn, "Auditor"}}) {
        domain::permission_set ps;
        ps.id = std::string(arn).substr(std::string(arn).rfind('/') + 1);
        ps.arn = arn;
        ps.name = name;
        ps.session_duration = "PT4H";
        ps.relay_state = "https://s3.console.aws.amazon.com/s3/home";
        if (auto r = tx.permission_sets().insert(ps); !r) return r;
      }
      for (const char* id : {account, other_account}) {
        domain::account acct;
        acct.id = id;
        acct.name = std::string("acct-") + id;
        acct.email = "a@example.com";
        acct.parent_id = "r-abcd";
        if (auto r = tx.organization().insert_account(acct); !r) return r;
      }
      auto grant = [&](const char* acct, const char* arn, const char* principal, domain::principal_type t) {
        return tx.assignments().insert_assignment({acct, arn, t, principal, clk_.now()});
      };
      if (auto r = grant(account, ps_arn, alice, domain::principal_type::user); !r) return std::unexpected(r.error());
      if (auto r = grant(account, ps_arn, outer, domain::principal_type::group); !r) return std::unexpected(r.error());
      // Auditor is assigned to alice but never provisioned.
      if (auto r = grant(account, ps2_arn, alice, domain::principal_type::user); !r) return std::unexpected(r.error());
      return tx.assignments().put_provisioned(
          {account, ps_arn, 1, clk_.now(), "AtriumSSO_Developer_1111111111111111", "/atrium/"});
    });
  }

  void enable_abac() {
    abac_service abac(*audited_);
    call_context c = admin_;
    c.event_name = "CreateInstanceAccessControlAttributeConfiguration";
    ASSERT_TRUE(abac.create(c, {{"CostCenter", {"${path:enterprise.costCenter}"}},
                                {"Title", {"${path:title}"}},
                                {"Department", {"${path:enterprise.department}"}}}));
  }

  xml::verifier idp_verifier() {
    auto certs = idp_->list();
    EXPECT_TRUE(certs && !certs->empty());
    auto trusted = xml::trusted_certs::from_pem(certs->front().certificate_pem);
    EXPECT_TRUE(trusted) << trusted.error().message;
    return xml::verifier(std::move(*trusted));
  }

  result<xml::validated_assertion> as_aws_reads_it(const std::string& saml_response, const xml::verifier& v) {
    xml::response_expectations e;
    e.idp_entity_id = entity;
    e.sp_entity_id = "urn:amazon:webservices";
    e.acs_url = signin;
    e.allow_unsolicited = true;
    e.now = clk_.now() + 30s;
    auto schema = xml::saml_schema::shared();
    if (!schema) return std::unexpected(schema.error());
    return xml::validate_post_response(saml_response, e, v, **schema);
  }

  static std::map<std::string, std::vector<std::string>> attributes(const xml::validated_assertion& a) {
    std::map<std::string, std::vector<std::string>> out;
    for (const auto& at : a.attributes) out[at.name] = at.values;
    return out;
  }

  std::vector<json> events(const std::string& name) {
    std::vector<json> out;
    std::ifstream in(dir_ / "events.jsonl");
    for (std::string line; std::getline(in, line);) {
      auto j = json::parse(line);
      if (j["eventName"] == name) out.push_back(j);
    }
    return out;
  }

  seeded_random rnd_{11};
  manual_clock clk_{sys_time(std::chrono::sys_days(std::chrono::year(2026) / 11 / 25)) + 10h};
  crypto::secret_box box_{std::string(32, 'k')};
  std::filesystem::path dir_;
  std::unique_ptr<store::database> db_;
  std::unique_ptr<auditor> audit_;
  std::unique_ptr<audited_store> audited_;
  std::unique_ptr<idp_signing> idp_;
  federation_settings settings_;
  fake_sts sts_;
  std::unique_ptr<aws_federation> fed_;
  call_context admin_, ctx_;
};

TEST_F(aws_federation_test, console_session_is_a_signed_response_aws_accepts) {
  auto s = fed_->console_session(ctx_, alice, account, "Developer");
  ASSERT_TRUE(s) << s.error().message;
  EXPECT_EQ(s->destination, signin);
  EXPECT_EQ(s->relay_state, "https://s3.console.aws.amazon.com/s3/home");
  auto a = as_aws_reads_it(s->saml_response, idp_verifier());
  ASSERT_TRUE(a) << a.error().message;
  EXPECT_TRUE(a->response_signed);
  EXPECT_TRUE(a->assertion_signed);
  EXPECT_EQ(a->issuer, entity);
  EXPECT_FALSE(a->in_response_to);
  EXPECT_EQ(a->name_id, alice);
  EXPECT_EQ(a->name_id_format, "urn:oasis:names:tc:SAML:2.0:nameid-format:persistent");
  EXPECT_EQ(a->not_on_or_after, clk_.now() + 5min);
  EXPECT_EQ(a->session_not_on_or_after, clk_.now() + 4h);
  auto attrs = attributes(*a);
  EXPECT_EQ(attrs["https://aws.amazon.com/SAML/Attributes/Role"],
            std::vector<std::string>{"arn:aws:iam::111122223333:role/atrium/AtriumSSO_Developer_1111111111111111,"
                                     "arn:aws:iam::111122223333:saml-provider/AWSSSO_0123456789abcdef_DO_NOT_DELETE"});
  EXPECT_EQ(attrs["https://aws.amazon.com/SAML/Attributes/RoleSessionName"], std::vector<std::string>{"alice@example.com"});
  EXPECT_EQ(attrs["https://aws.amazon.com/SAML/Attributes/SessionDuration"], std::vector<std::string>{"14400"});
  EXPECT_EQ(attrs.size(), 3u) << "no attributes for access control configured: no PrincipalTag";

  // An attacker's certificate does not verify it.
  auto other = crypto::make_idp_key_pair("Attacker", clk_.now() - 24h, std::chrono::days(30), 2048);
  ASSERT_TRUE(other);
  auto wrong = as_aws_reads_it(s->saml_response, xml::verifier(*xml::trusted_certs::from_pem(other->certificate_pem)));
  ASSERT_FALSE(wrong);
  EXPECT_EQ(wrong.error().code, errc::unauthenticated);
}

TEST_F(aws_federation_test, principal_tags_carry_the_values_the_user_has) {
  enable_abac();
  auto s = fed_->console_session(ctx_, alice, account, "Developer");
  ASSERT_TRUE(s) << s.error().message;
  auto a = as_aws_reads_it(s->saml_response, idp_verifier());
  ASSERT_TRUE(a) << a.error().message;
  auto attrs = attributes(*a);
  EXPECT_EQ(attrs["https://aws.amazon.com/SAML/Attributes/PrincipalTag:CostCenter"], std::vector<std::string>{"4711"});
  EXPECT_EQ(attrs["https://aws.amazon.com/SAML/Attributes/PrincipalTag:Title"], std::vector<std::string>{"Engineer"});
  EXPECT_EQ(attrs.count("https://aws.amazon.com/SAML/Attributes/PrincipalTag:Department"), 0u)
      << "alice has no department: the attribute is left out, not sent empty";
  // bob has none of the three: no PrincipalTag at all.
  auto b = fed_->console_session(ctx_, bob, account, "Developer");
  ASSERT_TRUE(b) << b.error().message;
  auto ba = as_aws_reads_it(b->saml_response, idp_verifier());
  ASSERT_TRUE(ba);
  for (const auto& [name, values] : attributes(*ba)) EXPECT_EQ(name.find("PrincipalTag"), std::string::npos) << name;
}

// Issue 17 item 4: an external IdP's AccessControl attributes of the portal session take
// precedence over the configured sources (case-insensitive keys, as STS session tags), and add
// keys of their own; another session of the same user keeps the configured values.
TEST_F(aws_federation_test, an_external_idps_session_attributes_override_the_configured_ones) {
  enable_abac();
  write([&](store::transaction& tx) -> result<void> {
    store::session_record s{"idp-session", alice, clk_.now(), clk_.now() + 8h, clk_.now(), "203.0.113.7", "ua", "c"};
    if (auto r = tx.sessions().insert_session(s); !r) return r;
    return tx.external_idps().put_session_attributes("idp-session", "idp-1",
                                                     "{\"costcenter\":\"9999\",\"Project\":\"apollo\"}");
  });
  auto in_session = ctx_;
  in_session.session_id = "idp-session";
  auto s = fed_->console_session(in_session, alice, account, "Developer");
  ASSERT_TRUE(s) << s.error().message;
  auto a = as_aws_reads_it(s->saml_response, idp_verifier());
  ASSERT_TRUE(a) << a.error().message;
  auto attrs = attributes(*a);
  EXPECT_EQ(attrs["https://aws.amazon.com/SAML/Attributes/PrincipalTag:CostCenter"], std::vector<std::string>{"9999"});
  EXPECT_EQ(attrs["https://aws.amazon.com/SAML/Attributes/PrincipalTag:Title"], std::vector<std::string>{"Engineer"});
  EXPECT_EQ(attrs["https://aws.amazon.com/SAML/Attributes/PrincipalTag:Project"], std::vector<std::string>{"apollo"});
  auto other = fed_->console_session(ctx_, alice, account, "Developer");
  ASSERT_TRUE(other);
  auto o = as_aws_reads_it(other->saml_response, idp_verifier());
  ASSERT_TRUE(o);
  EXPECT_EQ(attributes(*o)["https://aws.amazon.com/SAML/Attributes/PrincipalTag:CostCenter"], std::vector<std::string>{"4711"});
}

TEST_F(aws_federation_test, nested_groups_count_and_everything_else_is_access_denied) {
  ASSERT_TRUE(fed_->console_session(ctx_, bob, account, "Developer")) << "bob -> team -> outer -> assignment";
  auto expect_denied = [&](std::string_view user, std::string_view acct, std::string_view role, const char* why) {
    auto s = fed_->console_session(ctx_, user, acct, role);
    ASSERT_FALSE(s) << why;
    EXPECT_EQ(s.error().code, errc::access_denied) << why;
    EXPECT_EQ(s.error().message, "You do not have access to this role in this account.") << why;
    auto c = fed_->role_credentials(ctx_, user, acct, role);
    ASSERT_FALSE(c) << why;
    EXPECT_EQ(c.error().code, errc::access_denied) << why;
  };
  expect_denied(alice, other_account, "Developer", "not assigned in that account");
  expect_denied(alice, account, "Nobody", "no such permission set");
  expect_denied(alice, account, "Auditor", "assigned but not provisioned");
  expect_denied("0123456789-0198a0b1-c2d3-7e4f-8a9b-00000000ffff", account, "Developer", "no such user");
  expect_denied(alice, "999999999999", "Developer", "no such account");
  // The membership goes: bob's access goes with it.
  write([](store::transaction& tx) -> result<void> {
    auto m = tx.memberships().remove("m2");
    if (!m) return std::unexpected(m.error());
    return {};
  });
  expect_denied(bob, account, "Developer", "no longer in the assigned group");
  // A disabled user gets nothing.
  write([](store::transaction& tx) -> result<void> {
    auto u = tx.users().get(alice);
    if (!u) return std::unexpected(u.error());
    auto v = **u;
    v.active = false;
    ++v.version;
    return tx.users().update(v, v.version - 1);
  });
  expect_denied(alice, account, "Developer", "disabled");
  EXPECT_TRUE(sts_.calls.empty()) << "nothing was signed for STS";
  auto bad = fed_->console_session(ctx_, alice, "12345", "Developer");
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().code, errc::validation);
  EXPECT_EQ(fed_->console_session(ctx_, alice, account, "bad name!").error().code, errc::validation);
}

TEST_F(aws_federation_test, roles_provisioned_before_0011_keep_the_services_names) {
  write([&](store::transaction& tx) { return tx.assignments().put_provisioned({account, ps_arn, 1, clk_.now(), "", ""}); });
  auto s = fed_->console_session(ctx_, alice, account, "Developer");
  ASSERT_TRUE(s);
  auto a = as_aws_reads_it(s->saml_response, idp_verifier());
  ASSERT_TRUE(a);
  EXPECT_TRUE(attributes(*a)["https://aws.amazon.com/SAML/Attributes/Role"].at(0).starts_with(
      "arn:aws:iam::111122223333:role/aws-reserved/sso.amazonaws.com/AWSReservedSSO_Developer_1111111111111111,"));
}

TEST_F(aws_federation_test, one_signer_per_certificate_and_rotation_switches_it) {
  ASSERT_TRUE(fed_->console_session(ctx_, alice, account, "Developer"));
  ASSERT_TRUE(fed_->console_session(ctx_, bob, account, "Developer"));
  EXPECT_EQ(fed_->signer().builds(), 1) << "built once, not per request";
  auto old_verifier = idp_verifier();
  admin_.event_name = "RotateIdpCertificate";
  ASSERT_TRUE(idp_->rotate(admin_));
  auto s = fed_->console_session(ctx_, alice, account, "Developer");
  ASSERT_TRUE(s);
  EXPECT_EQ(fed_->signer().builds(), 2);
  EXPECT_TRUE(as_aws_reads_it(s->saml_response, idp_verifier())) << "signed with the new active key";
  EXPECT_FALSE(as_aws_reads_it(s->saml_response, old_verifier));
}

TEST_F(aws_federation_test, role_credentials_exchange_the_same_assertion_at_sts) {
  sts_.expiry = clk_.now() + 4h;
  auto c = fed_->role_credentials(ctx_, alice, account, "Developer");
  ASSERT_TRUE(c) << c.error().message;
  EXPECT_EQ(c->access_key_id, "ASIAFAKE");
  EXPECT_EQ(c->expiration, clk_.now() + 4h);
  ASSERT_EQ(sts_.calls.size(), 1u);
  const auto& call = sts_.calls[0];
  EXPECT_EQ(call.role_arn, "arn:aws:iam::111122223333:role/atrium/AtriumSSO_Developer_1111111111111111");
  EXPECT_EQ(call.principal_arn, "arn:aws:iam::111122223333:saml-provider/AWSSSO_0123456789abcdef_DO_NOT_DELETE");
  EXPECT_EQ(call.duration, 4h) << "the permission set's session duration";
  EXPECT_TRUE(as_aws_reads_it(call.saml_response, idp_verifier()));
  sts_.refuse = "AccessDenied: Not authorized to perform sts:AssumeRoleWithSAML";
  auto refused = fed_->role_credentials(ctx_, alice, account, "Developer");
  ASSERT_FALSE(refused);
  EXPECT_NE(refused.error().message.find("sts:AssumeRoleWithSAML"), std::string::npos);
}

TEST_F(aws_federation_test, record_only_deployments_say_why_there_are_no_credentials) {
  settings_.provisioner_kind = "record-only";
  aws_federation record_only(*audited_, clk_, rnd_, *idp_, settings_, nullptr);
  auto c = record_only.role_credentials(ctx_, alice, account, "Developer");
  ASSERT_FALSE(c);
  EXPECT_EQ(c.error().code, errc::conflict);
  EXPECT_NE(c.error().message.find("provisioner.kind=aws-iam"), std::string::npos) << c.error().message;
  EXPECT_NE(c.error().message.find("only in Atrium's records"), std::string::npos) << c.error().message;
  // Access comes first: a user without the role learns nothing about the provisioner.
  EXPECT_EQ(record_only.role_credentials(ctx_, alice, other_account, "Developer").error().code, errc::access_denied);
  EXPECT_TRUE(record_only.console_session(ctx_, alice, account, "Developer")) << "the console needs no STS";
}

TEST_F(aws_federation_test, successes_are_audited_as_the_service_does) {
  sts_.expiry = clk_.now() + 4h;
  ASSERT_TRUE(fed_->console_session(ctx_, alice, account, "Developer"));
  ASSERT_TRUE(fed_->role_credentials(ctx_, alice, account, "Developer"));
  ASSERT_FALSE(fed_->console_session(ctx_, alice, other_account, "Developer"));
  auto fed = events("Federate");
  ASSERT_EQ(fed.size(), 1u) << "a refusal is recorded by the door that answers it";
  const auto& e = fed[0];
  EXPECT_EQ(e["eventSource"], "sso.amazonaws.com");
  EXPECT_EQ(e["userIdentity"]["type"], "Unknown");
  EXPECT_EQ(e["userIdentity"]["principalId"], alice);
  EXPECT_EQ(e["userIdentity"]["userName"], "alice@example.com");
  EXPECT_EQ(e["requestParameters"], (json{{"accountId", account}, {"roleName", "Developer"}}));
  EXPECT_TRUE(e["responseElements"].is_null()) << "the Response is a credential";
  EXPECT_EQ(e["sourceIPAddress"], "203.0.113.7");
  EXPECT_EQ(e["readOnly"], true);
  auto creds = events("GetRoleCredentials");
  ASSERT_EQ(creds.size(), 1u);
  EXPECT_TRUE(creds[0]["responseElements"].is_null());
  std::ifstream in(dir_ / "events.jsonl");
  std::string all((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_EQ(all.find("ASIAFAKE"), std::string::npos) << "credentials never reach the audit";
  EXPECT_EQ(all.find("PHNhbWxw"), std::string::npos) << "nor the SAML Response";
}

}  // namespace
}  // namespace atrium::service::aws_federation_tests
