// ABAC configuration use cases against the real SQLite store: the create/describe/update/delete
// life cycle, its errors, its audit records, and the configuration read back for the resolver.
#include "service/sso_admin/abac_service.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>

#include "crypto/primitives.hpp"
#include "store/sqlite/sqlite_database.hpp"

namespace atrium::service {

class abac_service_test : public ::testing::Test {
 protected:
  void SetUp() override {
    crypto::init();
    dir_ = std::filesystem::temp_directory_path() /
           ("atrium-abac-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    auto db = store::sqlite::sqlite_database::open({dir_ / "t.db", false});
    ASSERT_TRUE(db) << db.error().message;
    db_ = std::move(*db);
    audit_ = std::make_unique<auditor>(clk_, rnd_, std::nullopt);
    audited_ = std::make_unique<audited_store>(*db_, *audit_);
    abac_ = std::make_unique<abac_service>(*audited_);
    ctx_.who.arn = "arn:aws:iam::123456789012:user/admin";
    ctx_.event_source = "sso.amazonaws.com";
  }
  void TearDown() override {
    abac_.reset();
    db_.reset();
    std::filesystem::remove_all(dir_);
  }
  call_context as(const std::string& event) {
    auto c = ctx_;
    c.event_name = event;
    return c;
  }
  std::optional<abac_configuration> stored() {
    std::optional<abac_configuration> out;
    EXPECT_TRUE(db_->read([&](store::transaction& tx) -> result<void> {
      auto c = abac_service::configured(tx);
      if (!c) return std::unexpected(c.error());
      out = *c;
      return {};
    }));
    return out;
  }

  seeded_random rnd_{11};
  manual_clock clk_{from_epoch_millis(1'763'900'000'000)};
  std::filesystem::path dir_;
  std::unique_ptr<store::database> db_;
  std::unique_ptr<auditor> audit_;
  std::unique_ptr<audited_store> audited_;
  std::unique_ptr<abac_service> abac_;
  call_context ctx_;
};

TEST_F(abac_service_test, life_cycle) {
  EXPECT_EQ(abac_->describe(as("Describe")).error().code, errc::not_found);
  EXPECT_EQ(abac_->update(as("Update"), {}).error().code, errc::not_found);
  EXPECT_EQ(abac_->remove(as("Delete")).error().code, errc::not_found);
  std::vector<domain::access_control_attribute> cfg = {{"Department", {"${path:enterprise.department}"}},
                                                       {"CostCenter", {"${path:enterprise.costCenter}"}}};
  ASSERT_TRUE(abac_->create(as("CreateInstanceAccessControlAttributeConfiguration"), cfg));
  EXPECT_EQ(abac_->create(as("Create"), cfg).error().code, errc::conflict);
  auto d = abac_->describe(as("Describe"));
  ASSERT_TRUE(d);
  EXPECT_EQ(d->attributes, cfg);
  EXPECT_STREQ(to_string(d->status), "ENABLED");
  std::vector<domain::access_control_attribute> next = {{"Title", {"${path:title}"}}};
  ASSERT_TRUE(abac_->update(as("Update"), next));
  EXPECT_EQ(stored()->attributes, next);
  ASSERT_TRUE(abac_->remove(as("DeleteInstanceAccessControlAttributeConfiguration")));
  EXPECT_FALSE(stored().has_value());
  EXPECT_EQ(abac_->describe(as("Describe")).error().code, errc::not_found);
  ASSERT_TRUE(abac_->create(as("Create"), {})) << "can be created again after deletion, even empty";
  EXPECT_TRUE(stored()->attributes.empty());
}

TEST_F(abac_service_test, invalid_configurations_change_nothing) {
  auto r = abac_->create(as("Create"), {{"Bad", {"${path:password}"}}});
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, errc::validation);
  EXPECT_FALSE(stored().has_value());
  ASSERT_TRUE(abac_->create(as("Create"), {{"Ok", {"${path:userName}"}}}));
  EXPECT_FALSE(abac_->update(as("Update"), {{"a", {"${path:title}"}}, {"A", {"${path:title}"}}}));
  EXPECT_EQ(stored()->attributes.front().key, "Ok");
}

TEST_F(abac_service_test, changes_are_audited_with_their_event_names) {
  ASSERT_TRUE(abac_->create(as("CreateInstanceAccessControlAttributeConfiguration"), {{"Ok", {"${path:userName}"}}}));
  ASSERT_TRUE(abac_->remove(as("DeleteInstanceAccessControlAttributeConfiguration")));
  for (const char* event : {"CreateInstanceAccessControlAttributeConfiguration", "DeleteInstanceAccessControlAttributeConfiguration"}) {
    std::vector<store::audit_record> recs;
    ASSERT_TRUE(db_->read([&](store::transaction& tx) -> result<void> {
      auto q = tx.audit().query({std::string(event), std::nullopt, std::nullopt, std::nullopt, 10});
      if (!q) return std::unexpected(q.error());
      recs = *q;
      return {};
    }));
    ASSERT_EQ(recs.size(), 1u) << event;
    EXPECT_TRUE(recs[0].error_code.empty());
  }
}

TEST_F(abac_service_test, stored_configuration_drives_the_resolver) {
  ASSERT_TRUE(abac_->create(as("Create"), {{"CostCenter", {"${path:enterprise.costCenter}"}}, {"User", {"${path:userName}"}}}));
  domain::user u;
  u.user_name = "dana";
  u.enterprise_ext = domain::enterprise{};
  u.enterprise_ext->cost_center = "CC-9";
  auto r = domain::resolve_access_control_attributes(stored()->attributes, u);
  ASSERT_EQ(r.attributes.size(), 2u);
  EXPECT_EQ(r.attributes[0], (domain::resolved_attribute{"CostCenter", "CC-9"}));
  EXPECT_EQ(r.attributes[1], (domain::resolved_attribute{"User", "dana"}));
}

}  // namespace atrium::service
