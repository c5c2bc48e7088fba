// Application ids, ARNs, provider ARNs and the rules of the guide's "Application properties".
#include "domain/application.hpp"

#include <gtest/gtest.h>

namespace atrium::domain {

TEST(application, ids_and_arns_follow_the_service_model) {
  seeded_random rnd(3);
  auto id = new_application_id(rnd);
  EXPECT_TRUE(is_application_id(id)) << id;
  auto arn = application_arn("123456789012", "ssoins-0123456789abcdef", id);
  EXPECT_EQ(arn, "arn:aws:sso::123456789012:application/ssoins-0123456789abcdef/" + id);
  auto parts = parse_application_arn(arn);
  ASSERT_TRUE(parts);
  EXPECT_EQ(parts->account_id, "123456789012");
  EXPECT_EQ(parts->instance_id, "ssoins-0123456789abcdef");
  EXPECT_EQ(parts->application_id, id);
  EXPECT_TRUE(parse_application_arn("arn:aws-us-gov:sso::123456789012:application/ins-0123456789abcdef/apl-0123456789abcdef"));
  for (auto bad : {"arn:aws:sso:::application/ssoins-0123456789abcdef/apl-0123456789abcdef",
                   "arn:aws:sso::12345678901:application/ssoins-0123456789abcdef/apl-0123456789abcdef",
                   "arn:aws:sso::123456789012:application/ssoins-0123/apl-0123456789abcdef",
                   "arn:aws:sso::123456789012:application/ssoins-0123456789abcdef/apl-0123",
                   "arn:aws:sso::123456789012:permissionSet/ssoins-0123456789abcdef/ps-0123456789abcdef"})
    EXPECT_FALSE(parse_application_arn(bad)) << bad;
}

TEST(application, provider_arns) {
  EXPECT_TRUE(is_application_provider_arn(custom_saml_provider_arn));
  auto slack = catalog_provider_arn("slack");
  EXPECT_EQ(slack, "arn:aws:sso::aws:applicationProvider/catalog/slack");
  EXPECT_TRUE(is_application_provider_arn(slack));
  EXPECT_EQ(catalog_id_of(slack), "slack");
  EXPECT_EQ(catalog_id_of(custom_saml_provider_arn), std::nullopt);
  EXPECT_FALSE(is_application_provider_arn("arn:aws:sso::aws:applicationProvider/with space"));
}

TEST(application, acs_urls_are_https_or_loopback_http) {
  EXPECT_TRUE(check_acs_url("https://acme.slack.com/sso/saml"));
  EXPECT_TRUE(check_acs_url("http://127.0.0.1:8443/acs"));
  EXPECT_TRUE(check_acs_url("http://localhost/mellon/postResponse"));
  EXPECT_TRUE(check_acs_url("http://[::1]:9000/acs"));
  EXPECT_FALSE(check_acs_url("http://example.com/acs"));
  EXPECT_FALSE(check_acs_url("http://127.0.0.1.example.com/acs"));
  EXPECT_FALSE(check_acs_url("https://user@example.com/acs"));
  EXPECT_FALSE(check_acs_url("https://example.com/acs#x"));
  EXPECT_FALSE(check_acs_url("javascript:alert(1)"));
  EXPECT_FALSE(check_acs_url("https://"));
}

TEST(application, relay_state_session_duration_and_icon_limits) {
  EXPECT_TRUE(check_relay_state_value(std::string(80, 'r')));
  EXPECT_FALSE(check_relay_state_value(std::string(81, 'r')));
  EXPECT_FALSE(check_relay_state_value("a\nb"));
  EXPECT_TRUE(check_session_duration(std::chrono::minutes(15)));
  EXPECT_TRUE(check_session_duration(std::chrono::hours(12)));
  EXPECT_FALSE(check_session_duration(std::chrono::minutes(14)));
  EXPECT_FALSE(check_session_duration(std::chrono::hours(13)));
  std::string png("\x89PNG\r\n\x1a\n\0\0\0\x0dIHDR", 16);
  png += std::string(17, '\0');
  EXPECT_TRUE(check_icon_png(png));
  EXPECT_FALSE(check_icon_png("<svg/>"));
  EXPECT_FALSE(check_icon_png(png + std::string(64 * 1024, '\0')));
}

TEST(application, acs_selection_is_exact) {
  application a;
  a.sp.acs = {{"https://sp.example/acs/1", 1, false}, {"https://sp.example/acs/2", 2, true}};
  EXPECT_EQ(a.default_acs()->index, 2);
  EXPECT_EQ(a.find_acs(std::nullopt, std::nullopt)->index, 2);
  EXPECT_EQ(a.find_acs(std::string("https://sp.example/acs/1"), std::nullopt)->index, 1);
  EXPECT_EQ(a.find_acs(std::nullopt, 1)->index, 1);
  EXPECT_EQ(a.find_acs(std::string("https://sp.example/acs/1/../evil"), std::nullopt), nullptr);
  EXPECT_EQ(a.find_acs(std::string("https://sp.example/acs"), std::nullopt), nullptr);
  EXPECT_EQ(a.find_acs(std::nullopt, 7), nullptr);
  EXPECT_FALSE(a.configured());
  a.sp.entity_id = "https://sp.example";
  EXPECT_TRUE(a.configured());
}

TEST(application, validate_application_checks_every_part) {
  application a;
  a.name = "Wiki";
  a.mappings = default_attribute_mappings();
  EXPECT_TRUE(validate_application(a));
  auto broken = a;
  broken.name = std::string(101, 'n');
  EXPECT_FALSE(validate_application(broken));
  broken = a;
  broken.portal.origin = sign_in_origin::application;
  EXPECT_FALSE(validate_application(broken));  // APPLICATION without a start URL
  broken.portal.application_url = "https://wiki.example/login";
  EXPECT_TRUE(validate_application(broken));
  broken = a;
  broken.sp.acs = {{"http://evil.example/acs", 0, true}};
  EXPECT_FALSE(validate_application(broken));
  broken = a;
  broken.response.relay_state = std::string(81, 'x');
  EXPECT_FALSE(validate_application(broken));
  broken = a;
  broken.mappings.push_back({"a", "${user:nope}", "basic"});
  EXPECT_FALSE(validate_application(broken));
}

}  // namespace atrium::domain
