#include "proto/aws/json_api.hpp"

namespace atrium::proto::aws {

json_api::json_api(json_api_names names, std::function<aws_error(const error&)> map_error)
    : names_(std::move(names)), map_error_(std::move(map_error)), table_(names_.service_name) {}

}  // namespace atrium::proto::aws
