// SCIM load generator: an identity provider's first sync, then steady-state changes.
//
// Phase "users": for each user, GET /Users?filter=userName eq "…" (expects no match), then
// POST /Users. Phase "groups": for each group, POST /Groups (displayName, externalId), then
// PATCH /Groups/{id} adding its members in batches: the pattern of Okta's and Entra ID's first
// push. Both phases hand out work from one shared queue to
// N keep-alive connections (an IdP's concurrency setting). Then an untimed check of the counts,
// then phase "steady": for a fixed time, PATCH /Users (replace title and active) and
// PATCH /Groups (add one member, later remove it), half and half.
//
// Memberships: each user joins `--groups-per-user` distinct groups drawn with Zipf (s = 1)
// weights over the groups, so group sizes are skewed: with 50,000 users in 10,000 groups (seed
// 1) the largest has 13,852 members, 14 have over 1,000, the median group has 3, p90 16, p99 157,
// and 680 are empty (`--plan-only` prints this). Steady-state group changes pick groups with
// the same weights.
//
// All clients are coroutines on one thread (the generator takes at most one core). Prints one
// JSON line. Usage:
//   scim_sync_load --endpoint 127.0.0.1:8443 --tls --token T --users 50000 --groups 10000
//   scim_sync_load --plan-only --users 50000 --groups 10000
#include "http_load.hpp"

#include <CLI/CLI.hpp>
#include <iostream>
#include <map>
#include <nlohmann/json.hpp>
#include <numeric>
#include <random>

using nlohmann::json;
using namespace atrium::bench;
using clock_type = std::chrono::steady_clock;

namespace {

constexpr const char* patch_urn = "urn:ietf:params:scim:api:messages:2.0:PatchOp";

struct options {
  endpoint ep;
  std::string base_path = "/scim/v2", token, nonce;
  int users = 50'000, groups = 10'000, groups_per_user = 3, batch = 100, clients = 8;
  double steady_seconds = 15, phase_timeout = 600;
  int request_timeout = 120;
  std::uint64_t seed = 1;
  int max_printed_errors = 5;
};

// Who is in which group; fixed by the seed so both servers get the same load.
struct plan {
  std::vector<std::vector<int>> user_groups;  // user -> its groups
  std::vector<std::vector<int>> members;      // group -> its users, ascending
  std::vector<int> group_order;               // order in which groups are pushed
  std::vector<double> cdf;                    // Zipf cumulative weights over groups
  long memberships = 0;

  int draw_group(std::mt19937_64& rng) const {
    double x = std::uniform_real_distribution<double>(0, cdf.back())(rng);
    return static_cast<int>(std::upper_bound(cdf.begin(), cdf.end(), x) - cdf.begin());
  }
  bool is_member(int user, int group) const {
    const auto& g = user_groups[static_cast<std::size_t>(user)];
    return std::find(g.begin(), g.end(), group) != g.end();
  }
};

plan make_plan(const options& o) {
  plan p;
  double sum = 0;
  for (int r = 1; r <= o.groups; ++r) p.cdf.push_back(sum += 1.0 / r);
  std::mt19937_64 rng(o.seed);
  p.user_groups.resize(static_cast<std::size_t>(o.users));
  p.members.resize(static_cast<std::size_t>(o.groups));
  int per_user = std::min(o.groups_per_user, o.groups);
  for (int u = 0; u < o.users; ++u) {
    auto& mine = p.user_groups[static_cast<std::size_t>(u)];
    while (static_cast<int>(mine.size()) < per_user) {
      int g = p.draw_group(rng);
      if (std::find(mine.begin(), mine.end(), g) == mine.end()) mine.push_back(g);
    }
    for (int g : mine) p.members[static_cast<std::size_t>(g)].push_back(u);
    p.memberships += per_user;
  }
  p.group_order.resize(static_cast<std::size_t>(o.groups));
  std::iota(p.group_order.begin(), p.group_order.end(), 0);
  std::shuffle(p.group_order.begin(), p.group_order.end(), rng);
  return p;
}

// Group sizes of the plan, for the report: the distribution the membership load has.
json plan_summary(const plan& p, int batch) {
  std::vector<std::size_t> sizes;
  long patches = 0, empty = 0, over_1000 = 0;
  for (const auto& m : p.members) {
    sizes.push_back(m.size());
    patches += static_cast<long>((m.size() + static_cast<std::size_t>(batch) - 1) / static_cast<std::size_t>(batch));
    empty += m.empty() ? 1 : 0;
    over_1000 += m.size() > 1000 ? 1 : 0;
  }
  std::sort(sizes.begin(), sizes.end());
  auto at = [&](double q) { return sizes.empty() ? 0 : sizes[static_cast<std::size_t>(q * static_cast<double>(sizes.size() - 1))]; };
  json top = json::array();
  for (std::size_t i = 0; i < 5 && i < sizes.size(); ++i) top.push_back(sizes[sizes.size() - 1 - i]);
  return {{"memberships", p.memberships}, {"empty_groups", empty}, {"groups_over_1000", over_1000},
          {"size_p50", at(0.5)}, {"size_p90", at(0.9)}, {"size_p99", at(0.99)}, {"largest", top},
          {"member_patches", patches}};
}

// Latencies per request kind, errors, and how much of the phase's work got done.
struct phase_stats {
  std::map<std::string, std::vector<double>> ms;
  long errors = 0, items = 0, memberships = 0;
  bool complete = true;
  double seconds = 0;
  std::vector<std::string> first_errors;

  void failed(const std::string& what, const options& o) {
    if (errors++ < o.max_printed_errors) {
      first_errors.push_back(what);
      std::cerr << "error: " << what << "\n";
    }
  }
};

std::string url_encode(std::string_view s) {
  static const char* hex = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += hex[c >> 4];
      out += hex[c & 15];
    }
  }
  return out;
}

// One IdP connection: bearer token, SCIM media type, the latency and status check of each call.
class scim_client {
 public:
  scim_client(net::io_context& ioc, net::ssl::context& tls, const options& o) : o_(o), http_(ioc, tls, o.ep) {}

  // Returns the answer, or status 0 after a transport failure (counted as an error; the next
  // call reconnects). A status outside `ok` is an error too.
  net::awaitable<reply> call(bhttp::verb verb, std::string target, std::string body, phase_stats& s,
                             const std::string& kind, int ok, int also_ok = -1) {
    bhttp::request<bhttp::string_body> req{verb, o_.base_path + target, 11};
    req.set(bhttp::field::authorization, "Bearer " + o_.token);
    req.set(bhttp::field::accept, "application/scim+json");
    if (!body.empty()) req.set(bhttp::field::content_type, "application/scim+json");
    req.body() = std::move(body);
    reply r;
    auto start = clock_type::now();
    try {
      r = co_await http_.send(req, std::chrono::seconds(o_.request_timeout));
    } catch (const std::exception& e) {
      http_.drop();
      r = reply{0, std::string("transport: ") + e.what()};
    }
    s.ms[kind].push_back(ms_since(start));
    if (r.status != ok && r.status != also_ok)
      s.failed(kind + " " + std::string(req.target()) + " -> " + std::to_string(r.status) + " " + r.body.substr(0, 300), o_);
    co_return r;
  }

 private:
  const options& o_;
  http_client http_;
};

// The shared state of a run: the plan and the ids the server gave out.
struct run_state {
  const options& o;
  const plan& p;
  std::vector<std::string> user_ids, group_ids;  // empty string: not created
  std::vector<long> members_added;                // per group, by the first sync
  std::size_t next = 0;                           // the phases' shared work queue
  clock_type::time_point phase_deadline;
};

std::string user_name(const run_state& st, int u) { return "u" + std::to_string(u) + "-" + st.o.nonce + "@bench.example"; }

std::string user_body(const run_state& st, int u) {
  auto name = user_name(st, u);
  json j = {{"schemas", {"urn:ietf:params:scim:schemas:core:2.0:User"}},
            {"userName", name},
            {"externalId", "ext-u" + std::to_string(u) + "-" + st.o.nonce},
            {"name", {{"givenName", "Given" + std::to_string(u)}, {"familyName", "Family"}}},
            {"displayName", "Given" + std::to_string(u) + " Family"},
            {"title", "Engineer"},
            {"active", true},
            {"emails", json::array({{{"value", name}, {"type", "work"}, {"primary", true}}})}};
  return j.dump();
}

std::string id_of(const reply& r) {
  if (r.status != 201) return {};
  auto j = json::parse(r.body, nullptr, false);
  return j.is_object() && j.contains("id") && j["id"].is_string() ? j["id"].get<std::string>() : std::string();
}

bool out_of_time(run_state& st, phase_stats& s) {
  if (clock_type::now() < st.phase_deadline) return false;
  s.complete = false;
  return true;
}

net::awaitable<void> push_users(net::io_context& ioc, net::ssl::context& tls, run_state& st, phase_stats& s) {
  scim_client c(ioc, tls, st.o);
  while (st.next < st.user_ids.size() && !out_of_time(st, s)) {
    int u = static_cast<int>(st.next++);
    std::string filter = "userName eq \"" + user_name(st, u) + "\"";
    auto found = co_await c.call(bhttp::verb::get, "/Users?filter=" + url_encode(filter), "", s, "GET /Users?filter", 200);
    if (found.status == 200) {
      auto j = json::parse(found.body, nullptr, false);
      if (!j.is_object() || j.value("totalResults", -1) != 0) s.failed("GET /Users?filter: expected no match: " + found.body.substr(0, 300), st.o);
    }
    auto created = co_await c.call(bhttp::verb::post, "/Users", user_body(st, u), s, "POST /Users", 201);
    st.user_ids[static_cast<std::size_t>(u)] = id_of(created);
    if (!st.user_ids[static_cast<std::size_t>(u)].empty()) ++s.items;
  }
}

// The PATCH body adding users[from, to) to a group, and how many members it names.
std::pair<std::string, long> members_patch(const run_state& st, const std::vector<int>& users, std::size_t from,
                                           std::size_t to) {
  json values = json::array();
  for (std::size_t i = from; i < to; ++i) {
    const auto& id = st.user_ids[static_cast<std::size_t>(users[i])];
    if (!id.empty()) values.push_back({{"value", id}});  // a user whose creation failed is left out
  }
  long n = static_cast<long>(values.size());
  json j = {{"schemas", {patch_urn}}, {"Operations", json::array({{{"op", "add"}, {"path", "members"}, {"value", std::move(values)}}})}};
  return {j.dump(), n};
}

net::awaitable<void> push_groups(net::io_context& ioc, net::ssl::context& tls, run_state& st, phase_stats& s) {
  scim_client c(ioc, tls, st.o);
  while (st.next < st.p.group_order.size() && !out_of_time(st, s)) {
    int g = st.p.group_order[st.next++];
    json group = {{"schemas", {"urn:ietf:params:scim:schemas:core:2.0:Group"}},
                  {"displayName", "group-" + std::to_string(g) + "-" + st.o.nonce},
                  {"externalId", "ext-g" + std::to_string(g) + "-" + st.o.nonce}};
    auto created = co_await c.call(bhttp::verb::post, "/Groups", group.dump(), s, "POST /Groups", 201);
    auto id = id_of(created);
    if (id.empty()) continue;
    st.group_ids[static_cast<std::size_t>(g)] = id;
    ++s.items;
    const auto& users = st.p.members[static_cast<std::size_t>(g)];
    auto batch = static_cast<std::size_t>(st.o.batch);
    for (std::size_t from = 0; from < users.size() && !out_of_time(st, s); from += batch) {
      std::size_t to = std::min(users.size(), from + batch);
      auto [body, n] = members_patch(st, users, from, to);
      if (n == 0) continue;  // every user of this batch failed to be created
      auto r = co_await c.call(bhttp::verb::patch, "/Groups/" + id, std::move(body), s, "PATCH /Groups (add members)", 200, 204);
      if (r.status != 200 && r.status != 204) continue;
      s.memberships += n;
      st.members_added[static_cast<std::size_t>(g)] += n;
    }
  }
}

int random_created_user(const run_state& st, std::mt19937_64& rng, int stride = 1, int offset = 0) {
  int slots = (st.o.users - offset + stride - 1) / stride;
  if (slots <= 0) return -1;
  for (int tries = 0; tries < 1000; ++tries) {
    int u = offset + stride * std::uniform_int_distribution<int>(0, slots - 1)(rng);
    if (!st.user_ids[static_cast<std::size_t>(u)].empty()) return u;
  }
  return -1;
}

struct change {
  std::string target, body, kind;
};

std::string patch_body(json operations) {
  json j = {{"schemas", {patch_urn}}, {"Operations", std::move(operations)}};
  return j.dump();
}

std::optional<change> user_change(const run_state& st, std::mt19937_64& rng, long turn) {
  int u = random_created_user(st, rng);
  if (u < 0) return std::nullopt;
  json ops = json::array({{{"op", "replace"}, {"path", "title"}, {"value", "Title " + std::to_string(turn)}},
                          {{"op", "replace"}, {"path", "active"}, {"value", turn % 4 != 0}}});
  return change{"/Users/" + st.user_ids[static_cast<std::size_t>(u)], patch_body(ops), "PATCH /Users"};
}

// Adds a user to a group (drawn by size), or removes the one added on the previous turn.
std::optional<change> group_change(const run_state& st, std::mt19937_64& rng, int k,
                                   std::optional<std::pair<int, int>>& pending) {
  const char* kind = "PATCH /Groups (1 member)";
  if (pending) {
    auto [g, u] = *pending;
    pending.reset();
    std::string path = "members[value eq \"" + st.user_ids[static_cast<std::size_t>(u)] + "\"]";
    return change{"/Groups/" + st.group_ids[static_cast<std::size_t>(g)],
                  patch_body(json::array({{{"op", "remove"}, {"path", path}}})), kind};
  }
  int g = -1, u = -1;
  for (int tries = 0; tries < 1000 && (g < 0 || st.group_ids[static_cast<std::size_t>(g)].empty()); ++tries)
    g = st.p.draw_group(rng);
  for (int tries = 0; tries < 1000 && (u < 0 || st.p.is_member(u, g)); ++tries)
    u = random_created_user(st, rng, st.o.clients, k);
  if (g < 0 || u < 0 || st.group_ids[static_cast<std::size_t>(g)].empty() || st.p.is_member(u, g)) return std::nullopt;
  pending = std::pair{g, u};
  json value = json::array({{{"value", st.user_ids[static_cast<std::size_t>(u)]}}});
  return change{"/Groups/" + st.group_ids[static_cast<std::size_t>(g)],
                patch_body(json::array({{{"op", "add"}, {"path", "members"}, {"value", value}}})), kind};
}

// Half the requests change a user (title and active, as an HR attribute change or a
// suspension would); the other half add a user to a group (chosen by size) and, on the next
// turn, remove them again. Client k only moves users u with u % clients == k, so no two
// connections touch the same membership.
net::awaitable<void> steady_client(net::io_context& ioc, net::ssl::context& tls, run_state& st, phase_stats& s,
                                   int k, clock_type::time_point deadline) {
  scim_client c(ioc, tls, st.o);
  std::mt19937_64 rng(st.o.seed * 7919 + static_cast<std::uint64_t>(k));
  std::optional<std::pair<int, int>> pending;  // (group, user) added last turn
  for (long turn = k; clock_type::now() < deadline; ++turn) {
    auto next = turn % 2 == 0 ? user_change(st, rng, turn) : group_change(st, rng, k, pending);
    if (!next) co_return;
    co_await c.call(bhttp::verb::patch, next->target, next->body, s, next->kind, 200, 204);
    ++s.items;
  }
}

// Untimed: the server holds what was pushed (user and group counts, the largest group's size).
net::awaitable<void> verify(net::io_context& ioc, net::ssl::context& tls, run_state& st, phase_stats& s, json& out) {
  scim_client c(ioc, tls, st.o);
  auto total = [](const reply& r) {
    auto j = json::parse(r.body, nullptr, false);
    return j.is_object() ? j.value("totalResults", -1L) : -1L;
  };
  auto users = co_await c.call(bhttp::verb::get, "/Users?count=1", "", s, "GET /Users?count=1", 200);
  auto groups = co_await c.call(bhttp::verb::get, "/Groups?count=1&excludedAttributes=members", "", s, "GET /Groups?count=1", 200);
  long want_users = std::count_if(st.user_ids.begin(), st.user_ids.end(), [](auto& id) { return !id.empty(); });
  long want_groups = std::count_if(st.group_ids.begin(), st.group_ids.end(), [](auto& id) { return !id.empty(); });
  out = {{"users", total(users)}, {"users_expected", want_users}, {"groups", total(groups)}, {"groups_expected", want_groups}};
  if (total(users) != want_users || total(groups) != want_groups) s.failed("verify: counts differ: " + out.dump(), st.o);
  std::string largest = st.group_ids.empty() ? std::string() : st.group_ids[0];  // rank 1 of the Zipf weights
  if (largest.empty()) co_return;
  auto g = co_await c.call(bhttp::verb::get, "/Groups/" + largest, "", s, "GET /Groups/{id}", 200);
  auto j = json::parse(g.body, nullptr, false);
  long members = j.is_object() && j.contains("members") ? static_cast<long>(j["members"].size()) : -1;
  long want = st.members_added[0];
  out["largest_group_members"] = members;
  out["largest_group_expected"] = want;
  if (members != want) s.failed("verify: largest group has " + std::to_string(members) + " members, expected " + std::to_string(want), st.o);
}

json summary(phase_stats& s, long items) {
  std::vector<double> all;
  json kinds = json::object();
  for (auto& [kind, v] : s.ms) {
    all.insert(all.end(), v.begin(), v.end());
    kinds[kind] = {{"requests", v.size()}, {"req_per_s", static_cast<double>(v.size()) / s.seconds},
                   {"p50_ms", percentile(v, 0.50)}, {"p99_ms", percentile(v, 0.99)}};
  }
  json j = {{"requests", all.size()}, {"seconds", s.seconds}, {"req_per_s", static_cast<double>(all.size()) / s.seconds},
            {"items", items}, {"items_per_s", static_cast<double>(items) / s.seconds},
            {"p50_ms", percentile(all, 0.50)}, {"p99_ms", percentile(all, 0.99)},
            {"errors", s.errors}, {"complete", s.complete}, {"kinds", kinds}};
  if (!s.first_errors.empty()) j["first_errors"] = s.first_errors;
  return j;
}

// Runs `make(i)` for i in [0, clients) to completion and times it.
template <typename Make>
void run_phase(net::io_context& ioc, phase_stats& s, int clients, Make make) {
  auto start = clock_type::now();
  std::exception_ptr failure;
  for (int i = 0; i < clients; ++i)
    net::co_spawn(ioc, make(i), [&](std::exception_ptr e) {
      if (e && !failure) failure = e;
    });
  ioc.run();
  ioc.restart();
  s.seconds = std::chrono::duration<double>(clock_type::now() - start).count();
  if (failure) std::rethrow_exception(failure);
}

}  // namespace

int main(int argc, char** argv) {
  options o;
  CLI::App app{"SCIM first-sync and steady-state load generator"};
  std::string host_port = "127.0.0.1:8443";
  bool tls_on = false;
  app.add_option("--endpoint", host_port, "host:port");
  app.add_flag("--tls", tls_on, "HTTPS (certificate not verified)");
  app.add_option("--base-path", o.base_path, "SCIM base path");
  bool plan_only = false;
  app.add_option("--token", o.token, "bearer token (required unless --plan-only)");
  app.add_flag("--plan-only", plan_only, "print the membership plan's group sizes and exit");
  app.add_option("--users", o.users)->check(CLI::Range(1, 10'000'000));
  app.add_option("--groups", o.groups)->check(CLI::Range(1, 1'000'000));
  app.add_option("--groups-per-user", o.groups_per_user)->check(CLI::Range(0, 100));
  app.add_option("--batch", o.batch, "members per PATCH in the first sync")->check(CLI::Range(1, 10'000));
  app.add_option("--clients", o.clients, "concurrent connections")->check(CLI::Range(1, 1024));
  app.add_option("--steady-seconds", o.steady_seconds)->check(CLI::Range(0.0, 3600.0));
  app.add_option("--phase-timeout", o.phase_timeout, "seconds; a sync phase stops taking work after this")->check(CLI::Range(1.0, 86400.0));
  app.add_option("--request-timeout", o.request_timeout, "seconds")->check(CLI::Range(1, 3600));
  app.add_option("--seed", o.seed, "membership plan and steady-state choices");
  CLI11_PARSE(app, argc, argv);
  o.ep = parse_endpoint(host_port, tls_on);
  o.nonce = std::to_string(std::random_device{}() % 1'000'000);

  plan p = make_plan(o);
  if (plan_only) {
    std::cout << plan_summary(p, o.batch).dump() << std::endl;
    return 0;
  }
  if (o.token.empty()) {
    std::cerr << "--token is required\n";
    return 2;
  }
  net::io_context ioc;
  net::ssl::context tls = insecure_tls_client();
  run_state st{o, p, std::vector<std::string>(static_cast<std::size_t>(o.users)),
               std::vector<std::string>(static_cast<std::size_t>(o.groups)),
               std::vector<long>(static_cast<std::size_t>(o.groups)), 0, {}};
  auto deadline_in = [](double seconds) {
    return clock_type::now() + std::chrono::duration_cast<clock_type::duration>(std::chrono::duration<double>(seconds));
  };

  phase_stats users, groups, checks, steady;
  st.next = 0, st.phase_deadline = deadline_in(o.phase_timeout);
  run_phase(ioc, users, o.clients, [&](int) { return push_users(ioc, tls, st, users); });
  st.next = 0, st.phase_deadline = deadline_in(o.phase_timeout);
  run_phase(ioc, groups, o.clients, [&](int) { return push_groups(ioc, tls, st, groups); });
  json verified;
  run_phase(ioc, checks, 1, [&](int) { return verify(ioc, tls, st, checks, verified); });
  verified["errors"] = checks.errors;
  auto steady_end = deadline_in(o.steady_seconds);
  if (o.steady_seconds > 0)
    run_phase(ioc, steady, o.clients, [&](int k) { return steady_client(ioc, tls, st, steady, k, steady_end); });

  std::size_t largest = 0;
  for (const auto& m : p.members) largest = std::max(largest, m.size());
  json phases = {{"users", summary(users, users.items)}, {"groups", summary(groups, groups.items)}};
  phases["groups"]["memberships"] = groups.memberships;
  phases["groups"]["memberships_per_s"] = static_cast<double>(groups.memberships) / groups.seconds;
  // The whole sync as one phase, for total time and the p99 over every request of it.
  phase_stats sync;
  sync.seconds = users.seconds + groups.seconds;
  sync.errors = users.errors + groups.errors;
  sync.complete = users.complete && groups.complete;
  for (auto* ph : {&users, &groups})
    for (auto& [kind, v] : ph->ms) sync.ms["all"].insert(sync.ms["all"].end(), v.begin(), v.end());
  json sync_j = summary(sync, users.items);
  sync_j.erase("kinds");
  if (o.steady_seconds > 0) phases["steady"] = summary(steady, steady.items);
  json out = {{"users", o.users}, {"groups", o.groups}, {"groups_per_user", o.groups_per_user},
              {"planned_memberships", p.memberships}, {"largest_group", largest}, {"batch", o.batch},
              {"clients", o.clients}, {"plan", plan_summary(p, o.batch)}, {"sync", sync_j}, {"phases", phases},
              {"verify", verified}};
  std::cout << out.dump() << std::endl;
  return 0;
}
