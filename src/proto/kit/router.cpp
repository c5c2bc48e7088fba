#include "proto/kit/router.hpp"

#include <algorithm>

namespace atrium::proto {

void router::add(std::string prefix, door& d, std::vector<std::string> methods) {
  routes_.push_back({std::move(prefix), false, std::move(methods), &d});
}

void router::add_exact(std::string path, door& d, std::vector<std::string> methods) {
  routes_.push_back({std::move(path), true, std::move(methods), &d});
}

door* router::door_for(const request& req) const {
  auto path = req.path();
  for (const auto& r : routes_) {
    bool matches = r.exact ? path == r.path
                           : path.starts_with(r.path) && (path.size() == r.path.size() || path[r.path.size()] == '/');
    if (!matches) continue;
    if (!r.methods.empty() && std::find(r.methods.begin(), r.methods.end(), req.method) == r.methods.end()) continue;
    return r.d;
  }
  return fallback_;
}

namespace {
response not_found_response() {
  response r;
  r.status = 404;
  r.body = R"({"message":"Not found."})";
  r.error_code = "NotFound";
  return r;
}
}  // namespace

response router::handle(const request& req) const {
  if (door* d = door_for(req)) return d->handle(req);
  return not_found_response();
}

void router::handle_async(const request& req, responder later) const {
  if (door* d = door_for(req)) return d->handle_async(req, std::move(later));
  later(not_found_response());
}

response router::transport_error(const request& partial, response generic) const {
  if (door* d = door_for(partial)) return d->transport_error(partial, std::move(generic));
  return generic;
}

bool router::is_point_read(const request& req) const {
  const door* d = door_for(req);
  return d && d->is_point_read(req);
}

}  // namespace atrium::proto
