// Importing an organization from a fake Organizations endpoint: the whole tree arrives through
// paged listings; a second import updates names, emails and parents and keeps every id.
#include "service/organization/org_import.hpp"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <unistd.h>

#include <filesystem>
#include <map>

#include "crypto/primitives.hpp"
#include "store/sqlite/sqlite_database.hpp"

namespace atrium::service {

namespace {

using nlohmann::json;

// An in-process Organizations endpoint that pages every listing two items at a time.
class fake_source final : public organization_source {
 public:
  struct node {
    std::string id, name, email, parent;
  };
  std::vector<node> ous, accounts;
  int calls = 0;

  // The source's contract is text; the fake answers in JSON.
  result<std::string> call(std::string_view op, std::string_view req) override {
    auto r = answer(op, json::parse(req));
    if (!r) return std::unexpected(r.error());
    return r->dump();
  }

  result<json> answer(std::string_view op, const json& req) {
    ++calls;
    if (op == "DescribeOrganization")
      return json{{"Organization", {{"Id", "o-srcsrcsrc1"}, {"MasterAccountId", "999988887777"}}}};
    if (op == "ListRoots") return page(json::array({{{"Id", "r-src1"}, {"Name", "Root"}}}), req, "Roots");
    std::string parent = req.at("ParentId");
    json items = json::array();
    if (op == "ListAccountsForParent") {
      for (const auto& a : accounts)
        if (a.parent == parent) items.push_back({{"Id", a.id}, {"Name", a.name}, {"Email", a.email}});
      return page(items, req, "Accounts");
    }
    for (const auto& u : ous)
      if (u.parent == parent) items.push_back({{"Id", u.id}, {"Name", u.name}});
    return page(items, req, "OrganizationalUnits");
  }

 private:
  static json page(const json& all, const json& req, const char* key) {
    std::size_t start = req.contains("NextToken") ? std::stoul(req["NextToken"].get<std::string>()) : 0;
    json out{{key, json::array()}};
    for (std::size_t i = start; i < all.size() && i < start + 2; ++i) out[key].push_back(all[i]);
    if (start + 2 < all.size()) out["NextToken"] = std::to_string(start + 2);
    return out;
  }
};

}  // namespace

class org_import_test : public ::testing::Test {
 protected:
  void SetUp() override {
    crypto::init();
    dir_ = std::filesystem::temp_directory_path() /
           ("atrium-orgimp-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    auto db = store::sqlite::sqlite_database::open({dir_ / "t.db", false});
    ASSERT_TRUE(db) << db.error().message;
    db_ = std::move(*db);
    audit_ = std::make_unique<auditor>(clk_, rnd_, std::nullopt);
    audited_ = std::make_unique<audited_store>(*db_, *audit_);
    svc_ = std::make_unique<organization_service>(*audited_, clk_, rnd_, "111122223333");
    ctx_.event_source = "organizations.amazonaws.com";
    src_.ous = {{"ou-src1-aaaaaaaa", "Workloads", "", "r-src1"},
                {"ou-src1-bbbbbbbb", "Prod", "", "ou-src1-aaaaaaaa"},
                {"ou-src1-cccccccc", "Dev", "", "ou-src1-aaaaaaaa"},
                {"ou-src1-dddddddd", "Security", "", "r-src1"}};
    for (int i = 0; i < 9; ++i) {
      std::string id = "20000000000" + std::to_string(i);
      const char* parents[] = {"r-src1", "ou-src1-bbbbbbbb", "ou-src1-cccccccc"};
      src_.accounts.push_back({id, "acct" + std::to_string(i), "a" + std::to_string(i) + "@example.com", parents[i % 3]});
    }
  }
  void TearDown() override {
    svc_.reset();
    db_.reset();
    std::filesystem::remove_all(dir_);
  }
  std::string parent_of(const std::string& id) {
    auto a = svc_->account(id);
    EXPECT_TRUE(a && *a) << id;
    return a && *a ? (*a)->parent_id : "";
  }

  seeded_random rnd_{3};
  manual_clock clk_{from_epoch_millis(1'763'900'000'000)};
  std::filesystem::path dir_;
  std::unique_ptr<store::database> db_;
  std::unique_ptr<auditor> audit_;
  std::unique_ptr<audited_store> audited_;
  std::unique_ptr<organization_service> svc_;
  call_context ctx_;
  fake_source src_;
};

TEST_F(org_import_test, imports_the_whole_tree_through_paged_listings) {
  auto s = import_organization(*svc_, src_, ctx_);
  ASSERT_TRUE(s) << s.error().message;
  EXPECT_EQ(s->source_organization_id, "o-srcsrcsrc1");
  EXPECT_EQ(s->ous_created, 4);
  EXPECT_EQ(s->accounts_created, 9);
  EXPECT_TRUE(s->not_in_source.empty());
  auto o = svc_->ensure(ctx_);
  ASSERT_TRUE(o);
  EXPECT_EQ(parent_of("200000000000"), o->root_id) << "the source root maps to ours";
  EXPECT_EQ(parent_of("200000000001"), "ou-src1-bbbbbbbb") << "OUs keep the source's ids";
  EXPECT_EQ(parent_of("200000000002"), "ou-src1-cccccccc");
  auto prod = svc_->describe_unit(ctx_, "ou-src1-bbbbbbbb");
  ASSERT_TRUE(prod);
  EXPECT_EQ(prod->parent_id, "ou-src1-aaaaaaaa");
  EXPECT_EQ(prod->name, "Prod");
}

TEST_F(org_import_test, reimport_updates_names_emails_and_parents_and_keeps_ids) {
  ASSERT_TRUE(import_organization(*svc_, src_, ctx_));
  src_.accounts[1].name = "renamed";
  src_.accounts[1].email = "new@example.com";
  src_.accounts[2].parent = "ou-src1-dddddddd";
  src_.ous[1].name = "Production";
  src_.ous[2].parent = "r-src1";
  src_.accounts.pop_back();  // 200000000008 left the source
  auto s = import_organization(*svc_, src_, ctx_);
  ASSERT_TRUE(s) << s.error().message;
  EXPECT_EQ(s->ous_created, 0);
  EXPECT_EQ(s->ous_updated, 4);
  EXPECT_EQ(s->accounts_created, 0);
  EXPECT_EQ(s->accounts_updated, 8);
  ASSERT_EQ(s->not_in_source, std::vector<std::string>{"200000000008"}) << "reported, not removed";
  auto a1 = svc_->account("200000000001");
  ASSERT_TRUE(a1 && *a1);
  EXPECT_EQ((*a1)->name, "renamed");
  EXPECT_EQ((*a1)->email, "new@example.com");
  EXPECT_EQ(parent_of("200000000002"), "ou-src1-dddddddd");
  auto dev = svc_->describe_unit(ctx_, "ou-src1-cccccccc");
  ASSERT_TRUE(dev);
  auto o = svc_->ensure(ctx_);
  EXPECT_EQ(dev->parent_id, o->root_id);
  EXPECT_EQ(svc_->describe_unit(ctx_, "ou-src1-bbbbbbbb")->name, "Production");
}

TEST_F(org_import_test, a_broken_answer_stops_the_import_with_a_message) {
  src_.accounts[0].email = "not an email";
  auto s = import_organization(*svc_, src_, ctx_);
  ASSERT_FALSE(s);
  EXPECT_EQ(s.error().code, errc::validation);
}

}  // namespace atrium::service
