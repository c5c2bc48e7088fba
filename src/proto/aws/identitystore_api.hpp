#pragma once
// The 19 operations of the identitystore API (target prefix AWSIdentityStore), each a pure
// function from a parsed JSON request to a JSON response or an error value.
#include <nlohmann/json.hpp>
#include <string>

#include "base/result.hpp"
#include "service/call_context.hpp"
#include "service/identity_service.hpp"

namespace atrium::proto::aws {

class identitystore_api {
 public:
  explicit identitystore_api(service::identity_service& svc) : svc_(svc) {}

  static constexpr std::string_view target_prefix = "AWSIdentityStore";
  static bool has(std::string_view operation);
  static bool is_read_only(std::string_view operation);

  result<nlohmann::json> call(std::string_view operation, const nlohmann::json& req,
                              const service::call_context& ctx);

 private:
  result<void> check_store(const nlohmann::json& req) const;
  result<nlohmann::json> users(std::string_view op, const nlohmann::json& req, const service::call_context& ctx);
  result<nlohmann::json> groups(std::string_view op, const nlohmann::json& req, const service::call_context& ctx);
  result<nlohmann::json> memberships(std::string_view op, const nlohmann::json& req, const service::call_context& ctx);

  service::identity_service& svc_;
};

}  // namespace atrium::proto::aws
