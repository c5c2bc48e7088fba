// Permission set use cases against the real SQLite store with an injected clock: quotas,
// uniqueness, the version that provisioning compares, policies, boundary, tags, paging and the
// "still provisioned" hook of DeletePermissionSet.
#include "service/sso_admin/permission_set_service.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>

#include "crypto/primitives.hpp"
#include "store/sqlite/sqlite_database.hpp"

namespace atrium::service {

class permission_set_service_test : public ::testing::Test {
 protected:
  void SetUp() override {
    crypto::init();
    dir_ = std::filesystem::temp_directory_path() /
           ("atrium-ps-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    auto db = store::sqlite::sqlite_database::open({dir_ / "t.db", false});
    ASSERT_TRUE(db) << db.error().message;
    db_ = std::move(*db);
    audit_ = std::make_unique<auditor>(clk_, rnd_, std::nullopt);
    audited_ = std::make_unique<audited_store>(*db_, *audit_);
    permission_set_quotas q;
    q.permission_sets = 3;
    q.managed_policies = 2;
    q.tags = 3;
    q.inline_policy_bytes = 200;
    svc_ = std::make_unique<permission_set_service>(*audited_, clk_, rnd_, "ssoins-0123456789abcdef", "d-0123456789",
                                                    "123456789012", q);
    ASSERT_TRUE(svc_->open_instance());
    ctx_.who.arn = "arn:aws:iam::123456789012:root";
  }
  void TearDown() override {
    svc_.reset();
    db_.reset();
    std::filesystem::remove_all(dir_);
  }
  domain::permission_set make(const std::string& name) {
    auto r = svc_->create(ctx_, {name, std::nullopt, std::nullopt, std::nullopt, {}});
    EXPECT_TRUE(r) << r.error().message;
    return *r;
  }

  seeded_random rnd_{7};
  manual_clock clk_{from_epoch_millis(1'763'900'000'000)};
  std::filesystem::path dir_;
  std::unique_ptr<store::database> db_;
  std::unique_ptr<auditor> audit_;
  std::unique_ptr<audited_store> audited_;
  std::unique_ptr<permission_set_service> svc_;
  call_context ctx_;
};

TEST_F(permission_set_service_test, create_defaults_unique_names_and_quota) {
  auto ps = make("Admins");
  EXPECT_EQ(ps.session_duration, "PT1H");
  EXPECT_EQ(ps.version, 1);
  EXPECT_TRUE(ps.arn.starts_with("arn:aws:sso:::permissionSet/ssoins-0123456789abcdef/ps-")) << ps.arn;
  auto dup = svc_->create(ctx_, {"Admins", std::nullopt, std::nullopt, std::nullopt, {}});
  ASSERT_FALSE(dup);
  EXPECT_EQ(dup.error().code, errc::conflict);
  make("B");
  make("C");
  auto over = svc_->create(ctx_, {"D", std::nullopt, std::nullopt, std::nullopt, {}});
  ASSERT_FALSE(over);
  EXPECT_EQ(over.error().code, errc::quota_exceeded);
  auto bad = svc_->create(ctx_, {"E", std::nullopt, std::string("PT13H"), std::nullopt, {}});
  EXPECT_EQ(bad.error().code, errc::validation);
}

TEST_F(permission_set_service_test, role_changes_bump_the_version_tags_do_not) {
  auto ps = make("Dev");
  clk_.advance(std::chrono::seconds(5));
  ASSERT_TRUE(svc_->update(ctx_, ps.arn, {std::string("Developers"), std::string("PT2H"), std::nullopt}));
  ASSERT_TRUE(svc_->attach_managed(ctx_, ps.arn, "arn:aws:iam::aws:policy/ReadOnlyAccess"));
  ASSERT_TRUE(svc_->tag(ctx_, ps.arn, {{"team", "a"}}));
  auto now = svc_->describe(ctx_, ps.arn);
  ASSERT_TRUE(now);
  EXPECT_EQ(now->version, 3);
  EXPECT_EQ(now->updated_at, clk_.now());
  EXPECT_EQ(now->description.value_or(""), "Developers");
  EXPECT_EQ(now->session_duration, "PT2H");
  auto loaded = db_->read([&](store::transaction& tx) -> result<void> {
    auto p = permission_set_service::load(tx, ps.arn);
    EXPECT_TRUE(p && *p);
    EXPECT_EQ((*p)->managed_policy_arns.size(), 1u);
    auto t = svc_->tags_of(tx, ps.arn);
    EXPECT_TRUE(t && t->size() == 1);
    return {};
  });
  EXPECT_TRUE(loaded);
}

TEST_F(permission_set_service_test, managed_policies_conflict_quota_and_detach) {
  auto ps = make("P");
  const std::string ro = "arn:aws:iam::aws:policy/ReadOnlyAccess";
  ASSERT_TRUE(svc_->attach_managed(ctx_, ps.arn, ro));
  EXPECT_EQ(svc_->attach_managed(ctx_, ps.arn, ro).error().code, errc::conflict);
  ASSERT_TRUE(svc_->attach_managed(ctx_, ps.arn, "arn:aws:iam::aws:policy/job-function/ViewOnlyAccess"));
  EXPECT_EQ(svc_->attach_managed(ctx_, ps.arn, "arn:aws:iam::aws:policy/Third").error().code, errc::quota_exceeded);
  auto page1 = svc_->list_managed(ctx_, ps.arn, std::nullopt, 1);
  ASSERT_TRUE(page1 && page1->next_token);
  auto page2 = svc_->list_managed(ctx_, ps.arn, page1->next_token, 1);
  ASSERT_TRUE(page2);
  EXPECT_FALSE(page2->next_token);
  EXPECT_EQ(page2->items.at(0), "arn:aws:iam::aws:policy/job-function/ViewOnlyAccess");
  EXPECT_EQ(svc_->list_customer(ctx_, ps.arn, page1->next_token, 1).error().code, errc::validation)
      << "a token of another listing is refused";
  ASSERT_TRUE(svc_->detach_managed(ctx_, ps.arn, ro));
  EXPECT_EQ(svc_->detach_managed(ctx_, ps.arn, ro).error().code, errc::not_found);
}

TEST_F(permission_set_service_test, inline_policy_must_be_a_policy_document_within_the_quota) {
  auto ps = make("P");
  EXPECT_EQ(svc_->get_inline(ctx_, ps.arn).value(), "");
  const std::string doc = R"({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]})";
  ASSERT_TRUE(svc_->put_inline(ctx_, ps.arn, doc));
  EXPECT_EQ(svc_->get_inline(ctx_, ps.arn).value(), doc);
  EXPECT_EQ(svc_->put_inline(ctx_, ps.arn, "not json").error().code, errc::validation);
  EXPECT_EQ(svc_->put_inline(ctx_, ps.arn, R"({"Statement":[{"Effect":"Maybe"}]})").error().code, errc::validation);
  EXPECT_EQ(svc_->put_inline(ctx_, ps.arn, R"({"Statement":[{"Effect":"Allow","Resource":")" + std::string(200, 'x') + "\"}]}").error().code,
            errc::validation);
  ASSERT_TRUE(svc_->delete_inline(ctx_, ps.arn));
  ASSERT_TRUE(svc_->delete_inline(ctx_, ps.arn)) << "deleting an absent inline policy succeeds";
  EXPECT_EQ(svc_->get_inline(ctx_, ps.arn).value(), "");
}

TEST_F(permission_set_service_test, boundary_is_one_of_two_kinds) {
  auto ps = make("P");
  EXPECT_EQ(svc_->get_boundary(ctx_, ps.arn).error().code, errc::not_found);
  domain::permissions_boundary b{std::nullopt, domain::customer_managed_ref{"Boundary", "/x/"}};
  ASSERT_TRUE(svc_->put_boundary(ctx_, ps.arn, b));
  EXPECT_EQ(svc_->get_boundary(ctx_, ps.arn).value(), b);
  domain::permissions_boundary both{"arn:aws:iam::aws:policy/A", domain::customer_managed_ref{"B", "/"}};
  EXPECT_EQ(svc_->put_boundary(ctx_, ps.arn, both).error().code, errc::validation);
  ASSERT_TRUE(svc_->delete_boundary(ctx_, ps.arn));
  EXPECT_EQ(svc_->delete_boundary(ctx_, ps.arn).error().code, errc::not_found);
}

TEST_F(permission_set_service_test, tags_on_permission_sets_and_the_instance) {
  auto ps = make("P");
  ASSERT_TRUE(svc_->tag(ctx_, ps.arn, {{"a", "1"}, {"b", "2"}}));
  EXPECT_EQ(svc_->tag(ctx_, ps.arn, {{"c", "3"}, {"d", "4"}}).error().code, errc::quota_exceeded);
  EXPECT_EQ(svc_->tag(ctx_, ps.arn, {{"aws:x", "1"}}).error().code, errc::validation);
  ASSERT_TRUE(svc_->untag(ctx_, ps.arn, {"a", "zzz"}));
  auto tags = svc_->list_tags(ctx_, ps.arn, std::nullopt);
  ASSERT_TRUE(tags);
  ASSERT_EQ(tags->items.size(), 1u);
  EXPECT_EQ(tags->items[0].key, "b");
  ASSERT_TRUE(svc_->tag(ctx_, svc_->instance_arn(), {{"env", "prod"}}));
  EXPECT_EQ(svc_->list_tags(ctx_, svc_->instance_arn(), std::nullopt)->items.size(), 1u);
  EXPECT_EQ(svc_->tag(ctx_, "arn:aws:sso:::permissionSet/ssoins-0123456789abcdef/ps-0000000000000000", {{"a", "1"}})
                .error()
                .code,
            errc::not_found);
}

TEST_F(permission_set_service_test, listing_pages_in_creation_order_and_survive_deletes) {
  std::vector<std::string> arns;
  svc_ = std::make_unique<permission_set_service>(*audited_, clk_, rnd_, "ssoins-0123456789abcdef", "d-0123456789",
                                                  "123456789012", permission_set_quotas{});
  for (int i = 0; i < 7; ++i) {
    arns.push_back(make("ps" + std::to_string(i)).arn);
    clk_.advance(std::chrono::milliseconds(1));
  }
  auto p1 = svc_->list(ctx_, std::nullopt, 3);
  ASSERT_TRUE(p1 && p1->next_token);
  ASSERT_TRUE(svc_->remove(ctx_, p1->items.back()));  // the cursor's own row goes away
  std::vector<std::string> seen = p1->items;
  auto token = p1->next_token;
  while (token) {
    auto p = svc_->list(ctx_, token, 3);
    ASSERT_TRUE(p) << p.error().message;
    seen.insert(seen.end(), p->items.begin(), p->items.end());
    token = p->next_token;
  }
  EXPECT_EQ(seen, arns);
}

TEST_F(permission_set_service_test, delete_is_refused_while_provisioned) {
  auto ps = make("P");
  bool provisioned = true;
  svc_->set_provisioned_check([&](store::transaction&, const std::string& arn) -> result<bool> {
    EXPECT_EQ(arn, ps.arn);
    return provisioned;
  });
  EXPECT_EQ(svc_->remove(ctx_, ps.arn).error().code, errc::conflict);
  provisioned = false;
  ASSERT_TRUE(svc_->remove(ctx_, ps.arn));
  EXPECT_EQ(svc_->describe(ctx_, ps.arn).error().code, errc::not_found);
}

TEST_F(permission_set_service_test, instance_name_is_updated_and_described) {
  auto before = svc_->describe_instance(ctx_);
  ASSERT_TRUE(before);
  EXPECT_EQ(before->instance_arn, "arn:aws:sso:::instance/ssoins-0123456789abcdef");
  EXPECT_EQ(before->name, "");
  ASSERT_TRUE(svc_->update_instance(ctx_, "corp"));
  EXPECT_EQ(svc_->describe_instance(ctx_)->name, "corp");
}

}  // namespace atrium::service
