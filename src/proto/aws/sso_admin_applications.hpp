#pragma once
// The sso-admin application operations (service model 2020-07-20; issue 15 item 3):
// CreateApplication, DescribeApplication, UpdateApplication, DeleteApplication,
// ListApplications, ListApplicationProviders, DescribeApplicationProvider,
// CreateApplicationAssignment, DeleteApplicationAssignment, DescribeApplicationAssignment,
// ListApplicationAssignments, ListApplicationAssignmentsForPrincipal,
// PutApplicationAssignmentConfiguration and GetApplicationAssignmentConfiguration. The
// providers are the custom SAML 2.0 application and the catalog's entries
// (service/applications/application_catalog). Pure functions of a parsed request, added to the
// sso-admin table through its seam (sso_admin_api.hpp).
#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "base/result.hpp"
#include "proto/aws/sso_admin_api.hpp"
#include "service/applications/application_service.hpp"
#include "service/applications/saml_settings_service.hpp"

namespace atrium::proto::aws {

// ApplicationArn: the model's pattern (ValidationException) naming an application of this
// instance and account (ResourceNotFoundException otherwise); returns the apl- id.
result<std::string> required_application_id(const nlohmann::json& req, const sso_instance_info& instance,
                                            const char* key = "ApplicationArn");
// NextToken <-> the store's keyset position (base64 of it: the model's Token alphabet).
std::string application_page_token(const std::string& after_id);
result<std::string> application_page_position(const std::optional<std::string>& token);

// Where the catalog's icons are served (DisplayData.IconUrl): <base>/saml/icons/catalog/<id>.svg.
std::string catalog_icon_url(const service::idp_endpoints& e, const std::string& catalog_id);

void add_application_operations(sso_admin_api& api, service::application_service& apps,
                                std::shared_ptr<const service::idp_endpoints> endpoints);

}  // namespace atrium::proto::aws
