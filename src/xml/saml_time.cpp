#include "xml/saml_time.hpp"

#include <cctype>
#include <chrono>

namespace atrium::xml {

namespace {

bool digits(std::string_view s, std::size_t at, std::size_t n, int& out) {
  if (at + n > s.size()) return false;
  out = 0;
  for (std::size_t i = at; i < at + n; ++i) {
    if (!std::isdigit(static_cast<unsigned char>(s[i]))) return false;
    out = out * 10 + (s[i] - '0');
  }
  return true;
}

}  // namespace

result<sys_time> parse_saml_time(std::string_view s) {
  auto bad = [&] { return fail(errc::validation, "\"" + std::string(s.substr(0, 40)) + "\" is not a SAML UTC time (YYYY-MM-DDThh:mm:ssZ)."); };
  int y, mo, d, h, mi, se;
  if (s.size() < 20 || s.size() > 40 || !digits(s, 0, 4, y) || s[4] != '-' || !digits(s, 5, 2, mo) || s[7] != '-' ||
      !digits(s, 8, 2, d) || s[10] != 'T' || !digits(s, 11, 2, h) || s[13] != ':' || !digits(s, 14, 2, mi) ||
      s[16] != ':' || !digits(s, 17, 2, se))
    return bad();
  std::size_t at = 19;
  int millis = 0;
  if (s[at] == '.') {
    std::size_t start = ++at;
    while (at < s.size() && std::isdigit(static_cast<unsigned char>(s[at]))) {
      if (at - start < 3) millis = millis * 10 + (s[at] - '0');
      ++at;
    }
    if (at == start) return bad();
    for (std::size_t k = at - start; k < 3; ++k) millis *= 10;
  }
  if (at + 1 != s.size() || s[at] != 'Z') return bad();
  std::chrono::year_month_day ymd{std::chrono::year(y), std::chrono::month(static_cast<unsigned>(mo)),
                                  std::chrono::day(static_cast<unsigned>(d))};
  if (!ymd.ok() || h > 23 || mi > 59 || se > 59) return bad();  // §1.3.3: no leap seconds
  return sys_time(std::chrono::sys_days(ymd)) + std::chrono::hours(h) + std::chrono::minutes(mi) +
         std::chrono::seconds(se) + std::chrono::milliseconds(millis);
}

std::string format_saml_time(sys_time t) { return iso8601(t, false); }

}  // namespace atrium::xml
