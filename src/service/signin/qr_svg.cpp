#include "service/signin/qr_svg.hpp"

#include <qrencode.h>

#include <memory>

namespace atrium::service {

result<std::string> qr_svg(std::string_view text) {
  if (text.empty() || text.size() > 1024) return fail(errc::validation, "QR code text must be 1 to 1024 bytes.");
  std::string s(text);
  if (s.find('\0') != std::string::npos) return fail(errc::validation, "QR code text must not contain NUL.");
  std::unique_ptr<QRcode, decltype(&QRcode_free)> q(QRcode_encodeString8bit(s.c_str(), 0, QR_ECLEVEL_M), QRcode_free);
  if (!q) return fail(errc::internal, "The QR code could not be made.");
  constexpr int quiet = 4;
  int w = q->width, size = w + 2 * quiet;
  std::string path;
  path.reserve(static_cast<std::size_t>(w) * w * 4);
  for (int y = 0; y < w; ++y) {
    for (int x = 0; x < w; ++x) {
      // Bit 0 of each byte is the module's colour (1 = dark); the other bits describe its role.
      if (q->data[y * w + x] & 1)
        path += "M" + std::to_string(x + quiet) + "," + std::to_string(y + quiet) + "h1v1h-1z";
    }
  }
  std::string n = std::to_string(size);
  return "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 " + n + " " + n +
         "\" shape-rendering=\"crispEdges\" role=\"img\" aria-label=\"QR code\"><rect width=\"" + n + "\" height=\"" + n +
         "\" fill=\"#fff\"/><path fill=\"#000\" d=\"" + path + "\"/></svg>";
}

}  // namespace atrium::service
