// libFuzzer target: whole untrusted SCIM requests through the real door on a real SQLite
// store (temp dir): the first line is "METHOD /path?query", an optional second line an
// If-Match value, the rest the body. Exercises routing, query parsing, JSON bodies, resource
// reading, filters, PATCH and rendering together. Must never crash, hang or throw.
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>

#include "crypto/primitives.hpp"
#include "proto/scim/scim_door.hpp"
#include "service/identity/identity_services.hpp"
#include "store/sqlite/sqlite_database.hpp"

using namespace atrium;

namespace {

struct world {
  seeded_random rnd{1};
  manual_clock clk{from_epoch_millis(1'763'900'000'000)};
  std::unique_ptr<store::database> db;
  std::unique_ptr<service::auditor> audit;
  std::unique_ptr<service::audited_store> audited;
  std::unique_ptr<service::throttler> throttle;
  std::unique_ptr<service::identity_services> identity;
  std::unique_ptr<service::scim_provisioning> tokens;
  std::unique_ptr<proto::scim::scim_door> door;
  std::string token;

  world() {
    crypto::init();
    auto dir = std::filesystem::temp_directory_path() / ("atrium-scim-fuzz-" + std::to_string(::getpid()));
    std::filesystem::remove_all(dir);
    std::filesystem::create_directories(dir);
    db = std::move(*store::sqlite::sqlite_database::open({dir / "f.db", false}));
    audit = std::make_unique<service::auditor>(clk, rnd, std::nullopt);
    audited = std::make_unique<service::audited_store>(*db, *audit);
    throttle = std::make_unique<service::throttler>(clk, service::throttle_settings{1e9, 1e9, {}});
    identity = std::make_unique<service::identity_services>(*audited, clk, rnd, "d-0123456789",
                                                           service::quotas{2000, 2000, 2000});
    tokens = std::make_unique<service::scim_provisioning>(*audited, clk, rnd);
    door = std::make_unique<proto::scim::scim_door>(*tokens, identity->users, identity->groups, *throttle, *audited,
                                                    proto::scim::scim_settings{});
    token = tokens->enable(service::call_context{})->token;
    // A few resources for paths, filters and patches to find.
    for (const char* body : {R"({"userName":"u1","displayName":"U","name":{"givenName":"G","familyName":"F"}})",
                             R"({"displayName":"g1"})"})
      door->handle(request("POST", std::string("/scim/v2/") + (body[2] == 'u' ? "Users" : "Groups"), body));
  }

  proto::request request(std::string method, std::string target, std::string body) const {
    proto::request r;
    r.method = std::move(method);
    r.target = std::move(target);
    r.body = std::move(body);
    r.headers = {{"Authorization", "Bearer " + token}, {"Content-Type", "application/scim+json"}};
    return r;
  }
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static world w;
  std::string_view in(reinterpret_cast<const char*>(data), size);
  auto nl = in.find('\n');
  std::string_view line = in.substr(0, nl);
  std::string_view rest = nl == std::string_view::npos ? std::string_view() : in.substr(nl + 1);
  auto sp = line.find(' ');
  if (sp == std::string_view::npos) return 0;
  auto req = w.request(std::string(line.substr(0, sp)), "/scim/v2" + std::string(line.substr(sp + 1)), "");
  if (rest.starts_with("If-Match: ")) {
    auto end = rest.find('\n');
    req.headers.emplace_back("If-Match", std::string(rest.substr(10, end == std::string_view::npos ? rest.npos : end - 10)));
    rest = end == std::string_view::npos ? std::string_view() : rest.substr(end + 1);
  }
  req.body = std::string(rest);
  auto res = w.door->handle(req);
  if (res.status < 200 || res.status > 599) __builtin_trap();
  return 0;
}
