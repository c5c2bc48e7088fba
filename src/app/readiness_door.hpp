#pragma once
// GET /readyz (issue 13 item 4): 200 when this node's store answers and its schema is the
// version this binary knows, 503 otherwise, for load balancers and orchestrators. /healthz
// (http/exchange.cpp) says only that the process serves requests: a node whose database is
// down is alive but not ready. The answer names which check failed, never the database's
// own message (it may name hosts); the log has the detail.
#include "proto/kit/router.hpp"
#include "store/repositories.hpp"

namespace atrium::app {

class readiness_door final : public proto::door {
 public:
  explicit readiness_door(store::database& db) : db_(db) {}
  proto::response handle(const proto::request& req) override;

 private:
  store::database& db_;
};

}  // namespace atrium::app
