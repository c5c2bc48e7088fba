#pragma once
// The background worker of the asynchronous sso-admin requests (architecture guide, service/:
// "background jobs (async assignments, provisioning) live here"). Jobs are the IN_PROGRESS rows
// of assignment_requests, so nothing is lost on a crash: on start the worker resumes them.
// Issue 18 item 4: the worker takes the pending requests in batches and runs them in lanes, one
// lane per (account, permission set) in creation order (a ProvisionPermissionSet of all the
// permission set's accounts takes every request of that permission set in the batch into one
// lane), so that provisioner calls for the same role never race; up to `parallelism` lanes run
// at once (provisioner.parallelism), and their final writes meet in the store's group commit:
// several jobs per durable commit instead of one. Every call to the provisioner is idempotent
// (account_provisioner.hpp), so a job repeated after a crash is harmless.
// Several nodes share the queue (issue 13 item 2): before running a round of requests a node
// takes their leases (each an id and an expiry, migration 0020) in one write, renews them while
// the round runs, gives back what it did not finish, and a request whose node died is taken by
// another node once the lease expired. A lane stops at a request
// another node holds (its later requests wait for the next round, so that two nodes never run
// one role's requests out of order).
#include <atomic>
#include <chrono>
#include <string>
#include <condition_variable>
#include <future>
#include <map>
#include <mutex>
#include <thread>
#include <vector>

#include "service/sso_admin/assignment_service.hpp"

namespace atrium::service {

// Who takes jobs and for how long (provisioner.job_lease_seconds).
struct job_lease {
  std::string owner = "local";  // this node's id: unique per process
  std::chrono::milliseconds duration{60'000};
};

class provisioning_jobs {
 public:
  // `naming`: how roles are named in accounts (provisioner.role_name_prefix / role_path). A
  // permission set provisioned under another name is moved at its next provisioning: the role
  // of the new name is made, then the old one deleted (docs/provisioning.md "Role names").
  // `parallelism`: how many lanes run at once (1: one job after the other, as before).
  provisioning_jobs(audited_store& store, const clock& clk, account_provisioner& prov, assignment_lookups lookups,
                    domain::role_naming naming = {}, int parallelism = 16, job_lease lease = {});
  ~provisioning_jobs();
  provisioning_jobs(const provisioning_jobs&) = delete;
  provisioning_jobs& operator=(const provisioning_jobs&) = delete;

  // Starts the worker thread; it runs what is pending at once, then whatever is notified, and
  // looks again every `poll` (requests queued inside other transactions, e.g. a user delete).
  void start(std::chrono::milliseconds poll = std::chrono::milliseconds(500));
  void stop();
  void notify();

  // Runs every pending request once (the worker's loop body; tests call it directly), lanes on
  // the calling thread and up to parallelism - 1 helpers. Returns how many finished (SUCCEEDED
  // or FAILED); a request whose final write failed stays IN_PROGRESS, with the rest of its lane,
  // and is tried again.
  result<int> run_pending();

  // The lanes of one batch: indexes into `batch`, each lane in creation order (exposed for tests).
  static std::vector<std::vector<std::size_t>> lanes_of(const std::vector<domain::request_record>& batch);

 private:
  struct outcome {
    bool ok = true;
    std::string reason;
  };
  // The pending requests, oldest first (at most 200).
  result<std::vector<domain::request_record>> next_batch();
  // Runs a batch in its lanes, up to parallelism_ at once, after taking the leases of the round's
  // requests in one write (at most 4 lanes per runner; the rest wait for the next round); how
  // many finished.
  result<int> run_batch(const std::vector<domain::request_record>& batch);
  result<void> run_one(const domain::request_record& r);
  result<void> run_create(const domain::request_record& r);
  result<void> run_delete(const domain::request_record& r);
  result<void> run_provision(const domain::request_record& r);
  // Finishes the request and writes the job's CloudTrail record, with `more` run in the same
  // transaction when the work succeeded.
  result<void> finish(const domain::request_record& r, const outcome& o,
                      const std::function<result<void>(store::transaction&)>& more);
  // Puts `spec` into the account; `previous` is the role recorded there (if any), deleted
  // afterwards when its name differs.
  outcome provision_into(const std::string& instance_arn, const std::string& account_id, const role_spec& spec,
                         const std::optional<domain::role_location>& previous);
  // The account's SAML provider, ensured once per batch: the first lane of the account calls the
  // provisioner, the others of the batch wait for and share its outcome.
  outcome ensure_provider(const std::string& instance_arn, const std::string& account_id);
  void loop(std::chrono::milliseconds poll);
  bool stopping();

  audited_store& store_;
  const clock& clock_;
  account_provisioner& provisioner_;
  assignment_lookups lookups_;
  domain::role_naming naming_;
  int parallelism_;
  job_lease lease_;
  // The current batch's SAML providers (account, name, metadata) -> outcome. Kept for one batch
  // only, in memory: it saves calls and is no state another node needs (each node ensures the
  // providers of its own batches; the call is idempotent).
  std::mutex providers_mu_;
  std::map<std::string, std::shared_future<outcome>> providers_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool wake_ = false;
  bool stopping_ = false;
  std::thread worker_;
};

}  // namespace atrium::service
