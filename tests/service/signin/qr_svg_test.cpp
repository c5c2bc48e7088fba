// The QR code of an otpauth:// URI as SVG: a version-1 symbol for short text (21 modules plus
// the 4-module quiet zone each side), one path, deterministic, bounded input.
#include "service/signin/qr_svg.hpp"

#include <gtest/gtest.h>

namespace atrium::service {
namespace {

TEST(qr_svg, renders_modules_as_one_path) {
  auto svg = qr_svg("HELLO");
  ASSERT_TRUE(svg);
  EXPECT_TRUE(svg->starts_with("<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 29 29\""));
  EXPECT_TRUE(svg->ends_with("\"/></svg>"));
  // The top-left finder pattern starts at the quiet zone's edge.
  EXPECT_NE(svg->find("d=\"M4,4h1v1h-1z"), std::string::npos);
  EXPECT_EQ(*qr_svg("HELLO"), *svg);
  EXPECT_NE(*qr_svg("HELLO!"), *svg);
}

TEST(qr_svg, a_totp_uri_fits_and_bad_input_is_refused) {
  auto svg = qr_svg("otpauth://totp/Atrium:jane%40example.com?secret=JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP&issuer=Atrium&algorithm=SHA1&digits=6&period=30");
  ASSERT_TRUE(svg);
  EXPECT_GT(svg->size(), 1000u);
  EXPECT_FALSE(qr_svg(""));
  EXPECT_FALSE(qr_svg(std::string(2000, 'a')));
  EXPECT_FALSE(qr_svg(std::string("a\0b", 3)));
}

}  // namespace
}  // namespace atrium::service
