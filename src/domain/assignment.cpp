#include "domain/assignment.hpp"

#include <array>

#include "base/strings.hpp"
#include "domain/ids.hpp"

namespace atrium::domain {

namespace {

// Partitions of the ARN patterns in the API model: arn:(aws|aws-us-gov|aws-cn|aws-iso|aws-iso-b).
constexpr std::array<std::string_view, 5> partitions = {"aws", "aws-us-gov", "aws-cn", "aws-iso", "aws-iso-b"};

constexpr auto is_digit = is_ascii_digit;
constexpr auto is_alnum = is_ascii_alnum;

// "arn:<partition>:sso:::<kind>/" and returns the rest, or nullopt.
std::optional<std::string_view> after_arn_prefix(std::string_view v, std::string_view kind) {
  if (!v.starts_with("arn:")) return std::nullopt;
  v.remove_prefix(4);
  for (auto p : partitions) {
    if (!v.starts_with(p) || v.size() <= p.size() || v[p.size()] != ':') continue;
    std::string_view rest = v.substr(p.size() + 1);
    std::string head = std::string("sso:::") + std::string(kind) + "/";
    if (rest.starts_with(head)) return rest.substr(head.size());
  }
  return std::nullopt;
}

// "(sso)?ins-" followed by 16 of [a-zA-Z0-9-.]; returns what follows.
std::optional<std::string_view> instance_part(std::string_view v) {
  if (v.starts_with("sso")) v.remove_prefix(3);
  if (!v.starts_with("ins-") || v.size() < 20) return std::nullopt;
  for (char c : v.substr(4, 16))
    if (!is_alnum(c) && c != '-' && c != '.') return std::nullopt;
  return v.substr(20);
}

result<void> length_rule(std::string_view field, std::string_view v, std::size_t lo, std::size_t hi) {
  if (v.size() < lo || v.size() > hi)
    return fail(errc::validation, std::string(field) + " must be " + std::to_string(lo) + " to " +
                                      std::to_string(hi) + " characters long.");
  return {};
}

}  // namespace

const char* to_string(principal_type t) { return t == principal_type::user ? "USER" : "GROUP"; }

const char* to_string(request_status s) {
  switch (s) {
    case request_status::in_progress: return "IN_PROGRESS";
    case request_status::failed: return "FAILED";
    case request_status::succeeded: return "SUCCEEDED";
  }
  return "IN_PROGRESS";
}

const char* to_string(request_kind k) {
  switch (k) {
    case request_kind::create_assignment: return "create_assignment";
    case request_kind::delete_assignment: return "delete_assignment";
    case request_kind::provision_permission_set: return "provision_permission_set";
  }
  return "create_assignment";
}

std::optional<principal_type> parse_principal_type(std::string_view s) {
  if (s == "USER") return principal_type::user;
  if (s == "GROUP") return principal_type::group;
  return std::nullopt;
}

std::optional<request_status> parse_request_status(std::string_view s) {
  if (s == "IN_PROGRESS") return request_status::in_progress;
  if (s == "FAILED") return request_status::failed;
  if (s == "SUCCEEDED") return request_status::succeeded;
  return std::nullopt;
}

result<void> check_instance_arn(std::string_view field, std::string_view v) {
  if (auto r = length_rule(field, v, 10, 1224); !r) return r;
  auto rest = after_arn_prefix(v, "instance");
  auto tail = rest ? instance_part(*rest) : std::nullopt;
  if (!tail || !tail->empty())
    return fail(errc::validation, std::string(field) + " is not a valid instance ARN "
                                  "(arn:aws:sso:::instance/ssoins-<16 characters>).");
  return {};
}

result<void> check_permission_set_arn(std::string_view field, std::string_view v) {
  if (auto r = length_rule(field, v, 10, 1224); !r) return r;
  auto rest = after_arn_prefix(v, "permissionSet");
  auto tail = rest ? instance_part(*rest) : std::nullopt;
  bool ok = tail && tail->starts_with("/ps-") && tail->size() == 20;
  if (ok)
    for (char c : tail->substr(4))
      if (!is_alnum(c) && c != '-' && c != '.' && c != '/') ok = false;
  if (!ok)
    return fail(errc::validation, std::string(field) + " is not a valid permission set ARN "
                                  "(arn:aws:sso:::permissionSet/ssoins-<16>/ps-<16>).");
  return {};
}

result<void> check_account_id(std::string_view field, std::string_view v) {
  bool ok = v.size() == 12;
  for (char c : v) ok = ok && is_digit(c);
  if (!ok) return fail(errc::validation, std::string(field) + " must be a 12-digit AWS account id.");
  return {};
}

result<void> check_principal_id(std::string_view field, std::string_view v) {
  if (auto r = length_rule(field, v, 1, 47); !r) return r;
  // ^([0-9a-f]{10}-|)<uuid>$ with the uuid in either case.
  bool ok = v.size() == 36 ? is_uuid(v, false) : false;
  if (v.size() == 47) {
    ok = v[10] == '-' && is_uuid(v.substr(11), false);
    for (char c : v.substr(0, 10)) ok = ok && is_hex_lower(c);
  }
  if (!ok) return fail(errc::validation, std::string(field) + " is not a valid identity store user or group id.");
  return {};
}

result<void> check_request_id(std::string_view field, std::string_view v) {
  if (!is_uuid(v, true)) return fail(errc::validation, std::string(field) + " must be a lower-case UUID.");
  return {};
}

std::string instance_suffix(std::string_view instance_arn) {
  auto at = instance_arn.find("ins-");
  if (at == std::string_view::npos) return "0000000000000000";
  return std::string(instance_arn.substr(at + 4, 16));
}

std::string permission_set_suffix(std::string_view permission_set_arn) {
  auto at = permission_set_arn.rfind("/ps-");
  if (at == std::string_view::npos) return "0000000000000000";
  return std::string(permission_set_arn.substr(at + 4, 16));
}

std::string saml_provider_name(std::string_view instance_arn) {
  return "AWSSSO_" + instance_suffix(instance_arn) + "_DO_NOT_DELETE";
}

result<void> check_role_naming(const role_naming& n) {
  auto role_char = [](char c) {
    return is_digit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
           std::string_view("_+=,.@-").find(c) != std::string_view::npos;
  };
  bool prefix_ok = !n.prefix.empty() && n.prefix.size() <= 15;
  for (char c : n.prefix) prefix_ok = prefix_ok && role_char(c);
  if (!prefix_ok)
    return fail(errc::validation, "provisioner.role_name_prefix must be 1-15 characters of [\\w+=,.@-] (so that "
                                  "<prefix><permission set name>_<16 hex> fits IAM's 64-character role names).");
  bool path_ok = !n.path.empty() && n.path.size() <= 512 && n.path.front() == '/' && n.path.back() == '/' &&
                 n.path.find("//") == std::string::npos;
  for (char c : n.path) path_ok = path_ok && c >= 0x21 && c <= 0x7e;
  if (!path_ok)
    return fail(errc::validation, "provisioner.role_path must be \"/\" or \"/a/b/\": at most 512 printable ASCII "
                                  "characters, starting and ending with '/' (IAM CreateRole).");
  return {};
}

std::string role_name(const role_naming& n, std::string_view permission_set_name, std::string_view permission_set_arn) {
  return n.prefix + std::string(permission_set_name) + "_" + permission_set_suffix(permission_set_arn);
}

std::string reserved_role_name(std::string_view permission_set_name, std::string_view permission_set_arn) {
  return role_name(role_naming::service(), permission_set_name, permission_set_arn);
}

role_location recorded_role(const provisioned_permission_set& p, std::string_view permission_set_name) {
  if (!p.role_name.empty() && !p.role_path.empty()) return {p.role_name, p.role_path};
  return {reserved_role_name(permission_set_name, p.permission_set_arn), role_naming::service().path};
}

std::string iam_role_arn(std::string_view partition, std::string_view account_id, std::string_view path,
                         std::string_view name) {
  return "arn:" + std::string(partition) + ":iam::" + std::string(account_id) + ":role" + std::string(path) +
         std::string(name);
}

std::string saml_provider_arn(std::string_view partition, std::string_view account_id, std::string_view name) {
  return "arn:" + std::string(partition) + ":iam::" + std::string(account_id) + ":saml-provider/" + std::string(name);
}

std::string instance_arn_of(std::string_view permission_set_arn) {
  auto head = permission_set_arn.find(":permissionSet/");
  auto tail = permission_set_arn.rfind("/ps-");
  if (head == std::string_view::npos || tail == std::string_view::npos || tail < head) return {};
  auto start = head + std::string_view(":permissionSet/").size();
  return std::string(permission_set_arn.substr(0, head)) + ":instance/" +
         std::string(permission_set_arn.substr(start, tail - start));
}

}  // namespace atrium::domain
