#include "base/result.hpp"

namespace atrium {

const char* to_string(errc code) {
  switch (code) {
    case errc::validation: return "validation";
    case errc::not_found: return "not_found";
    case errc::conflict: return "conflict";
    case errc::concurrent_modification: return "concurrent_modification";
    case errc::access_denied: return "access_denied";
    case errc::unauthenticated: return "unauthenticated";
    case errc::throttled: return "throttled";
    case errc::quota_exceeded: return "quota_exceeded";
    case errc::internal: return "internal";
  }
  return "internal";
}

}  // namespace atrium
