#pragma once
// Internal to the SCIM door: one request in progress and the reply helpers its handlers
// (scim_door.cpp, scim_users.cpp, scim_groups.cpp) share.
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "proto/scim/resources.hpp"
#include "proto/scim/scim_door.hpp"
#include "proto/scim/scim_error.hpp"

namespace atrium::proto::scim {

// A write's completion and its mutation run after handle_async returned (on the writer thread,
// then a worker): they use the call's own members, never `req`, which only the synchronous part
// of a handler may read.
struct scim_door::call {
  const request& req;
  service::call_context ctx;
  std::vector<std::string> segments;         // path segments after the base path
  std::map<std::string, std::string> query;  // lower-cased names, percent-decoded values
  nlohmann::json body;                       // the parsed body of POST, PUT and PATCH
  std::string base_url;                      // scheme://host/scim/v2, for meta.location
  projection proj;
  store::post_fn post;                       // where a write's completion runs (a worker)
  std::vector<patch_op> ops;                 // a PATCH's operations
  // A protocol error raised inside a PUT's or PATCH's mutation, kept so that the answer keeps its
  // scimType (the store only carries errc).
  std::optional<scim_error> own;

  std::optional<std::string> param(const std::string& lower_name) const;
};

response json_reply(int status, const nlohmann::json& body, std::string_view etag = {});
response error_reply(const scim_error& e);
response no_content(std::string_view etag = {});

// If-Match / If-None-Match as versions (nullopt when absent or "*"); a value this server did
// not issue is a precondition failure (412).
scim_result<service::version_condition> if_match(const scim_door::call& c, std::string_view header = "If-Match");
// If-None-Match on a read: true when the client's copy (a listed version, or "*") is current.
bool not_modified(const scim_door::call& c, int64_t version);

// Index or cursor paging from startIndex / count / cursor (RFC 7644 §3.4.2.4; the service's
// cursor paging, where an empty cursor asks for the first page).
scim_result<service::query_window> window_of(const scim_door::call& c, int max_count);

// 304 Not Modified with the current ETag.
response not_modified_reply(int64_t version);

// POST …/.search (RFC 7644 §3.4.3) carries the list parameters in its body: moves them to the
// query and the projection, so the list handlers serve both forms.
void search_body_to_query(scim_door::call& c);

// A ListResponse (RFC 7644 §3.4.2): index paging carries totalResults/startIndex, cursor
// paging nextCursor.
nlohmann::json list_response(std::vector<nlohmann::json> resources, const service::query_window& w,
                             std::optional<int64_t> total, const std::optional<std::string>& next_cursor);

// The answer to a list: each item rendered (and projected) by `render`.
template <class Page, class Render>
response list_reply(const service::query_window& w, const Page& page, Render&& render) {
  std::vector<nlohmann::json> resources;
  resources.reserve(page.items.size());
  for (const auto& v : page.items) resources.push_back(render(v));
  return json_reply(200, list_response(std::move(resources), w, page.total, page.next_cursor));
}

}  // namespace atrium::proto::scim
