#include "service/sso_admin/provisioning_jobs.hpp"
#include "base/json_text.hpp"
#include "base/try.hpp"

#include <algorithm>
#include <atomic>
#include <map>
#include <optional>
#include <set>
#include <utility>

namespace atrium::service {

namespace {

const char* operation_of(domain::request_kind k) {
  switch (k) {
    case domain::request_kind::create_assignment: return "CreateAccountAssignment";
    case domain::request_kind::delete_assignment: return "DeleteAccountAssignment";
    case domain::request_kind::provision_permission_set: return "ProvisionPermissionSet";
  }
  return "CreateAccountAssignment";
}

// The job's own CloudTrail record: the service acting on the account (userIdentity of type
// AWSService, as CloudTrail shows work done by sso.amazonaws.com), named after the operation
// whose request it finishes, with the request id in requestParameters.
call_context job_context(const domain::request_record& r) {
  call_context ctx;
  ctx.who.type = "AWSService";
  ctx.who.arn = "sso.amazonaws.com";
  ctx.who.principal_id = "sso.amazonaws.com";
  ctx.event_source = "sso.amazonaws.com";
  ctx.event_name = operation_of(r.kind);
  ctx.user_agent = "sso.amazonaws.com";
  ctx.source_ip = "sso.amazonaws.com";
  ctx.request_id = r.request_id;
  ctx.request_parameters = to_json_text({{"requestId", r.request_id}, {"instanceArn", r.instance_arn}});
  return ctx;
}

// The leases of one round's requests: taken in one write before the round runs, renewed together
// every third of their duration while it runs (so that a long job, many accounts or a slow IAM,
// is not taken over by another node; the leases lapse only when this process dies or stops
// renewing), and what is left when the round ends (a lane that stopped, a failed final write, a
// stop) given back at once, so that this node or another tries it at its next round. One write
// per round instead of one write and one thread per request: each request's commit waits were the
// lease's and the final write's, and the lease's was half of a job's latency (issue 18 item 4).
// The lease writes (take, renew, give back) are write_visible: committed and visible to every
// reader before the round runs, but not flushed on their own (SQLite; PostgreSQL flushes every
// commit). A crash can lose only leases of the process that crashed, which lapse anyway: a lost
// take leaves the requests free for the restarted node at once, a lost renewal or give-back
// leaves them to expire as the crash would have. The final write of each request stays durable
// (the client reads SUCCEEDED from it), and WAL order flushes a lease with any later commit.
class round_leases {
 public:
  round_leases(store::database& db, const clock& clk, const job_lease& lease) : db_(db), clock_(clk), lease_(lease) {}
  ~round_leases() {
    if (thread_.joinable()) {
      {
        std::lock_guard lock(mu_);
        done_ = true;
      }
      cv_.notify_all();
      thread_.join();
    }
    if (held_.empty()) return;
    (void)db_.write_visible([&](store::transaction& tx) -> result<void> {
      for (const auto& id : held_) {
        TRY(gave, tx.assignments().renew_lease(id, lease_.owner, from_epoch_millis(0)));
        (void)gave;
      }
      return {};
    });
  }
  round_leases(const round_leases&) = delete;
  round_leases& operator=(const round_leases&) = delete;

  // Takes the leases of `ids` (one conditional UPDATE each, one transaction); which were taken.
  result<std::vector<char>> take(const std::vector<std::string>& ids) {
    std::vector<char> taken(ids.size(), 0);
    auto now = clock_.now();
    auto w = db_.write_visible([&](store::transaction& tx) -> result<void> {
      for (std::size_t i = 0; i < ids.size(); ++i) {
        TRY(got, tx.assignments().take_lease(ids[i], lease_.owner, now, now + lease_.duration));
        taken[i] = got ? 1 : 0;
      }
      return {};
    });
    if (!w) return std::unexpected(w.error());
    {
      std::lock_guard lock(mu_);
      for (std::size_t i = 0; i < ids.size(); ++i)
        if (taken[i]) held_.insert(ids[i]);
    }
    if (!held_.empty()) thread_ = std::thread([this] { renew_loop(); });
    return taken;
  }

  // The request is finished (its final write committed): nothing left to renew or give back.
  void finished(const std::string& id) {
    std::lock_guard lock(mu_);
    held_.erase(id);
  }

 private:
  void renew_loop() {
    auto every = std::max(lease_.duration / 3, std::chrono::milliseconds(100));
    std::unique_lock lock(mu_);
    while (!cv_.wait_for(lock, every, [this] { return done_; })) {
      std::vector<std::string> ids(held_.begin(), held_.end());
      lock.unlock();
      auto until = clock_.now() + lease_.duration;
      (void)db_.write_visible([&](store::transaction& tx) -> result<void> {
        for (const auto& id : ids) {
          TRY(held, tx.assignments().renew_lease(id, lease_.owner, until));
          (void)held;
        }
        return {};
      });
      lock.lock();
    }
  }
  store::database& db_;
  const clock& clock_;
  const job_lease& lease_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool done_ = false;
  std::set<std::string> held_;  // taken and not finished
  std::thread thread_;
};

}  // namespace

provisioning_jobs::provisioning_jobs(audited_store& store, const clock& clk, account_provisioner& prov,
                                     assignment_lookups lookups, domain::role_naming naming, int parallelism,
                                     job_lease lease)
    : store_(store),
      clock_(clk),
      provisioner_(prov),
      lookups_(std::move(lookups)),
      naming_(std::move(naming)),
      parallelism_(parallelism < 1 ? 1 : parallelism),
      lease_(std::move(lease)) {}

provisioning_jobs::~provisioning_jobs() { stop(); }

void provisioning_jobs::start(std::chrono::milliseconds poll) {
  if (worker_.joinable()) return;
  worker_ = std::thread([this, poll] { loop(poll); });
}

void provisioning_jobs::stop() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  if (worker_.joinable()) worker_.join();
}

void provisioning_jobs::notify() {
  {
    std::lock_guard lock(mu_);
    wake_ = true;
  }
  cv_.notify_all();
}

void provisioning_jobs::loop(std::chrono::milliseconds poll) {
  while (true) {
    (void)run_pending();  // errors leave requests IN_PROGRESS; the next round retries them
    std::unique_lock lock(mu_);
    cv_.wait_for(lock, poll, [this] { return wake_ || stopping_; });
    if (stopping_) return;
    wake_ = false;
  }
}

bool provisioning_jobs::stopping() {
  std::lock_guard lock(mu_);
  return stopping_;
}

std::vector<std::vector<std::size_t>> provisioning_jobs::lanes_of(const std::vector<domain::request_record>& batch) {
  // A ProvisionPermissionSet of every provisioned account touches all of the permission set's
  // roles: the whole permission set is one lane in this batch.
  std::set<std::string> whole;
  for (const auto& r : batch)
    if (r.kind == domain::request_kind::provision_permission_set && r.target_type != "AWS_ACCOUNT")
      whole.insert(r.permission_set_arn);
  std::map<std::string, std::size_t> lane_of_key;
  std::vector<std::vector<std::size_t>> lanes;
  for (std::size_t i = 0; i < batch.size(); ++i) {
    const auto& r = batch[i];
    std::string key = whole.contains(r.permission_set_arn) ? r.permission_set_arn
                                                            : r.account_id + "\n" + r.permission_set_arn;
    auto [it, fresh] = lane_of_key.try_emplace(key, lanes.size());
    if (fresh) lanes.emplace_back();
    lanes[it->second].push_back(i);
  }
  return lanes;
}

result<std::vector<domain::request_record>> provisioning_jobs::next_batch() {
  std::vector<domain::request_record> batch;
  auto r = store_.db().read([&](store::transaction& tx) -> result<void> {
    TRY(p, tx.assignments().pending_requests(200));
    batch = std::move(p);
    return {};
  });
  if (!r) return std::unexpected(r.error());
  return batch;
}

result<int> provisioning_jobs::run_batch(const std::vector<domain::request_record>& batch) {
  auto lanes = lanes_of(batch);
  // A round takes at most 4 lanes per runner; the rest stay untaken for the next round (or for
  // another node meanwhile, which takes the lanes this one left).
  const std::size_t most = static_cast<std::size_t>(parallelism_) * 4;
  if (lanes.size() > most) lanes.resize(most);
  std::vector<std::size_t> order;
  std::vector<std::string> ids;
  for (const auto& lane : lanes)
    for (std::size_t i : lane) order.push_back(i), ids.push_back(batch[i].request_id);
  round_leases leases(store_.db(), clock_, lease_);
  TRY(taken, leases.take(ids));
  {
    std::lock_guard lock(providers_mu_);
    providers_.clear();  // each batch ensures the providers it needs once
  }
  std::vector<char> held(batch.size(), 0);
  for (std::size_t k = 0; k < order.size(); ++k) held[order[k]] = taken[k];
  std::atomic<int> done = 0;
  std::atomic<std::size_t> next_lane = 0;
  std::mutex failed_mu;
  std::optional<error> failed;
  // Each runner takes the next lane and runs its requests one after the other; a lane stops at
  // a request another node holds (its later requests wait for the next round, so that one role's
  // requests never run out of order) and at its first error (the rest stays IN_PROGRESS).
  auto runner = [&] {
    for (std::size_t l = next_lane++; l < lanes.size(); l = next_lane++) {
      for (std::size_t i : lanes[l]) {
        if (stopping()) return;
        if (!held[i]) break;
        auto one = run_one(batch[i]);
        if (!one) {
          std::lock_guard lock(failed_mu);
          if (!failed) failed = one.error();
          break;
        }
        leases.finished(batch[i].request_id);
        ++done;
      }
    }
  };
  std::vector<std::thread> helpers;
  const std::size_t runners = std::min<std::size_t>(static_cast<std::size_t>(parallelism_), lanes.size());
  for (std::size_t h = 1; h < runners; ++h) helpers.emplace_back(runner);
  runner();
  for (auto& t : helpers) t.join();
  if (failed) return std::unexpected(*failed);
  return done.load();
}

result<int> provisioning_jobs::run_pending() {
  int done = 0;
  while (!stopping()) {
    TRY(batch, next_batch());
    if (batch.empty()) break;
    TRY(n, run_batch(batch));
    // Nothing taken: other nodes hold what is pending (their leases); look again next round
    // instead of spinning on the same batch.
    if (n == 0) break;
    done += n;
  }
  return done;
}

result<void> provisioning_jobs::run_one(const domain::request_record& r) {
  switch (r.kind) {
    case domain::request_kind::create_assignment: return run_create(r);
    case domain::request_kind::delete_assignment: return run_delete(r);
    case domain::request_kind::provision_permission_set: return run_provision(r);
  }
  return {};
}

result<void> provisioning_jobs::finish(const domain::request_record& r, const outcome& o,
                                       const std::function<result<void>(store::transaction&)>& more) {
  auto ctx = job_context(r);
  auto status = o.ok ? domain::request_status::succeeded : domain::request_status::failed;
  auto written = store_.write<std::monostate>(
      ctx,
      [&](store::transaction& tx) -> result<std::monostate> {
        if (o.ok && more) {
          if (auto m = more(tx); !m) return std::unexpected(m.error());
        }
        if (auto f = tx.assignments().finish_request(r.request_id, status, o.reason); !f)
          return std::unexpected(f.error());
        return std::monostate{};
      },
      json_text_of([&](const std::monostate&) {
        nlohmann::json j = {{"requestId", r.request_id}, {"status", domain::to_string(status)}};
        if (!o.ok) j["failureReason"] = o.reason;
        return j;
      }));
  if (!written) return std::unexpected(written.error());
  return {};
}

provisioning_jobs::outcome provisioning_jobs::provision_into(const std::string& instance_arn,
                                                             const std::string& account_id, const role_spec& spec,
                                                             const std::optional<domain::role_location>& previous) {
  if (auto o = ensure_provider(instance_arn, account_id); !o.ok) return o;
  // A role at another path under the same name is replaced by put_role itself (IAM cannot move
  // a role); one under another name (the naming setting changed) goes once the new one exists,
  // so that users always have one of the two. No recorded role: put_role may try CreateRole first.
  if (auto r = provisioner_.put_role(account_id, spec, previous.has_value()); !r)
    return {false, "Account " + account_id + ": role " + spec.role_name + ": " + r.error().message};
  if (previous && previous->name != spec.role_name)
    if (auto d = provisioner_.delete_role(account_id, previous->name); !d)
      return {false, "Account " + account_id + ": deleting the role of the previous name " + previous->name + ": " +
                         d.error().message};
  return {};
}

provisioning_jobs::outcome provisioning_jobs::ensure_provider(const std::string& instance_arn,
                                                              const std::string& account_id) {
  std::string name = domain::saml_provider_name(instance_arn);
  std::string metadata = lookups_.idp_metadata ? lookups_.idp_metadata() : std::string();
  std::promise<outcome> mine;
  std::shared_future<outcome> shared;
  bool first = false;
  {
    std::lock_guard lock(providers_mu_);
    auto [it, fresh] = providers_.try_emplace(account_id + "\n" + name + "\n" + metadata);
    if (fresh) it->second = mine.get_future().share(), first = true;
    shared = it->second;
  }
  if (first) {
    outcome o;
    if (auto r = provisioner_.ensure_identity_provider(account_id, name, metadata); !r)
      o = {false, "Account " + account_id + ": identity provider: " + r.error().message};
    mine.set_value(std::move(o));
  }
  return shared.get();
}

result<void> provisioning_jobs::run_create(const domain::request_record& r) {
  std::optional<permission_set_facts> ps;
  std::optional<domain::provisioned_permission_set> current;
  auto read = store_.db().read([&](store::transaction& tx) -> result<void> {
    if (lookups_.permission_set) {
      TRY(p, lookups_.permission_set(tx, r.permission_set_arn));
      ps = std::move(p);
    }
    TRY(c, tx.assignments().get_provisioned(r.account_id, r.permission_set_arn));
    current = std::move(c);
    return {};
  });
  if (!read) return std::unexpected(read.error());
  if (!ps) return finish(r, {false, "The permission set " + r.permission_set_arn + " no longer exists."}, nullptr);
  // The API reference: an assignment provisions the permission set if the account does not
  // have it yet; a later change of the permission set needs ProvisionPermissionSet.
  outcome o;
  auto spec = role_for(r.instance_arn, *ps, naming_);
  if (!current) o = provision_into(r.instance_arn, r.account_id, spec, std::nullopt);
  sys_time now = clock_.now();
  return finish(r, o, [&](store::transaction& tx) -> result<void> {
    domain::account_assignment a{r.account_id, r.permission_set_arn, r.principal_kind, r.principal_id, now};
    if (auto i = tx.assignments().insert_assignment(a); !i) return std::unexpected(i.error());
    if (current) return {};
    return tx.assignments().put_provisioned({r.account_id, r.permission_set_arn, ps->version, now, spec.role_name, spec.path});
  });
}

result<void> provisioning_jobs::run_delete(const domain::request_record& r) {
  std::optional<permission_set_facts> ps;
  int64_t others = 0;
  std::optional<domain::provisioned_permission_set> provisioned;
  auto read = store_.db().read([&](store::transaction& tx) -> result<void> {
    if (lookups_.permission_set) {
      TRY(p, lookups_.permission_set(tx, r.permission_set_arn));
      ps = std::move(p);
    }
    TRY(n, tx.assignments().count_for_account(r.account_id, r.permission_set_arn));
    TRY(mine, tx.assignments().get_assignment(r.account_id, r.permission_set_arn, r.principal_id));
    others = n - (mine ? 1 : 0);
    TRY(c, tx.assignments().get_provisioned(r.account_id, r.permission_set_arn));
    provisioned = std::move(c);
    return {};
  });
  if (!read) return std::unexpected(read.error());
  // The last assignment of the permission set in the account takes its role with it.
  bool last = others == 0;
  outcome o;
  if (last && provisioned && ps) {
    auto role = domain::recorded_role(*provisioned, ps->name).name;
    if (auto d = provisioner_.delete_role(r.account_id, role); !d)
      o = {false, "Account " + r.account_id + ": deleting role " + role + ": " + d.error().message};
  }
  return finish(r, o, [&](store::transaction& tx) -> result<void> {
    if (auto d = tx.assignments().remove_assignment(r.account_id, r.permission_set_arn, r.principal_id); !d)
      return std::unexpected(d.error());
    if (!last) return {};
    TRY(n, tx.assignments().count_for_account(r.account_id, r.permission_set_arn));
    if (n > 0) return {};
    if (auto d = tx.assignments().remove_provisioned(r.account_id, r.permission_set_arn); !d)
      return std::unexpected(d.error());
    return {};
  });
}

result<void> provisioning_jobs::run_provision(const domain::request_record& r) {
  std::optional<permission_set_facts> ps;
  // Each account with what it holds now (nothing yet: an account named by AWS_ACCOUNT that was
  // never provisioned).
  std::vector<std::pair<std::string, std::optional<domain::provisioned_permission_set>>> accounts;
  auto read = store_.db().read([&](store::transaction& tx) -> result<void> {
    if (lookups_.permission_set) {
      TRY(p, lookups_.permission_set(tx, r.permission_set_arn));
      ps = std::move(p);
    }
    if (r.target_type == "AWS_ACCOUNT") {
      TRY(c, tx.assignments().get_provisioned(r.account_id, r.permission_set_arn));
      accounts.emplace_back(r.account_id, std::move(c));
      return {};
    }
    store::page_request pr{"", 500};
    while (true) {
      TRY(p, tx.assignments().accounts_of_permission_set(r.permission_set_arn, pr));
      for (const auto& row : p.items) accounts.emplace_back(row.account_id, row);
      if (!p.more || p.items.empty()) return {};
      pr.after_id = p.items.back().account_id;
    }
  });
  if (!read) return std::unexpected(read.error());
  if (!ps) return finish(r, {false, "The permission set " + r.permission_set_arn + " no longer exists."}, nullptr);
  auto spec = role_for(r.instance_arn, *ps, naming_);
  std::vector<std::string> done;
  std::string reasons;
  for (const auto& [account, current] : accounts) {
    std::optional<domain::role_location> previous;
    if (current) previous = domain::recorded_role(*current, ps->name);
    auto o = provision_into(r.instance_arn, account, spec, previous);
    if (o.ok) done.push_back(account);
    else reasons += (reasons.empty() ? "" : "; ") + o.reason;
  }
  outcome all{reasons.empty(), reasons};
  sys_time now = clock_.now();
  // Accounts that did get the new role are recorded even when another failed.
  auto record = [&](store::transaction& tx) -> result<void> {
    for (const auto& account : done)
      if (auto p = tx.assignments().put_provisioned(
              {account, r.permission_set_arn, ps->version, now, spec.role_name, spec.path});
          !p)
        return p;
    return {};
  };
  if (all.ok) return finish(r, all, record);
  auto ctx = job_context(r);
  auto written = store_.write<std::monostate>(
      ctx,
      [&](store::transaction& tx) -> result<std::monostate> {
        if (auto p = record(tx); !p) return std::unexpected(p.error());
        if (auto f = tx.assignments().finish_request(r.request_id, domain::request_status::failed, reasons); !f)
          return std::unexpected(f.error());
        return std::monostate{};
      },
      json_text_of([&](const std::monostate&) {
        return nlohmann::json{{"requestId", r.request_id}, {"status", "FAILED"}, {"failureReason", reasons}};
      }));
  if (!written) return std::unexpected(written.error());
  return {};
}

}  // namespace atrium::service
