// The organization use cases against the real SQLite store: first use creates the organization
// with the management account in the root; accounts and OUs are registered, moved, renamed and
// removed with Organizations' rules; every change leaves one CloudTrail record.
#include "service/organization/organization_service.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>

#include "crypto/primitives.hpp"
#include "store/sqlite/sqlite_database.hpp"

namespace atrium::service {

class organization_service_test : public ::testing::Test {
 protected:
  void SetUp() override {
    crypto::init();
    dir_ = std::filesystem::temp_directory_path() /
           ("atrium-org-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    auto db = store::sqlite::sqlite_database::open({dir_ / "t.db", false});
    ASSERT_TRUE(db) << db.error().message;
    db_ = std::move(*db);
    audit_ = std::make_unique<auditor>(clk_, rnd_, std::nullopt);
    audited_ = std::make_unique<audited_store>(*db_, *audit_);
    svc_ = std::make_unique<organization_service>(*audited_, clk_, rnd_, mgmt);
    ctx_.who.arn = "arn:aws:iam::" + std::string(mgmt) + ":root";
    ctx_.event_source = "organizations.amazonaws.com";
  }
  void TearDown() override {
    svc_.reset();
    db_.reset();
    std::filesystem::remove_all(dir_);
  }
  std::vector<store::audit_record> records() {
    std::vector<store::audit_record> out;
    EXPECT_TRUE(db_->flush());  // read calls' records are batched (docs/audit.md)
    auto r = db_->read([&](store::transaction& tx) -> result<void> {
      store::audit_query q;
      q.limit = 1000;
      auto v = tx.audit().query(q);
      if (!v) return std::unexpected(v.error());
      out = std::move(*v);
      return {};
    });
    EXPECT_TRUE(r);
    return out;
  }
  call_context as(const char* event) {
    auto c = ctx_;
    c.event_name = event;
    return c;
  }
  domain::organization org() {
    auto o = svc_->ensure(ctx_);
    EXPECT_TRUE(o) << o.error().message;
    return *o;
  }

  static constexpr const char* mgmt = "111122223333";
  seeded_random rnd_{11};
  manual_clock clk_{from_epoch_millis(1'763'900'000'000)};
  std::filesystem::path dir_;
  std::unique_ptr<store::database> db_;
  std::unique_ptr<auditor> audit_;
  std::unique_ptr<audited_store> audited_;
  std::unique_ptr<organization_service> svc_;
  call_context ctx_;
};

TEST_F(organization_service_test, first_use_creates_the_organization_with_the_management_account_in_the_root) {
  EXPECT_FALSE(*svc_->account_exists(mgmt)) << "nothing exists before first use";
  auto o = org();
  EXPECT_TRUE(domain::is_organization_id(o.id));
  EXPECT_TRUE(domain::is_root_id(o.root_id));
  EXPECT_EQ(o.management_account_id, mgmt);
  auto a = svc_->account(mgmt);
  ASSERT_TRUE(a && *a);
  EXPECT_EQ((*a)->parent_id, o.root_id);
  EXPECT_EQ((*a)->joined_method, "CREATED");
  // A second service over the same store (a restart) finds the same organization.
  organization_service again(*audited_, clk_, rnd_, mgmt);
  auto o2 = again.ensure(ctx_);
  ASSERT_TRUE(o2);
  EXPECT_EQ(*o2, o);
  auto recs = records();
  ASSERT_EQ(recs.size(), 1u) << "one CreateOrganization record";
  EXPECT_EQ(recs[0].event_name, "CreateOrganization");
}

TEST_F(organization_service_test, register_creates_then_updates_keeping_the_id) {
  auto o = org();
  auto ou = svc_->create_unit(as("CreateOrganizationalUnit"), o.root_id, "Workloads");
  ASSERT_TRUE(ou) << ou.error().message;
  auto first = svc_->register_account(as("RegisterAccount"), {"444455556666", "Prod", "prod@example.com", ""});
  ASSERT_TRUE(first) << first.error().message;
  EXPECT_TRUE(first->created);
  EXPECT_EQ(first->account.parent_id, o.root_id) << "new accounts go to the root by default";
  auto second = svc_->register_account(as("RegisterAccount"), {"444455556666", "Production", "ops@example.com", ou->id});
  ASSERT_TRUE(second);
  EXPECT_FALSE(second->created);
  EXPECT_EQ(second->account.name, "Production");
  EXPECT_EQ(second->account.parent_id, ou->id);
  EXPECT_EQ(second->account.joined_at, first->account.joined_at);
  auto third = svc_->register_account(as("RegisterAccount"), {"444455556666", "Production", "ops@example.com", ""});
  ASSERT_TRUE(third);
  EXPECT_EQ(third->account.parent_id, ou->id) << "no parent given: the account stays where it is";

  auto bad = svc_->register_account(as("RegisterAccount"), {"4444", "x", "prod@example.com", ""});
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().code, errc::validation);
  auto nowhere = svc_->register_account(as("RegisterAccount"), {"777788889999", "x", "x@example.com", "ou-zzzz-zzzzzzzz"});
  ASSERT_FALSE(nowhere);
  EXPECT_EQ(nowhere.error().resource_type, "PARENT");
}

TEST_F(organization_service_test, ous_nest_have_unique_names_and_are_deleted_only_when_empty) {
  auto o = org();
  auto a = svc_->create_unit(as("CreateOrganizationalUnit"), o.root_id, "A");
  ASSERT_TRUE(a);
  EXPECT_EQ(a->id.substr(0, 8), "ou-" + o.root_id.substr(2) + "-");
  auto dup = svc_->create_unit(as("CreateOrganizationalUnit"), o.root_id, "A");
  ASSERT_FALSE(dup);
  EXPECT_EQ(dup.error().resource_type, "DUPLICATE_OU");
  auto b = svc_->create_unit(as("CreateOrganizationalUnit"), a->id, "B");
  ASSERT_TRUE(b);
  auto c = svc_->create_unit(as("CreateOrganizationalUnit"), o.root_id, "C");
  ASSERT_TRUE(c);
  auto clash = svc_->rename_unit(as("UpdateOrganizationalUnit"), c->id, "A");
  ASSERT_FALSE(clash);
  EXPECT_EQ(clash.error().resource_type, "DUPLICATE_OU");
  auto same = svc_->rename_unit(as("UpdateOrganizationalUnit"), a->id, "A");
  EXPECT_TRUE(same) << "renaming an OU to its own name is fine";

  auto busy = svc_->delete_unit(as("DeleteOrganizationalUnit"), a->id);
  ASSERT_FALSE(busy);
  EXPECT_EQ(busy.error().resource_type, "OU_NOT_EMPTY");
  ASSERT_TRUE(svc_->register_account(as("RegisterAccount"), {"444455556666", "Prod", "prod@example.com", b->id}));
  ASSERT_FALSE(svc_->delete_unit(as("DeleteOrganizationalUnit"), b->id)) << "an account keeps it";
  ASSERT_TRUE(svc_->move_account(as("MoveAccount"), "444455556666", b->id, o.root_id));
  EXPECT_TRUE(svc_->delete_unit(as("DeleteOrganizationalUnit"), b->id));
  EXPECT_TRUE(svc_->delete_unit(as("DeleteOrganizationalUnit"), a->id));
  auto gone = svc_->describe_unit(as("DescribeOrganizationalUnit"), a->id);
  ASSERT_FALSE(gone);
  EXPECT_EQ(gone.error().resource_type, "ORGANIZATIONAL_UNIT");
}

TEST_F(organization_service_test, move_account_checks_source_and_destination) {
  auto o = org();
  auto ou = svc_->create_unit(as("CreateOrganizationalUnit"), o.root_id, "Dev");
  ASSERT_TRUE(ou);
  ASSERT_TRUE(svc_->register_account(as("RegisterAccount"), {"444455556666", "Dev", "dev@example.com", ""}));
  auto src = svc_->move_account(as("MoveAccount"), "444455556666", "ou-zzzz-zzzzzzzz", ou->id);
  EXPECT_EQ(src.error().resource_type, "SOURCE_PARENT");
  auto dst = svc_->move_account(as("MoveAccount"), "444455556666", o.root_id, "ou-zzzz-zzzzzzzz");
  EXPECT_EQ(dst.error().resource_type, "DESTINATION_PARENT");
  auto not_there = svc_->move_account(as("MoveAccount"), "444455556666", ou->id, o.root_id);
  EXPECT_EQ(not_there.error().resource_type, "ACCOUNT");
  auto unknown = svc_->move_account(as("MoveAccount"), "999999999999", o.root_id, ou->id);
  EXPECT_EQ(unknown.error().resource_type, "ACCOUNT");
  auto ok = svc_->move_account(as("MoveAccount"), "444455556666", o.root_id, ou->id);
  ASSERT_TRUE(ok);
  EXPECT_EQ(ok->parent_id, ou->id);
  auto twice = svc_->move_account(as("MoveAccount"), "444455556666", ou->id, ou->id);
  EXPECT_EQ(twice.error().resource_type, "DUPLICATE_ACCOUNT");
  auto parent = svc_->parent_of(as("ListParents"), "444455556666");
  ASSERT_TRUE(parent);
  EXPECT_EQ(parent->id, ou->id);
  EXPECT_EQ(parent->type, "ORGANIZATIONAL_UNIT");
  auto root_parent = svc_->parent_of(as("ListParents"), ou->id);
  ASSERT_TRUE(root_parent);
  EXPECT_EQ(root_parent->type, "ROOT");
}

TEST_F(organization_service_test, ancestors_run_from_the_direct_parent_to_the_root) {
  auto o = org();
  auto a = svc_->create_unit(as("CreateOrganizationalUnit"), o.root_id, "A");
  auto b = svc_->create_unit(as("CreateOrganizationalUnit"), a->id, "B");
  ASSERT_TRUE(a && b);
  ASSERT_TRUE(svc_->register_account(as("RegisterAccount"), {"444455556666", "Dev", "dev@example.com", b->id}));
  std::vector<std::string> of_account, of_ou, of_unknown;
  ASSERT_TRUE(db_->read([&](store::transaction& tx) -> result<void> {
    of_account = *organization_service::ancestors(tx, "444455556666");
    of_ou = *organization_service::ancestors(tx, b->id);
    of_unknown = *organization_service::ancestors(tx, "999999999999");
    return {};
  }));
  EXPECT_EQ(of_account, (std::vector<std::string>{b->id, a->id, o.root_id}));
  EXPECT_EQ(of_ou, (std::vector<std::string>{a->id, o.root_id}));
  EXPECT_TRUE(of_unknown.empty());
}

TEST_F(organization_service_test, the_management_account_cannot_be_removed_others_can) {
  org();
  auto m = svc_->remove_account(as("RemoveAccount"), mgmt);
  ASSERT_FALSE(m);
  EXPECT_EQ(m.error().resource_type, "CONSTRAINT_VIOLATION");
  ASSERT_TRUE(svc_->register_account(as("RegisterAccount"), {"444455556666", "Dev", "dev@example.com", ""}));
  EXPECT_TRUE(*svc_->account_exists("444455556666"));
  ASSERT_TRUE(svc_->remove_account(as("RemoveAccount"), "444455556666"));
  EXPECT_FALSE(*svc_->account_exists("444455556666"));
  EXPECT_FALSE(*svc_->account_exists("not-an-id")) << "malformed ids simply do not exist";
}

TEST_F(organization_service_test, every_change_is_audited_with_the_organizations_event_source) {
  auto o = org();
  clk_.advance(std::chrono::milliseconds(5));
  ASSERT_TRUE(svc_->create_unit(as("CreateOrganizationalUnit"), o.root_id, "Audit"));
  clk_.advance(std::chrono::milliseconds(5));
  ASSERT_TRUE(svc_->register_account(as("RegisterAccount"), {"444455556666", "Dev", "dev@example.com", ""}));
  ASSERT_FALSE(svc_->create_unit(as("CreateOrganizationalUnit"), o.root_id, "Audit")) << "failures are the door's to record";
  auto recs = records();
  ASSERT_EQ(recs.size(), 3u);
  for (const auto& r : recs) EXPECT_EQ(r.event_source, "organizations.amazonaws.com");
  EXPECT_EQ(recs[0].event_name, "RegisterAccount");  // newest first
}

}  // namespace atrium::service
