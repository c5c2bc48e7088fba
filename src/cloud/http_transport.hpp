#pragma once
// One synchronous HTTP/1.1 exchange with a peer (an AWS endpoint or moto), over TLS or plain
// TCP. An interface so that aws_client and the provisioner can be tested against a fake.
#include <chrono>
#include <cstddef>
#include <filesystem>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "base/result.hpp"

namespace atrium::cloud {

// "https://iam.amazonaws.com", "http://127.0.0.1:5000/" -> parts. Only http and https.
struct endpoint {
  bool tls = true;
  std::string host;
  std::string port;   // "443" / "80" when the URL names none
  std::string path = "/";
  // The Host header: the host, plus ":port" when the port is not the scheme's default.
  std::string host_header() const;
};
result<endpoint> parse_endpoint(std::string_view url);

struct http_request {
  std::string method = "POST";
  std::string target = "/";
  std::vector<std::pair<std::string, std::string>> headers;  // Host is set by the caller
  std::string body;
};

struct http_reply {
  int status = 0;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  // First header called `name` (case-insensitive), or "".
  std::string header(std::string_view name) const;
};

struct transport_options {
  std::chrono::milliseconds connect_timeout{5'000};
  std::chrono::milliseconds request_timeout{30'000};  // whole exchange after connecting
  std::size_t max_reply_bytes = 8u << 20;
  // TLS: the peer's certificate and host name are verified against the system store, or
  // against `ca_file` alone when it is set. `verify_tls = false` is for loopback tests only.
  bool verify_tls = true;
  std::filesystem::path ca_file;
};

class http_transport {
 public:
  virtual ~http_transport() = default;
  // errc::internal for connection/TLS/timeout failures (message says which); any HTTP status
  // is a reply, not an error.
  virtual result<http_reply> send(const endpoint& ep, const http_request& req) = 0;
};

// Boost.Beast, one connection per exchange (moto closes every connection anyway; provisioning
// makes few calls), so there is no pool to keep healthy.
std::shared_ptr<http_transport> make_beast_transport(transport_options options = {});

}  // namespace atrium::cloud
