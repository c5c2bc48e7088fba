#pragma once
// Who decides on a pending authorization in the portal: the signed-in user and the portal
// session the decision is made in. Tokens issued under the decision live no longer than that
// session and end with it (guide "Authentication sessions").
#include <string>

namespace atrium::service::oidc {

struct approver {
  std::string user_id;
  std::string user_name;
  std::string session_id;  // store::session_record::id
  std::string source_ip;
};

}  // namespace atrium::service::oidc
