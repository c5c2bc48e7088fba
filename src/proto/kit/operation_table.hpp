#pragma once
// The table every AWS-style JSON API is made of (identitystore, sso-admin, organizations,
// AtriumAdmin, and the doors to come): operations {name, read_only, handler}, where a handler
// is a pure function of the parsed JSON body and the call context. The door has already
// authenticated, authorized, throttled and parsed when a handler runs, and it records the
// failure of any call. Operation files add their rows while the application is wired (before
// the server serves); adding a name twice, or a row without a handler, throws std::logic_error
// (a wiring bug, found at start-up).
#include <functional>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <unordered_map>

#include "base/result.hpp"
#include "service/audit/call_context.hpp"
#include "store/repositories.hpp"

namespace atrium::proto {

using json_handler =
    std::function<result<nlohmann::json>(const nlohmann::json& req, const service::call_context& ctx)>;

// An operation's result, told on a worker thread (never the store's writer thread).
using json_done = std::function<void(result<nlohmann::json>)>;
// The asynchronous form of a handler (issue 18 item 3): does its worker-side part (validation,
// reads), hands its write to the store's writer with a completion, and returns at once; `done`
// is called exactly once, on a thread of `post` or, when the call fails early, before it returns.
using json_async_handler = std::function<void(const nlohmann::json& req, const service::call_context& ctx,
                                              store::post_fn post, json_done done)>;

struct json_operation {
  std::string name;  // "CreatePermissionSet"
  bool read_only = false;
  json_handler handler;
  // Optional: used by a door serving asynchronously (door::handle_async) on a store whose
  // writes complete asynchronously; the same answers as `handler`.
  json_async_handler async_handler = nullptr;
};

class operation_table {
 public:
  // `api_name` names the API in the wiring errors ("sso-admin operation X added twice").
  explicit operation_table(std::string api_name) : api_name_(std::move(api_name)) {}

  void add(json_operation op);
  const json_operation* find(std::string_view name) const;
  bool has(std::string_view name) const { return find(name) != nullptr; }
  bool is_read_only(std::string_view name) const;
  // errc::validation "Unknown operation." for a name the table does not hold.
  result<nlohmann::json> call(std::string_view name, const nlohmann::json& req,
                              const service::call_context& ctx) const;

 private:
  std::string api_name_;
  std::unordered_map<std::string, json_operation> rows_;
};

}  // namespace atrium::proto
