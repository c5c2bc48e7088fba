// libFuzzer target: SigV4 parsing and verification of untrusted request targets and headers.
// Input layout: target \n authorization \n x-amz-date \n body.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "crypto/sigv4.hpp"

using namespace atrium;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view in(reinterpret_cast<const char*>(data), size);
  std::string part[4];
  for (int i = 0; i < 3; ++i) {
    auto nl = in.find('\n');
    if (nl == std::string_view::npos) break;
    part[i] = std::string(in.substr(0, nl));
    in.remove_prefix(nl + 1);
  }
  part[3] = std::string(in);
  crypto::sigv4_request req{"POST", part[0].empty() ? "/" : part[0],
                            {{"Host", "127.0.0.1"}, {"Authorization", part[1]}, {"X-Amz-Date", part[2]}},
                            part[3]};
  auto now = from_epoch_millis(1'700'000'000'000);
  auto parsed = crypto::sigv4_parse(req, now);
  if (parsed) (void)crypto::sigv4_verify(req, *parsed, "secret");
  return 0;
}
