#include "proto/aws/sso_admin_abac.hpp"

namespace atrium::proto::aws {

using nlohmann::json;

namespace {

constexpr const char* config_member = "InstanceAccessControlAttributeConfiguration";

auto shape_error(const std::string& what) { return fail(errc::validation, what); }

result<domain::access_control_attribute> parse_attribute(const json& a, std::size_t i) {
  std::string where = "AccessControlAttributes[" + std::to_string(i) + "]";
  if (!a.is_object()) return shape_error(where + " must be an object.");
  for (auto it = a.begin(); it != a.end(); ++it)
    if (it.key() != "Key" && it.key() != "Value") return shape_error(where + " has an unknown member.");
  auto key = a.find("Key");
  if (key == a.end() || !key->is_string()) return shape_error(where + ".Key is required and must be a string.");
  auto value = a.find("Value");
  if (value == a.end() || !value->is_object()) return shape_error(where + ".Value is required and must be an object.");
  for (auto it = value->begin(); it != value->end(); ++it)
    if (it.key() != "Source") return shape_error(where + ".Value has an unknown member.");
  auto source = value->find("Source");
  if (source == value->end() || !source->is_array()) return shape_error(where + ".Value.Source is required and must be a list.");
  domain::access_control_attribute out{key->get<std::string>(), {}};
  for (const auto& s : *source) {
    if (!s.is_string()) return shape_error(where + ".Value.Source must hold strings.");
    out.source.push_back(s.get<std::string>());
    if (out.source.size() > 1) break;  // more than one is refused by the domain rules
  }
  return out;
}

json attributes_json(const std::vector<domain::access_control_attribute>& attrs) {
  json list = json::array();
  for (const auto& a : attrs) list.push_back({{"Key", a.key}, {"Value", {{"Source", a.source}}}});
  return list;
}

// Create and Update take the same request.
result<std::vector<domain::access_control_attribute>> checked_request(const json& req, const sso_admin_api& api) {
  if (auto m = sso_only_members(req, {"InstanceArn", config_member}); !m) return std::unexpected(m.error());
  if (auto i = require_instance(req, api); !i) return std::unexpected(i.error());
  auto attrs = parse_access_control_attributes(req);
  if (!attrs) return attrs;
  if (auto v = domain::validate_access_control_attributes(*attrs); !v) return std::unexpected(v.error());
  return attrs;
}

}  // namespace

result<std::vector<domain::access_control_attribute>> parse_access_control_attributes(const json& req) {
  auto cfg = req.find(config_member);
  if (cfg == req.end() || !cfg->is_object()) return shape_error(std::string(config_member) + " is required.");
  for (auto it = cfg->begin(); it != cfg->end(); ++it)
    if (it.key() != "AccessControlAttributes") return shape_error(std::string(config_member) + " has an unknown member.");
  auto list = cfg->find("AccessControlAttributes");
  if (list == cfg->end() || !list->is_array())
    return shape_error(std::string(config_member) + ".AccessControlAttributes is required and must be a list.");
  // Bound the work before looking at entries: the domain refuses more than 50 anyway.
  if (list->size() > domain::abac_limits::max_attributes)
    return shape_error("AccessControlAttributes may hold at most 50 attributes.");
  std::vector<domain::access_control_attribute> out;
  for (std::size_t i = 0; i < list->size(); ++i) {
    auto a = parse_attribute((*list)[i], i);
    if (!a) return std::unexpected(a.error());
    out.push_back(std::move(*a));
  }
  return out;
}

void add_abac_operations(sso_admin_api& api, service::abac_service& abac) {
  api.add({"CreateInstanceAccessControlAttributeConfiguration", false,
           [&api, &abac](const json& req, const service::call_context& ctx) -> result<json> {
             auto attrs = checked_request(req, api);
             if (!attrs) return std::unexpected(attrs.error());
             if (auto r = abac.create(ctx, *attrs); !r) return std::unexpected(r.error());
             return json::object();
           }});
  api.add({"UpdateInstanceAccessControlAttributeConfiguration", false,
           [&api, &abac](const json& req, const service::call_context& ctx) -> result<json> {
             auto attrs = checked_request(req, api);
             if (!attrs) return std::unexpected(attrs.error());
             if (auto r = abac.update(ctx, *attrs); !r) return std::unexpected(r.error());
             return json::object();
           }});
  api.add({"DescribeInstanceAccessControlAttributeConfiguration", true,
           [&api, &abac](const json& req, const service::call_context& ctx) -> result<json> {
             if (auto m = sso_only_members(req, {"InstanceArn"}); !m) return std::unexpected(m.error());
             if (auto i = require_instance(req, api); !i) return std::unexpected(i.error());
             auto c = abac.describe(ctx);
             if (!c) return std::unexpected(c.error());
             json out = {{"Status", service::to_string(c->status)},
                         {config_member, {{"AccessControlAttributes", attributes_json(c->attributes)}}}};
             if (!c->status_reason.empty()) out["StatusReason"] = c->status_reason;
             return out;
           }});
  api.add({"DeleteInstanceAccessControlAttributeConfiguration", false,
           [&api, &abac](const json& req, const service::call_context& ctx) -> result<json> {
             if (auto m = sso_only_members(req, {"InstanceArn"}); !m) return std::unexpected(m.error());
             if (auto i = require_instance(req, api); !i) return std::unexpected(i.error());
             if (auto r = abac.remove(ctx); !r) return std::unexpected(r.error());
             return json::object();
           }});
}

}  // namespace atrium::proto::aws
