#pragma once
// SAML time values (SAML core §1.3.3): xs:dateTime in UTC with a "Z" (no other zone), seconds
// with optional fractions. Atrium writes whole seconds; finer input is kept to milliseconds.
#include <string>
#include <string_view>

#include "base/clock.hpp"
#include "base/result.hpp"

namespace atrium::xml {

result<sys_time> parse_saml_time(std::string_view text);
std::string format_saml_time(sys_time t);  // 2026-11-25T10:00:00Z

}  // namespace atrium::xml
