#pragma once
// The catalog of pre-integrated SAML 2.0 applications (issue 15 item 6; user guide "Cloud
// applications", "Supported applications"): data/catalog/applications/<id>.json with its icon
// in data/catalog/icons/<id>.svg, format in data/catalog/README.md and application.schema.json
// (tests/catalog checks every entry). Read once at start-up; served by ListApplicationProviders
// and DescribeApplicationProvider, and used by CreateApplication (defaults) and by the service
// provider configuration (the entry's fields fill its entity ID and ACS URL templates).
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.hpp"
#include "domain/application.hpp"

namespace atrium::service {

struct catalog_field {
  std::string name;
  std::string label;
  std::string description;
  std::string example;
  std::string pattern;  // an anchored regular expression (^...$)
};

struct catalog_source {
  std::string url;
  std::string title;
};

struct catalog_entry {
  std::string id;
  std::string display_name;
  std::string description;
  std::string category;
  std::string setup_note;
  std::string icon_svg;  // the icon file's text
  std::vector<catalog_field> fields;
  std::string entity_id;  // templates: ${field} stands for a field's value
  std::string acs_url;
  std::optional<std::string> start_url;
  std::optional<std::string> relay_state;
  domain::name_id_format name_id = domain::name_id_format::unspecified;
  domain::saml_sign_target sign = domain::saml_sign_target::both;
  std::vector<domain::attribute_mapping> mappings;
  std::optional<int> session_duration_minutes;
  std::vector<catalog_source> sources;
};

// The values of an entry once its fields are filled in.
struct filled_entry {
  std::string entity_id;
  std::string acs_url;
  std::optional<std::string> start_url;
  std::optional<std::string> relay_state;
};

class application_catalog {
 public:
  application_catalog() = default;
  // Every applications/*.json of `dir` with its icons/<id>.svg, in id order. errc::internal
  // naming the file when one cannot be read or does not have the catalog's shape.
  static result<application_catalog> load(const std::filesystem::path& dir);
  // One entry from its JSON text (the catalog format) and its icon.
  static result<catalog_entry> parse_entry(std::string_view json_text, std::string icon_svg);

  const std::vector<catalog_entry>& entries() const { return entries_; }
  const catalog_entry* find(std::string_view id) const;

  // Fills every template of the entry: each field must be given and match its pattern; fields
  // the entry does not declare are refused (errc::validation naming the field).
  static result<filled_entry> fill(const catalog_entry& e, const std::map<std::string, std::string>& values);

 private:
  std::vector<catalog_entry> entries_;
};

}  // namespace atrium::service
