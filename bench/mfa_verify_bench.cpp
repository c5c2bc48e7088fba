// Micro-benchmark (Google Benchmark) of second-factor verification on one core (issue 5 item 9):
// a TOTP check as the service runs it (three candidate steps, liboath HMAC-SHA-1, constant-time
// compares), and WebAuthn assertion checks (clientDataJSON, authenticator data, COSE key to
// EVP_PKEY, signature) for ES256, RS256 and EdDSA with the recorded vectors of
// tests/crypto/webauthn_vectors. Run: build/bench/mfa_verify_bench [--benchmark_min_time=1].
#include <benchmark/benchmark.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "base/strings.hpp"
#include "crypto/primitives.hpp"
#include "crypto/totp.hpp"
#include "crypto/webauthn.hpp"

namespace {

using namespace atrium;
using nlohmann::json;

const json& vectors() {
  static const json v = [] {
    std::ifstream in(ATRIUM_WEBAUTHN_VECTORS);
    std::stringstream ss;
    ss << in.rdbuf();
    return json::parse(ss.str());
  }();
  return v;
}

std::string bin(const json& j, const char* k) { return *base64url_decode(j.at(k).get<std::string>()); }

void totp_verify(benchmark::State& state) {
  const std::string key = "12345678901234567890";
  auto now = from_epoch_millis(1'763'900'000'000);
  // The worst case: a wrong code, so that all three steps are computed and compared.
  for (auto _ : state) benchmark::DoNotOptimize(crypto::totp::match(key, "000000", now));
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(totp_verify);

void assertion_verify(benchmark::State& state, const char* name) {
  const json& v = vectors()["assertion"][name];
  std::string cdj = bin(v, "clientDataJSON"), ad = bin(v, "authenticatorData"), sig = bin(v, "signature"),
              key = bin(v, "publicKey");
  crypto::webauthn::expectations e{bin(v, "challenge"), vectors()["origin"].get<std::string>(),
                                   vectors()["rpId"].get<std::string>(), false};
  for (auto _ : state) {
    auto r = crypto::webauthn::verify_assertion(cdj, ad, sig, key, e);
    if (!r) state.SkipWithError(r.error().message.c_str());
    benchmark::DoNotOptimize(r);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK_CAPTURE(assertion_verify, es256, "es256");
BENCHMARK_CAPTURE(assertion_verify, rs256, "rs256");
BENCHMARK_CAPTURE(assertion_verify, eddsa, "eddsa");

}  // namespace

int main(int argc, char** argv) {
  atrium::crypto::init();
  benchmark::Initialize(&argc, argv);
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
