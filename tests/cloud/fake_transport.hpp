#pragma once
// A scripted http_transport for cloud tests: records every request and answers from a handler.
#include <functional>
#include <mutex>
#include <string>
#include <vector>

#include "cloud/http_transport.hpp"

namespace atrium::cloud::testing {

struct fake_transport final : http_transport {
  std::function<result<http_reply>(const http_request&)> handler;
  std::vector<http_request> seen;
  std::vector<endpoint> endpoints;
  std::mutex mu;  // the provisioner sends a role's independent calls from several threads

  result<http_reply> send(const endpoint& ep, const http_request& req) override {
    std::lock_guard lock(mu);
    seen.push_back(req);
    endpoints.push_back(ep);
    return handler(req);
  }
};

inline std::string header_of(const http_request& r, std::string_view name) {
  for (const auto& [n, v] : r.headers)
    if (n == name) return v;
  return {};
}

inline http_reply xml_reply(int status, std::string body) {
  return http_reply{status, {{"Content-Type", "text/xml"}}, std::move(body)};
}

}  // namespace atrium::cloud::testing
