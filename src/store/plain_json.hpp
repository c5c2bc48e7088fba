#pragma once
// A strict reader of the plain JSON the store's encoders write (issue 18 item 1: nlohmann's lexer
// was ~70% of the SAX decode of a stored user). It calls a handler with nlohmann's SAX callbacks
// and reads a subset of RFC 8259: strings of well-formed UTF-8 with the short escapes
// (\" \\ \/ \b \f \n \r \t), integers of at most 18 digits, true/false/null, nesting up to 32.
// Whatever it does not read — \u escapes, fractions, exponents, long numbers, deep nesting, a BOM,
// and every syntax error — is not_plain, never an error of its own: the caller then parses the
// text with nlohmann's parser, so a text means what nlohmann says it means.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace atrium::store {

enum class plain_parse { ok, refused /* a handler callback said no */, not_plain };

template <class Handler>
class plain_json_reader {
 public:
  plain_json_reader(std::string_view text, Handler& h) : p_(text.data()), end_(text.data() + text.size()), h_(h) {}

  plain_parse run() {
    auto r = value(0);
    if (r != plain_parse::ok) return r;
    skip_ws();
    return p_ == end_ ? plain_parse::ok : plain_parse::not_plain;
  }

 private:
  static constexpr int max_depth = 32;

  void skip_ws() {
    while (p_ != end_ && (*p_ == ' ' || *p_ == '\n' || *p_ == '\r' || *p_ == '\t')) ++p_;
  }
  static plain_parse said(bool ok) { return ok ? plain_parse::ok : plain_parse::refused; }

  plain_parse value(int depth) {
    skip_ws();
    if (p_ == end_) return plain_parse::not_plain;
    switch (*p_) {
      case '{': return object(depth + 1);
      case '[': return array(depth + 1);
      case '"': {
        if (!string(text_)) return plain_parse::not_plain;
        return said(h_.string(text_));
      }
      case 't': return literal("true") ? said(h_.boolean(true)) : plain_parse::not_plain;
      case 'f': return literal("false") ? said(h_.boolean(false)) : plain_parse::not_plain;
      case 'n': return literal("null") ? said(h_.null()) : plain_parse::not_plain;
      default: return number();
    }
  }

  plain_parse object(int depth) {
    if (depth > max_depth) return plain_parse::not_plain;
    ++p_;
    if (!h_.start_object(static_cast<std::size_t>(-1))) return plain_parse::refused;
    skip_ws();
    if (p_ != end_ && *p_ == '}') return ++p_, said(h_.end_object());
    for (;;) {
      skip_ws();
      if (p_ == end_ || *p_ != '"' || !string(text_)) return plain_parse::not_plain;
      if (!h_.key(text_)) return plain_parse::refused;
      skip_ws();
      if (p_ == end_ || *p_ != ':') return plain_parse::not_plain;
      ++p_;
      if (auto r = value(depth); r != plain_parse::ok) return r;
      skip_ws();
      if (p_ == end_) return plain_parse::not_plain;
      if (*p_ == '}') return ++p_, said(h_.end_object());
      if (*p_ != ',') return plain_parse::not_plain;
      ++p_;
    }
  }

  plain_parse array(int depth) {
    if (depth > max_depth) return plain_parse::not_plain;
    ++p_;
    if (!h_.start_array(static_cast<std::size_t>(-1))) return plain_parse::refused;
    skip_ws();
    if (p_ != end_ && *p_ == ']') return ++p_, said(h_.end_array());
    for (;;) {
      if (auto r = value(depth); r != plain_parse::ok) return r;
      skip_ws();
      if (p_ == end_) return plain_parse::not_plain;
      if (*p_ == ']') return ++p_, said(h_.end_array());
      if (*p_ != ',') return plain_parse::not_plain;
      ++p_;
    }
  }

  bool literal(std::string_view word) {
    if (static_cast<std::size_t>(end_ - p_) < word.size() || std::string_view(p_, word.size()) != word) return false;
    p_ += word.size();
    return true;
  }

  // -?(0|[1-9][0-9]{0,17}) not followed by a fraction or exponent: nlohmann's integer tokens that
  // always fit (unsigned without a sign, signed with one).
  plain_parse number() {
    bool negative = *p_ == '-';
    const char* q = p_ + (negative ? 1 : 0);
    const char* digits = q;
    std::uint64_t v = 0;
    while (q != end_ && *q >= '0' && *q <= '9' && q - digits < 19) v = v * 10 + static_cast<std::uint64_t>(*q++ - '0');
    auto n = q - digits;
    if (n == 0 || n > 18 || (n > 1 && *digits == '0')) return plain_parse::not_plain;
    if (q != end_ && (*q == '.' || *q == 'e' || *q == 'E')) return plain_parse::not_plain;
    p_ = q;
    if (negative) return said(h_.number_integer(-static_cast<std::int64_t>(v)));
    return said(h_.number_unsigned(v));
  }

  // Well-formed UTF-8 (Unicode 15 table 3-7, as nlohmann checks it) and the short escapes.
  bool string(std::string& out) {
    out.clear();
    ++p_;
    for (;;) {
      const char* run = p_;
      while (p_ != end_ && static_cast<unsigned char>(*p_) >= 0x20 && static_cast<unsigned char>(*p_) < 0x80 &&
             *p_ != '"' && *p_ != '\\')
        ++p_;
      out.append(run, p_);
      if (p_ == end_) return false;
      auto c = static_cast<unsigned char>(*p_);
      if (c == '"') return ++p_, true;
      if (c == '\\') {
        if (++p_ == end_) return false;
        char e = *p_++;
        switch (e) {
          case '"': case '\\': case '/': out.push_back(e); break;
          case 'b': out.push_back('\b'); break;
          case 'f': out.push_back('\f'); break;
          case 'n': out.push_back('\n'); break;
          case 'r': out.push_back('\r'); break;
          case 't': out.push_back('\t'); break;
          default: return false;  // \u and invalid escapes: nlohmann's
        }
        continue;
      }
      if (c < 0x20) return false;
      auto n = utf8_length(p_);
      if (n == 0) return false;
      out.append(p_, n);
      p_ += n;
    }
  }

  std::size_t utf8_length(const char* s) const {
    auto at = [&](std::size_t i) { return static_cast<unsigned char>(s[i]); };
    auto avail = static_cast<std::size_t>(end_ - s);
    auto in = [&](std::size_t i, unsigned lo, unsigned hi) { return i < avail && at(i) >= lo && at(i) <= hi; };
    unsigned c = at(0);
    if (c >= 0xC2 && c <= 0xDF) return in(1, 0x80, 0xBF) ? 2 : 0;
    if (c == 0xE0) return in(1, 0xA0, 0xBF) && in(2, 0x80, 0xBF) ? 3 : 0;
    if ((c >= 0xE1 && c <= 0xEC) || c == 0xEE || c == 0xEF) return in(1, 0x80, 0xBF) && in(2, 0x80, 0xBF) ? 3 : 0;
    if (c == 0xED) return in(1, 0x80, 0x9F) && in(2, 0x80, 0xBF) ? 3 : 0;
    if (c == 0xF0) return in(1, 0x90, 0xBF) && in(2, 0x80, 0xBF) && in(3, 0x80, 0xBF) ? 4 : 0;
    if (c >= 0xF1 && c <= 0xF3) return in(1, 0x80, 0xBF) && in(2, 0x80, 0xBF) && in(3, 0x80, 0xBF) ? 4 : 0;
    if (c == 0xF4) return in(1, 0x80, 0x8F) && in(2, 0x80, 0xBF) && in(3, 0x80, 0xBF) ? 4 : 0;
    return 0;
  }

  const char* p_;
  const char* end_;
  Handler& h_;
  std::string text_;
};

}  // namespace atrium::store
