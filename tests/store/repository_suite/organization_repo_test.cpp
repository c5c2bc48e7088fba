// The organization tables (migration 0004): units and accounts by parent in keyset pages,
// uniqueness of OU names under one parent, and the emptiness check of OU deletion.
#include <gtest/gtest.h>

#include "backend_fixture.hpp"
#include "store/organization_repository.hpp"

namespace atrium::store::test {

namespace {

using organization_repo_test = store_test;
// Query plans are SQLite's own (EXPLAIN QUERY PLAN): these cases run on SQLite only.
using organization_repo_test_sqlite_only = sqlite::test::sqlite_test;

domain::account acct(int n, const std::string& parent) {
  char id[13];
  std::snprintf(id, sizeof id, "%012d", 100000 + n);
  return {id, "Account " + std::to_string(n), "a" + std::to_string(n) + "@example.com", parent, "ACTIVE", "INVITED",
          from_epoch_millis(1'700'000'000'000 + n)};
}

}  // namespace

TEST_P(organization_repo_test, organization_row_round_trips) {
  auto none = read_value(*db_, [](transaction& tx) { return tx.organization().get_organization(); });
  ASSERT_TRUE(none);
  EXPECT_FALSE(*none);
  domain::organization o{"o-abcdefghij", "111122223333", "r-ab12", "ALL", from_epoch_millis(1'700'000'000'000)};
  ASSERT_TRUE(db_->write([&](transaction& tx) { return tx.organization().insert_organization(o); }));
  auto got = read_value(*db_, [](transaction& tx) { return tx.organization().get_organization(); });
  ASSERT_TRUE(got && *got);
  EXPECT_EQ(**got, o);
}

TEST_P(organization_repo_test, accounts_page_by_parent_in_id_order) {
  ASSERT_TRUE(db_->write([&](transaction& tx) -> result<void> {
    for (int i = 0; i < 45; ++i)
      if (auto r = tx.organization().insert_account(acct(i, i % 3 == 0 ? "ou-ab12-aaaaaaaa" : "r-ab12")); !r) return r;
    return {};
  }));
  std::vector<std::string> seen;
  page_request p;
  p.limit = 7;
  while (true) {
    auto pg = read_value(*db_, [&](transaction& tx) { return tx.organization().accounts_by_parent("r-ab12", p); });
    ASSERT_TRUE(pg) << pg.error().message;
    for (const auto& a : pg->items) {
      EXPECT_EQ(a.parent_id, "r-ab12");
      seen.push_back(a.id);
    }
    if (!pg->more) break;
    p.after_id = pg->items.back().id;
  }
  EXPECT_EQ(seen.size(), 30u);
  EXPECT_TRUE(std::is_sorted(seen.begin(), seen.end()));
  auto all = read_value(*db_, [](transaction& tx) { return tx.organization().list_accounts({"", 100, 0}); });
  ASSERT_TRUE(all);
  EXPECT_EQ(all->items.size(), 45u);
  EXPECT_FALSE(all->more);
}

TEST_F(organization_repo_test_sqlite_only, listing_by_parent_uses_the_parent_index) {
  // EXPLAIN QUERY PLAN of the repository's query names the (parent_id, id) index.
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(file().c_str(), &db), SQLITE_OK);
  sqlite3_stmt* s = nullptr;
  ASSERT_EQ(sqlite3_prepare_v2(db,
                               "EXPLAIN QUERY PLAN SELECT id FROM org_accounts WHERE parent_id = 'r-ab12' "
                               "AND id > '' ORDER BY id LIMIT 21",
                               -1, &s, nullptr),
            SQLITE_OK);
  std::string detail;
  while (sqlite3_step(s) == SQLITE_ROW) detail += reinterpret_cast<const char*>(sqlite3_column_text(s, 3));
  sqlite3_finalize(s);
  sqlite3_close(db);
  EXPECT_NE(detail.find("org_accounts_parent"), std::string::npos) << detail;
  EXPECT_EQ(detail.find("TEMP B-TREE"), std::string::npos) << "no sort step: " << detail;
}

TEST_P(organization_repo_test, ou_names_are_unique_under_one_parent_and_emptiness_is_checked) {
  domain::org_unit a{"ou-ab12-aaaaaaaa", "Prod", "r-ab12", {}};
  domain::org_unit b{"ou-ab12-bbbbbbbb", "Prod", "r-ab12", {}};
  domain::org_unit c{"ou-ab12-cccccccc", "Prod", "ou-ab12-aaaaaaaa", {}};
  ASSERT_TRUE(db_->write([&](transaction& tx) { return tx.organization().insert_unit(a); }));
  auto dup = db_->write([&](transaction& tx) { return tx.organization().insert_unit(b); });
  ASSERT_FALSE(dup);
  EXPECT_EQ(dup.error().code, errc::conflict);
  EXPECT_EQ(dup.error().resource_type, "DUPLICATE_OU");
  ASSERT_TRUE(db_->write([&](transaction& tx) { return tx.organization().insert_unit(c); })) << "same name, other parent";
  auto found = read_value(*db_, [](transaction& tx) { return tx.organization().find_unit("r-ab12", "Prod"); });
  ASSERT_TRUE(found && *found);
  EXPECT_EQ((*found)->id, a.id);
  auto busy = read_value(*db_, [&](transaction& tx) { return tx.organization().has_children(a.id); });
  ASSERT_TRUE(busy);
  EXPECT_TRUE(*busy);
  auto idle = read_value(*db_, [&](transaction& tx) { return tx.organization().has_children(c.id); });
  ASSERT_TRUE(idle);
  EXPECT_FALSE(*idle);
  auto gone = write_value(*db_, [&](transaction& tx) { return tx.organization().remove_unit(c.id); });
  ASSERT_TRUE(gone);
  EXPECT_TRUE(*gone);
  auto units = read_value(*db_, [&](transaction& tx) { return tx.organization().units_by_parent("r-ab12", {"", 20, 0}); });
  ASSERT_TRUE(units);
  ASSERT_EQ(units->items.size(), 1u);
  EXPECT_EQ(units->items[0], a);
}

TEST_P(organization_repo_test, account_update_and_remove) {
  auto a = acct(1, "r-ab12");
  ASSERT_TRUE(db_->write([&](transaction& tx) { return tx.organization().insert_account(a); }));
  auto again = db_->write([&](transaction& tx) { return tx.organization().insert_account(a); });
  ASSERT_FALSE(again);
  EXPECT_EQ(again.error().code, errc::conflict);
  a.name = "Renamed";
  a.parent_id = "ou-ab12-aaaaaaaa";
  ASSERT_TRUE(db_->write([&](transaction& tx) { return tx.organization().update_account(a); }));
  auto got = read_value(*db_, [&](transaction& tx) { return tx.organization().get_account(a.id); });
  ASSERT_TRUE(got && *got);
  EXPECT_EQ(**got, a);
  auto removed = write_value(*db_, [&](transaction& tx) { return tx.organization().remove_account(a.id); });
  ASSERT_TRUE(removed);
  EXPECT_TRUE(*removed);
  auto twice = write_value(*db_, [&](transaction& tx) { return tx.organization().remove_account(a.id); });
  ASSERT_TRUE(twice);
  EXPECT_FALSE(*twice);
}

ATRIUM_ON_BOTH_BACKENDS(organization_repo_test);

}  // namespace atrium::store::test
