#include "app/backup_file.hpp"

#include <sys/stat.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "base/strings.hpp"
#include "base/try.hpp"
#include "crypto/primitives.hpp"

namespace atrium::app::backup_file {

namespace {

constexpr std::string_view magic = "ATRIUM-BACKUP 1\n";
constexpr std::string_view end_marker = "\nATRIUM-BACKUP-END ";
constexpr std::size_t max_header = 1 << 20;

// A key of its own for backups, derived from the master key (the master key seals secrets with
// XSalsa20-Poly1305; it is not used directly as an HMAC key too).
std::string mac_of(std::string_view bytes, const std::string& master_key) {
  return hex_encode(crypto::hmac_sha256(crypto::hmac_sha256(master_key, "atrium backup file v1"), bytes));
}

std::string header_json(const header& h, std::size_t payload_bytes) {
  nlohmann::json tables = nlohmann::json::object();
  for (const auto& [name, s] : h.tables) tables[name] = {{"rows", s.rows}, {"checksum", s.checksum}};
  return nlohmann::json{{"kind", h.kind},
                        {"schema_version", h.schema.version},
                        {"schema_name", h.schema.name},
                        {"created_at_ms", h.created_at_ms},
                        {"payload_bytes", payload_bytes},
                        {"tables", tables}}
      .dump();
}

result<header> parse_header(std::string_view line, std::size_t& payload_bytes) {
  auto j = nlohmann::json::parse(line, nullptr, false);
  if (j.is_discarded() || !j.is_object()) return invalid("the backup's header is not JSON");
  try {
    header h;
    h.kind = j.at("kind").get<std::string>();
    h.schema.version = j.at("schema_version").get<int64_t>();
    h.schema.name = j.at("schema_name").get<std::string>();
    h.created_at_ms = j.at("created_at_ms").get<int64_t>();
    payload_bytes = j.at("payload_bytes").get<std::size_t>();
    for (const auto& [name, s] : j.at("tables").items())
      h.tables[name] = {s.at("rows").get<int64_t>(), s.at("checksum").get<std::string>()};
    if (h.kind != "sqlite" && h.kind != "postgresql") return invalid("the backup is of an unknown kind '" + h.kind + "'");
    return h;
  } catch (const nlohmann::json::exception&) {
    return invalid("the backup's header lacks a field");
  }
}

}  // namespace

std::string seal(const header& h, const std::string& payload, const std::string& master_key) {
  std::string out(magic);
  out += header_json(h, payload.size());
  out += '\n';
  out += payload;
  auto mac = mac_of(out, master_key);
  out += end_marker;
  out += mac;
  out += '\n';
  return out;
}

result<std::pair<header, std::string>> open(const std::string& bytes, const std::string& master_key) {
  if (!bytes.starts_with(magic)) return invalid("not an Atrium backup (no ATRIUM-BACKUP 1 line)");
  auto eol = bytes.find('\n', magic.size());
  if (eol == std::string::npos || eol - magic.size() > max_header) return invalid("the backup is truncated (header)");
  std::size_t payload_bytes = 0;
  TRY(h, parse_header(std::string_view(bytes).substr(magic.size(), eol - magic.size()), payload_bytes));
  std::size_t body = eol + 1;
  std::size_t trailer = body + payload_bytes;
  // The trailer is the marker, 64 hex digits and a newline, and nothing after it.
  if (payload_bytes > bytes.size() || trailer + end_marker.size() + 65 != bytes.size() ||
      bytes.compare(trailer, end_marker.size(), end_marker) != 0 || bytes.back() != '\n')
    return invalid("the backup is truncated or has bytes added: " + std::to_string(bytes.size()) +
                   " bytes where the header announces " + std::to_string(payload_bytes) + " of data");
  auto mac = std::string_view(bytes).substr(trailer + end_marker.size(), 64);
  auto want = mac_of(std::string_view(bytes).substr(0, trailer), master_key);
  if (!crypto::constant_time_equal(mac, want))
    return invalid("the backup's HMAC does not match: it was altered, or it belongs to a deployment with "
                   "another master key (<data_dir>/master.key)");
  return std::pair<header, std::string>{std::move(h), bytes.substr(body, payload_bytes)};
}

void put_table(std::string& out, const store_copy::table_shape& t, int64_t rows) {
  using store_copy::encode;
  using store_copy::value;
  out += 'T';
  encode(value{t.name}, out);
  encode(value{static_cast<int64_t>(t.columns.size())}, out);
  for (const auto& c : t.columns) {
    encode(value{c.name}, out);
    encode(value{int64_t{(c.integer ? 1 : 0) | (c.identity ? 2 : 0)}}, out);
  }
  encode(value{rows}, out);
}

namespace {

result<int64_t> integer_at(std::string_view in, std::size_t& pos) {
  TRY(v, store_copy::decode(in, pos));
  if (!std::holds_alternative<int64_t>(v)) return invalid("a number was expected at byte " + std::to_string(pos));
  return std::get<int64_t>(v);
}

result<std::string> text_at(std::string_view in, std::size_t& pos) {
  TRY(v, store_copy::decode(in, pos));
  if (!std::holds_alternative<std::string>(v)) return invalid("a name was expected at byte " + std::to_string(pos));
  return std::get<std::string>(v);
}

}  // namespace

result<std::pair<store_copy::table_shape, int64_t>> table_reader::next_table() {
  if (pos >= payload.size() || payload[pos] != 'T') return invalid("a table was expected at byte " + std::to_string(pos));
  ++pos;
  store_copy::table_shape t;
  TRY(name, text_at(payload, pos));
  t.name = name;
  TRY(n, integer_at(payload, pos));
  if (n < 1 || n > 1000) return invalid("table " + t.name + " has " + std::to_string(n) + " columns");
  for (int64_t i = 0; i < n; ++i) {
    TRY(col, text_at(payload, pos));
    TRY(flags, integer_at(payload, pos));
    t.columns.push_back({col, (flags & 1) != 0, (flags & 2) != 0});
  }
  TRY(rows, integer_at(payload, pos));
  if (rows < 0) return invalid("table " + t.name + " has a negative row count");
  return std::pair{std::move(t), rows};
}

result<store_copy::row> table_reader::next_row(const store_copy::table_shape& t) {
  store_copy::row r;
  r.reserve(t.columns.size());
  for (std::size_t i = 0; i < t.columns.size(); ++i) {
    TRY(v, store_copy::decode(payload, pos));
    r.push_back(std::move(v));
  }
  return r;
}

result<std::string> read_all(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) return fail(errc::not_found, "cannot read " + file.string());
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

result<void> write_all(const std::filesystem::path& file, const std::string& bytes) {
  auto tmp = file;
  tmp += ".partial";
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    if (!out) return fail(errc::internal, "cannot write " + tmp.string());
    ::chmod(tmp.c_str(), 0600);
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    out.flush();
    if (!out) return fail(errc::internal, "cannot write " + tmp.string());
  }
  std::error_code ec;
  std::filesystem::rename(tmp, file, ec);
  if (ec) return fail(errc::internal, "cannot rename " + tmp.string() + ": " + ec.message());
  return {};
}

}  // namespace atrium::app::backup_file
