#pragma once
// The background worker of the asynchronous sso-admin requests (architecture guide, service/:
// "background jobs (async assignments, provisioning) live here"). Jobs are the IN_PROGRESS rows
// of assignment_requests, so nothing is lost on a crash: on start the worker resumes them. One
// thread per node runs them in creation order. Several nodes share the queue (issue 13 item 2):
// a node claims a job with a lease (its id and an expiry, migration 0020; on PostgreSQL with
// SELECT ... FOR UPDATE SKIP LOCKED), renews the lease while the job runs, and a job whose node
// died is claimed by another node once the lease expired. Every call to the provisioner is
// idempotent (account_provisioner.hpp), so a job repeated after a crash is harmless; two nodes
// may run different jobs of the same role at once (the last write wins, as with two admins).
#include <atomic>
#include <chrono>
#include <optional>
#include <string>
#include <condition_variable>
#include <mutex>
#include <thread>

#include "service/sso_admin/assignment_service.hpp"

namespace atrium::service {

// Who claims jobs and for how long (provisioner.job_lease_seconds).
struct job_lease {
  std::string owner = "local";  // this node's id: unique per process
  std::chrono::milliseconds duration{60'000};
};

class provisioning_jobs {
 public:
  // `naming`: how roles are named in accounts (provisioner.role_name_prefix / role_path). A
  // permission set provisioned under another name is moved at its next provisioning: the role
  // of the new name is made, then the old one deleted (docs/provisioning.md "Role names").
  provisioning_jobs(audited_store& store, const clock& clk, account_provisioner& prov, assignment_lookups lookups,
                    domain::role_naming naming = {}, job_lease lease = {});
  ~provisioning_jobs();
  provisioning_jobs(const provisioning_jobs&) = delete;
  provisioning_jobs& operator=(const provisioning_jobs&) = delete;

  // Starts the worker thread; it runs what is pending at once, then whatever is notified, and
  // looks again every `poll` (requests queued inside other transactions, e.g. a user delete).
  void start(std::chrono::milliseconds poll = std::chrono::milliseconds(500));
  void stop();
  void notify();

  // Claims and runs pending requests one at a time on the calling thread until none is free
  // (the worker's loop body; tests call it directly). Returns how many finished (SUCCEEDED or
  // FAILED); a request whose final write failed stays IN_PROGRESS, its lease given back, and
  // is tried again.
  result<int> run_pending();

 private:
  struct outcome {
    bool ok = true;
    std::string reason;
  };
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
  void loop(std::chrono::milliseconds poll);

  audited_store& store_;
  const clock& clock_;
  account_provisioner& provisioner_;
  assignment_lookups lookups_;
  domain::role_naming naming_;
  job_lease lease_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool wake_ = false;
  bool stopping_ = false;
  std::thread worker_;
};

}  // namespace atrium::service
