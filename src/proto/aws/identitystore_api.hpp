#pragma once
// The 19 operations of the identitystore API (target prefix AWSIdentityStore), rows of the
// door kit's operation table: each a pure function from a parsed JSON request to a JSON
// response or an error value. Every operation first checks that IdentityStoreId names this
// deployment's identity store.
#include "proto/aws/json_api.hpp"
#include "service/identity/identity_services.hpp"

namespace atrium::proto::aws {

class identitystore_api final : public json_api {
 public:
  explicit identitystore_api(service::identity_services& svc);
};

}  // namespace atrium::proto::aws
