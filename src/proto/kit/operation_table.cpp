#include "proto/kit/operation_table.hpp"

#include <stdexcept>

namespace atrium::proto {

void operation_table::add(json_operation op) {
  if (!op.handler) throw std::logic_error(api_name_ + " operation " + op.name + " has no handler");
  auto name = op.name;
  if (!rows_.emplace(name, std::move(op)).second)
    throw std::logic_error(api_name_ + " operation " + name + " added twice");
}

const json_operation* operation_table::find(std::string_view name) const {
  auto it = rows_.find(std::string(name));
  return it == rows_.end() ? nullptr : &it->second;
}

bool operation_table::is_read_only(std::string_view name) const {
  const auto* op = find(name);
  return op && op->read_only;
}

result<nlohmann::json> operation_table::call(std::string_view name, const nlohmann::json& req,
                                             const service::call_context& ctx) const {
  const auto* op = find(name);
  if (!op) return fail(errc::validation, "Unknown operation.");
  return op->handler(req, ctx);
}

}  // namespace atrium::proto
