// CloudTrail records: secrets redacted at any depth, the record fields of a failed call.
#include "service/audit/auditor.hpp"

#include <gtest/gtest.h>

#include "base/json_text.hpp"

namespace atrium::service {

TEST(redaction, secrets_are_hidden_at_any_depth) {
  auto in = nlohmann::json::parse(
      R"({"UserName":"a","Password":"p","nested":{"SecretAccessKey":"s","list":[{"token":"t"}]}})");
  auto out = nlohmann::json::parse(redact_secrets(in.dump()));
  EXPECT_EQ(out["UserName"], "a");
  EXPECT_EQ(out["Password"], "HIDDEN_DUE_TO_SECURITY_REASONS");
  EXPECT_EQ(out["nested"]["SecretAccessKey"], "HIDDEN_DUE_TO_SECURITY_REASONS");
  EXPECT_EQ(out["nested"]["list"][0]["token"], "HIDDEN_DUE_TO_SECURITY_REASONS");
}

TEST(auditor, cloudtrail_record_fields) {
  manual_clock clk(from_epoch_millis(1'700'000'000'000));
  seeded_random rnd(3);
  auditor a(clk, rnd, std::nullopt);
  call_context ctx;
  ctx.who.arn = "arn:aws:iam::123456789012:user/admin";
  ctx.who.account_id = "123456789012";
  ctx.who.access_key_id = "AKIAEXAMPLE";
  ctx.event_name = "CreateUser";
  ctx.source_ip = "127.0.0.1";
  ctx.request_id = "req-1";
  ctx.request_parameters = to_json_text({{"UserName", "x"}, {"Password", "secret!"}});
  call_failure f{"ConflictException", "Duplicate UserName"};
  auto rec = a.make(ctx, {}, &f);
  auto j = nlohmann::json::parse(rec.json);
  EXPECT_EQ(j["eventVersion"], "1.08");
  EXPECT_EQ(j["eventTime"], "2023-11-14T22:13:20Z");
  EXPECT_EQ(j["eventName"], "CreateUser");
  EXPECT_EQ(j["eventSource"], "identitystore.amazonaws.com");
  EXPECT_EQ(j["userIdentity"]["accessKeyId"], "AKIAEXAMPLE");
  EXPECT_EQ(j["errorCode"], "ConflictException");
  EXPECT_EQ(j["requestParameters"]["Password"], "HIDDEN_DUE_TO_SECURITY_REASONS");
  EXPECT_EQ(j["eventType"], "AwsApiCall");
  EXPECT_EQ(rec.error_code, "ConflictException");
  EXPECT_EQ(rec.principal, ctx.who.arn);
  EXPECT_EQ(rec.json.find("secret!"), std::string::npos);
}

// A door that serialised its parameters with to_json_text gets them spliced into the record
// without a parse and a dump: the record must be the same bytes as the slow path's, including
// when other fields carry the placeholder's own text (a user agent is the caller's to choose).
TEST(auditor, canonical_parameters_give_the_same_record_bytes) {
  manual_clock clk(from_epoch_millis(1'700'000'000'000));
  auto record = [&](bool canonical, const std::string& params) {
    seeded_random rnd(7);
    auditor a(clk, rnd, std::nullopt);
    call_context ctx;
    ctx.who.access_key_id = "scim-token-1";
    ctx.event_name = "CreateUser";
    ctx.user_agent = "\"requestParameters\":\"\x01requestParameters\x01\" \xff";
    ctx.request_id = "\"requestParameters\":\"\\u0001requestParameters\\u0001\"";
    ctx.request_parameters = params;
    ctx.request_parameters_canonical = canonical;
    return a.make(ctx, R"({"userId":"u-1"})", nullptr).json;
  };
  for (const auto& params :
       {to_json_text({{"tenantId", "d-1"}, {"httpBody", {{"userName", "HIDDEN"}, {"emails", {{{"primary", true}}}}}}}),
        to_json_text({{"filter", "userName eq \"\\u00e9\\n\""}, {"n", 1.5}}), to_json_text(nlohmann::json::object())}) {
    auto slow = record(false, params), fast = record(true, params);
    EXPECT_EQ(fast, slow) << params;
    EXPECT_EQ(nlohmann::json::parse(fast)["requestParameters"], nlohmann::json::parse(params));
  }
  // A secret member still goes through redaction, canonical or not.
  auto with_secret = record(true, to_json_text({{"Token", "t0k3n"}, {"UserName", "x"}}));
  EXPECT_EQ(with_secret.find("t0k3n"), std::string::npos);
  EXPECT_EQ(nlohmann::json::parse(with_secret)["requestParameters"]["Token"], "HIDDEN_DUE_TO_SECURITY_REASONS");
}

// The record's text is written directly (not through a JSON object): it must be exactly what
// the library's dump of the parsed record gives (members in name order, its escaping), for a
// success and a failure, with text that needs escaping and text that is not valid UTF-8.
TEST(auditor, record_text_is_the_canonical_dump_of_itself) {
  manual_clock clk(from_epoch_millis(1'700'000'000'000));
  seeded_random rnd(4);
  auditor a(clk, rnd, std::nullopt);
  call_context ctx;
  ctx.who.type = "IAMUser";
  ctx.who.arn = "arn:aws:iam::123456789012:user/admin";
  ctx.who.principal_id = "AIDAEXAMPLE";
  ctx.who.account_id = "123456789012";
  ctx.who.user_name = "admin";
  ctx.event_name = "DescribeUser";
  ctx.read_only = true;
  ctx.user_agent = "aws-cli/2 \"quoted\" \\ tab\t caf\xc3\xa9 bad\xff";
  ctx.request_id = "req-2";
  ctx.request_parameters = to_json_text({{"UserId", "u-1"}, {"IdentityStoreId", "d-1"}});
  const auto canonical = [](const std::string& text) { return to_json_text(nlohmann::json::parse(text)); };

  auto ok = a.make(ctx, to_json_text({{"UserName", "x"}, {"Token", "t"}}), nullptr);
  EXPECT_EQ(ok.json, canonical(ok.json));
  auto j = nlohmann::json::parse(ok.json);
  EXPECT_EQ(j["readOnly"], true);
  EXPECT_EQ(j["managementEvent"], true);
  EXPECT_EQ(j["userIdentity"]["userName"], "admin");
  EXPECT_FALSE(j["userIdentity"].contains("accessKeyId"));
  EXPECT_EQ(j["requestParameters"]["UserId"], "u-1");
  EXPECT_EQ(j["responseElements"]["Token"], "HIDDEN_DUE_TO_SECURITY_REASONS");
  EXPECT_EQ(j["userAgent"], "aws-cli/2 \"quoted\" \\ tab\t caf\xc3\xa9 bad\xef\xbf\xbd");
  EXPECT_FALSE(j.contains("errorCode"));

  ctx.request_parameters.clear();
  call_failure f{"ResourceNotFoundException", "line one\nline two"};
  auto failed = a.make(ctx, {}, &f);
  EXPECT_EQ(failed.json, canonical(failed.json));
  auto k = nlohmann::json::parse(failed.json);
  EXPECT_EQ(k["errorMessage"], "line one\nline two");
  EXPECT_TRUE(k["requestParameters"].is_null());
  EXPECT_TRUE(k["responseElements"].is_null());
}

}  // namespace atrium::service
