#include "service/applications/application_catalog.hpp"

#include <algorithm>
#include <fstream>
#include <nlohmann/json.hpp>
#include <regex>
#include <sstream>

#include "base/try.hpp"

namespace atrium::service {

namespace {

using nlohmann::json;

constexpr std::size_t max_catalog_file = 256 * 1024;
constexpr std::size_t max_field_value = 256;

result<std::string> read_small_file(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  if (!in) return fail(errc::internal, "cannot read " + p.string());
  std::ostringstream buf;
  buf << in.rdbuf();
  if (buf.str().size() > max_catalog_file) return fail(errc::internal, p.string() + " is larger than 256 KiB");
  return buf.str();
}

std::optional<std::string> optional_text(const json& j, const char* key) {
  auto it = j.find(key);
  if (it == j.end() || it->is_null()) return std::nullopt;
  return it->get<std::string>();
}

catalog_field field_of(const json& f) {
  return {f.at("name").get<std::string>(), f.at("label").get<std::string>(), f.at("description").get<std::string>(),
          f.at("example").get<std::string>(), f.at("pattern").get<std::string>()};
}

// The catalog's mapping rows: the Subject row's format is the NameID's short name, the others
// an attribute NameFormat: the same rows the application keeps (domain/attribute_mapping.hpp).
std::vector<domain::attribute_mapping> mappings_of(const json& rows) {
  std::vector<domain::attribute_mapping> out;
  for (const auto& r : rows)
    out.push_back({r.at("name").get<std::string>(), r.at("value").get<std::string>(), r.at("format").get<std::string>()});
  return out;
}

// Replaces each ${name} of `tmpl` with the field's value.
result<std::string> fill_template(std::string_view tmpl, const std::map<std::string, std::string>& values) {
  std::string out;
  while (!tmpl.empty()) {
    auto open = tmpl.find("${");
    if (open == std::string_view::npos) {
      out += tmpl;
      break;
    }
    out += tmpl.substr(0, open);
    auto close = tmpl.find('}', open);
    if (close == std::string_view::npos) return fail(errc::internal, "a catalog template has '${' without '}'");
    auto name = std::string(tmpl.substr(open + 2, close - open - 2));
    auto it = values.find(name);
    if (it == values.end()) return invalid("The catalog field " + name + " is required.");
    out += it->second;
    tmpl.remove_prefix(close + 1);
  }
  return out;
}

}  // namespace

result<catalog_entry> application_catalog::parse_entry(std::string_view json_text, std::string icon_svg) {
  json j = json::parse(json_text, nullptr, false);
  if (!j.is_object()) return fail(errc::internal, "a catalog entry is not a JSON object");
  try {
    catalog_entry e;
    e.id = j.at("id").get<std::string>();
    e.display_name = j.at("display_name").get<std::string>();
    e.description = j.at("description").get<std::string>();
    e.category = j.at("category").get<std::string>();
    e.setup_note = j.at("setup_note").get<std::string>();
    e.icon_svg = std::move(icon_svg);
    const auto& saml = j.at("saml");
    for (const auto& f : saml.at("fields")) e.fields.push_back(field_of(f));
    e.entity_id = saml.at("entity_id").get<std::string>();
    e.acs_url = saml.at("acs_url").get<std::string>();
    e.start_url = optional_text(saml, "start_url");
    e.relay_state = optional_text(saml, "relay_state");
    auto format = domain::name_id_format_from(saml.at("name_id_format").get<std::string>());
    if (!format) return fail(errc::internal, "catalog entry " + e.id + ": unknown name_id_format");
    e.name_id = *format;
    auto sign = domain::sign_target_from(saml.at("sign").get<std::string>());
    if (!sign) return fail(errc::internal, "catalog entry " + e.id + ": unknown sign");
    e.sign = *sign;
    e.mappings = mappings_of(saml.at("attribute_mappings"));
    if (auto d = saml.find("session_duration_minutes"); d != saml.end()) e.session_duration_minutes = d->get<int>();
    for (const auto& s : j.at("sources")) e.sources.push_back({s.at("url").get<std::string>(), s.at("title").get<std::string>()});
    if (auto v = domain::validate_attribute_mappings(e.mappings); !v)
      return fail(errc::internal, "catalog entry " + e.id + ": " + v.error().message);
    return e;
  } catch (const json::exception& ex) {
    return fail(errc::internal, std::string("a catalog entry does not have the catalog's shape: ") + ex.what());
  }
}

result<application_catalog> application_catalog::load(const std::filesystem::path& dir) {
  application_catalog out;
  std::error_code ec;
  std::filesystem::directory_iterator it(dir / "applications", ec);
  if (ec) return fail(errc::internal, "cannot read the catalog " + (dir / "applications").string() + ": " + ec.message());
  std::vector<std::filesystem::path> files;
  for (const auto& f : it)
    if (f.path().extension() == ".json") files.push_back(f.path());
  std::sort(files.begin(), files.end());
  for (const auto& f : files) {
    TRY(text, read_small_file(f));
    TRY(icon, read_small_file(dir / "icons" / (f.stem().string() + ".svg")));
    auto e = parse_entry(text, std::move(icon));
    if (!e) return fail(errc::internal, f.string() + ": " + e.error().message);
    if (e->id != f.stem().string()) return fail(errc::internal, f.string() + ": the id is not the file name");
    out.entries_.push_back(std::move(*e));
  }
  return out;
}

const catalog_entry* application_catalog::find(std::string_view id) const {
  for (const auto& e : entries_)
    if (e.id == id) return &e;
  return nullptr;
}

result<filled_entry> application_catalog::fill(const catalog_entry& e, const std::map<std::string, std::string>& values) {
  for (const auto& [name, value] : values) {
    auto f = std::find_if(e.fields.begin(), e.fields.end(), [&](const catalog_field& x) { return x.name == name; });
    if (f == e.fields.end()) return invalid("The application " + e.display_name + " has no field " + name.substr(0, 64) + ".");
    if (value.size() > max_field_value) return invalid("The field " + name + " is longer than 256 characters.");
    // The catalog's patterns are anchored and in the common subset of ECMAScript (tests/catalog).
    if (!std::regex_match(value, std::regex(f->pattern, std::regex::ECMAScript)))
      return invalid("The field " + f->label + " must match " + f->pattern + " (for example " + f->example + ").");
  }
  filled_entry out;
  TRY(entity, fill_template(e.entity_id, values));
  TRY(acs, fill_template(e.acs_url, values));
  out.entity_id = std::move(entity);
  out.acs_url = std::move(acs);
  if (e.start_url) {
    TRY(start, fill_template(*e.start_url, values));
    out.start_url = std::move(start);
  }
  if (e.relay_state) {
    TRY(relay, fill_template(*e.relay_state, values));
    out.relay_state = std::move(relay);
  }
  return out;
}

}  // namespace atrium::service
