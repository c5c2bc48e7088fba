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

}  // namespace atrium::service
