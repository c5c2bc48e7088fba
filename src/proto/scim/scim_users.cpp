// The /Users resource (RFC 7644 §3.3-3.6): list, search, create, get, replace, patch, delete.
#include "base/strings.hpp"
#include "proto/scim/list_query.hpp"
#include "proto/scim/scim_call.hpp"

namespace atrium::proto::scim {

using nlohmann::json;

namespace {

json rendered(const service::user_view& v, const scim_door::call& c) {
  json j = user_json(v, c.base_url);
  project(j, c.proj);
  return j;
}

response user_reply(int status, const service::user_view& v, const scim_door::call& c) {
  auto r = json_reply(status, rendered(v, c), etag_of(v.user.version));
  if (status == 201) r.headers.emplace_back("Location", c.base_url + "/Users/" + v.user.id);
  return r;
}

service::view_options user_view(const scim_door::call& c) { return {c.proj.wants("groups"), false}; }

}  // namespace

response scim_door::users(call& c) {
  const std::string& m = c.req.method;
  bool search = c.segments.size() == 2 && c.segments[1] == ".search";
  if (search) search_body_to_query(c);
  if ((c.segments.size() == 1 && m == "GET") || search) {
    auto w = window_of(c, settings_.max_count);
    if (!w) return error_reply(w.error());
    auto q = user_query_from(c.param("filter").value_or(""), settings_.filter);
    if (!q) return error_reply(q.error());
    auto page = users_.query_users(c.ctx, *q, *w, user_view(c));
    if (!page) return error_reply(from_error(page.error()));
    return list_reply(*w, *page, [&](const service::user_view& v) { return rendered(v, c); });
  }
  if (c.segments.size() == 1) {  // POST
    auto u = user_from_json(c.body, nullptr);
    if (!u) return error_reply(u.error());
    auto v = users_.create_user_view(c.ctx, std::move(*u));
    if (!v) return error_reply(from_error(v.error()));
    return user_reply(201, *v, c);
  }
  const std::string& id = c.segments[1];
  auto version = if_match(c);
  if (!version) return error_reply(version.error());
  if (m == "GET") {
    auto v = users_.get_user_view(c.ctx, id, user_view(c));
    if (!v) return error_reply(from_error(v.error()));
    if (not_modified(c, v->user.version)) return not_modified_reply(v->user.version);
    return user_reply(200, *v, c);
  }
  if (m == "DELETE") {
    auto r = users_.delete_user(c.ctx, id, *version);
    if (!r) return error_reply(from_error(r.error()));
    return no_content();
  }
  // PUT and PATCH: read-modify-write inside the store's transaction. A protocol error raised
  // inside the mutation is kept here so that it keeps its scimType.
  std::optional<scim_error> own;
  service::user_mutation mutate;
  std::vector<patch_op> ops;
  if (m == "PUT") {
    mutate = [&](const domain::user& current) -> result<domain::user> {
      auto u = user_from_json(c.body, &current);
      if (!u) return own = u.error(), fail(errc::validation, own->detail);
      return std::move(*u);
    };
  } else {
    auto parsed = parse_patch_request(c.body, settings_.patch);
    if (!parsed) return error_reply(parsed.error());
    ops = std::move(*parsed);
    mutate = [&](const domain::user& current) -> result<domain::user> {
      json doc = user_json(service::user_view{current, {}}, c.base_url);
      auto applied = apply_patch(doc, resource_kind::user, ops);
      if (!applied) return own = applied.error(), fail(errc::validation, own->detail);
      auto u = user_from_json(doc, &current);
      if (!u) return own = u.error(), fail(errc::validation, own->detail);
      return std::move(*u);
    };
  }
  auto v = users_.modify_user(c.ctx, id, mutate, *version, user_view(c));
  if (!v) return error_reply(own ? *own : from_error(v.error()));
  return user_reply(200, *v, c);
}

}  // namespace atrium::proto::scim
