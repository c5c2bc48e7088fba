#pragma once
// The 19 operations of the identitystore API (target prefix AWSIdentityStore), each a pure
// function from a parsed JSON request to a JSON response or an error value.
#include <nlohmann/json.hpp>
#include <string>

#include "base/result.hpp"
#include "proto/aws/json_api.hpp"
#include "service/call_context.hpp"
#include "service/identity_service.hpp"

namespace atrium::proto::aws {

class identitystore_api final : public json_api {
 public:
  explicit identitystore_api(service::identity_service& svc) : svc_(svc) {}

  std::string_view target_prefix() const override { return "AWSIdentityStore"; }
  std::string_view service_name() const override { return "identitystore"; }
  std::string_view action_prefix() const override { return "identitystore"; }
  std::string_view event_source() const override { return "identitystore.amazonaws.com"; }
  bool has(std::string_view operation) const override;
  bool is_read_only(std::string_view operation) const override;
  std::span<const std::string_view> audited_members() const override;

  result<nlohmann::json> call(std::string_view operation, const nlohmann::json& req,
                              const service::call_context& ctx) override;

 private:
  result<void> check_store(const nlohmann::json& req) const;
  result<nlohmann::json> users(std::string_view op, const nlohmann::json& req, const service::call_context& ctx);
  result<nlohmann::json> groups(std::string_view op, const nlohmann::json& req, const service::call_context& ctx);
  result<nlohmann::json> memberships(std::string_view op, const nlohmann::json& req, const service::call_context& ctx);

  service::identity_service& svc_;
};

}  // namespace atrium::proto::aws
