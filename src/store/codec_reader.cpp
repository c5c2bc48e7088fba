#include "store/codec_reader.hpp"

#include <array>
#include <cstdint>
#include <utility>
#include <variant>
#include <vector>

#include <nlohmann/json.hpp>

#include "store/plain_json.hpp"

namespace atrium::store::detail {

namespace {

using nlohmann::json;

// The objects and arrays of the stored shape; skip is an unknown member's value, read and dropped.
enum class frame_kind : std::uint8_t {
  user, group, name, enterprise, stamp, external_ids, external_id, emails, email, addresses, address,
  phones, phone, skip
};

// Where the next value goes: a field, or the object/array it must open.
using slot = std::variant<std::monostate, std::string*, std::optional<std::string>*, std::optional<bool>*, bool*,
                          std::int64_t*, sys_time*, domain::door*, frame_kind>;

struct frame {
  frame_kind kind;
  std::uint32_t seen = 0;  // members read so far (a duplicate member goes to the DOM decoder)
  int depth = 0;           // nesting inside a skipped value
};

template <std::size_t N>
slot find_member(const std::array<std::pair<std::string_view, slot>, N>& members, std::string_view k, int& bit) {
  for (std::size_t i = 0; i < N; ++i)
    if (members[i].first == k) {
      bit = static_cast<int>(i);
      return members[i].second;
    }
  bit = -1;
  return frame_kind::skip;  // unknown members are ignored, as the DOM decoder ignores them
}

// nlohmann's SAX interface. Every callback returns false (which ends the parse) on anything the
// encoder would not have written; the caller then falls back to the DOM decoder.
class entity_reader {
 public:
  explicit entity_reader(frame_kind top) : next_(top) {}

  domain::user user;
  domain::group group;
  bool done() const { return done_; }

  bool null() { return skipped_scalar(); }
  bool boolean(bool v) {
    if (auto p = std::get_if<bool*>(&next_)) **p = v;
    else if (auto q = std::get_if<std::optional<bool>*>(&next_)) **q = v;
    else return skipped_scalar();
    return after_value();
  }
  bool number_integer(json::number_integer_t v) { return integer(v); }
  bool number_unsigned(json::number_unsigned_t v) { return integer(static_cast<std::int64_t>(v)); }
  bool number_float(json::number_float_t, const json::string_t&) { return skipped_scalar(); }
  bool binary(json::binary_t&) { return false; }
  bool string(json::string_t& v) {
    if (auto p = std::get_if<std::string*>(&next_)) **p = std::move(v);
    else if (auto q = std::get_if<std::optional<std::string>*>(&next_)) **q = std::move(v);
    else if (auto d = std::get_if<domain::door*>(&next_)) {
      auto door = domain::door_from_string(v);
      if (!door) return false;  // the DOM decoder names the error
      **d = *door;
    } else return skipped_scalar();
    return after_value();
  }
  bool start_object(std::size_t) { return open(true); }
  bool start_array(std::size_t) { return open(false); }
  bool end_object() { return close(); }
  bool end_array() { return close(); }
  bool key(json::string_t& k) {
    auto& f = stack_.back();
    if (f.kind == frame_kind::skip) return true;
    int bit = -1;
    next_ = member(f.kind, k, bit);
    if (bit < 0) return true;
    if (f.seen & (1u << bit)) return false;
    f.seen |= 1u << bit;
    return true;
  }
  bool parse_error(std::size_t, const std::string&, const nlohmann::detail::exception&) { return false; }

 private:
  bool in_skip() const { return !stack_.empty() && stack_.back().kind == frame_kind::skip; }

  bool skipped_scalar() {
    if (in_skip()) return true;
    if (next_ != slot{frame_kind::skip}) return false;
    return after_value();
  }

  bool integer(std::int64_t v) {
    if (auto p = std::get_if<std::int64_t*>(&next_)) **p = v;
    else if (auto t = std::get_if<sys_time*>(&next_)) **t = from_epoch_millis(v);
    else return skipped_scalar();
    return after_value();
  }

  // After a value: an array's next element has the array's item kind; an object expects a key.
  bool after_value() {
    if (stack_.empty()) {
      done_ = true;
      return true;
    }
    switch (stack_.back().kind) {
      case frame_kind::external_ids: next_ = frame_kind::external_id; break;
      case frame_kind::emails: next_ = frame_kind::email; break;
      case frame_kind::addresses: next_ = frame_kind::address; break;
      case frame_kind::phones: next_ = frame_kind::phone; break;
      default: next_ = std::monostate{};
    }
    return true;
  }

  bool open(bool object) {
    if (in_skip()) {
      ++stack_.back().depth;
      return true;
    }
    auto k = std::get_if<frame_kind>(&next_);
    if (!k) return false;
    bool array_kind = *k == frame_kind::external_ids || *k == frame_kind::emails || *k == frame_kind::addresses ||
                      *k == frame_kind::phones;
    if (*k != frame_kind::skip && array_kind == object) return false;
    switch (*k) {
      case frame_kind::name: user.user_name_parts.emplace(); break;
      case frame_kind::enterprise: user.enterprise_ext.emplace(); break;
      case frame_kind::external_id: ids().emplace_back(); break;
      case frame_kind::email: user.emails.emplace_back(); break;
      case frame_kind::address: user.addresses.emplace_back(); break;
      case frame_kind::phone: user.phone_numbers.emplace_back(); break;
      default: break;
    }
    stack_.push_back({*k, 0, *k == frame_kind::skip ? 1 : 0});
    return after_value();
  }

  bool close() {
    auto& f = stack_.back();
    if (f.kind == frame_kind::skip && --f.depth > 0) return true;
    // id and the entity's name (members 0 and 1) are required; the DOM decoder names the error.
    if ((f.kind == frame_kind::user || f.kind == frame_kind::group) && (f.seen & 3u) != 3u) return false;
    stack_.pop_back();
    return after_value();
  }

  std::vector<domain::external_id>& ids() { return top_ == frame_kind::user ? user.external_ids : group.external_ids; }
  domain::audit_stamp& stamp() { return top_ == frame_kind::user ? user.stamp : group.stamp; }

  slot member(frame_kind kind, std::string_view k, int& bit);

  slot next_;
  frame_kind top_ = std::get<frame_kind>(next_);
  std::vector<frame> stack_;
  bool done_ = false;
};

// The member names are encode_user's and encode_group's (codec.cpp).
slot entity_reader::member(frame_kind kind, std::string_view k, int& bit) {
  switch (kind) {
    case frame_kind::user: {
      auto& u = user;
      const std::array<std::pair<std::string_view, slot>, 19> m{{
          {"id", &u.id}, {"user_name", &u.user_name}, {"active", &u.active}, {"version", &u.version},
          {"external_ids", frame_kind::external_ids}, {"stamp", frame_kind::stamp}, {"name", frame_kind::name},
          {"display_name", &u.display_name}, {"nick_name", &u.nick_name}, {"profile_url", &u.profile_url},
          {"user_type", &u.user_type}, {"title", &u.title}, {"preferred_language", &u.preferred_language},
          {"locale", &u.locale}, {"timezone", &u.timezone}, {"emails", frame_kind::emails},
          {"addresses", frame_kind::addresses}, {"phone_numbers", frame_kind::phones},
          {"enterprise", frame_kind::enterprise}}};
      return find_member(m, k, bit);
    }
    case frame_kind::group: {
      auto& g = group;
      const std::array<std::pair<std::string_view, slot>, 6> m{{
          {"id", &g.id}, {"display_name", &g.display_name}, {"version", &g.version},
          {"external_ids", frame_kind::external_ids}, {"stamp", frame_kind::stamp}, {"description", &g.description}}};
      return find_member(m, k, bit);
    }
    case frame_kind::stamp: {
      auto& s = stamp();
      const std::array<std::pair<std::string_view, slot>, 6> m{{
          {"created_at", &s.created_at}, {"created_by", &s.created_by}, {"updated_at", &s.updated_at},
          {"updated_by", &s.updated_by}, {"created_via", &s.created_via}, {"updated_via", &s.updated_via}}};
      return find_member(m, k, bit);
    }
    case frame_kind::external_id: {
      auto& x = ids().back();
      const std::array<std::pair<std::string_view, slot>, 2> m{{{"issuer", &x.issuer}, {"id", &x.id}}};
      return find_member(m, k, bit);
    }
    case frame_kind::name: {
      auto& n = *user.user_name_parts;
      const std::array<std::pair<std::string_view, slot>, 6> m{{
          {"formatted", &n.formatted}, {"family_name", &n.family_name}, {"given_name", &n.given_name},
          {"middle_name", &n.middle_name}, {"honorific_prefix", &n.honorific_prefix},
          {"honorific_suffix", &n.honorific_suffix}}};
      return find_member(m, k, bit);
    }
    case frame_kind::enterprise: {
      auto& e = *user.enterprise_ext;
      const std::array<std::pair<std::string_view, slot>, 6> m{{
          {"employee_number", &e.employee_number}, {"cost_center", &e.cost_center},
          {"organization", &e.organization}, {"division", &e.division}, {"department", &e.department},
          {"manager", &e.manager}}};
      return find_member(m, k, bit);
    }
    case frame_kind::email:
    case frame_kind::phone: {
      auto& v = kind == frame_kind::email ? user.emails.back().value : user.phone_numbers.back().value;
      auto& t = kind == frame_kind::email ? user.emails.back().type : user.phone_numbers.back().type;
      auto& p = kind == frame_kind::email ? user.emails.back().primary : user.phone_numbers.back().primary;
      const std::array<std::pair<std::string_view, slot>, 3> m{{{"value", &v}, {"type", &t}, {"primary", &p}}};
      return find_member(m, k, bit);
    }
    case frame_kind::address: {
      auto& a = user.addresses.back();
      const std::array<std::pair<std::string_view, slot>, 8> m{{
          {"street_address", &a.street_address}, {"locality", &a.locality}, {"region", &a.region},
          {"postal_code", &a.postal_code}, {"country", &a.country}, {"formatted", &a.formatted},
          {"type", &a.type}, {"primary", &a.primary}}};
      return find_member(m, k, bit);
    }
    default: break;
  }
  bit = -1;
  return frame_kind::skip;
}

// The plain reader first (the encoder's output is plain JSON); a text it cannot read goes to
// nlohmann's SAX parser with a fresh reader; a shape the reader refuses goes to the DOM decoder.
template <class T>
std::optional<T> read_fast(std::string_view doc, frame_kind top, T entity_reader::*out) {
  {
    entity_reader r(top);
    auto plain = plain_json_reader<entity_reader>(doc, r).run();
    if (plain == plain_parse::ok && r.done()) return std::move(r.*out);
    if (plain != plain_parse::not_plain) return std::nullopt;
  }
  entity_reader r(top);
  try {
    if (!json::sax_parse(doc, &r) || !r.done()) return std::nullopt;
  } catch (const json::exception&) {
    return std::nullopt;
  }
  return std::move(r.*out);
}

}  // namespace

std::optional<domain::user> read_user_fast(std::string_view doc) {
  return read_fast(doc, frame_kind::user, &entity_reader::user);
}

std::optional<domain::group> read_group_fast(std::string_view doc) {
  return read_fast(doc, frame_kind::group, &entity_reader::group);
}

}  // namespace atrium::store::detail
