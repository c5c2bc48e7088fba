#pragma once
// The sso-admin wing: the instance and its permission sets, ABAC, the SAML IdP certificates and
// metadata, account assignments with the account provisioner (provisioner.kind) and the job
// runner that works the assignment requests, and AWS federation (console and role credentials).
#include <functional>
#include <memory>
#include <string>

#include "app/core.hpp"
#include "proto/aws/sso_admin_api.hpp"
#include "service/sso_admin/abac_service.hpp"
#include "service/sso_admin/account_provisioner.hpp"
#include "service/sso_admin/assignment_service.hpp"
#include "service/federation/aws_federation.hpp"
#include "service/sso_admin/idp_signing.hpp"
#include "service/sso_admin/permission_set_service.hpp"
#include "service/sso_admin/permission_set_tags.hpp"
#include "service/sso_admin/provisioning_jobs.hpp"

namespace atrium::app {

struct sso_admin_wing {
  std::unique_ptr<proto::aws::sso_admin_api> api;
  std::unique_ptr<service::permission_set_service> permission_sets;
  std::unique_ptr<service::abac_service> abac;
  std::unique_ptr<service::permission_set_tags> tags;  // aws:ResourceTag for delegated admin
  // Atrium's SAML IdP certificates and the metadata each account's AWSSSO_<…>_DO_NOT_DELETE
  // provider holds.
  std::unique_ptr<service::idp_signing> idp;
  std::function<std::string()> idp_metadata;
  std::unique_ptr<service::account_provisioner> provisioner;
  std::unique_ptr<service::assignment_service> assignments;
  // From (user, account, permission set) to an AWS session: the console's SAML Response and the
  // role credentials of STS AssumeRoleWithSAML (docs/console-access.md). `sts` is null with the
  // record-only provisioner (no role exists in any account).
  std::unique_ptr<service::saml_role_exchange> sts;
  std::unique_ptr<service::aws_federation> federation;
  // Last, so that its thread stops before what it uses goes.
  std::unique_ptr<service::provisioning_jobs> jobs;
};

std::unique_ptr<sso_admin_wing> wire_sso_admin(core& c);

}  // namespace atrium::app
