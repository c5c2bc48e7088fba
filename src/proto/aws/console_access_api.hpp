#pragma once
// Console access as signed JSON operations (issue 14 item 1; AWS JSON 1.1, target prefix
// "AtriumAdmin", IAM action prefix "sso", CloudTrail eventSource sso.amazonaws.com).
// docs/admin-console.md "Who gets in" has every shape.
//   GrantConsoleAccess {PrincipalType: USER|GROUP, PrincipalId, PolicyName, PolicyDocument?}
//       -> {ConsoleAccess: {PrincipalType, PrincipalId, PolicyName, Inline}}
//       (PolicyDocument absent: PolicyName names a managed (built-in) policy)
//   RevokeConsoleAccess {PrincipalType, PrincipalId, PolicyName} -> {}
//   ListConsoleAccess {PrincipalType?, PrincipalId?} -> {ConsoleAccess: [{...}]}
//
// directory_users_api: what the console's users page does that identitystore has no operation
// for (IAM action prefix "sso-directory", eventSource sso-directory.amazonaws.com, the events
// `atrium admin user disable|enable` writes):
//   DisableUser {UserId} -> {UserId, UserStatus: DISABLED}   (ends the user's sessions at once)
//   EnableUser {UserId} -> {UserId, UserStatus: ENABLED}
//   ListMfaDevicesForUser {UserId} -> {UserId, MfaDevices: [{DeviceId, Type, Name, CreatedAt, LastUsedAt?}]}
//   DeleteMfaDeviceForUser {UserId, DeviceId} -> {}
//   SendPasswordResetEmail {UserId} -> {UserId, Mailed: true}
//   GenerateOneTimePassword {UserId} -> {UserId, OneTimePassword}   (shown once; changed at sign-in)
//
// mfa_settings_api: the guide's Settings > Authentication > MFA (IAM actions and CloudTrail
// names as the service's console: sso:GetMfaDeviceManagementForDirectory and
// sso:PutMfaDeviceManagementForDirectory, eventSource sso.amazonaws.com; the same use case as
// `atrium admin mfa settings`):
//   GetMfaDeviceManagementForDirectory {} -> {Mode, Types, WithoutDevice, UsersManageDevices}
//   PutMfaDeviceManagementForDirectory {Mode?, Types?, WithoutDevice?, UsersManageDevices?} -> the same
//   (Mode context-aware|always-on|disabled; Types a list of totp, webauthn; WithoutDevice
//   require-registration|email-code|block|allow)
#include "proto/aws/json_api.hpp"
#include "service/admin/console_access.hpp"
#include "service/identity/user_service.hpp"
#include "service/signin/password_service.hpp"
#include "service/signin/mfa_service.hpp"

namespace atrium::proto::aws {

class console_access_api final : public json_api {
 public:
  explicit console_access_api(service::console_access& svc);
};

class directory_users_api final : public json_api {
 public:
  directory_users_api(service::user_service& users, service::mfa_service& mfa, service::password_service& passwords);
};

class mfa_settings_api final : public json_api {
 public:
  explicit mfa_settings_api(service::mfa_service& mfa);
};

}  // namespace atrium::proto::aws
