// Micro-benchmark (Google Benchmark) of the password hash alone on one core (issue 5 item 9): one
// argon2id verification at the configured cost, as a sign-in does it. run_signin.py divides the
// server's CPU time per sign-in by this to report the share of a sign-in that is not the hash.
// Cost from the environment so that the bench measures what the server is configured with:
// ATRIUM_ARGON2_MEMORY_KIB (default 19456) and ATRIUM_ARGON2_ITERATIONS (default 2).
// argon2id_verify_fresh_mapping runs the shared libsodium's own verification (a fresh mapping
// per hash) on the same string: the before/after of issue 18 item 6 in one run.
// Run: build/bench/password_hash_bench [--benchmark_min_time=2] [--benchmark_format=json].
#include <benchmark/benchmark.h>
#include <sodium.h>
#include <sys/resource.h>

#include <cstdlib>
#include <string>

#include "crypto/password_hash.hpp"
#include "crypto/primitives.hpp"

namespace {

using namespace atrium;

crypto::argon2_cost configured_cost() {
  crypto::argon2_cost c;
  if (const char* m = std::getenv("ATRIUM_ARGON2_MEMORY_KIB")) c.memory_kib = std::strtoull(m, nullptr, 10);
  if (const char* t = std::getenv("ATRIUM_ARGON2_ITERATIONS")) c.iterations = static_cast<uint32_t>(std::strtoul(t, nullptr, 10));
  return c;
}

long minor_faults() {
  rusage u{};
  getrusage(RUSAGE_THREAD, &u);
  return u.ru_minflt;
}

// What a sign-in runs: crypto::verify_password (libsodium's argon2, vendored with the thread's
// reusable work area; issue 18 item 6).
void argon2id_verify(benchmark::State& state) {
  auto cost = configured_cost();
  auto stored = crypto::hash_password("Correct-Horse-9", cost);
  if (!stored) {
    state.SkipWithError(stored.error().message.c_str());
    return;
  }
  const long faults = minor_faults();
  for (auto _ : state) benchmark::DoNotOptimize(crypto::verify_password(*stored, "Correct-Horse-9"));
  state.SetItemsProcessed(state.iterations());
  state.counters["memory_kib"] = static_cast<double>(cost.memory_kib);
  state.counters["iterations"] = cost.iterations;
  state.counters["faults_per_hash"] =
      benchmark::Counter(static_cast<double>(minor_faults() - faults), benchmark::Counter::kAvgIterations);
}
BENCHMARK(argon2id_verify)->Unit(benchmark::kMillisecond);

// Before issue 18 item 6, side by side: the shared libsodium's crypto_pwhash_str_verify, which
// maps (and faults in) a fresh work area per hash and unmaps it afterwards.
void argon2id_verify_fresh_mapping(benchmark::State& state) {
  auto cost = configured_cost();
  auto stored = crypto::hash_password("Correct-Horse-9", cost);
  if (!stored) {
    state.SkipWithError(stored.error().message.c_str());
    return;
  }
  const long faults = minor_faults();
  for (auto _ : state)
    benchmark::DoNotOptimize(crypto_pwhash_str_verify(stored->c_str(), "Correct-Horse-9", 15));
  state.SetItemsProcessed(state.iterations());
  state.counters["faults_per_hash"] =
      benchmark::Counter(static_cast<double>(minor_faults() - faults), benchmark::Counter::kAvgIterations);
}
BENCHMARK(argon2id_verify_fresh_mapping)->Unit(benchmark::kMillisecond);

}  // namespace

int main(int argc, char** argv) {
  crypto::init();
  benchmark::Initialize(&argc, argv);
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
