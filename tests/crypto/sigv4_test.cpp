#include "crypto/sigv4.hpp"

#include <gtest/gtest.h>

#include "base/strings.hpp"
#include "crypto/primitives.hpp"

namespace atrium::crypto {

namespace {
constexpr const char* secret = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
// 2015-08-30T12:36:00Z, the date of AWS's SigV4 test suite.
sys_time suite_time() { return from_epoch_millis(1440938160000); }

sigv4_request vanilla() {
  return {"GET", "/", {{"Host", "example.amazonaws.com"}, {"X-Amz-Date", "20150830T123600Z"}}, ""};
}
}  // namespace

// aws-sig-v4-test-suite "get-vanilla": GET / with Host and X-Amz-Date, service "service".
TEST(sigv4, aws_test_suite_get_vanilla) {
  auto req = vanilla();
  req.headers.push_back({"Authorization",
                         "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, "
                         "SignedHeaders=host;x-amz-date, "
                         "Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31"});
  auto p = sigv4_parse(req, suite_time());
  ASSERT_TRUE(p) << p.error().message;
  EXPECT_EQ(p->access_key_id, "AKIDEXAMPLE");
  EXPECT_EQ(p->service, "service");
  EXPECT_TRUE(sigv4_verify(req, *p, secret));
  EXPECT_FALSE(sigv4_verify(req, *p, "another secret"));
}

TEST(sigv4, sign_produces_the_suite_signature) {
  sigv4_request req{"GET", "/", {{"Host", "example.amazonaws.com"}}, ""};
  auto headers = sigv4_sign(req, "AKIDEXAMPLE", secret, "us-east-1", "service", suite_time());
  ASSERT_EQ(headers.size(), 2u);
  EXPECT_EQ(headers[0].value, "20150830T123600Z");
  EXPECT_NE(headers[1].value.find("Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31"),
            std::string::npos)
      << headers[1].value;
}

TEST(sigv4, round_trip_post_and_tampering) {
  sigv4_request req{"POST", "/", {{"Host", "127.0.0.1:8443"}, {"X-Amz-Target", "AWSIdentityStore.ListUsers"}}, "{\"a\":1}"};
  auto now = from_epoch_millis(1'763'900'000'000);
  for (auto& h : sigv4_sign(req, "AKIA1", "s3cr3t", "us-east-1", "identitystore", now)) req.headers.push_back(h);
  auto p = sigv4_parse(req, now);
  ASSERT_TRUE(p);
  EXPECT_TRUE(sigv4_verify(req, *p, "s3cr3t"));
  auto body = req;
  body.body = "{\"a\":2}";
  EXPECT_EQ(sigv4_verify(body, *p, "s3cr3t").error().kind, sigv4_failure::bad_signature);
  auto header = req;
  header.headers[1].value = "AWSIdentityStore.DeleteUser";
  EXPECT_FALSE(sigv4_verify(header, *p, "s3cr3t"));
  auto upper = req;
  upper.headers[0].name = "HOST";
  EXPECT_TRUE(sigv4_verify(upper, *p, "s3cr3t")) << "header names are case-insensitive";
}

TEST(sigv4, clock_skew) {
  auto req = vanilla();
  req.headers.push_back({"Authorization",
                         "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, "
                         "SignedHeaders=host;x-amz-date, Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31"});
  EXPECT_TRUE(sigv4_parse(req, suite_time() + std::chrono::minutes(5)));
  auto late = sigv4_parse(req, suite_time() + std::chrono::minutes(6));
  ASSERT_FALSE(late);
  EXPECT_EQ(late.error().kind, sigv4_failure::expired);
  EXPECT_EQ(late.error().message,
            "Signature expired: 20150830T123600Z is now earlier than 20150830T123700Z (20150830T124200Z - 5 min.)");
  auto early = sigv4_parse(req, suite_time() - std::chrono::minutes(6));
  ASSERT_FALSE(early);
  EXPECT_NE(early.error().message.find("not yet current"), std::string::npos);
}

TEST(sigv4, missing_and_malformed) {
  sigv4_request none{"POST", "/", {{"Host", "h"}}, ""};
  EXPECT_EQ(sigv4_parse(none, suite_time()).error().kind, sigv4_failure::missing);
  for (const char* bad : {"AWS4-HMAC-SHA256", "Bearer x", "AWS4-HMAC-SHA256 Credential=a/b/c, SignedHeaders=host, Signature=00",
                          "AWS4-HMAC-SHA256 Credential=AKID/20150830/us-east-1/service/aws4_request, SignedHeaders=x-amz-date, "
                          "Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31"}) {
    auto req = vanilla();
    req.headers.push_back({"Authorization", bad});
    auto r = sigv4_parse(req, suite_time());
    ASSERT_FALSE(r) << bad;
    EXPECT_EQ(r.error().kind, sigv4_failure::malformed) << bad;
  }
}

TEST(sigv4, presigned_round_trip_and_expiry) {
  sigv4_request req{"POST", "/?Action=x", {{"Host", "127.0.0.1"}}, "{}"};
  auto now = from_epoch_millis(1'763'900'000'000);
  req.target = sigv4_presign(req, "AKIA2", "pw", "us-east-1", "identitystore", now, std::chrono::seconds(60));
  auto p = sigv4_parse(req, now + std::chrono::seconds(30));
  ASSERT_TRUE(p) << p.error().message;
  EXPECT_TRUE(p->presigned);
  EXPECT_TRUE(sigv4_verify(req, *p, "pw"));
  req.body = "{\"changed\":true}";
  EXPECT_FALSE(sigv4_verify(req, *p, "pw")) << "the body's hash is signed (non-S3 services)";
  req.body = "{}";
  EXPECT_EQ(sigv4_parse(req, now + std::chrono::seconds(61)).error().kind, sigv4_failure::expired);
  auto tampered = req;
  tampered.target.replace(tampered.target.find("Action=x"), 8, "Action=y");
  auto tp = sigv4_parse(tampered, now);
  ASSERT_TRUE(tp);
  EXPECT_FALSE(sigv4_verify(tampered, *tp, "pw"));
}

TEST(primitives, constant_time_equal_and_secret_box) {
  init();
  EXPECT_TRUE(constant_time_equal("abc", "abc"));
  EXPECT_FALSE(constant_time_equal("abc", "abd"));
  EXPECT_FALSE(constant_time_equal("abc", "ab"));
  secret_box box(std::string(32, 'x'));
  auto sealed = box.seal("the secret");
  EXPECT_EQ(sealed.find("the secret"), std::string::npos);
  EXPECT_NE(box.seal("the secret"), sealed) << "random nonce per seal";
  EXPECT_EQ(box.open(sealed).value(), "the secret");
  secret_box other(std::string(32, 'y'));
  EXPECT_FALSE(other.open(sealed));
  EXPECT_FALSE(box.open("bm90IHNlYWxlZA=="));
  EXPECT_EQ(hex_encode(hmac_sha256("key", "The quick brown fox jumps over the lazy dog")),
            "f7bc83f430538424b13298e6aa6fb143ef4d59a14946175997479dbc2d1a3cd8");  // the widely published HMAC-SHA256 example value
}

// Known answers: FIPS 180-4's "abc" and the empty message; RFC 4231 test cases 2 (a short key)
// and 6 (a key longer than the 64-byte block, hashed first).
TEST(primitives, sha256_and_hmac_known_answers) {
  init();
  EXPECT_EQ(sha256_hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(sha256_hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(hex_encode(hmac_sha256("Jefe", "what do ya want for nothing?")),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
  EXPECT_EQ(hex_encode(hmac_sha256(std::string(131, '\xaa'), "Test Using Larger Than Block-Size Key - Hash Key First")),
            "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54");
}

}  // namespace atrium::crypto
