#pragma once
// The SAML settings of applications as signed JSON operations (AWS JSON 1.1, SigV4, target
// prefix "AtriumAdmin", IAM action prefix "sso", CloudTrail eventSource sso.amazonaws.com):
// what the service keeps behind its console, under the names the user guide's CloudTrail chapter
// lists for it ("Console API operations"). docs/applications.md has every shape.
//   GetApplicationInstance {ApplicationArn}
//       -> {ApplicationInstance: {ApplicationArn, Name, Description, Status, ApplicationProviderArn,
//           ServiceProviderConfig, ResponseConfig, ResponseSchemaConfig, DisplayData,
//           IdentityProvider: {EntityId, SsoUrl, MetadataUrl, Metadata}, Certificates}}
//   ImportApplicationInstanceServiceProvider {ApplicationArn, Metadata}  (the SP's metadata XML)
//   UpdateApplicationInstanceServiceProviderConfiguration
//       {ApplicationArn, ServiceProviderConfig: {EntityId, AcsUrls, SigningCertificates, TemplateFields}}
//   UpdateApplicationInstanceResponseConfiguration
//       {ApplicationArn, ResponseConfig: {SessionDuration, RelayState, Sign, NameIdFormat, StartUrl}}
//   UpdateApplicationInstanceResponseSchemaConfiguration
//       {ApplicationArn, ResponseSchemaConfig: {AttributeMappings: [{Name, Value, Format}]}}
//   UpdateApplicationInstanceDisplayData {ApplicationArn, DisplayData: {DisplayName, Description, Icon, Visible}}
//   CreateApplicationInstanceCertificate {ApplicationArn, KeySize, ValidityMonths, Algorithm}
//   ListApplicationInstanceCertificates {ApplicationArn}
//   UpdateApplicationInstanceActiveCertificate {ApplicationArn, CertificateId}
//   DeleteApplicationInstanceCertificate {ApplicationArn, CertificateId}
//   ListApplicationTemplates {} / GetApplicationTemplate {TemplateId}  (the catalog with its fields)
#include <memory>

#include "proto/aws/json_api.hpp"
#include "proto/aws/sso_admin_api.hpp"
#include "service/applications/application_service.hpp"
#include "service/applications/saml_settings_service.hpp"

namespace atrium::proto::aws {

class application_console_api final : public json_api {
 public:
  application_console_api(sso_instance_info instance, service::saml_settings_service& settings,
                          const service::application_catalog& catalog,
                          std::shared_ptr<const service::idp_endpoints> endpoints, const clock& clk);
};

}  // namespace atrium::proto::aws
