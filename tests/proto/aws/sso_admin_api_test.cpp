// The sso-admin operation table (the seam other files add operations through) and the request
// helpers every operation file shares.
#include "proto/aws/sso_admin_api.hpp"

#include <gtest/gtest.h>

#include <stdexcept>

namespace atrium::proto::aws {

using nlohmann::json;

namespace {

const std::string inst = "arn:aws:sso:::instance/ssoins-0123456789abcdef";

sso_admin_api make_api() { return sso_admin_api({inst, "d-0123456789", "123456789012"}); }

}  // namespace

TEST(sso_admin_api, operations_are_added_once_and_dispatched) {
  auto api = make_api();
  EXPECT_FALSE(api.has("Ping"));
  api.add({"Ping", true, [](const json& req, const service::call_context&) -> result<json> {
             return json{{"Echo", req.value("X", "")}};
           }});
  api.add({"Write", false, [](const json&, const service::call_context&) -> result<json> { return json::object(); }});
  EXPECT_THROW(api.add({"Ping", true, [](const json&, const service::call_context&) -> result<json> { return json(); }}),
               std::logic_error);
  EXPECT_TRUE(api.has("Ping"));
  EXPECT_TRUE(api.is_read_only("Ping"));
  EXPECT_FALSE(api.is_read_only("Write"));
  service::call_context ctx;
  EXPECT_EQ(api.call("Ping", json{{"X", "y"}}, ctx).value()["Echo"], "y");
  EXPECT_EQ(api.call("Write", json::object(), ctx).value(), json::object());
  EXPECT_EQ(api.target_prefix(), "SWBExternalService");
  EXPECT_EQ(api.event_source(), "sso.amazonaws.com");
}

TEST(sso_admin_api, errors_carry_only_a_message) {
  auto api = make_api();
  auto e = api.map_error(error{errc::not_found, "Could not find it.", "PERMISSION_SET", "ps-1"});
  EXPECT_EQ(e.type, "ResourceNotFoundException");
  EXPECT_TRUE(e.extra.empty());
  EXPECT_EQ(api.map_error(error{errc::conflict, "dup", {}, {}}).extra, json::object());
}

TEST(sso_admin_api, instance_and_permission_set_arns_are_checked) {
  auto api = make_api();
  EXPECT_TRUE(require_instance(json{{"InstanceArn", inst}}, api));
  EXPECT_EQ(require_instance(json::object(), api).error().code, errc::validation);
  EXPECT_EQ(require_instance(json{{"InstanceArn", "arn:aws:sso:::instance/x"}}, api).error().code, errc::validation);
  EXPECT_EQ(require_instance(json{{"InstanceArn", "arn:aws:sso:::instance/ssoins-ffffffffffffffff"}}, api).error().code,
            errc::not_found);
  EXPECT_TRUE(optional_instance(json::object(), api));
  auto ps = "arn:aws:sso:::permissionSet/ssoins-0123456789abcdef/ps-0123456789abcdef";
  EXPECT_EQ(required_permission_set_arn(json{{"PermissionSetArn", ps}}, api).value(), ps);
  EXPECT_EQ(required_permission_set_arn(json{{"PermissionSetArn", "ps-1"}}, api).error().code, errc::validation);
  EXPECT_EQ(required_permission_set_arn(
                json{{"PermissionSetArn", "arn:aws:sso:::permissionSet/ssoins-ffffffffffffffff/ps-0123456789abcdef"}}, api)
                .error()
                .code,
            errc::not_found);
  EXPECT_TRUE(is_instance_arn("arn:aws-cn:sso:::instance/ins-0123456789abcdef"));
  EXPECT_EQ(instance_id_of(ps), "ssoins-0123456789abcdef");
}

TEST(sso_admin_api, paging_and_string_members) {
  EXPECT_EQ(sso_max_results(json::object()).value(), 100);
  EXPECT_EQ(sso_max_results(json{{"MaxResults", 25}}).value(), 25);
  EXPECT_FALSE(sso_max_results(json{{"MaxResults", 0}}));
  EXPECT_FALSE(sso_max_results(json{{"MaxResults", 101}}));
  EXPECT_FALSE(sso_max_results(json{{"MaxResults", "5"}}));
  EXPECT_FALSE(sso_next_token(json{{"NextToken", "a b"}}));
  EXPECT_FALSE(sso_next_token(json{{"NextToken", ""}}).value());
  EXPECT_EQ(sso_next_token(json{{"NextToken", "abc-_=+/"}}).value().value(), "abc-_=+/");
  EXPECT_FALSE(sso_only_members(json{{"Bad", 1}}, {"Good"}));
  EXPECT_FALSE(sso_required_string(json{{"Name", 5}}, "Name", 1, 3));
  EXPECT_FALSE(sso_required_string(json{{"Name", "long"}}, "Name", 1, 3));
  EXPECT_FALSE(sso_required_string(json::object(), "Name", 1, 3));
  EXPECT_EQ(sso_optional_string(json::object(), "Name", 1, 3).value(), std::nullopt);
}

}  // namespace atrium::proto::aws
