// The assignment store on both backends: uniqueness, keyset listings by account and by principal,
// request records with filters, provisioned state, and that the listings stay index scans.
#include "store/assignment_repository.hpp"
#include "backend_fixture.hpp"
#include "store/sqlite/assignment_repo.hpp"

namespace atrium::store::test {

namespace {
constexpr const char* ps1 = "arn:aws:sso:::permissionSet/ssoins-0123456789abcdef/ps-1111111111111111";
constexpr const char* ps2 = "arn:aws:sso:::permissionSet/ssoins-0123456789abcdef/ps-2222222222222222";

domain::account_assignment grant(const std::string& account, const std::string& ps, const std::string& principal,
                                 domain::principal_type t = domain::principal_type::user) {
  return {account, ps, t, principal, from_epoch_millis(1000)};
}

domain::request_record request(const std::string& id, domain::request_kind k, domain::request_status s, int64_t at) {
  domain::request_record r;
  r.request_id = id;
  r.kind = k;
  r.status = s;
  r.created_at = from_epoch_millis(at);
  r.instance_arn = "arn:aws:sso:::instance/ssoins-0123456789abcdef";
  r.account_id = "111111111111";
  r.permission_set_arn = ps1;
  r.principal_id = "p1";
  return r;
}
}  // namespace

using assignment_repo_test = store_test;
// Query plans are SQLite's own (EXPLAIN QUERY PLAN): these cases run on SQLite only.
using assignment_repo_test_sqlite_only = sqlite::test::sqlite_test;

TEST_P(assignment_repo_test, assignments_are_unique_and_listed_by_account_and_by_principal) {
  auto ins = write_value(*db_, [](transaction& tx) -> result<int> {
    int added = 0;
    for (const auto& a : {grant("111111111111", ps1, "p1"), grant("111111111111", ps1, "p2"),
                          grant("111111111111", ps2, "p1"), grant("222222222222", ps1, "p1"),
                          grant("111111111111", ps1, "p1")}) {
      auto r = tx.assignments().insert_assignment(a);
      if (!r) return std::unexpected(r.error());
      added += *r;
    }
    return added;
  });
  ASSERT_TRUE(ins) << ins.error().message;
  EXPECT_EQ(*ins, 4) << "the repeated grant is ignored";

  auto first = read_value(*db_, [](transaction& tx) { return tx.assignments().list_for_account("111111111111", ps1, {"", 1}); });
  ASSERT_TRUE(first);
  ASSERT_EQ(first->items.size(), 1u);
  EXPECT_EQ(first->items[0].principal_id, "p1");
  EXPECT_TRUE(first->more);
  auto second = read_value(*db_, [](transaction& tx) { return tx.assignments().list_for_account("111111111111", ps1, {"p1", 1}); });
  ASSERT_TRUE(second);
  ASSERT_EQ(second->items.size(), 1u);
  EXPECT_EQ(second->items[0].principal_id, "p2");
  EXPECT_FALSE(second->more);

  auto mine = read_value(*db_, [](transaction& tx) { return tx.assignments().list_for_principal("p1", std::nullopt, {"", 2}); });
  ASSERT_TRUE(mine);
  ASSERT_EQ(mine->items.size(), 2u);
  EXPECT_TRUE(mine->more);
  std::string after = mine->items[1].account_id + " " + mine->items[1].permission_set_arn;
  auto rest = read_value(*db_, [&](transaction& tx) { return tx.assignments().list_for_principal("p1", std::nullopt, {after, 2}); });
  ASSERT_TRUE(rest);
  ASSERT_EQ(rest->items.size(), 1u);
  EXPECT_EQ(rest->items[0].account_id, "222222222222");
  auto filtered = read_value(*db_, [](transaction& tx) {
    return tx.assignments().list_for_principal("p1", std::string("222222222222"), {"", 10});
  });
  ASSERT_TRUE(filtered);
  EXPECT_EQ(filtered->items.size(), 1u);

  auto removed = write_value(*db_, [](transaction& tx) { return tx.assignments().remove_all_for_principal("p1"); });
  ASSERT_TRUE(removed);
  EXPECT_EQ(removed->size(), 3u);
  auto left = read_value(*db_, [](transaction& tx) { return tx.assignments().count_for_account("111111111111", ps1); });
  EXPECT_EQ(*left, 1);
}

TEST_P(assignment_repo_test, requests_filter_by_kind_status_and_time_and_pending_is_the_queue) {
  auto ok = write_value(*db_, [](transaction& tx) -> result<bool> {
    using domain::request_kind;
    using domain::request_status;
    for (const auto& r : {request("a", request_kind::create_assignment, request_status::in_progress, 10),
                          request("b", request_kind::create_assignment, request_status::succeeded, 20),
                          request("c", request_kind::delete_assignment, request_status::in_progress, 30),
                          request("d", request_kind::create_assignment, request_status::failed, 40)})
      if (auto i = tx.assignments().insert_request(r); !i) return std::unexpected(i.error());
    return true;
  });
  ASSERT_TRUE(ok) << ok.error().message;
  auto all = read_value(*db_, [](transaction& tx) {
    return tx.assignments().list_requests({domain::request_kind::create_assignment, std::nullopt, std::nullopt}, {"", 10});
  });
  ASSERT_TRUE(all);
  EXPECT_EQ(all->items.size(), 3u);
  auto failed = read_value(*db_, [](transaction& tx) {
    return tx.assignments().list_requests({domain::request_kind::create_assignment, domain::request_status::failed, std::nullopt}, {"", 10});
  });
  ASSERT_EQ(failed->items.size(), 1u);
  EXPECT_EQ(failed->items[0].request_id, "d");
  auto recent = read_value(*db_, [](transaction& tx) {
    return tx.assignments().list_requests({domain::request_kind::create_assignment, std::nullopt, from_epoch_millis(15)}, {"", 10});
  });
  EXPECT_EQ(recent->items.size(), 2u);

  auto pending = read_value(*db_, [](transaction& tx) { return tx.assignments().pending_requests(10); });
  ASSERT_EQ(pending->size(), 2u);
  EXPECT_EQ((*pending)[0].request_id, "a");
  EXPECT_EQ((*pending)[1].kind, domain::request_kind::delete_assignment);
  ASSERT_TRUE(write_value(*db_, [](transaction& tx) {
    return tx.assignments().finish_request("a", domain::request_status::failed, "no such policy");
  }));
  auto a = read_value(*db_, [](transaction& tx) { return tx.assignments().get_request("a"); });
  ASSERT_TRUE(a && *a);
  EXPECT_EQ((*a)->status, domain::request_status::failed);
  EXPECT_EQ((*a)->failure_reason, "no such policy");
  EXPECT_EQ(*read_value(*db_, [](transaction& tx) { return tx.assignments().count_pending(); }), 1);
}

// The job queue shared by nodes (migration 0020): a request is taken under a lease; while the
// lease lasts no other node takes it (its owner may, again), once it expired (its node died)
// another node does; only the owner renews; a finished request is never taken.
TEST_P(assignment_repo_test, jobs_are_taken_under_a_lease_and_taken_over_when_it_expires) {
  using domain::request_kind;
  using domain::request_status;
  ASSERT_TRUE(write_value(*db_, [](transaction& tx) -> result<bool> {
    for (const auto& r : {request("r1", request_kind::create_assignment, request_status::in_progress, 10),
                          request("r2", request_kind::delete_assignment, request_status::in_progress, 20),
                          request("r3", request_kind::create_assignment, request_status::succeeded, 5)})
      if (auto i = tx.assignments().insert_request(r); !i) return std::unexpected(i.error());
    return true;
  }));
  // "taken", "held" (not taken), or "error: ..." when the store failed.
  auto take = [&](const std::string& id, const std::string& owner, int64_t now, int64_t until) -> std::string {
    auto r = write_value(*db_, [&](transaction& tx) {
      return tx.assignments().take_lease(id, owner, from_epoch_millis(now), from_epoch_millis(until));
    });
    if (!r) return "error: " + r.error().message;
    return *r ? "taken" : "held";
  };
  auto renew = [&](const std::string& id, const std::string& owner, int64_t until) -> std::string {
    auto r = write_value(*db_, [&](transaction& tx) { return tx.assignments().renew_lease(id, owner, from_epoch_millis(until)); });
    if (!r) return "error: " + r.error().message;
    return *r ? "renewed" : "not held";
  };
  EXPECT_EQ(take("r1", "node-a", 1000, 4000), "taken");
  EXPECT_EQ(take("r1", "node-b", 1500, 4500), "held") << "node-a's while its lease lasts";
  EXPECT_EQ(take("r1", "node-a", 1500, 4500), "taken") << "its owner may take it again";
  EXPECT_EQ(take("r2", "node-b", 1500, 4500), "taken");
  EXPECT_EQ(take("r3", "node-c", 2000, 5000), "held") << "a finished request is no job";
  EXPECT_EQ(take("nope", "node-c", 2000, 5000), "held");

  // node-a renews; node-b's lease lapses (its node died) and node-c takes r2 over.
  EXPECT_EQ(renew("r1", "node-a", 8000), "renewed");
  EXPECT_EQ(renew("r1", "node-b", 9000), "not held") << "only the owner renews";
  EXPECT_EQ(take("r1", "node-c", 5000, 8000), "held") << "renewed until 8000";
  EXPECT_EQ(take("r2", "node-c", 5000, 8000), "taken");
  EXPECT_EQ(renew("r2", "node-b", 9000), "not held") << "node-b lost it";
  EXPECT_EQ(raw_scalar("SELECT lease_owner FROM assignment_requests WHERE request_id = 'r2'"), "node-c");

  ASSERT_TRUE(write_value(*db_, [](transaction& tx) {
    return tx.assignments().finish_request("r1", domain::request_status::succeeded, "");
  }));
  EXPECT_EQ(renew("r1", "node-a", 9000), "not held") << "a finished job has no lease to renew";
  EXPECT_EQ(take("r1", "node-d", 100'000, 110'000), "held");
  EXPECT_EQ(take("r2", "node-d", 100'000, 110'000), "taken") << "r2's lease lapsed again";
}

TEST_P(assignment_repo_test, provisioned_state_and_in_use) {
  EXPECT_FALSE(*read_value(*db_, [](transaction& tx) { return tx.assignments().permission_set_in_use(ps1); }));
  ASSERT_TRUE(write_value(*db_, [](transaction& tx) -> result<bool> {
    if (auto p = tx.assignments().put_provisioned({"111111111111", ps1, 1, from_epoch_millis(5), "", ""}); !p) return std::unexpected(p.error());
    if (auto p = tx.assignments().put_provisioned({"111111111111", ps1, 3, from_epoch_millis(6), "", ""}); !p) return std::unexpected(p.error());
    if (auto p = tx.assignments().put_provisioned({"222222222222", ps1, 2, from_epoch_millis(6), "", ""}); !p) return std::unexpected(p.error());
    return true;
  }));
  auto one = read_value(*db_, [](transaction& tx) { return tx.assignments().get_provisioned("111111111111", ps1); });
  ASSERT_TRUE(one && *one);
  EXPECT_EQ((*one)->version, 3) << "put replaces the version";
  auto accounts = read_value(*db_, [](transaction& tx) { return tx.assignments().accounts_of_permission_set(ps1, {"", 10}); });
  ASSERT_EQ(accounts->items.size(), 2u);
  auto sets = read_value(*db_, [](transaction& tx) { return tx.assignments().provisioned_to_account("222222222222", {"", 10}); });
  ASSERT_EQ(sets->items.size(), 1u);
  EXPECT_TRUE(*read_value(*db_, [](transaction& tx) { return tx.assignments().permission_set_in_use(ps1); }));
  EXPECT_FALSE(*read_value(*db_, [](transaction& tx) { return tx.assignments().permission_set_in_use(ps2); }));
  EXPECT_TRUE(*write_value(*db_, [](transaction& tx) { return tx.assignments().remove_provisioned("111111111111", ps1); }));
}

TEST_P(assignment_repo_test, provisioned_rows_record_the_role_they_made) {
  // Migration 0011: the role's name and path are kept with the row, and a later put replaces
  // them (the next provisioning after provisioner.role_name_prefix changed).
  ASSERT_TRUE(write_value(*db_, [](transaction& tx) {
    return tx.assignments().put_provisioned(
        {"111111111111", ps1, 1, from_epoch_millis(5), "AWSReservedSSO_Admin_1111111111111111",
         "/aws-reserved/sso.amazonaws.com/"});
  }));
  ASSERT_TRUE(write_value(*db_, [](transaction& tx) {
    return tx.assignments().put_provisioned(
        {"111111111111", ps1, 2, from_epoch_millis(6), "AtriumSSO_Admin_1111111111111111", "/atrium/"});
  }));
  auto row = read_value(*db_, [](transaction& tx) { return tx.assignments().get_provisioned("111111111111", ps1); });
  ASSERT_TRUE(row && *row);
  EXPECT_EQ((*row)->role_name, "AtriumSSO_Admin_1111111111111111");
  EXPECT_EQ((*row)->role_path, "/atrium/");
  EXPECT_EQ((domain::recorded_role(**row, "Admin")), (domain::role_location{"AtriumSSO_Admin_1111111111111111", "/atrium/"}));

  // A row written before 0011 (no role columns set) means the service's names.
  db_.reset();
  raw_exec("INSERT INTO provisioned_permission_sets(account_id, permission_set_arn, version, updated_at) VALUES "
           "('222222222222', 'arn:aws:sso:::permissionSet/ssoins-0123456789abcdef/ps-2222222222222222', 1, 1)");
  reopen();
  auto old = read_value(*db_, [](transaction& tx) { return tx.assignments().get_provisioned("222222222222", ps2); });
  ASSERT_TRUE(old && *old);
  EXPECT_EQ((*old)->role_name, "");
  EXPECT_EQ((domain::recorded_role(**old, "Dev")),
            (domain::role_location{"AWSReservedSSO_Dev_2222222222222222", "/aws-reserved/sso.amazonaws.com/"}));
}

TEST_F(assignment_repo_test_sqlite_only, listings_are_index_searches) {
  // EXPLAIN QUERY PLAN on a separate connection: the listings must SEARCH an index, never sort.
  auto detail = [&](const std::string& sql) {
    sqlite3* db = nullptr;
    sqlite3_open(file().c_str(), &db);
    sqlite3_stmt* s = nullptr;
    std::string out;
    if (sqlite3_prepare_v2(db, ("EXPLAIN QUERY PLAN " + sql).c_str(), -1, &s, nullptr) == SQLITE_OK)
      while (sqlite3_step(s) == SQLITE_ROW) out += std::string(reinterpret_cast<const char*>(sqlite3_column_text(s, 3))) + "; ";
    sqlite3_finalize(s);
    sqlite3_close(db);
    return out;
  };
  auto by_account = detail("SELECT * FROM account_assignments WHERE account_id = '1' AND permission_set_arn = 'x' "
                           "AND principal_id > '' ORDER BY principal_id LIMIT 10");
  EXPECT_NE(by_account.find("SEARCH"), std::string::npos) << by_account;
  EXPECT_EQ(by_account.find("TEMP B-TREE"), std::string::npos) << by_account;
  auto by_principal = detail("SELECT * FROM account_assignments WHERE principal_id = 'p' AND "
                             "(account_id, permission_set_arn) > ('', '') ORDER BY account_id, permission_set_arn LIMIT 10");
  EXPECT_NE(by_principal.find("account_assignments_principal"), std::string::npos) << by_principal;
  EXPECT_EQ(by_principal.find("TEMP B-TREE"), std::string::npos) << by_principal;
  // The outstanding-request count of every create reads only the IN_PROGRESS rows (the partial
  // index), not every request ever made (issue 18 item 4: seeding 100,000 grew quadratically).
  auto pending = detail(sqlite::assignment_repo::count_pending_sql);
  EXPECT_NE(pending.find("assignment_requests_pending"), std::string::npos) << pending;
  EXPECT_EQ(pending.find("kind_status"), std::string::npos) << pending;
}

ATRIUM_ON_BOTH_BACKENDS(assignment_repo_test);

}  // namespace atrium::store::test
