// The portal door's pure pieces: cookies, the origin check, field limits, and static files
// (content types, index.html fallback, no way out of the assets directory).
#include "proto/portal/portal_http.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <fstream>

#include "proto/portal/static_files.hpp"

namespace atrium::proto::portal {

namespace {

request with_headers(std::vector<std::pair<std::string, std::string>> h) {
  request r;
  r.method = "POST";
  r.headers = std::move(h);
  return r;
}

std::string header_of(const response& r, std::string_view name) {
  for (const auto& [k, v] : r.headers)
    if (k == name) return v;
  return {};
}

TEST(portal_http, cookies_are_read_from_every_cookie_header) {
  auto r = with_headers({{"Cookie", "a=1; atrium_session=abc"}, {"cookie", "atrium_device=xyz"}});
  EXPECT_EQ(cookie_value(r, "atrium_session"), "abc");
  EXPECT_EQ(cookie_value(r, "atrium_device"), "xyz");
  EXPECT_EQ(cookie_value(r, "atrium"), "");
}

TEST(portal_http, set_cookie_has_every_flag) {
  auto c = set_cookie("atrium_session", "tok", std::chrono::seconds(28800));
  EXPECT_EQ(c, "atrium_session=tok; Path=/portal; Max-Age=28800; Secure; HttpOnly; SameSite=Strict");
  EXPECT_NE(clear_cookie("atrium_session").find("Max-Age=0"), std::string::npos);
}

TEST(portal_http, origin_must_be_the_portal_or_the_host_asked) {
  EXPECT_TRUE(same_origin(with_headers({}), "https://sso.example.com"));
  EXPECT_TRUE(same_origin(with_headers({{"Origin", "https://sso.example.com"}}), "https://sso.example.com"));
  EXPECT_TRUE(same_origin(with_headers({{"Origin", "https://127.0.0.1:8443"}, {"Host", "127.0.0.1:8443"}}),
                          "https://sso.example.com"));
  EXPECT_FALSE(same_origin(with_headers({{"Origin", "https://evil.example"}, {"Host", "sso.example.com"}}),
                           "https://sso.example.com"));
  EXPECT_FALSE(same_origin(with_headers({{"Origin", "null"}}), "https://sso.example.com"));
  // The configured public URL carries the portal's path; behind a proxy the Host is the node's.
  EXPECT_TRUE(same_origin(with_headers({{"Origin", "https://sso.example.com"}, {"Host", "10.0.0.5:8443"}}),
                          "https://sso.example.com/portal"));
  EXPECT_FALSE(same_origin(with_headers({{"Origin", "https://sso.example.com.evil"}, {"Host", "10.0.0.5:8443"}}),
                           "https://sso.example.com/portal"));
}

TEST(portal_http, json_content_type_only) {
  EXPECT_TRUE(json_content_type(with_headers({{"Content-Type", "application/json; charset=utf-8"}})));
  EXPECT_FALSE(json_content_type(with_headers({{"Content-Type", "text/plain"}})));
  EXPECT_FALSE(json_content_type(with_headers({{"Content-Type", "application/x-www-form-urlencoded"}})));
  EXPECT_FALSE(json_content_type(with_headers({})));
}

TEST(portal_http, field_limits) {
  nlohmann::json b = {{"userName", std::string(129, 'a')}, {"code", "12345a"}, {"ok", "123456"}, {"n", 5}};
  EXPECT_FALSE(text_field(b, "userName", max_user_name));
  EXPECT_FALSE(text_field(b, "n", 10));
  EXPECT_FALSE(text_field(b, "missing", 10));
  EXPECT_TRUE(text_field(b, "missing", 10, false));
  EXPECT_FALSE(code_field(b, "code"));
  EXPECT_EQ(*code_field(b, "ok"), "123456");
  nlohmann::json big = {{"credential", {{"id", std::string(17000, 'x')}}}};
  EXPECT_FALSE(credential_field(big, "credential"));
}

TEST(portal_http, errors_have_the_contracts_shape) {
  auto r = from_error(error{errc::throttled, "wait", "retry_after", "4"});
  EXPECT_EQ(r.status, 429);
  EXPECT_EQ(header_of(r, "Retry-After"), "4");
  EXPECT_EQ(nlohmann::json::parse(r.body), (nlohmann::json{{"error", "TooManyAttempts"}, {"message", "wait"}}));
  EXPECT_EQ(from_error(error{errc::unauthenticated, "x", {}, {}}).error_code, "InvalidCredentials");
  EXPECT_EQ(from_error(error{errc::validation, "The password does not meet", {}, {}}, true).error_code, "PasswordPolicy");
  EXPECT_EQ(from_error(error{errc::validation, "This link is invalid", {}, {}}, true).error_code, "InvalidRequest");
}

class static_files_test : public ::testing::Test {
 protected:
  void SetUp() override {
    base_ = std::filesystem::temp_directory_path() / ("atrium-static-" + std::to_string(::getpid()));
    std::filesystem::remove_all(base_);
    std::filesystem::create_directories(base_ / "dist" / "assets");
    write(base_ / "dist" / "index.html", "<html>index</html>");
    write(base_ / "dist" / "assets" / "app-1a2b.js", "console.log(1)");
    write(base_ / "secret.txt", "outside");
    std::filesystem::create_symlink(base_ / "secret.txt", base_ / "dist" / "link.txt");
  }
  void TearDown() override { std::filesystem::remove_all(base_); }
  static void write(const std::filesystem::path& p, const std::string& s) { std::ofstream(p) << s; }
  std::filesystem::path base_;
};

TEST_F(static_files_test, files_types_and_cache_headers) {
  auto js = static_file(base_ / "dist", "assets/app-1a2b.js");
  EXPECT_EQ(js.status, 200);
  EXPECT_EQ(js.content_type, "text/javascript; charset=utf-8");
  EXPECT_EQ(js.body, "console.log(1)");
  EXPECT_EQ(header_of(js, "Cache-Control"), "public, max-age=31536000, immutable");
  auto page = static_file(base_ / "dist", "signin/mfa");
  EXPECT_EQ(page.body, "<html>index</html>");
  EXPECT_EQ(page.content_type, "text/html; charset=utf-8");
  EXPECT_EQ(header_of(page, "Cache-Control"), "no-cache");
  EXPECT_EQ(static_file(base_ / "dist", "").body, "<html>index</html>");
}

TEST_F(static_files_test, nothing_outside_the_assets_directory) {
  for (std::string p : {"../secret.txt", "%2e%2e/secret.txt", "assets/../../secret.txt", "link.txt",
                        "%2E%2E%2Fsecret.txt", "..%5csecret.txt", "/etc/passwd", "%00", "%zz"}) {
    auto r = static_file(base_ / "dist", p);
    EXPECT_NE(r.body, "outside") << p;
    EXPECT_TRUE(r.body == "<html>index</html>" || r.status >= 400) << p;
  }
}

TEST_F(static_files_test, missing_build_is_a_clear_404) {
  auto r = static_file(base_ / "nope", "");
  EXPECT_EQ(r.status, 404);
}

TEST(portal_http, origin_of_keeps_scheme_host_and_port) {
  EXPECT_EQ(origin_of("http://127.0.0.1:53682/oauth/callback?x=1"), "http://127.0.0.1:53682");
  EXPECT_EQ(origin_of("https://sp.example.com?SAMLResponse"), "https://sp.example.com");
  EXPECT_EQ(origin_of("https://sp.example.com#acs"), "https://sp.example.com");
  EXPECT_EQ(origin_of("https://sp.example.com"), "https://sp.example.com");
  EXPECT_EQ(origin_of("/relative/acs"), "");
}

TEST(portal_http, form_action_allows_the_portal_and_the_aws_sign_in_only) {
  EXPECT_EQ(form_action_sources("https://signin.aws.amazon.com/saml"),
            "'self' https://signin.aws.amazon.com https://*.aws.amazon.com")
      << "the sign-in redirects into the console (console.aws.amazon.com, <region>.console...)";
  EXPECT_EQ(form_action_sources("https://us-east-1.signin.aws.amazon.com/saml"),
            "'self' https://us-east-1.signin.aws.amazon.com https://*.aws.amazon.com");
  EXPECT_EQ(form_action_sources("https://signin.amazonaws.cn/saml"), "'self' https://signin.amazonaws.cn https://*.amazonaws.cn");
  EXPECT_EQ(form_action_sources("http://127.0.0.1:40123/saml"), "'self' http://127.0.0.1:40123")
      << "a test sink: its origin only";
  EXPECT_EQ(form_action_sources("nonsense"), "'self'");
  EXPECT_EQ(form_action_sources("https://a;b/saml"), "'self'") << "nothing that could end the directive";
  response r;
  add_security_headers(r, form_action_sources("https://signin.aws.amazon.com/saml"));
  EXPECT_EQ(header_of(r, "Content-Security-Policy"),
            "default-src 'self'; img-src 'self' data:; form-action 'self' https://signin.aws.amazon.com "
            "https://*.aws.amazon.com; frame-ancestors 'none'");
  response plain;
  add_security_headers(plain);
  EXPECT_NE(header_of(plain, "Content-Security-Policy").find("form-action 'self';"), std::string::npos);
}

}  // namespace

}  // namespace atrium::proto::portal
