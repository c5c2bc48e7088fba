#pragma once
// The identity source as signed JSON operations (issue 17; AWS JSON 1.1, SigV4, target prefix
// "AtriumAdmin", IAM action prefix "sso-directory", CloudTrail eventSource
// sso-directory.amazonaws.com). docs/identity-source-admin.md has every shape.
//   DescribeIdentitySource {} -> {IdentitySource, MultipleIdPs, ServiceProvider: {EntityId, AcsUrl,
//       MetadataUrl, Metadata}, ExternalIdPs: [{IdpId, EntityId, SsoUrl, Certificates: [{CertificateId,
//       Subject, NotAfter}], Domains, SignAuthnRequests, AllowIdpInitiated, Status}]}
//   CreateExternalIdPConfigurationForDirectory {Metadata? | EntityId, SsoUrl, Certificates; Domains?,
//       SignAuthnRequests?, AllowIdpInitiated?} -> {IdpId}
//   UpdateExternalIdPConfigurationForDirectory {IdpId, ...the same, each optional} -> {ExternalIdP}
//   EnableExternalIdPConfigurationForDirectory {IdpId, Confirmation: "ACCEPT"} -> the switch's outcome
//   DisableExternalIdPConfigurationForDirectory {Confirmation: "ACCEPT"} -> the switch's outcome
//   DeleteExternalIdPConfigurationForDirectory {IdpId} -> {}
//   UpdateIdentitySourceSettings {MultipleIdPs} -> {MultipleIdPs}
//   DeleteConfiguration {Confirmation: "<identity store id>"} -> {Deleted: {...counts}}
//       (configuration_api: IAM action sso:DeleteConfiguration, eventSource sso.amazonaws.com)
#include "proto/aws/json_api.hpp"
#include "service/idsource/identity_source_service.hpp"

namespace atrium::proto::aws {

class identity_source_api final : public json_api {
 public:
  identity_source_api(service::identity_source_service& svc, const clock& clk);
};

// DeleteConfiguration alone, under IAM action prefix "sso" and eventSource sso.amazonaws.com:
// it deletes permission sets, applications and assignments too, so a key allowed only
// `sso-directory:*` (the directory administrator) may not run it.
class configuration_api final : public json_api {
 public:
  explicit configuration_api(service::identity_source_service& svc);
};

// The JSON of one IdP configuration (DescribeIdentitySource's ExternalIdPs items); the CLI
// prints the same.
nlohmann::json external_idp_json(const store::external_idp_record& r);

}  // namespace atrium::proto::aws
