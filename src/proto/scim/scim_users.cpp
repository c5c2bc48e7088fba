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

// The answer to a write of one user: the error (a mutation's own first), or `ok`'s.
template <class T, class Ok>
std::function<void(result<T>)> user_answer(scim_door::call_ptr c, scim_door::reply_fn reply, Ok ok) {
  return [c = std::move(c), reply = std::move(reply), ok = std::move(ok)](result<T> r) {
    if (!r) return reply(error_reply(c->own ? *c->own : from_error(r.error())));
    reply(ok(*r, *c));
  };
}

// PUT and PATCH: read-modify-write inside the store's transaction, on the writer thread; the
// mutation owns the call (the request is gone by then).
service::user_mutation user_mutation_of(const scim_door::call_ptr& c, bool replace) {
  if (replace)
    return [c](const domain::user& current) -> result<domain::user> {
      auto u = user_from_json(c->body, &current);
      if (!u) return c->own = u.error(), fail(errc::validation, c->own->detail);
      return std::move(*u);
    };
  return [c](const domain::user& current) -> result<domain::user> {
    json doc = user_json(service::user_view{current, {}}, c->base_url);
    auto applied = apply_patch(doc, resource_kind::user, c->ops);
    if (!applied) return c->own = applied.error(), fail(errc::validation, c->own->detail);
    auto u = user_from_json(doc, &current);
    if (!u) return c->own = u.error(), fail(errc::validation, c->own->detail);
    return std::move(*u);
  };
}

response user_ok(const service::user_view& v, const scim_door::call& c) { return user_reply(200, v, c); }
response user_created(const service::user_view& v, const scim_door::call& c) { return user_reply(201, v, c); }
response user_deleted(const std::monostate&, const scim_door::call&) { return no_content(); }

}  // namespace

void scim_door::users(const call_ptr& cp, const reply_fn& reply) {
  call& c = *cp;
  const std::string& m = c.req.method;
  bool search = c.segments.size() == 2 && c.segments[1] == ".search";
  if (search) search_body_to_query(c);
  if ((c.segments.size() == 1 && m == "GET") || search) {
    auto w = window_of(c, settings_.max_count);
    if (!w) return reply(error_reply(w.error()));
    auto q = user_query_from(c.param("filter").value_or(""), settings_.filter);
    if (!q) return reply(error_reply(q.error()));
    auto page = users_.query_users(c.ctx, *q, *w, user_view(c));
    if (!page) return reply(error_reply(from_error(page.error())));
    return reply(list_reply(*w, *page, [&](const service::user_view& v) { return rendered(v, c); }));
  }
  if (c.segments.size() == 1) {  // POST
    auto u = user_from_json(c.body, nullptr);
    if (!u) return reply(error_reply(u.error()));
    return users_.create_user_view_then(c.ctx, std::move(*u), c.post,
                                        user_answer<service::user_view>(cp, reply, user_created));
  }
  const std::string id = c.segments[1];
  auto version = if_match(c);
  if (!version) return reply(error_reply(version.error()));
  if (m == "GET") {
    auto v = users_.get_user_view(c.ctx, id, user_view(c));
    if (!v) return reply(error_reply(from_error(v.error())));
    if (not_modified(c, v->user.version)) return reply(not_modified_reply(v->user.version));
    return reply(user_reply(200, *v, c));
  }
  if (m == "DELETE")
    return users_.delete_user_then(c.ctx, id, c.post, user_answer<std::monostate>(cp, reply, user_deleted), *version);
  if (m == "PATCH") {
    auto parsed = parse_patch_request(c.body, settings_.patch);
    if (!parsed) return reply(error_reply(parsed.error()));
    c.ops = std::move(*parsed);
  }
  users_.modify_user_then(c.ctx, id, user_mutation_of(cp, m == "PUT"), std::move(*version), user_view(c), c.post,
                          user_answer<service::user_view>(cp, reply, user_ok));
}

}  // namespace atrium::proto::scim
