#pragma once
// Writing JSON text directly, in the bytes nlohmann's dump (error_handler_t::replace) gives for the
// same value: the audit record (service/auditor) and the identitystore answers of point reads
// (proto/aws/identitystore_wire_text) skip building a library object only to dump it (issue 18
// item 1). Plain printable ASCII is copied; anything else goes through the library, so the
// escaping (no ASCII escaping, invalid UTF-8 as U+FFFD) is the library's own.
#include <string>
#include <string_view>

#include "base/json_text.hpp"

namespace atrium {

inline void append_json_string(std::string& out, std::string_view s) {
  for (unsigned char c : s)
    if (c < 0x20 || c >= 0x80 || c == '"' || c == '\\') {
      out += to_json_text(nlohmann::json(std::string(s)));
      return;
    }
  out += '"';
  out += s;
  out += '"';
}

// A number as the library writes it (doubles: its shortest round-trip form, "1.5", "2.0").
inline void append_json_number(std::string& out, double v) { out += to_json_text(nlohmann::json(v)); }

}  // namespace atrium
