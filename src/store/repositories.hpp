#pragma once
// Narrow repository interfaces, one per aggregate (lldap's habit, architecture guide "Storage").
// store/sqlite and store/postgresql implement the same ones. Nothing
// above store/ sees SQL. Every method returns result<>; uniqueness violations come back as
// errc::conflict, a stale expected_version as errc::concurrent_modification.
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "base/result.hpp"
#include "domain/identity.hpp"
#include "store/records.hpp"

namespace atrium::store {

// Aggregates of the organization/sso-admin side, each in its own header so that a change to
// one does not rebuild everything that includes this file.
class organization_repository;
class permission_set_repository;
class assignment_repository;
class admin_policy_repository;
class credential_repository;
class mfa_device_repository;
class session_repository;
class oidc_repository;
class application_repository;
class webauthn_challenge_repository;
class external_idp_repository;
class transient_state_repository;
class mail_outbox_repository;

// Keyset pagination: rows strictly after `after_id` in id order. Stable while rows are
// inserted and deleted between pages: nothing that exists throughout is skipped or repeated.
struct page_request {
  std::string after_id;  // empty: from the start
  int limit = 100;
  int64_t offset = 0;    // rows to skip after after_id (SCIM startIndex paging; O(offset))
};

template <class T>
struct page {
  std::vector<T> items;
  bool more = false;  // another page exists after items.back()
};

struct user_filter {
  std::optional<std::string> id;
  std::optional<std::string> user_name_key;  // domain::fold_key applied
  std::optional<std::string> email_key;
  std::optional<domain::external_id> external_id;
  std::optional<std::string> manager_id;
  // Direct members of at least one of these groups (SCIM groups.value; the service passes the
  // group and every group nested inside it). An empty list matches nothing.
  std::optional<std::vector<std::string>> member_of_any;
};

struct group_filter {
  std::optional<std::string> id;
  std::optional<std::string> display_name_key;
  std::optional<domain::external_id> external_id;
  std::optional<std::string> member_id;  // groups with this user or group as a direct member
};

// The console's search (AtriumAdmin.SearchUsers / SearchGroups, docs/admin-console.md
// "Search and sort"): the rows whose sort column (users: user name, display name or primary
// e-mail; groups: display name) starts with `prefix_key` (folded; empty: every row), in that
// column's order, keyset-paged on (that column, id), so that a page is one range of one index
// whatever its depth. Each order has its own index (migration 0022).
enum class user_sort { user_name, display_name, email };

struct search_request {
  std::string prefix_key;  // domain::fold_key applied
  user_sort sort = user_sort::user_name;  // users only; groups sort by display name
  bool descending = false;
  std::optional<std::pair<std::string, std::string>> after;  // (sort key, id) of the last row shown
  int limit = 25;
};

// A member as the membership row holds it, without decoding the row's document.
struct member_ref {
  std::string id;
  domain::member_kind kind = domain::member_kind::user;
  friend bool operator==(const member_ref&, const member_ref&) = default;
};

class user_repository {
 public:
  virtual ~user_repository() = default;
  virtual result<std::optional<domain::user>> get(const std::string& id) = 0;
  virtual result<page<domain::user>> list(const user_filter& f, const page_request& p) = 0;
  virtual result<void> insert(const domain::user& u) = 0;
  // Replaces the row when its stored version equals expected_version.
  virtual result<void> update(const domain::user& u, int64_t expected_version) = 0;
  virtual result<bool> remove(const std::string& id) = 0;
  virtual result<int64_t> count() = 0;
  virtual result<int64_t> count_matching(const user_filter& f) = 0;
  virtual result<page<domain::user>> search(const search_request& q) = 0;
};

class group_repository {
 public:
  virtual ~group_repository() = default;
  virtual result<std::optional<domain::group>> get(const std::string& id) = 0;
  virtual result<page<domain::group>> list(const group_filter& f, const page_request& p) = 0;
  virtual result<void> insert(const domain::group& g) = 0;
  virtual result<void> update(const domain::group& g, int64_t expected_version) = 0;
  virtual result<bool> remove(const std::string& id) = 0;
  virtual result<int64_t> count() = 0;
  virtual result<int64_t> count_matching(const group_filter& f) = 0;
  virtual result<page<domain::group>> search(const search_request& q) = 0;
};

class membership_repository {
 public:
  virtual ~membership_repository() = default;
  virtual result<std::optional<domain::membership>> get(const std::string& id) = 0;
  virtual result<std::optional<domain::membership>> find(const std::string& group_id,
                                                         const std::string& member_id) = 0;
  virtual result<void> insert(const domain::membership& m) = 0;  // duplicate pair -> conflict
  virtual result<bool> remove(const std::string& id) = 0;
  // User members only (the identitystore API's MemberId names users; nested groups are seen
  // through members_of and groups_of).
  virtual result<page<domain::membership>> list_by_group(const std::string& group_id,
                                                         const page_request& p) = 0;
  virtual result<page<domain::membership>> list_by_member(const std::string& member_id,
                                                          const page_request& p) = 0;
  // Removes every membership where id is the group or the member; returns how many.
  virtual result<int64_t> remove_all_for(const std::string& id) = 0;
  virtual result<int64_t> count_for_group(const std::string& group_id) = 0;
  // Direct members of a group in id order, from the row columns (no document decoding).
  virtual result<std::vector<member_ref>> members_of(const std::string& group_id) = 0;
  // Ids of the groups `member_id` is a direct member of.
  virtual result<std::vector<std::string>> groups_of(const std::string& member_id) = 0;
  // Removes the (group, member) row; false when there was none.
  virtual result<bool> remove_pair(const std::string& group_id, const std::string& member_id) = 0;
  // Removes every direct member of the group; returns how many.
  virtual result<int64_t> remove_all_members(const std::string& group_id) = 0;
};

// SCIM bearer tokens (the guide's "access tokens" of automatic provisioning). Only a hash of
// the secret part is stored.
class scim_token_repository {
 public:
  virtual ~scim_token_repository() = default;
  virtual result<void> insert(const scim_token_record& t) = 0;
  virtual result<std::optional<scim_token_record>> get(const std::string& id) = 0;
  virtual result<std::vector<scim_token_record>> list() = 0;  // oldest first
  virtual result<bool> remove(const std::string& id) = 0;
  virtual result<void> touch(const std::string& id, sys_time last_used) = 0;
};

class audit_repository {
 public:
  virtual ~audit_repository() = default;
  virtual result<void> append(const audit_record& r) = 0;
  // Newest first, at most q.limit records.
  virtual result<std::vector<audit_record>> query(const audit_query& q) = 0;
};

class access_key_repository {
 public:
  virtual ~access_key_repository() = default;
  virtual result<void> insert(const access_key_record& k) = 0;
  virtual result<std::optional<access_key_record>> get(const std::string& access_key_id) = 0;
  virtual result<std::vector<access_key_record>> list() = 0;
  virtual result<bool> set_status(const std::string& access_key_id, const std::string& status) = 0;
};

// Small key/value settings that belong to the deployment (identity store id, instance id).
class settings_repository {
 public:
  virtual ~settings_repository() = default;
  virtual result<std::optional<std::string>> get(const std::string& key) = 0;
  virtual result<void> put(const std::string& key, const std::string& value) = 0;
};

// One unit of work. Everything done through one transaction commits or rolls back together.
class transaction {
 public:
  virtual ~transaction() = default;
  virtual user_repository& users() = 0;
  virtual group_repository& groups() = 0;
  virtual membership_repository& memberships() = 0;
  virtual audit_repository& audit() = 0;
  virtual access_key_repository& access_keys() = 0;
  virtual settings_repository& settings() = 0;
  virtual scim_token_repository& scim_tokens() = 0;
  virtual organization_repository& organization() = 0;
  virtual permission_set_repository& permission_sets() = 0;
  virtual assignment_repository& assignments() = 0;
  virtual admin_policy_repository& admin_policies() = 0;
  virtual credential_repository& credentials() = 0;
  virtual mfa_device_repository& mfa_devices() = 0;
  virtual session_repository& sessions() = 0;
  virtual oidc_repository& oidc() = 0;
  virtual application_repository& applications() = 0;
  virtual webauthn_challenge_repository& webauthn_challenges() = 0;
  virtual external_idp_repository& external_idps() = 0;
  virtual transient_state_repository& transient_state() = 0;
  virtual mail_outbox_repository& mail_outbox() = 0;
};

using tx_fn = std::function<result<void>(transaction&)>;
// Told a write's outcome once it is known (write_then). On SQLite it is called on the writer
// thread right after the batch's COMMIT and fsync: it must only hand work to another thread
// (post_fn), never do that work there, or every later batch waits for it.
using write_done = std::function<void(result<void>)>;
// Runs a piece of work on another thread (the HTTP worker pool): how a completion leaves the
// writer thread.
using post_fn = std::function<void(std::function<void()>)>;

class database {
 public:
  virtual ~database() = default;
  // A consistent snapshot for reads. Runs on the calling thread (a worker, never a network one).
  virtual result<void> read(const tx_fn& fn) = 0;
  // Runs body with one snapshot that every read() of the calling thread inside it joins,
  // instead of each opening a transaction of its own (issue 18: a point read's access-key check
  // and its operation's read in one read transaction). For bodies that read only: a write made
  // inside would not be seen by the reads after it. A backend whose reads are cheap to open, or
  // a round trip each way (PostgreSQL), runs body as it is (this default). Every backend runs
  // body exactly once: when no shared snapshot can be opened, the reads inside open their own.
  virtual result<void> read_together(const std::function<result<void>()>& body) { return body(); }
  // Serialised writes. When fn returns an error nothing it did is kept. When write() returns
  // success the change is durable (synchronous=FULL by default): the caller may acknowledge it.
  virtual result<void> write(const tx_fn& fn) = 0;
  // A write whose outcome nobody waits for (failed calls' records, session touches). Queued for
  // the writer's next commit at once; durable at that commit, lost only if the process dies
  // before it.
  virtual void write_detached(tx_fn fn) = 0;
  // A write batched with others (the audit records of read calls, issue 18 item 2): held in a
  // bounded in-memory queue and committed in order with the next group commit, or after a flush
  // interval or a number of records, whichever comes first; flushed when the store closes. Never
  // waits for a disk flush unless that queue is full. A crash loses what was still queued (at
  // most one flush interval of records): docs/audit.md "Durability". A backend without such a
  // queue may write them detached (this default).
  virtual void write_deferred(tx_fn fn) { write_detached(std::move(fn)); }
  // A write every reader and node sees when it returns, whose disk flush may wait for the next
  // commit that flushes (issue 18 item 6): for short-lived state whose loss only repeats a step
  // (a sign-in workflow just started, with its CredentialChallenge event). A power cut - not a
  // process crash - may lose it until any later flushed commit. SQLite commits a batch made only
  // of such writes under synchronous=NORMAL (WAL: a later flushed commit carries it to disk); a
  // backend without it flushes (this default).
  virtual result<void> write_visible(const tx_fn& fn) { return write(fn); }
  // write() without a waiting caller (issue 18 item 3): fn runs in the writer's batch
  // transaction as for write(), and on_done gets write()'s result once the batch committed (and
  // flushed), or its error; exactly once, also when the store closes (every queued job runs
  // first). No thread is parked while the group commit runs. A backend without a writer thread
  // of its own (PostgreSQL) writes at once on the calling thread and then calls on_done there
  // (this default): the same semantics, no gain.
  virtual void write_then(tx_fn fn, write_done on_done) { on_done(write(fn)); }
  // Commits every deferred write queued so far: an empty write, which carries them (a reader of
  // the audit table right after a read call, in the same process, calls this first).
  result<void> flush() {
    return write([](transaction&) -> result<void> { return {}; });
  }
  // For /readyz: the database answers and its schema is the version this binary knows (a
  // node of an older build refuses to call itself ready after another node migrated further).
  virtual result<void> ready() = 0;
  // One writer at a time (SQLite): a count read inside write() is exact and costs no conflicts.
  // False on PostgreSQL, where several nodes write at once under SERIALIZABLE and a count read
  // in the write would make every two concurrent creates a read-write cycle (one retried):
  // quotas are then checked in a read before the write (docs/deployment.md "Quotas").
  virtual bool single_writer() const { return true; }
};

}  // namespace atrium::store
