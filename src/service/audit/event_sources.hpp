#pragma once
// CloudTrail eventSource values of the services Atrium speaks for (user guide, "Logging AWS SSO
// API calls with AWS CloudTrail"), shared by every caller that writes an audit record.
#include <string_view>

namespace atrium::service::event_sources {

inline constexpr std::string_view sso = "sso.amazonaws.com";
inline constexpr std::string_view sso_directory = "sso-directory.amazonaws.com";
inline constexpr std::string_view organizations = "organizations.amazonaws.com";
inline constexpr std::string_view iam = "iam.amazonaws.com";

}  // namespace atrium::service::event_sources
