// The default provisioner: what it would have done, kept in memory and logged once per change.
#include "service/sso_admin/record_only_provisioner.hpp"

#include <gtest/gtest.h>

namespace atrium::service {
namespace {

TEST(RecordOnlyProvisioner, KeepsStateAndLogsOnlyChanges) {
  std::vector<std::string> lines;
  record_only_provisioner p([&](const std::string& l) { lines.push_back(l); });
  EXPECT_EQ(p.kind(), "record-only");
  ASSERT_TRUE(p.ensure_identity_provider("222222222222", "AWSSSO_x_DO_NOT_DELETE", "<md/>"));
  ASSERT_TRUE(p.ensure_identity_provider("222222222222", "AWSSSO_x_DO_NOT_DELETE", "<md/>"));
  ASSERT_TRUE(p.ensure_identity_provider("222222222222", "AWSSSO_x_DO_NOT_DELETE", "<md2/>"));
  role_spec s;
  s.role_name = "AWSReservedSSO_A_0123456789abcdef";
  ASSERT_TRUE(p.put_role("222222222222", s));
  ASSERT_TRUE(p.put_role("222222222222", s));
  EXPECT_EQ(p.roles("222222222222").size(), 1u);
  EXPECT_EQ(p.providers("222222222222").at("AWSSSO_x_DO_NOT_DELETE"), "<md2/>");
  ASSERT_TRUE(p.delete_role("222222222222", s.role_name));
  ASSERT_TRUE(p.delete_role("222222222222", s.role_name));  // absent: still succeeds
  EXPECT_TRUE(p.roles("222222222222").empty());
  std::vector<std::string> ops;
  for (const auto& a : p.journal()) ops.push_back(a.operation);
  EXPECT_EQ(ops, (std::vector<std::string>{"CreateSAMLProvider", "UpdateSAMLProvider", "PutRole", "DeleteRole"}));
  EXPECT_EQ(lines.size(), 4u);
}

TEST(RecordOnlyProvisioner, RefusesWhatIamWouldRefuse) {
  record_only_provisioner p;
  role_spec s;
  s.role_name = "r";
  EXPECT_EQ(p.put_role("12", s).error().code, errc::validation);
  s.role_name = std::string(65, 'r');
  EXPECT_EQ(p.put_role("222222222222", s).error().code, errc::validation);
  EXPECT_EQ(p.ensure_identity_provider("222222222222", "n", "").error().code, errc::validation);
  EXPECT_TRUE(p.journal().empty());
}

}  // namespace
}  // namespace atrium::service
