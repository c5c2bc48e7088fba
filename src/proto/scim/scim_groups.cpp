// The /Groups resource (RFC 7644 §3.3-3.6), PUT included (the service has no PUT /Groups).
// Groups are returned with their members unless excludedAttributes=members; a PATCH answers
// 204 (as the service does) unless the request asks for attributes, then 200 with the group.
#include "base/strings.hpp"
#include "proto/scim/list_query.hpp"
#include "proto/scim/scim_call.hpp"

namespace atrium::proto::scim {

using nlohmann::json;

namespace {

json rendered(const service::group_view& v, const scim_door::call& c) {
  json j = group_json(v, c.base_url, c.proj.wants("members"));
  project(j, c.proj);
  return j;
}

response group_reply(int status, const service::group_view& v, const scim_door::call& c) {
  auto r = json_reply(status, rendered(v, c), etag_of(v.group.version));
  if (status == 201) r.headers.emplace_back("Location", c.base_url + "/Groups/" + v.group.id);
  return r;
}

service::view_options group_view(const scim_door::call& c) { return {false, c.proj.wants("members")}; }

}  // namespace

response scim_door::groups(call& c) {
  const std::string& m = c.req.method;
  bool search = c.segments.size() == 2 && c.segments[1] == ".search";
  if (search) search_body_to_query(c);
  if ((c.segments.size() == 1 && m == "GET") || search) {
    auto w = window_of(c, settings_.max_count);
    if (!w) return error_reply(w.error());
    auto q = group_query_from(c.param("filter").value_or(""), settings_.filter);
    if (!q) return error_reply(q.error());
    auto page = groups_.query_groups(c.ctx, *q, *w, group_view(c));
    if (!page) return error_reply(from_error(page.error()));
    return list_reply(*w, *page, [&](const service::group_view& v) { return rendered(v, c); });
  }
  if (c.segments.size() == 1) {  // POST
    auto g = group_from_json(c.body, nullptr);
    if (!g) return error_reply(g.error());
    auto v = groups_.create_group_with_members(c.ctx, std::move(g->group), g->member_ids.value_or(std::vector<std::string>{}));
    if (!v) return error_reply(from_error(v.error()));
    return group_reply(201, *v, c);
  }
  const std::string& id = c.segments[1];
  auto version = if_match(c);
  if (!version) return error_reply(version.error());
  if (m == "GET") {
    auto v = groups_.get_group_view(c.ctx, id, group_view(c));
    if (!v) return error_reply(from_error(v.error()));
    if (not_modified(c, v->group.version)) return not_modified_reply(v->group.version);
    return group_reply(200, *v, c);
  }
  if (m == "DELETE") {
    auto r = groups_.delete_group(c.ctx, id, *version);
    if (!r) return error_reply(from_error(r.error()));
    return no_content();
  }
  std::optional<scim_error> own;
  service::group_mutation mutate;
  std::vector<patch_op> ops;
  bool answer_with_body = m == "PUT" || !c.proj.attributes.empty() || !c.proj.excluded_attributes.empty();
  if (m == "PUT") {
    mutate = [&](const domain::group& current) -> result<service::group_edit> {
      auto g = group_from_json(c.body, &current);
      if (!g) return own = g.error(), fail(errc::validation, own->detail);
      service::group_edit edit{std::move(g->group), {}};
      // Members sent are the new members; members left out stay as they are.
      if (g->member_ids) {
        edit.members.push_back({service::member_change::kind::remove_all, {}});
        edit.members.push_back({service::member_change::kind::add, std::move(*g->member_ids)});
      }
      return edit;
    };
  } else {
    auto parsed = parse_patch_request(c.body, settings_.patch);
    if (!parsed) return error_reply(parsed.error());
    ops = std::move(*parsed);
    mutate = [&](const domain::group& current) -> result<service::group_edit> {
      json doc = group_json(service::group_view{current, {}}, c.base_url, false);
      auto applied = apply_patch(doc, resource_kind::group, ops);
      if (!applied) return own = applied.error(), fail(errc::validation, own->detail);
      auto g = group_from_json(doc, &current);
      if (!g) return own = g.error(), fail(errc::validation, own->detail);
      return service::group_edit{std::move(g->group), std::move(applied->member_changes)};
    };
  }
  auto v = groups_.modify_group(c.ctx, id, mutate, *version, answer_with_body ? group_view(c) : service::view_options{false, false});
  if (!v) return error_reply(own ? *own : from_error(v.error()));
  if (!answer_with_body) return no_content(etag_of(v->group.version));
  return group_reply(200, *v, c);
}

}  // namespace atrium::proto::scim
