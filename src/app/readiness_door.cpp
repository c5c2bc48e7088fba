#include "app/readiness_door.hpp"

#include <spdlog/spdlog.h>

#include <nlohmann/json.hpp>

namespace atrium::app {

proto::response readiness_door::handle(const proto::request&) {
  proto::response r;
  r.operation = "readyz";
  auto ok = db_.ready();
  if (ok) {
    r.body = R"({"status":"ready"})";
    return r;
  }
  spdlog::warn(R"("msg":"not ready","error":{})", nlohmann::json(ok.error().message).dump());
  r.status = 503;
  r.body = R"({"status":"unavailable","reason":"the database is unreachable or its schema is not this version's"})";
  return r;
}

}  // namespace atrium::app
