// iam_provisioner against a small in-memory IAM/STS behind the fake transport: which
// credentials sign which account's calls, the convergence of put_role, and delete_role.
#include "cloud/iam_provisioner.hpp"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <atomic>
#include <map>
#include <thread>
#include <set>

#include "fake_transport.hpp"

namespace atrium::cloud {
namespace {

using testing::fake_transport;
using testing::header_of;
using testing::xml_reply;

std::map<std::string, std::string> form(const std::string& body) {
  std::map<std::string, std::string> out;
  for (std::size_t at = 0; at < body.size();) {
    auto amp = body.find('&', at);
    std::string kv = body.substr(at, amp == std::string::npos ? std::string::npos : amp - at);
    auto eq = kv.find('=');
    out[kv.substr(0, eq)] = *url_decode(kv.substr(eq + 1));
    at = amp == std::string::npos ? body.size() : amp + 1;
  }
  return out;
}

std::string esc(const std::string& s) {
  std::string o;
  for (char c : s) o += c == '<' ? std::string("&lt;") : c == '&' ? std::string("&amp;") : std::string(1, c);
  return o;
}

struct fake_role {
  std::string path, trust, description, boundary;
  int max_duration = 3600;
  std::set<std::string> attached;
  std::map<std::string, std::string> inline_policies;
};

// Just enough IAM and STS: state per account, the account chosen by the access key.
struct fake_aws {
  std::map<std::string, std::map<std::string, fake_role>> roles;  // account -> name -> role
  std::map<std::string, std::map<std::string, std::string>> providers;
  std::vector<std::string> calls;  // "<account> <Action>"
  int assume_calls = 0;

  result<http_reply> handle(const http_request& req) {
    auto f = form(req.body);
    std::string action = f["Action"];
    std::string auth = header_of(req, "Authorization");
    std::string key = auth.substr(auth.find("Credential=") + 11);
    key = key.substr(0, key.find('/'));
    std::string account = key.starts_with("ASIA") ? key.substr(4) : "111111111111";
    calls.push_back(account + " " + action);
    auto ok = [&](const std::string& inner) {
      return xml_reply(200, "<" + action + "Response><" + action + "Result>" + inner + "</" + action + "Result></" + action + "Response>");
    };
    auto missing = [&] {
      return xml_reply(404, "<ErrorResponse><Error><Code>NoSuchEntity</Code><Message>not found</Message></Error></ErrorResponse>");
    };
    if (action == "GetCallerIdentity") return ok("<Account>111111111111</Account>");
    if (action == "AssumeRole") {
      ++assume_calls;
      std::string arn = f["RoleArn"];  // arn:aws:iam::<acct>:role/OrganizationAccountAccessRole
      std::string acct = arn.substr(13, 12);
      return ok("<Credentials><AccessKeyId>ASIA" + acct + "</AccessKeyId><SecretAccessKey>s</SecretAccessKey>"
                "<SessionToken>t</SessionToken><Expiration>2026-11-25T06:00:00Z</Expiration></Credentials>");
    }
    auto& rs = roles[account];
    auto& ps = providers[account];
    if (action == "ListSAMLProviders") {
      std::string items;
      for (const auto& [n, m] : ps) items += "<member><Arn>arn:aws:iam::" + account + ":saml-provider/" + n + "</Arn></member>";
      return ok("<SAMLProviderList>" + items + "</SAMLProviderList>");
    }
    if (action == "CreateSAMLProvider") return ps[f["Name"]] = f["SAMLMetadataDocument"], ok("");
    if (action == "GetSAMLProvider" || action == "UpdateSAMLProvider") {
      std::string name = f["SAMLProviderArn"].substr(f["SAMLProviderArn"].rfind('/') + 1);
      if (action == "UpdateSAMLProvider") return ps[name] = f["SAMLMetadataDocument"], ok("");
      return ok("<SAMLMetadataDocument>" + esc(ps[name]) + "</SAMLMetadataDocument>");
    }
    if (action == "CreateRole") {
      if (rs.contains(f["RoleName"]))
        return xml_reply(409, "<ErrorResponse><Error><Code>EntityAlreadyExists</Code><Message>Role with name " + f["RoleName"] +
                                  " already exists.</Message></Error></ErrorResponse>");
      rs[f["RoleName"]] = fake_role{f["Path"], f["AssumeRolePolicyDocument"], f["Description"], f["PermissionsBoundary"],
                                    std::stoi(f["MaxSessionDuration"]), {}, {}};
      return ok("");
    }
    auto it = rs.find(f["RoleName"]);
    if (it == rs.end()) return missing();
    auto& r = it->second;
    if (action == "GetRole") {
      std::string b = r.boundary.empty() ? "" : "<PermissionsBoundary><PermissionsBoundaryArn>" + r.boundary + "</PermissionsBoundaryArn></PermissionsBoundary>";
      std::string enc;
      for (char c : r.trust) enc += c == '"' ? std::string("%22") : std::string(1, c);
      return ok("<Role><Path>" + r.path + "</Path><AssumeRolePolicyDocument>" + enc + "</AssumeRolePolicyDocument><Description>" +
                esc(r.description) + "</Description><MaxSessionDuration>" + std::to_string(r.max_duration) + "</MaxSessionDuration>" + b + "</Role>");
    }
    if (action == "UpdateRole") return r.description = f["Description"], r.max_duration = std::stoi(f["MaxSessionDuration"]), ok("");
    if (action == "UpdateAssumeRolePolicy") return r.trust = f["PolicyDocument"], ok("");
    if (action == "PutRolePermissionsBoundary") return r.boundary = f["PermissionsBoundary"], ok("");
    if (action == "DeleteRolePermissionsBoundary") return r.boundary.clear(), ok("");
    if (action == "AttachRolePolicy" && f["PolicyArn"].ends_with(":policy/Missing"))
      return xml_reply(404, "<ErrorResponse><Error><Code>NoSuchEntity</Code><Message>Policy " + f["PolicyArn"] +
                                " does not exist or is not attachable.</Message></Error></ErrorResponse>");
    if (action == "AttachRolePolicy") return r.attached.insert(f["PolicyArn"]), ok("");
    if (action == "DetachRolePolicy") return r.attached.erase(f["PolicyArn"]), ok("");
    if (action == "PutRolePolicy") return r.inline_policies[f["PolicyName"]] = f["PolicyDocument"], ok("");
    if (action == "DeleteRolePolicy") return r.inline_policies.erase(f["PolicyName"]), ok("");
    if (action == "ListAttachedRolePolicies") {
      std::string items;
      for (const auto& a : r.attached) items += "<member><PolicyArn>" + a + "</PolicyArn></member>";
      return ok("<AttachedPolicies>" + items + "</AttachedPolicies><IsTruncated>false</IsTruncated>");
    }
    if (action == "ListRolePolicies") {
      std::string items;
      for (const auto& [n, d] : r.inline_policies) items += "<member>" + n + "</member>";
      return ok("<PolicyNames>" + items + "</PolicyNames><IsTruncated>false</IsTruncated>");
    }
    if (action == "DeleteRole") return rs.erase(it), ok("");
    return xml_reply(400, "<ErrorResponse><Error><Code>InvalidAction</Code><Message>" + action + "</Message></Error></ErrorResponse>");
  }
};

struct CloudIamProvisioner : ::testing::Test {
  fake_aws aws;
  std::shared_ptr<fake_transport> transport = std::make_shared<fake_transport>();
  std::shared_ptr<manual_clock> clk = std::make_shared<manual_clock>(sys_time(std::chrono::milliseconds(1'795'000'000'000)));
  iam_provisioner prov{iam_provisioner_config{}, credentials{"AKIDBASE", "secret", "", std::nullopt}, transport, clk,
                       [](std::chrono::milliseconds) {}};
  CloudIamProvisioner() {
    transport->handler = [this](const http_request& r) { return aws.handle(r); };
    // 2026-11-25T05:00:00Z, one hour before the fake credentials expire.
    clk->set(sys_time(std::chrono::sys_days(std::chrono::year(2026) / 11 / 25)) + std::chrono::hours(5));
  }
  service::role_spec spec() {
    service::role_spec s;
    s.role_name = "AWSReservedSSO_Admin_0123456789abcdef";  // the service's names, configured explicitly
    s.path = "/aws-reserved/sso.amazonaws.com/";
    s.saml_provider_name = "AWSSSO_fedcba9876543210_DO_NOT_DELETE";
    s.managed_policy_arns = {"arn:aws:iam::aws:policy/ReadOnlyAccess"};
    s.customer_managed = {{"team-policy", "/teams/"}};
    s.inline_policy = R"({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]})";
    return s;
  }
};

TEST_F(CloudIamProvisioner, MemberAccountsAreEnteredThroughACachedAssumeRole) {
  ASSERT_TRUE(prov.ensure_identity_provider("222222222222", "AWSSSO_x_DO_NOT_DELETE", "<md/>"));
  ASSERT_TRUE(prov.ensure_identity_provider("222222222222", "AWSSSO_x_DO_NOT_DELETE", "<md/>"));
  EXPECT_EQ(aws.assume_calls, 1);
  EXPECT_EQ(aws.providers["222222222222"]["AWSSSO_x_DO_NOT_DELETE"], "<md/>");
  // Near expiry the credentials are renewed.
  clk->advance(std::chrono::minutes(56));
  ASSERT_TRUE(prov.ensure_identity_provider("222222222222", "AWSSSO_x_DO_NOT_DELETE", "<md2/>"));
  EXPECT_EQ(aws.assume_calls, 2);
  EXPECT_EQ(aws.providers["222222222222"]["AWSSSO_x_DO_NOT_DELETE"], "<md2/>");
  // The management account (learned once from GetCallerIdentity) uses the base credentials.
  ASSERT_TRUE(prov.ensure_identity_provider("111111111111", "AWSSSO_x_DO_NOT_DELETE", "<md/>"));
  EXPECT_EQ(aws.assume_calls, 2);
  EXPECT_EQ(aws.providers["111111111111"].size(), 1u);
  EXPECT_EQ(std::count(aws.calls.begin(), aws.calls.end(), "111111111111 GetCallerIdentity"), 1);
}

// Lanes of one account that start together share one AssumeRole (and one GetCallerIdentity)
// instead of each asking STS while the first answer is on its way.
TEST_F(CloudIamProvisioner, LanesOfOneAccountAssumeItsRoleOnce) {
  transport->handler = [this](const http_request& r) {
    if (r.body.find("Action=AssumeRole") != std::string::npos || r.body.find("Action=GetCallerIdentity") != std::string::npos)
      std::this_thread::sleep_for(std::chrono::milliseconds(20));  // widens the window the old code raced in
    return aws.handle(r);
  };
  std::vector<std::thread> lanes;
  std::atomic<int> ok = 0;
  for (int i = 0; i < 6; ++i)
    lanes.emplace_back([&] { ok += prov.ensure_identity_provider("222222222222", "AWSSSO_x_DO_NOT_DELETE", "<md/>") ? 1 : 0; });
  for (auto& t : lanes) t.join();
  EXPECT_EQ(ok.load(), 6);
  EXPECT_EQ(aws.assume_calls, 1);
  EXPECT_EQ(std::count(aws.calls.begin(), aws.calls.end(), "111111111111 GetCallerIdentity"), 1);
}

TEST_F(CloudIamProvisioner, PutRoleCreatesExactlyTheSpec) {
  ASSERT_TRUE(prov.put_role("222222222222", spec()));
  const auto& r = aws.roles["222222222222"]["AWSReservedSSO_Admin_0123456789abcdef"];
  EXPECT_EQ(r.path, "/aws-reserved/sso.amazonaws.com/");
  EXPECT_EQ(r.max_duration, 43200);
  auto trust = nlohmann::json::parse(r.trust);
  EXPECT_EQ(trust["Statement"][0]["Principal"]["Federated"],
            "arn:aws:iam::222222222222:saml-provider/AWSSSO_fedcba9876543210_DO_NOT_DELETE");
  EXPECT_EQ(trust["Statement"][0]["Condition"]["StringEquals"]["SAML:aud"], "https://signin.aws.amazon.com/saml");
  EXPECT_EQ(r.attached, (std::set<std::string>{"arn:aws:iam::aws:policy/ReadOnlyAccess",
                                                "arn:aws:iam::222222222222:policy/teams/team-policy"}));
  ASSERT_EQ(r.inline_policies.count("AwsSSOInlinePolicy"), 1u);
}

TEST_F(CloudIamProvisioner, PutRoleConvergesAnExistingRole) {
  ASSERT_TRUE(prov.put_role("222222222222", spec()));
  auto& r = aws.roles["222222222222"]["AWSReservedSSO_Admin_0123456789abcdef"];
  r.attached.insert("arn:aws:iam::aws:policy/Stray");
  r.inline_policies["Other"] = "{}";
  r.trust = R"({"Version":"2012-10-17","Statement":[]})";
  r.max_duration = 3600;
  auto s = spec();
  s.inline_policy.reset();
  s.customer_managed.clear();
  s.boundary = service::boundary_spec{std::nullopt, service::customer_policy_ref{"limit", "/"}};
  ASSERT_TRUE(prov.put_role("222222222222", s));
  const auto& after = aws.roles["222222222222"]["AWSReservedSSO_Admin_0123456789abcdef"];
  EXPECT_EQ(after.attached, (std::set<std::string>{"arn:aws:iam::aws:policy/ReadOnlyAccess"}));
  EXPECT_TRUE(after.inline_policies.empty());
  EXPECT_EQ(after.max_duration, 43200);
  EXPECT_EQ(after.boundary, "arn:aws:iam::222222222222:policy/limit");
  EXPECT_EQ(nlohmann::json::parse(after.trust), nlohmann::json::parse(sso_trust_policy(
                                                    "arn:aws:iam::222222222222:saml-provider/AWSSSO_fedcba9876543210_DO_NOT_DELETE")));
  // Already converged: a third call changes nothing.
  aws.calls.clear();
  ASSERT_TRUE(prov.put_role("222222222222", s));
  for (const auto& c : aws.calls) EXPECT_TRUE(c.find(" Get") != std::string::npos || c.find(" List") != std::string::npos) << c;
}

// Issue 18 item 4: a role the store does not record costs CreateRole and then its policy calls,
// sent at once; nothing is read or listed.
TEST_F(CloudIamProvisioner, AnUnrecordedRoleIsCreatedFirstWithoutReadsOrLists) {
  ASSERT_TRUE(prov.put_role("222222222222", spec(), false));
  std::vector<std::string> in_account;
  for (const auto& c : aws.calls)
    if (c.starts_with("222222222222 ")) in_account.push_back(c.substr(13));
  ASSERT_EQ(in_account.size(), 4u);
  EXPECT_EQ(in_account[0], "CreateRole");
  std::multiset<std::string> rest(in_account.begin() + 1, in_account.end());
  EXPECT_EQ(rest, (std::multiset<std::string>{"AttachRolePolicy", "AttachRolePolicy", "PutRolePolicy"}));
  const auto& r = aws.roles["222222222222"]["AWSReservedSSO_Admin_0123456789abcdef"];
  EXPECT_EQ(r.path, "/aws-reserved/sso.amazonaws.com/");
  EXPECT_EQ(r.attached, (std::set<std::string>{"arn:aws:iam::aws:policy/ReadOnlyAccess",
                                                "arn:aws:iam::222222222222:policy/teams/team-policy"}));
  EXPECT_EQ(r.inline_policies.count("AwsSSOInlinePolicy"), 1u);
}

// The hint is only a hint: a role that exists after all (EntityAlreadyExists) is read and
// converged exactly as when it is recorded.
TEST_F(CloudIamProvisioner, AnUnrecordedRoleThatExistsIsStillConverged) {
  ASSERT_TRUE(prov.put_role("222222222222", spec()));
  auto& r = aws.roles["222222222222"]["AWSReservedSSO_Admin_0123456789abcdef"];
  r.attached.insert("arn:aws:iam::aws:policy/Stray");
  r.max_duration = 3600;
  aws.calls.clear();
  ASSERT_TRUE(prov.put_role("222222222222", spec(), false));
  const auto& after = aws.roles["222222222222"]["AWSReservedSSO_Admin_0123456789abcdef"];
  EXPECT_EQ(after.attached, (std::set<std::string>{"arn:aws:iam::aws:policy/ReadOnlyAccess",
                                                    "arn:aws:iam::222222222222:policy/teams/team-policy"}));
  EXPECT_EQ(after.max_duration, 43200);
  ASSERT_GE(aws.calls.size(), 2u);
  EXPECT_EQ(aws.calls[0], "222222222222 CreateRole");
  EXPECT_EQ(aws.calls[1], "222222222222 GetRole");
}

TEST_F(CloudIamProvisioner, AFailedPolicyCallAmongParallelOnesIsReported) {
  auto s = spec();
  s.managed_policy_arns.push_back("arn:aws:iam::aws:policy/Missing");
  auto r = prov.put_role("222222222222", s, false);
  ASSERT_FALSE(r);
  EXPECT_EQ(peer_code(r.error()), "NoSuchEntity");
  EXPECT_NE(r.error().message.find("AttachRolePolicy in account 222222222222"), std::string::npos) << r.error().message;
  EXPECT_NE(r.error().message.find("policy/Missing"), std::string::npos) << r.error().message;
}

TEST_F(CloudIamProvisioner, DeleteRoleRemovesEverythingAndToleratesAbsence) {
  auto s = spec();
  s.boundary = service::boundary_spec{"arn:aws:iam::aws:policy/PowerUserAccess", std::nullopt};
  ASSERT_TRUE(prov.put_role("222222222222", s));
  ASSERT_TRUE(prov.delete_role("222222222222", s.role_name));
  EXPECT_TRUE(aws.roles["222222222222"].empty());
  EXPECT_TRUE(prov.delete_role("222222222222", s.role_name));
}

TEST_F(CloudIamProvisioner, RefusesBadInputBeforeCallingAws) {
  EXPECT_EQ(prov.put_role("12345", spec()).error().code, errc::validation);
  auto s = spec();
  s.role_name = "bad name";
  EXPECT_EQ(prov.put_role("222222222222", s).error().code, errc::validation);
  s = spec();
  s.inline_policy = std::string(10'241, 'x');
  EXPECT_EQ(prov.put_role("222222222222", s).error().code, errc::validation);
  EXPECT_EQ(prov.ensure_identity_provider("222222222222", "AWSSSO_x", "").error().code, errc::validation);
  EXPECT_TRUE(aws.calls.empty());
}

TEST_F(CloudIamProvisioner, PeerFailuresNameTheCallAndAccount) {
  transport->handler = [](const http_request&) -> result<http_reply> {
    return xml_reply(403, "<ErrorResponse><Error><Code>AccessDenied</Code><Message>not authorized</Message></Error></ErrorResponse>");
  };
  auto r = prov.put_role("222222222222", spec());
  ASSERT_FALSE(r);
  EXPECT_EQ(peer_code(r.error()), "AccessDenied");
  EXPECT_NE(r.error().message.find("AccessDenied: not authorized"), std::string::npos) << r.error().message;
}

}  // namespace
}  // namespace atrium::cloud
