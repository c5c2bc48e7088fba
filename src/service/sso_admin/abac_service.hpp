#pragma once
// The instance's attributes for access control (ABAC; issue 4 item 6): the four
// *InstanceAccessControlAttributeConfiguration operations as use cases, and the configuration
// read by later users (credentials, SAML assertions) through `configured` + domain's resolver.
// Stored as one deployment setting (JSON) so that it changes atomically with its audit record.
#include <optional>
#include <string>
#include <vector>

#include "domain/access_control_attributes.hpp"
#include "service/audit/audited_store.hpp"
#include "service/audit/call_context.hpp"

namespace atrium::service {

// The API's InstanceAccessControlAttributeConfigurationStatus. Atrium applies a configuration
// synchronously, so a stored one is always ENABLED; the other values exist for the wire shape.
enum class abac_status { enabled, creation_in_progress, creation_failed };
const char* to_string(abac_status s);

struct abac_configuration {
  std::vector<domain::access_control_attribute> attributes;
  abac_status status = abac_status::enabled;
  std::string status_reason;
};

class abac_service {
 public:
  explicit abac_service(audited_store& store) : store_(store) {}

  // errc::conflict when a configuration exists (UpdateInstance... changes it).
  result<void> create(const call_context& ctx, const std::vector<domain::access_control_attribute>& attrs);
  // errc::not_found when none exists.
  result<abac_configuration> describe(const call_context& ctx);
  result<void> update(const call_context& ctx, const std::vector<domain::access_control_attribute>& attrs);
  // Disables ABAC and forgets every attribute (the guide: "This step deletes all attributes").
  result<void> remove(const call_context& ctx);

  // The configuration inside a caller's transaction (nullopt: ABAC is not enabled).
  static result<std::optional<abac_configuration>> configured(store::transaction& tx);

 private:
  result<void> put(const call_context& ctx, const std::vector<domain::access_control_attribute>& attrs, bool must_exist);
  audited_store& store_;
};

}  // namespace atrium::service
