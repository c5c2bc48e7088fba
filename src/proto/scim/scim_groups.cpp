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

// The answer to a write of one group: the error (a mutation's own first), or `ok`'s.
template <class T, class Ok>
std::function<void(result<T>)> group_answer(scim_door::call_ptr c, scim_door::reply_fn reply, Ok ok) {
  return [c = std::move(c), reply = std::move(reply), ok = std::move(ok)](result<T> r) {
    if (!r) return reply(error_reply(c->own ? *c->own : from_error(r.error())));
    reply(ok(*r, *c));
  };
}

// PUT and PATCH: read-modify-write inside the store's transaction, on the writer thread; the
// mutation owns the call (the request is gone by then).
service::group_mutation group_mutation_of(const scim_door::call_ptr& c, bool replace) {
  if (replace)
    return [c](const domain::group& current) -> result<service::group_edit> {
      auto g = group_from_json(c->body, &current);
      if (!g) return c->own = g.error(), fail(errc::validation, c->own->detail);
      service::group_edit edit{std::move(g->group), {}};
      // Members sent are the new members; members left out stay as they are.
      if (g->member_ids) {
        edit.members.push_back({service::member_change::kind::remove_all, {}});
        edit.members.push_back({service::member_change::kind::add, std::move(*g->member_ids)});
      }
      return edit;
    };
  return [c](const domain::group& current) -> result<service::group_edit> {
    json doc = group_json(service::group_view{current, {}}, c->base_url, false);
    auto applied = apply_patch(doc, resource_kind::group, c->ops);
    if (!applied) return c->own = applied.error(), fail(errc::validation, c->own->detail);
    auto g = group_from_json(doc, &current);
    if (!g) return c->own = g.error(), fail(errc::validation, c->own->detail);
    return service::group_edit{std::move(g->group), std::move(applied->member_changes)};
  };
}

response group_created(const service::group_view& v, const scim_door::call& c) { return group_reply(201, v, c); }
response group_ok(const service::group_view& v, const scim_door::call& c) { return group_reply(200, v, c); }
response group_patched(const service::group_view& v, const scim_door::call&) { return no_content(etag_of(v.group.version)); }
response group_deleted(const std::monostate&, const scim_door::call&) { return no_content(); }

}  // namespace

void scim_door::groups(const call_ptr& cp, const reply_fn& reply) {
  call& c = *cp;
  const std::string& m = c.req.method;
  bool search = c.segments.size() == 2 && c.segments[1] == ".search";
  if (search) search_body_to_query(c);
  if ((c.segments.size() == 1 && m == "GET") || search) {
    auto w = window_of(c, settings_.max_count);
    if (!w) return reply(error_reply(w.error()));
    auto q = group_query_from(c.param("filter").value_or(""), settings_.filter);
    if (!q) return reply(error_reply(q.error()));
    auto page = groups_.query_groups(c.ctx, *q, *w, group_view(c));
    if (!page) return reply(error_reply(from_error(page.error())));
    return reply(list_reply(*w, *page, [&](const service::group_view& v) { return rendered(v, c); }));
  }
  if (c.segments.size() == 1) {  // POST
    auto g = group_from_json(c.body, nullptr);
    if (!g) return reply(error_reply(g.error()));
    return groups_.create_group_with_members_then(c.ctx, std::move(g->group),
                                                  g->member_ids.value_or(std::vector<std::string>{}), c.post,
                                                  group_answer<service::group_view>(cp, reply, group_created));
  }
  const std::string id = c.segments[1];
  auto version = if_match(c);
  if (!version) return reply(error_reply(version.error()));
  if (m == "GET") {
    auto v = groups_.get_group_view(c.ctx, id, group_view(c));
    if (!v) return reply(error_reply(from_error(v.error())));
    if (not_modified(c, v->group.version)) return reply(not_modified_reply(v->group.version));
    return reply(group_reply(200, *v, c));
  }
  if (m == "DELETE")
    return groups_.delete_group_then(c.ctx, id, c.post, group_answer<std::monostate>(cp, reply, group_deleted),
                                     *version);
  bool answer_with_body = m == "PUT" || !c.proj.attributes.empty() || !c.proj.excluded_attributes.empty();
  if (m == "PATCH") {
    auto parsed = parse_patch_request(c.body, settings_.patch);
    if (!parsed) return reply(error_reply(parsed.error()));
    c.ops = std::move(*parsed);
  }
  auto view = answer_with_body ? group_view(c) : service::view_options{false, false};
  auto done = answer_with_body ? group_answer<service::group_view>(cp, reply, group_ok)
                               : group_answer<service::group_view>(cp, reply, group_patched);
  groups_.modify_group_then(c.ctx, id, group_mutation_of(cp, m == "PUT"), std::move(*version), view, c.post,
                            std::move(done));
}

}  // namespace atrium::proto::scim
