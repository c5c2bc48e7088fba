// Micro-benchmark (Google Benchmark) of Atrium's SP-side Response validation on one core (issue
// 17 item 11): xml::validate_post_response on a Response an independent signer (xmlsec1, through
// tests/integration/saml_peers/forge.py) signed, as the ACS does it: base64, parse (no DTD,
// limits), schema, the signatures against the trusted certificate with the wrapping defences,
// every SP-side check. bench/run_sp.py writes the inputs and divides by `openssl speed rsa2048`
// verify/s. Inputs from the environment (run_sp.py sets them):
//   ATRIUM_SP_BENCH_DIR   holds idp.crt, assertion.b64 (the Assertion signed) and both.b64
//                         (Assertion and Response signed: two verifications)
//   IdP, SP and ACS values are the constants below (the same as run_sp.py's).
// Run: build/bench/sp_verify_bench [--benchmark_min_time=2] [--benchmark_format=json].
#include <benchmark/benchmark.h>

#include <cstdlib>
#include <fstream>
#include <iterator>
#include <optional>
#include <sstream>
#include <string>

#include "base/clock.hpp"
#include "base/strings.hpp"
#include "crypto/primitives.hpp"
#include "xml/saml_response_validator.hpp"

namespace {

using namespace atrium;

std::string read_input(const char* name) {
  const char* dir = std::getenv("ATRIUM_SP_BENCH_DIR");
  if (!dir) return {};
  std::ifstream f(std::string(dir) + "/" + name, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(f), {});
}

void validate(benchmark::State& state, const char* file) {
  const std::string b64 = read_input(file);
  auto certs = xml::trusted_certs::from_pem(read_input("idp.crt"));
  auto schema = xml::saml_schema::shared();
  if (b64.empty() || !certs || !schema) {
    state.SkipWithError("set ATRIUM_SP_BENCH_DIR (bench/run_sp.py writes it)");
    return;
  }
  xml::verifier verify(std::move(*certs));
  xml::response_expectations e;
  e.idp_entity_id = "https://idp.bench.example/";
  e.sp_entity_id = "https://sp.bench.example/portal/sp";
  e.acs_url = "https://sp.bench.example/portal/sp/acs";
  e.allow_unsolicited = true;
  system_clock clk;
  e.now = clk.now();
  auto first = xml::validate_post_response(b64, e, verify, **schema);
  if (!first) {
    state.SkipWithError(("the input does not validate: " + first.error().message).c_str());
    return;
  }
  for (auto _ : state) benchmark::DoNotOptimize(xml::validate_post_response(b64, e, verify, **schema));
  state.SetItemsProcessed(state.iterations());
}

// Where the time goes: base64 + parse alone, then with the schema (the Assertion-signed input).
void parse_only(benchmark::State& state, bool with_schema) {
  auto xml = base64_decode(read_input("assertion.b64"));
  auto schema = xml::saml_schema::shared();
  if (!xml || xml->empty() || !schema) {
    state.SkipWithError("set ATRIUM_SP_BENCH_DIR (bench/run_sp.py writes it)");
    return;
  }
  for (auto _ : state) {
    auto doc = xml::document::parse(*xml);
    if (with_schema && doc) benchmark::DoNotOptimize((*schema)->validate(*doc));
    benchmark::DoNotOptimize(doc);
  }
  state.SetItemsProcessed(state.iterations());
}
void parse_assertion_signed(benchmark::State& state) { parse_only(state, false); }
void parse_and_schema_assertion_signed(benchmark::State& state) { parse_only(state, true); }
BENCHMARK(parse_assertion_signed)->Unit(benchmark::kMicrosecond);
BENCHMARK(parse_and_schema_assertion_signed)->Unit(benchmark::kMicrosecond);

void validate_assertion_signed(benchmark::State& state) { validate(state, "assertion.b64"); }
void validate_both_signed(benchmark::State& state) { validate(state, "both.b64"); }
BENCHMARK(validate_assertion_signed)->Unit(benchmark::kMicrosecond);
BENCHMARK(validate_both_signed)->Unit(benchmark::kMicrosecond);

}  // namespace

int main(int argc, char** argv) {
  crypto::init();
  benchmark::Initialize(&argc, argv);
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
