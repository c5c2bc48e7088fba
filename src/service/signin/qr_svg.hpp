#pragma once
// A QR code (libqrencode, error correction level M) as an SVG document: one <path> of unit
// squares on a white background with the 4-module quiet zone of ISO/IEC 18004 §6.3.8. Used for
// the otpauth:// URI of an authenticator app (issue 5 item 1: "QR code rendered with
// libqrencode"). Pure: no I/O.
#include <string>
#include <string_view>

#include "base/result.hpp"

namespace atrium::service {

result<std::string> qr_svg(std::string_view text);

}  // namespace atrium::service
