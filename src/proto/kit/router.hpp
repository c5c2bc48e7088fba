#pragma once
// Which door serves a request. Each door registers the paths it serves and gives the error
// shape of the answers the HTTP layer makes itself for requests it could not read (413 body
// too large, 431 headers too large, 400 malformed): a SCIM client expects a SCIM Error, the
// portal's script its {"error", "message"}. One door is the fallback for every other path
// (the AWS JSON APIs are served at "/").
#include <string>
#include <vector>

#include "proto/kit/exchange.hpp"
#include "proto/kit/responder.hpp"

namespace atrium::proto {

class door {
 public:
  virtual ~door() = default;
  virtual response handle(const request& req) = 0;
  // The asynchronous form (issue 18 item 3): answers through `later`, at once or after work it
  // started (a write completed by the store's writer). Must not block on a write. Default: the
  // synchronous handle().
  virtual void handle_async(const request& req, responder later) { later(handle(req)); }
  // `partial` carries what was read (method, target and headers when the headers were read;
  // never a body); `generic` is the HTTP layer's own answer. Default: that answer unchanged.
  virtual response transport_error(const request& partial, response generic) const { return generic; }
  // True for a request whose whole work is a few store reads (a point read, one page) and
  // in-memory checks: no password hash, no signature, no outbound call, no write it waits for
  // (its audit record is deferred). The HTTP layer may run such a handler on the network
  // thread that read the request instead of handing it to the worker pool and back (issue 18
  // item 3). Only the headers and target are looked at; the default keeps every request on
  // the worker pool.
  virtual bool is_point_read(const request&) const { return false; }
};

class router {
 public:
  // `prefix` and every path below it ("/scim/v2", "/scim/v2/", "/scim/v2/Users"); with
  // `methods`, only requests with one of them.
  void add(std::string prefix, door& d, std::vector<std::string> methods = {});
  // Exactly this path (the portal's "GET /").
  void add_exact(std::string path, door& d, std::vector<std::string> methods = {});
  void set_fallback(door& d) { fallback_ = &d; }

  // The first registered route that matches, else the fallback (nullptr without one).
  door* door_for(const request& req) const;
  // 404 {"message": "Not found."} when no door serves the path and there is no fallback.
  response handle(const request& req) const;
  // The serving door's handle_async (the 404 at once when none serves the request).
  void handle_async(const request& req, responder later) const;
  response transport_error(const request& partial, response generic) const;
  // The serving door's is_point_read (false when no door serves the request).
  bool is_point_read(const request& req) const;

 private:
  struct route {
    std::string path;
    bool exact = false;
    std::vector<std::string> methods;
    door* d = nullptr;
  };
  std::vector<route> routes_;
  door* fallback_ = nullptr;
};

}  // namespace atrium::proto
