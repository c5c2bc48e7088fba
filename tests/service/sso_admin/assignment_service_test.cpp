// Account assignments and the provisioning job runner against the real SQLite store, with a
// fake provisioner (records calls, fails on demand) and an injected clock.
#include "service/sso_admin/assignment_service.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <condition_variable>
#include <map>
#include <set>
#include <thread>

#include "base/try.hpp"
#include "crypto/primitives.hpp"
#include "service/identity/identity_services.hpp"
#include "service/sso_admin/provisioning_jobs.hpp"
#include "store/assignment_repository.hpp"
#include "store/sqlite/sqlite_database.hpp"

namespace atrium::service {

namespace {

constexpr const char* instance = "arn:aws:sso:::instance/ssoins-0123456789abcdef";
constexpr const char* ps_arn = "arn:aws:sso:::permissionSet/ssoins-0123456789abcdef/ps-1111111111111111";
constexpr const char* account = "111111111111";

class fake_provisioner final : public account_provisioner {
 public:
  result<void> ensure_identity_provider(const std::string& acct, const std::string& name,
                                        const std::string& metadata) override {
    std::lock_guard l(mu);
    ++ensures;
    if (!fail_ensure.empty()) return fail(errc::internal, fail_ensure);
    providers[acct] = name + "|" + metadata;
    return {};
  }
  result<void> put_role(const std::string& acct, const role_spec& spec, bool recorded) override {
    std::lock_guard l(mu);
    if (!fail_put.empty()) return fail(errc::internal, fail_put);
    roles[acct + "/" + spec.role_name] = spec;
    ++puts;
    if (!recorded) ++unrecorded_puts;
    return {};
  }
  result<void> delete_role(const std::string& acct, const std::string& role_name) override {
    std::lock_guard l(mu);
    roles.erase(acct + "/" + role_name);
    ++deletes;
    return {};
  }
  std::string kind() const override { return "fake"; }

  std::mutex mu;
  std::map<std::string, std::string> providers;
  std::map<std::string, role_spec> roles;
  std::string fail_put;
  std::string fail_ensure;
  int ensures = 0;
  int puts = 0;
  int unrecorded_puts = 0;
  int deletes = 0;
};

}  // namespace

class assignment_service_test : public ::testing::Test {
 protected:
  void SetUp() override {
    crypto::init();
    dir_ = std::filesystem::temp_directory_path() /
           ("atrium-assign-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    open();
    ps_.arn = ps_arn;
    ps_.name = "ReadOnly";
    ps_.version = 1;
    ps_.managed_policy_arns = {"arn:aws:iam::aws:policy/ReadOnlyAccess"};
    user_ = add_user("0123456789-0198a0b1-c2d3-7e4f-8a9b-000000000001", "alice");
    user2_ = add_user("0123456789-0198a0b1-c2d3-7e4f-8a9b-000000000002", "bob");
    ctx_.who.arn = "arn:aws:iam::123456789012:root";
    ctx_.event_source = "sso.amazonaws.com";
  }
  void TearDown() override {
    jobs_.reset();
    svc_.reset();
    db_.reset();
    std::filesystem::remove_all(dir_);
  }

  void open(int64_t cap = 1000) {
    jobs_.reset();
    svc_.reset();
    audited_.reset();
    db_.reset();
    auto db = store::sqlite::sqlite_database::open({dir_ / "t.db", false});
    ASSERT_TRUE(db) << db.error().message;
    db_ = std::move(*db);
    audit_ = std::make_unique<auditor>(clk_, rnd_, std::nullopt);
    audited_ = std::make_unique<audited_store>(*db_, *audit_);
    svc_ = std::make_unique<assignment_service>(*audited_, clk_, rnd_, lookups(), assignment_settings{cap});
    // These tests check the service's role names, configured explicitly (Atrium's default
    // naming is tested below).
    jobs_ = std::make_unique<provisioning_jobs>(*audited_, clk_, prov_, lookups(), naming_);
  }

  assignment_lookups lookups() {
    assignment_lookups l;
    l.instance_exists = [](store::transaction&, const std::string& arn) -> result<bool> { return arn == instance; };
    l.permission_set = [this](store::transaction&, const std::string& arn) -> result<std::optional<permission_set_facts>> {
      if (arn != ps_.arn || ps_deleted_) return std::nullopt;
      return ps_;
    };
    l.account_exists = [](store::transaction&, const std::string& id) -> result<bool> {
      return id == account || id == "222222222222";
    };
    l.idp_metadata = [] { return std::string("<EntityDescriptor/>"); };
    return l;
  }

  std::string add_user(const std::string& id, const std::string& name) {
    domain::user u;
    u.id = id;
    u.user_name = name;
    u.display_name = name;
    auto r = db_->write([&](store::transaction& tx) { return tx.users().insert(u); });
    EXPECT_TRUE(r) << r.error().message;
    return id;
  }

  assignment_request req(const std::string& principal, const std::string& acct = account) {
    return {instance, acct, ps_arn, domain::principal_type::user, principal};
  }

  domain::request_status status_of(const std::string& id, domain::request_kind k) {
    auto r = svc_->describe_request(ctx_, instance, k, id);
    EXPECT_TRUE(r) << r.error().message;
    return r ? r->status : domain::request_status::in_progress;
  }

  std::size_t assigned(const std::string& acct = account) {
    auto l = svc_->list_assignments(ctx_, instance, acct, ps_arn, std::nullopt, 100);
    EXPECT_TRUE(l) << l.error().message;
    return l ? l->items.size() : 0;
  }

  seeded_random rnd_{7};
  manual_clock clk_{from_epoch_millis(1'763'900'000'000)};
  std::filesystem::path dir_;
  std::unique_ptr<store::database> db_;
  std::unique_ptr<auditor> audit_;
  std::unique_ptr<audited_store> audited_;
  std::unique_ptr<assignment_service> svc_;
  std::unique_ptr<provisioning_jobs> jobs_;
  fake_provisioner prov_;
  domain::role_naming naming_ = domain::role_naming::service();
  permission_set_facts ps_;
  bool ps_deleted_ = false;
  std::string user_, user2_;
  call_context ctx_;
};

// Several nodes share the queue (issue 13 item 2): a job claimed by one node (whose process then
// died) is left alone by another while the lease lasts and finished by it once the lease expired.
TEST_F(assignment_service_test, a_job_held_by_a_dead_node_is_taken_over_after_its_lease) {
  auto rec = svc_->create_assignment(ctx_, req(user_));
  ASSERT_TRUE(rec) << rec.error().message;
  // The dead node's claim, as its provisioning_jobs made it before dying mid-job.
  auto claimed = db_->write([&](store::transaction& tx) -> result<void> {
    TRY(c, tx.assignments().take_lease(rec->request_id, "dead-node", clk_.now(), clk_.now() + std::chrono::seconds(60)));
    if (!c) return fail(errc::internal, "not taken");
    return {};
  });
  ASSERT_TRUE(claimed) << claimed.error().message;
  provisioning_jobs other(*audited_, clk_, prov_, lookups(), naming_, 1, job_lease{"live-node", std::chrono::seconds(60)});
  auto early = other.run_pending();
  ASSERT_TRUE(early) << early.error().message;
  EXPECT_EQ(*early, 0) << "the lease still holds";
  EXPECT_EQ(status_of(rec->request_id, domain::request_kind::create_assignment), domain::request_status::in_progress);
  EXPECT_TRUE(prov_.roles.empty());
  clk_.advance(std::chrono::seconds(60));
  auto late = other.run_pending();
  ASSERT_TRUE(late) << late.error().message;
  EXPECT_EQ(*late, 1);
  EXPECT_EQ(status_of(rec->request_id, domain::request_kind::create_assignment), domain::request_status::succeeded);
  EXPECT_EQ(assigned(), 1u);
  EXPECT_EQ(*jobs_->run_pending(), 0) << "done once";
}

TEST_F(assignment_service_test, create_is_in_progress_then_the_job_provisions_and_succeeds) {
  auto rec = svc_->create_assignment(ctx_, req(user_));
  ASSERT_TRUE(rec) << rec.error().message;
  EXPECT_EQ(rec->status, domain::request_status::in_progress);
  EXPECT_EQ(assigned(), 0u) << "the assignment exists once the job has run";
  auto ran = jobs_->run_pending();
  ASSERT_TRUE(ran) << ran.error().message;
  EXPECT_EQ(*ran, 1);
  EXPECT_EQ(status_of(rec->request_id, domain::request_kind::create_assignment), domain::request_status::succeeded);
  EXPECT_EQ(assigned(), 1u);
  EXPECT_EQ(prov_.providers[account], "AWSSSO_0123456789abcdef_DO_NOT_DELETE|<EntityDescriptor/>");
  ASSERT_EQ(prov_.roles.count(std::string(account) + "/AWSReservedSSO_ReadOnly_1111111111111111"), 1u);
  const auto& spec = prov_.roles.begin()->second;
  EXPECT_EQ(spec.saml_provider_name, "AWSSSO_0123456789abcdef_DO_NOT_DELETE");
  EXPECT_EQ(spec.managed_policy_arns, ps_.managed_policy_arns);
  auto sets = svc_->permission_sets_provisioned_to_account(ctx_, instance, account, provisioning_filter::any, std::nullopt, 10);
  ASSERT_TRUE(sets);
  EXPECT_EQ(sets->items, std::vector<std::string>{ps_arn});
  // A second principal reuses the role already in the account.
  ASSERT_TRUE(svc_->create_assignment(ctx_, req(user2_)));
  ASSERT_TRUE(jobs_->run_pending());
  EXPECT_EQ(prov_.puts, 1);
  EXPECT_EQ(assigned(), 2u);
}

TEST_F(assignment_service_test, provisioner_failure_fails_the_request_with_its_reason) {
  prov_.fail_put = "NoSuchEntity: Policy arn:aws:iam::aws:policy/ReadOnlyAccess does not exist";
  auto rec = svc_->create_assignment(ctx_, req(user_));
  ASSERT_TRUE(rec);
  ASSERT_TRUE(jobs_->run_pending());
  auto d = svc_->describe_request(ctx_, instance, domain::request_kind::create_assignment, rec->request_id);
  ASSERT_TRUE(d);
  EXPECT_EQ(d->status, domain::request_status::failed);
  EXPECT_NE(d->failure_reason.find("NoSuchEntity"), std::string::npos) << d->failure_reason;
  EXPECT_EQ(assigned(), 0u);
  store::request_filter f{domain::request_kind::create_assignment, domain::request_status::failed, std::nullopt};
  auto failed = svc_->list_requests(ctx_, instance, f, std::nullopt, 10);
  ASSERT_TRUE(failed);
  EXPECT_EQ(failed->items.size(), 1u);
}

TEST_F(assignment_service_test, requests_are_validated_synchronously) {
  auto bad_principal = svc_->create_assignment(ctx_, req("0123456789-0198a0b1-c2d3-7e4f-8a9b-00000000ffff"));
  ASSERT_FALSE(bad_principal);
  EXPECT_EQ(bad_principal.error().code, errc::not_found);
  EXPECT_EQ(bad_principal.error().resource_type, "USER");
  auto bad_account = svc_->create_assignment(ctx_, req(user_, "999999999999"));
  ASSERT_FALSE(bad_account);
  EXPECT_EQ(bad_account.error().resource_type, "ACCOUNT");
  ps_deleted_ = true;
  auto bad_ps = svc_->create_assignment(ctx_, req(user_));
  ASSERT_FALSE(bad_ps);
  EXPECT_EQ(bad_ps.error().resource_type, "PERMISSION_SET");
  ps_deleted_ = false;
  auto r = req(user_);
  r.instance_arn = "arn:aws:sso:::instance/ssoins-ffffffffffffffff";
  EXPECT_EQ(svc_->create_assignment(ctx_, r).error().resource_type, "INSTANCE");
  auto gone = svc_->delete_assignment(ctx_, req(user_));
  ASSERT_FALSE(gone);
  EXPECT_EQ(gone.error().code, errc::not_found) << "nothing to delete";
}

TEST_F(assignment_service_test, outstanding_requests_are_capped_and_the_error_says_so) {
  open(2);
  ASSERT_TRUE(svc_->create_assignment(ctx_, req(user_)));
  ASSERT_TRUE(svc_->create_assignment(ctx_, req(user2_)));
  auto third = svc_->create_assignment(ctx_, req(user_, "222222222222"));
  ASSERT_FALSE(third);
  EXPECT_EQ(third.error().code, errc::throttled);
  EXPECT_NE(third.error().message.find("sso_admin.max_outstanding_requests"), std::string::npos);
  ASSERT_TRUE(jobs_->run_pending());
  EXPECT_TRUE(svc_->create_assignment(ctx_, req(user_, "222222222222"))) << "room again once they finished";
}

TEST_F(assignment_service_test, a_restarted_worker_resumes_in_progress_requests) {
  auto rec = svc_->create_assignment(ctx_, req(user_));
  ASSERT_TRUE(rec);
  open();  // the process "crashed" before the job ran: only the database survives
  jobs_->start(std::chrono::milliseconds(20));
  for (int i = 0; i < 200 && status_of(rec->request_id, domain::request_kind::create_assignment) ==
                                  domain::request_status::in_progress;
       ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  jobs_->stop();
  EXPECT_EQ(status_of(rec->request_id, domain::request_kind::create_assignment), domain::request_status::succeeded);
  EXPECT_EQ(assigned(), 1u);
}

TEST_F(assignment_service_test, deleting_the_last_assignment_removes_the_role) {
  ASSERT_TRUE(svc_->create_assignment(ctx_, req(user_)));
  ASSERT_TRUE(svc_->create_assignment(ctx_, req(user2_)));
  ASSERT_TRUE(jobs_->run_pending());
  auto first = svc_->delete_assignment(ctx_, req(user_));
  ASSERT_TRUE(first) << first.error().message;
  ASSERT_TRUE(jobs_->run_pending());
  EXPECT_EQ(status_of(first->request_id, domain::request_kind::delete_assignment), domain::request_status::succeeded);
  EXPECT_EQ(prov_.deletes, 0) << "bob still uses the role";
  EXPECT_EQ(assigned(), 1u);
  auto last = svc_->delete_assignment(ctx_, req(user2_));
  ASSERT_TRUE(last);
  ASSERT_TRUE(jobs_->run_pending());
  EXPECT_EQ(prov_.deletes, 1);
  EXPECT_TRUE(prov_.roles.empty());
  EXPECT_EQ(assigned(), 0u);
  auto in_use = db_->read([&](store::transaction& tx) -> result<void> {
    auto u = permission_set_in_use(tx, ps_arn);
    if (!u) return std::unexpected(u.error());
    EXPECT_FALSE(*u) << "DeletePermissionSet may go ahead";
    return {};
  });
  ASSERT_TRUE(in_use);
}

TEST_F(assignment_service_test, deleting_a_principal_removes_its_assignments_and_orphaned_roles) {
  ASSERT_TRUE(svc_->create_assignment(ctx_, req(user_)));
  ASSERT_TRUE(svc_->create_assignment(ctx_, req(user_, "222222222222")));
  ASSERT_TRUE(svc_->create_assignment(ctx_, req(user2_, "222222222222")));
  ASSERT_TRUE(jobs_->run_pending());
  ASSERT_EQ(prov_.roles.size(), 2u);
  auto cascade = db_->write([&](store::transaction& tx) -> result<void> {
    if (auto r = remove_assignments_of_principal(tx, rnd_, clk_.now(), user_); !r) return r;
    auto removed = tx.users().remove(user_);
    if (!removed) return std::unexpected(removed.error());
    return {};
  });
  ASSERT_TRUE(cascade) << cascade.error().message;
  EXPECT_EQ(assigned(), 0u);
  EXPECT_EQ(assigned("222222222222"), 1u);
  ASSERT_TRUE(jobs_->run_pending());
  EXPECT_EQ(prov_.roles.size(), 1u) << "the role in 111111111111 had no assignment left";
  EXPECT_EQ(prov_.roles.count("222222222222/AWSReservedSSO_ReadOnly_1111111111111111"), 1u);
  auto mine = svc_->list_assignments_for_principal(ctx_, instance, domain::principal_type::user, user_, std::nullopt,
                                                   std::nullopt, 10);
  ASSERT_TRUE(mine);
  EXPECT_TRUE(mine->items.empty());
}

TEST_F(assignment_service_test, identity_service_deletes_cascade_to_assignments) {
  identity_services ids(*audited_, clk_, rnd_, "d-0123456789", quotas{});
  domain::group g;
  g.display_name = "admins";
  auto group = ids.groups.create_group(ctx_, g);
  ASSERT_TRUE(group) << group.error().message;
  auto r = req(group->id);
  r.principal_kind = domain::principal_type::group;
  ASSERT_TRUE(svc_->create_assignment(ctx_, r));
  ASSERT_TRUE(svc_->create_assignment(ctx_, req(user_, "222222222222")));
  ASSERT_TRUE(jobs_->run_pending());
  ASSERT_EQ(prov_.roles.size(), 2u);
  ASSERT_TRUE(ids.groups.delete_group(ctx_, group->id));
  ASSERT_TRUE(ids.users.delete_user(ctx_, user_));
  EXPECT_EQ(assigned(), 0u);
  EXPECT_EQ(assigned("222222222222"), 0u);
  ASSERT_TRUE(jobs_->run_pending());
  EXPECT_TRUE(prov_.roles.empty()) << "both roles lost their last assignment";
  store::request_filter f{domain::request_kind::delete_assignment, domain::request_status::succeeded, std::nullopt};
  auto deletions = svc_->list_requests(ctx_, instance, f, std::nullopt, 10);
  ASSERT_TRUE(deletions);
  EXPECT_EQ(deletions->items.size(), 2u) << "the cascade's deletions are visible as requests";
}

TEST_F(assignment_service_test, provision_permission_set_updates_out_of_date_accounts) {
  ASSERT_TRUE(svc_->create_assignment(ctx_, req(user_)));
  ASSERT_TRUE(svc_->create_assignment(ctx_, req(user_, "222222222222")));
  ASSERT_TRUE(jobs_->run_pending());
  ps_.version = 2;
  ps_.inline_policy = R"({"Version":"2012-10-17","Statement":[]})";
  auto stale = svc_->accounts_for_provisioned_permission_set(ctx_, instance, ps_arn,
                                                             provisioning_filter::latest_not_provisioned, std::nullopt, 1);
  ASSERT_TRUE(stale) << stale.error().message;
  EXPECT_EQ(stale->items, std::vector<std::string>{account});
  ASSERT_TRUE(stale->next_token) << "pages of one";
  auto p = svc_->provision_permission_set(ctx_, {instance, ps_arn, std::nullopt});
  ASSERT_TRUE(p) << p.error().message;
  EXPECT_EQ(p->target_type, "ALL_PROVISIONED_ACCOUNTS");
  ASSERT_TRUE(jobs_->run_pending());
  EXPECT_EQ(status_of(p->request_id, domain::request_kind::provision_permission_set), domain::request_status::succeeded);
  for (const auto& [key, spec] : prov_.roles) EXPECT_EQ(spec.inline_policy, ps_.inline_policy) << key;
  auto latest = svc_->permission_sets_provisioned_to_account(ctx_, instance, "222222222222",
                                                             provisioning_filter::latest_provisioned, std::nullopt, 10);
  ASSERT_TRUE(latest);
  EXPECT_EQ(latest->items.size(), 1u);
}

TEST_F(assignment_service_test, atrium_names_roles_so_that_assume_role_with_saml_works) {
  naming_ = domain::role_naming{};  // the default: AtriumSSO_ under /atrium/
  open();
  ASSERT_TRUE(svc_->create_assignment(ctx_, req(user_)));
  ASSERT_TRUE(jobs_->run_pending());
  ASSERT_EQ(prov_.roles.count(std::string(account) + "/AtriumSSO_ReadOnly_1111111111111111"), 1u);
  EXPECT_EQ(prov_.roles.begin()->second.path, "/atrium/");
  auto row = db_->read([&](store::transaction& tx) -> result<void> {
    auto p = tx.assignments().get_provisioned(account, ps_arn);
    if (!p) return std::unexpected(p.error());
    EXPECT_TRUE(*p);
    if (*p) {
      EXPECT_EQ((*p)->role_name, "AtriumSSO_ReadOnly_1111111111111111") << "the role is recorded with its name";
      EXPECT_EQ((*p)->role_path, "/atrium/");
    }
    return {};
  });
  ASSERT_TRUE(row);
}

TEST_F(assignment_service_test, the_next_provisioning_moves_a_role_to_the_configured_name) {
  // Provisioned with the service's names (as before the setting existed) ...
  ASSERT_TRUE(svc_->create_assignment(ctx_, req(user_)));
  ASSERT_TRUE(jobs_->run_pending());
  ASSERT_EQ(prov_.roles.count(std::string(account) + "/AWSReservedSSO_ReadOnly_1111111111111111"), 1u);
  // ... then the deployment moves to Atrium's names. Nothing changes until the permission set
  // is provisioned again: a new assignment reuses the role in place.
  naming_ = domain::role_naming{};
  open();
  ASSERT_TRUE(svc_->create_assignment(ctx_, req(user2_)));
  ASSERT_TRUE(jobs_->run_pending());
  EXPECT_EQ(prov_.roles.count(std::string(account) + "/AWSReservedSSO_ReadOnly_1111111111111111"), 1u);
  EXPECT_EQ(prov_.deletes, 0);
  auto p = svc_->provision_permission_set(ctx_, {instance, ps_arn, std::nullopt});
  ASSERT_TRUE(p) << p.error().message;
  ASSERT_TRUE(jobs_->run_pending());
  EXPECT_EQ(status_of(p->request_id, domain::request_kind::provision_permission_set), domain::request_status::succeeded);
  EXPECT_EQ(prov_.roles.count(std::string(account) + "/AtriumSSO_ReadOnly_1111111111111111"), 1u) << "made first";
  EXPECT_EQ(prov_.roles.count(std::string(account) + "/AWSReservedSSO_ReadOnly_1111111111111111"), 0u)
      << "then the old-named role is deleted";
  EXPECT_EQ(prov_.deletes, 1);
  // The last assignment going deletes the role of the recorded (new) name.
  ASSERT_TRUE(svc_->delete_assignment(ctx_, req(user_)));
  ASSERT_TRUE(svc_->delete_assignment(ctx_, req(user2_)));
  ASSERT_TRUE(jobs_->run_pending());
  EXPECT_TRUE(prov_.roles.empty());
  EXPECT_EQ(prov_.deletes, 2);
}

TEST_F(assignment_service_test, a_failed_move_keeps_the_old_record_and_is_retried) {
  ASSERT_TRUE(svc_->create_assignment(ctx_, req(user_)));
  ASSERT_TRUE(jobs_->run_pending());
  naming_ = domain::role_naming{};
  open();
  prov_.fail_put = "AccessDenied: not allowed to create roles";
  auto p = svc_->provision_permission_set(ctx_, {instance, ps_arn, account});
  ASSERT_TRUE(p);
  ASSERT_TRUE(jobs_->run_pending());
  EXPECT_EQ(status_of(p->request_id, domain::request_kind::provision_permission_set), domain::request_status::failed);
  EXPECT_EQ(prov_.roles.count(std::string(account) + "/AWSReservedSSO_ReadOnly_1111111111111111"), 1u)
      << "users keep the role they had";
  prov_.fail_put.clear();
  auto again = svc_->provision_permission_set(ctx_, {instance, ps_arn, account});
  ASSERT_TRUE(again);
  ASSERT_TRUE(jobs_->run_pending());
  EXPECT_EQ(status_of(again->request_id, domain::request_kind::provision_permission_set), domain::request_status::succeeded);
  EXPECT_EQ(prov_.roles.size(), 1u);
  EXPECT_EQ(prov_.roles.count(std::string(account) + "/AtriumSSO_ReadOnly_1111111111111111"), 1u);
}

// A node takes the leases of a whole round in one write (issue 18 item 4) but keeps none it did
// not use: the second request of a lane whose first is held by another node stays unrun (order),
// and its lease is given back when the round ends, so that a third node can take it at once.
TEST_F(assignment_service_test, a_round_gives_back_the_leases_it_did_not_use) {
  // Request ids are time-ordered (uuid7): a millisecond apart, the queue's order is creation order.
  auto first = svc_->create_assignment(ctx_, req(user_));
  clk_.advance(std::chrono::milliseconds(1));
  auto second = svc_->create_assignment(ctx_, req(user2_));  // same account and permission set: same lane
  clk_.advance(std::chrono::milliseconds(1));
  auto other_lane = svc_->create_assignment(ctx_, req(user_, "222222222222"));
  ASSERT_TRUE(first && second && other_lane);
  auto take = [&](const std::string& id, const std::string& owner) {
    return db_->write([&](store::transaction& tx) -> result<void> {
      TRY(c, tx.assignments().take_lease(id, owner, clk_.now(), clk_.now() + std::chrono::seconds(60)));
      if (!c) return fail(errc::conflict, "held by another node");
      return {};
    });
  };
  ASSERT_TRUE(take(first->request_id, "busy-node"));
  provisioning_jobs node(*audited_, clk_, prov_, lookups(), naming_, 2, job_lease{"this-node", std::chrono::seconds(60)});
  auto ran = node.run_pending();
  ASSERT_TRUE(ran) << ran.error().message;
  EXPECT_EQ(*ran, 1) << "only the other lane";
  EXPECT_EQ(status_of(other_lane->request_id, domain::request_kind::create_assignment), domain::request_status::succeeded);
  EXPECT_EQ(status_of(second->request_id, domain::request_kind::create_assignment), domain::request_status::in_progress)
      << "never before the first of its lane";
  EXPECT_TRUE(take(second->request_id, "third-node")) << "its lease was given back";
}


// Issue 18 item 4: lanes per (account, permission set), creation order inside each; a
// ProvisionPermissionSet of all accounts takes its permission set's requests into one lane.
TEST(provisioning_jobs_lanes, one_lane_per_account_and_permission_set_in_creation_order) {
  auto create = [](const std::string& acct, const std::string& ps) {
    domain::request_record r;
    r.account_id = acct;
    r.permission_set_arn = ps;
    return r;
  };
  std::vector<domain::request_record> batch = {create("a1", "P"), create("a2", "P"), create("a1", "Q"), create("a1", "P")};
  using lanes = std::vector<std::vector<std::size_t>>;
  EXPECT_EQ(provisioning_jobs::lanes_of(batch), (lanes{{0, 3}, {1}, {2}}));
  domain::request_record all;
  all.kind = domain::request_kind::provision_permission_set;
  all.target_type = "ALL_PROVISIONED_ACCOUNTS";
  all.permission_set_arn = "P";
  batch.insert(batch.begin() + 3, all);
  EXPECT_EQ(provisioning_jobs::lanes_of(batch), (lanes{{0, 1, 3, 4}, {2}}));
  batch[3].target_type = "AWS_ACCOUNT";
  batch[3].account_id = "a2";
  EXPECT_EQ(provisioning_jobs::lanes_of(batch), (lanes{{0, 4}, {1, 3}, {2}}));
}

// Two jobs of the same account and permission set: the second runs after the first has
// committed, sees the role recorded and does not put it again; the other account's lane is its own.
TEST_F(assignment_service_test, jobs_of_one_role_stay_in_order_while_lanes_run_in_parallel) {
  auto a = svc_->create_assignment(ctx_, req(user_));
  auto b = svc_->create_assignment(ctx_, req(user2_));
  auto c = svc_->create_assignment(ctx_, req(user_, "222222222222"));
  ASSERT_TRUE(a && b && c);
  auto ran = jobs_->run_pending();
  ASSERT_TRUE(ran) << ran.error().message;
  EXPECT_EQ(*ran, 3);
  for (const auto* r : {&a, &b, &c})
    EXPECT_EQ(status_of((*r)->request_id, domain::request_kind::create_assignment), domain::request_status::succeeded);
  EXPECT_EQ(prov_.puts, 2) << "one role per account";
  EXPECT_EQ(assigned(), 2u);
  EXPECT_EQ(assigned("222222222222"), 1u);
}

namespace {
// put_role of each account waits (bounded) until the other account's put_role has begun: both
// return success only when the two lanes really run at the same time.
class rendezvous_provisioner final : public account_provisioner {
 public:
  result<void> ensure_identity_provider(const std::string&, const std::string&, const std::string&) override {
    return {};
  }
  result<void> put_role(const std::string& acct, const role_spec&, bool) override {
    std::unique_lock l(mu);
    entered.insert(acct);
    cv.notify_all();
    if (!cv.wait_for(l, std::chrono::seconds(30), [&] { return entered.size() >= 2; }))
      return fail(errc::internal, "the other lane never ran alongside");
    return {};
  }
  result<void> delete_role(const std::string&, const std::string&) override { return {}; }
  std::string kind() const override { return "rendezvous"; }

  std::mutex mu;
  std::condition_variable cv;
  std::set<std::string> entered;
};
}  // namespace

TEST_F(assignment_service_test, different_accounts_are_provisioned_at_the_same_time) {
  rendezvous_provisioner both;
  provisioning_jobs parallel(*audited_, clk_, both, lookups(), naming_, 2);
  auto a = svc_->create_assignment(ctx_, req(user_));
  auto b = svc_->create_assignment(ctx_, req(user_, "222222222222"));
  ASSERT_TRUE(a && b);
  auto ran = parallel.run_pending();
  ASSERT_TRUE(ran) << ran.error().message;
  EXPECT_EQ(*ran, 2);
  EXPECT_EQ(status_of(a->request_id, domain::request_kind::create_assignment), domain::request_status::succeeded);
  EXPECT_EQ(status_of(b->request_id, domain::request_kind::create_assignment), domain::request_status::succeeded);
}

// Issue 18 item 4: an account's SAML provider is ensured once per batch of jobs, not once per
// role; a role the store does not record is put with the hint that lets IAM create it first.
TEST_F(assignment_service_test, an_accounts_saml_provider_is_ensured_once_per_batch) {
  auto a = svc_->create_assignment(ctx_, req(user_));
  ASSERT_TRUE(a);
  auto p = svc_->provision_permission_set(ctx_, {instance, ps_arn, account});
  ASSERT_TRUE(p) << p.error().message;
  auto ran = jobs_->run_pending();
  ASSERT_TRUE(ran) << ran.error().message;
  EXPECT_EQ(*ran, 2);
  EXPECT_EQ(prov_.ensures, 1) << "the create and the provisioning share the batch's provider";
  EXPECT_EQ(prov_.puts, 2);
  EXPECT_EQ(prov_.unrecorded_puts, 1) << "only the first put finds no role recorded";
  // The next batch ensures it again (an administrator may have deleted it in the account).
  auto again = svc_->provision_permission_set(ctx_, {instance, ps_arn, account});
  ASSERT_TRUE(again);
  ASSERT_TRUE(jobs_->run_pending());
  EXPECT_EQ(prov_.ensures, 2);
}

TEST_F(assignment_service_test, a_failed_provider_fails_every_job_of_the_account_in_the_batch_with_its_reason) {
  prov_.fail_ensure = "AccessDenied: not authorized to perform iam:CreateSAMLProvider";
  auto a = svc_->create_assignment(ctx_, req(user_));
  auto b = svc_->create_assignment(ctx_, req(user2_));
  ASSERT_TRUE(a && b);
  ASSERT_TRUE(jobs_->run_pending());
  for (const auto* r : {&*a, &*b}) {
    auto d = svc_->describe_request(ctx_, instance, domain::request_kind::create_assignment, r->request_id);
    ASSERT_TRUE(d);
    EXPECT_EQ(d->status, domain::request_status::failed);
    EXPECT_NE(d->failure_reason.find("identity provider: AccessDenied"), std::string::npos) << d->failure_reason;
  }
  EXPECT_EQ(prov_.puts, 0);
  EXPECT_EQ(prov_.ensures, 1);
}

}  // namespace atrium::service
