// Golden wire tests: every tests/golden/<protocol>/*.test file is one test (format:
// tests/golden/README.md). Each file gets a fresh deployment — the real runtime wiring over a
// real SQLite store in a temp directory, a manual clock and a seeded random source — and its
// requests go through the router the server uses, without sockets. AWS JSON requests are
// signed with SigV4 by an admin access key made for the file; SCIM requests carry a bearer
// token issued for it. The production path has no bypass: the runner is an ordinary client.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <regex>
#include <sstream>

#include <unistd.h>

#include "app/runtime.hpp"
#include "app/wire_console.hpp"
#include "app/wire_identity.hpp"
#include "app/wire_signin.hpp"
#include "base/strings.hpp"
#include "crypto/sigv4.hpp"

namespace atrium::golden {

namespace fs = std::filesystem;
using nlohmann::json;

struct exchange {
  int line = 0;
  std::string method, target;  // target "AWSIdentityStore.CreateUser": an AWS JSON call
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  int status = 0;
  std::vector<std::pair<std::string, std::string>> expected_headers;
  std::vector<std::pair<std::string, std::string>> captures;  // "@name /json/pointer"
  std::string expected_body;
};

struct golden_file {
  std::string guards;  // the header line
  std::map<std::string, double> throttle;  // "set throttle <operation> <rate>"
  bool portal = false;                     // "set portal": also the wings wired once the port is known
  // "set console <user> <policy|none>" (implies portal): an identity-store user with that managed
  // policy as console access (none: no access) and a portal session, bound as ${<user>_id},
  // ${<user>_session} (the atrium_session cookie) and ${<user>_csrf}.
  std::vector<std::pair<std::string, std::string>> console_users;
  std::vector<exchange> exchanges;
};

bool header_line(const std::string& l) {
  static const std::regex re(R"(^[A-Za-z0-9_-]+: .*$)");  // "_": x-amz-sso_bearer_token
  return std::regex_match(l, re);
}

std::string trimmed(std::string s) {
  while (!s.empty() && (s.back() == '\r' || s.back() == ' ')) s.pop_back();
  return s;
}

golden_file parse(const fs::path& file) {
  golden_file g;
  std::ifstream in(file);
  std::string l;
  int n = 0;
  enum { none, req_headers, req_body, res_headers, res_body } at = none;
  exchange* x = nullptr;
  while (std::getline(in, l)) {
    ++n;
    l = trimmed(l);
    if (n == 1) {
      if (!l.starts_with("# ")) throw std::runtime_error(file.string() + ": line 1 must be '# <what this file guards>'");
      g.guards = l.substr(2);
      continue;
    }
    if (l.starts_with("#") && at != req_body && at != res_body) continue;
    if (l.starts_with(">>> ")) {
      g.exchanges.push_back({});
      x = &g.exchanges.back();
      x->line = n;
      auto spec = l.substr(4);
      auto sp = spec.find(' ');
      if (sp == std::string::npos) {
        x->method = "POST";
        x->target = spec;
      } else {
        x->method = spec.substr(0, sp);
        x->target = spec.substr(sp + 1);
      }
      at = req_headers;
      continue;
    }
    if (l.starts_with("<<< ")) {
      if (!x) throw std::runtime_error(file.string() + ":" + std::to_string(n) + ": <<< before >>>");
      x->status = l.substr(4) == "?" ? 0 : std::stoi(l.substr(4));  // "?": recorded
      at = res_headers;
      continue;
    }
    if (at == none) {
      if (l == "set portal") {
        g.portal = true;
      } else if (l.starts_with("set console ")) {
        std::istringstream s(l.substr(12));
        std::string user, policy;
        s >> user >> policy;
        g.portal = true;
        g.console_users.emplace_back(user, policy);
      } else if (l.starts_with("set throttle ")) {
        std::istringstream s(l.substr(13));
        std::string op;
        double rate = 0;
        s >> op >> rate;
        g.throttle[op] = rate;
      } else if (!l.empty()) {
        throw std::runtime_error(file.string() + ":" + std::to_string(n) + ": unexpected line");
      }
      continue;
    }
    if (l.empty()) continue;
    auto split_header = [&](std::vector<std::pair<std::string, std::string>>& into) {
      auto c = l.find(": ");
      into.emplace_back(l.substr(0, c), l.substr(c + 2));
    };
    if (at == req_headers && header_line(l)) {
      split_header(x->headers);
      continue;
    }
    if (at == res_headers && l.starts_with("@")) {
      auto sp = l.find(' ');
      x->captures.emplace_back(l.substr(1, sp - 1), l.substr(sp + 1));
      continue;
    }
    if (at == res_headers && header_line(l)) {
      split_header(x->expected_headers);
      continue;
    }
    if (at == req_headers || at == req_body) {
      at = req_body;
      x->body += (x->body.empty() ? "" : "\n") + l;
    } else {
      at = res_body;
      x->expected_body += (x->expected_body.empty() ? "" : "\n") + l;
    }
  }
  return g;
}

// ---- placeholders ----------------------------------------------------------------------

using bindings = std::map<std::string, std::string>;

std::string substitute(const std::string& s, const bindings& b) {
  std::string out;
  std::size_t i = 0;
  while (i < s.size()) {
    auto at = s.find("${", i);
    if (at == std::string::npos) break;
    auto end = s.find('}', at);
    if (end == std::string::npos) break;
    out += s.substr(i, at - i);
    auto name = s.substr(at + 2, end - at - 2);
    auto it = b.find(name);
    if (it == b.end()) throw std::runtime_error("${" + name + "} is used before it is bound");
    out += it->second;
    i = end + 1;
  }
  return out + s.substr(i);
}

std::string regex_escape(const std::string& s) {
  static const std::regex special(R"([.^$|()\[\]{}*+?\\])");
  return std::regex_replace(s, special, R"(\$&)");
}

// `expected` may hold ${name}: bound names must equal their value, ${*} matches anything and an
// unbound name matches any text and is bound to it.
bool match_text(const std::string& expected, const std::string& actual, bindings& b) {
  if (expected.find("${") == std::string::npos) return expected == actual;
  std::string pattern;
  std::vector<std::string> captures;
  std::size_t i = 0;
  while (i < expected.size()) {
    auto at = expected.find("${", i);
    auto end = at == std::string::npos ? at : expected.find('}', at);
    if (end == std::string::npos) {
      pattern += regex_escape(expected.substr(i));
      break;
    }
    pattern += regex_escape(expected.substr(i, at - i));
    auto name = expected.substr(at + 2, end - at - 2);
    if (name == "*") {
      pattern += "(?:[\\s\\S]*)";
    } else if (auto it = b.find(name); it != b.end()) {
      pattern += regex_escape(it->second);
    } else {
      pattern += "([\\s\\S]*?)";
      captures.push_back(name);
    }
    i = end + 1;
  }
  std::smatch m;
  if (!std::regex_match(actual, m, std::regex(pattern))) return false;
  for (std::size_t k = 0; k < captures.size(); ++k) b[captures[k]] = m[k + 1].str();
  return true;
}

bool match_json(const json& e, const json& a, bindings& b, const std::string& path, std::string& why) {
  auto mismatch = [&](const std::string& what) {
    why = path + ": " + what;
    return false;
  };
  if (e.is_string() && !a.is_string() && e.get<std::string>().starts_with("${") &&
      e.get<std::string>().ends_with("}"))
    return match_text(e.get<std::string>(), a.dump(), b) || mismatch("expected " + e.dump() + ", got " + a.dump());
  if (e.is_string() && a.is_string())
    return match_text(e.get<std::string>(), a.get<std::string>(), b) ||
           mismatch("expected " + e.dump() + ", got " + a.dump());
  if (e.is_object() && a.is_object()) {
    for (auto it = e.begin(); it != e.end(); ++it)
      if (!a.contains(it.key())) return mismatch("missing member " + it.key());
    for (auto it = a.begin(); it != a.end(); ++it)
      if (!e.contains(it.key())) return mismatch("unexpected member " + it.key() + " = " + it.value().dump());
    for (auto it = e.begin(); it != e.end(); ++it)
      if (!match_json(it.value(), a[it.key()], b, path + "." + it.key(), why)) return false;
    return true;
  }
  if (e.is_array() && a.is_array()) {
    if (e.size() != a.size())
      return mismatch("expected " + std::to_string(e.size()) + " items, got " + std::to_string(a.size()));
    for (std::size_t i = 0; i < e.size(); ++i)
      if (!match_json(e[i], a[i], b, path + "[" + std::to_string(i) + "]", why)) return false;
    return true;
  }
  return e == a || mismatch("expected " + e.dump() + ", got " + a.dump());
}

// ---- the deployment ----------------------------------------------------------------------

const std::map<std::string, std::string>& signing_names() {
  static const std::map<std::string, std::string> m = {{"AWSIdentityStore", "identitystore"},
                                                       {"SWBExternalService", "sso"},
                                                       {"AWSOrganizationsV20161128", "organizations"},
                                                       {"AtriumAdmin", "sso-directory"}};
  return m;
}

class deployment {
 public:
  deployment(const fs::path& dir, const golden_file& g) : dir_(dir) {
    app::config cfg;
    cfg.data_dir = dir;
    cfg.audit_file = false;
    cfg.sqlite_reader_connections = 2;
    cfg.sqlite_synchronous_full = false;
    cfg.server.port = 8443;
    cfg.public_host = "atrium.test";
    for (const auto& [op, rate] : g.throttle) cfg.throttle.rate_overrides[op] = rate;
    rt_ = app::runtime::open(cfg, {&clk_, &rnd_});
    // The portal, sign-in and command-line access wings (serve() wires them once it listens).
    if (g.portal) rt_->open_portal(cfg.server.port);
    auto key = rt_->base().auth->create_access_key("admin", false);
    if (!key) throw std::runtime_error(key.error().message);
    key_ = *key;
    service::call_context ctx;
    ctx.via = domain::door::cli;
    auto token = rt_->identity().provisioning->enable(ctx);
    if (!token) throw std::runtime_error(token.error().message);
    bearer_ = token->token;
    const auto& ids = rt_->ids();
    vars_ = {{"store", ids.identity_store_id}, {"account", ids.account_id},
             {"instance", ids.instance_id},    {"instance_arn", ids.instance_arn},
             {"access_key", key_.access_key_id}};
    for (const auto& [user, policy] : g.console_users) add_console_user(user, policy);
  }

  // A signed-in console user: made through the services, as `atrium admin console-access grant`
  // and a portal sign-in would.
  void add_console_user(const std::string& name, const std::string& policy) {
    service::call_context ctx;
    ctx.via = domain::door::cli;
    domain::user u;
    u.user_name = name;
    u.display_name = name;
    u.user_name_parts = domain::name{};
    u.user_name_parts->given_name = name;
    u.user_name_parts->family_name = "Tester";
    auto made = rt_->identity().identity->users.create_user(ctx, std::move(u));
    if (!made) throw std::runtime_error(made.error().message);
    if (policy != "none")
      if (auto g = rt_->console().access->grant(ctx, {"USER", made->id}, {policy, std::nullopt}); !g)
        throw std::runtime_error(g.error().message);
    std::optional<service::issued_session> issued;
    auto w = rt_->base().db->write([&](store::transaction& tx) -> result<void> {
      auto s = rt_->signin().sessions->create(tx, made->id, "192.0.2.10", "golden");
      if (!s) return std::unexpected(s.error());
      issued = std::move(*s);
      return {};
    });
    if (!w) throw std::runtime_error(w.error().message);
    vars_[name + "_id"] = made->id;
    vars_[name + "_session"] = issued->token;
    vars_[name + "_csrf"] = issued->csrf_token;
  }

  bindings& vars() { return vars_; }

  proto::response send(const exchange& x, int n) {
    proto::request r;
    r.remote_ip = "192.0.2.10";
    r.request_id = "req-" + std::to_string(n);
    r.body = substitute(x.body, vars_);
    bool aws = x.target.find('/') == std::string::npos;
    std::vector<std::pair<std::string, std::string>> given;
    for (const auto& [k, v] : x.headers) given.emplace_back(k, substitute(v, vars_));
    auto has = [&](std::string_view name) {
      for (const auto& [k, v] : given)
        if (iequals_ascii(k, name)) return true;
      return false;
    };
    r.method = x.method;
    if (aws) {
      r.target = "/";
      r.headers = {{"Host", "atrium.test:8443"}, {"X-Amz-Target", x.target}, {"User-Agent", "golden"}};
      if (!has("Content-Type")) r.headers.emplace_back("Content-Type", "application/x-amz-json-1.1");
    } else {
      r.target = substitute(x.target, vars_);
      r.headers = {{"Host", "atrium.test:8443"}, {"User-Agent", "golden"}};
      if (!has("Authorization")) r.headers.emplace_back("Authorization", "Bearer " + bearer_);
      if (!r.body.empty() && !has("Content-Type")) r.headers.emplace_back("Content-Type", "application/scim+json");
    }
    bool sign = aws && !has("Authorization");
    for (const auto& [k, v] : given)
      if (v != "-") r.headers.emplace_back(k, v);
    if (sign) {
      auto prefix = x.target.substr(0, x.target.find('.'));
      auto it = signing_names().find(prefix);
      crypto::sigv4_request s{r.method, r.target, {}, r.body};
      for (const auto& [k, v] : r.headers) s.headers.push_back({k, v});
      for (auto& h : crypto::sigv4_sign(s, key_.access_key_id, key_.secret_access_key, "us-east-1",
                                        it == signing_names().end() ? "sso" : it->second, clk_.now()))
        r.headers.emplace_back(h.name, h.value);
    }
    // The clock stands still: every time in a file is the same, and token buckets do not refill.
    return rt_->routes().handle(r);
  }

 private:
  fs::path dir_;
  manual_clock clk_{from_epoch_millis(1'767'225'600'000)};  // 2026-01-01T00:00:00Z
  seeded_random rnd_{20260101};
  std::unique_ptr<app::runtime> rt_;
  service::new_access_key key_;
  std::string bearer_;
  bindings vars_;
};

// ---- the test ------------------------------------------------------------------------------

std::vector<fs::path> golden_files() {
  std::vector<fs::path> out;
  for (const auto& e : fs::recursive_directory_iterator(ATRIUM_GOLDEN_DIR))
    if (e.path().extension() == ".test") out.push_back(e.path());
  std::sort(out.begin(), out.end());
  return out;
}

class golden : public ::testing::TestWithParam<fs::path> {};

// Record mode (ATRIUM_GOLDEN_RECORD=1): an expected body of "*" is replaced by the actual one,
// with every bound value of 8 characters or more written back as its ${name}; the file is
// written beside the original as <name>.test.recorded, to be read and checked before use.
std::string with_placeholders(std::string text, const bindings& b) {
  std::vector<std::pair<std::string, std::string>> by_length(b.begin(), b.end());
  std::sort(by_length.begin(), by_length.end(),
            [](const auto& x, const auto& y) { return x.second.size() > y.second.size(); });
  for (const auto& [name, value] : by_length) {
    if (value.size() < 8) continue;
    for (auto at = text.find(value); at != std::string::npos; at = text.find(value, at + name.size() + 3))
      text.replace(at, value.size(), "${" + name + "}");
  }
  return text;
}

// The same inside every string of a JSON value (numbers stay as they are).
json with_placeholders(json v, const bindings& b) {
  if (v.is_string()) return with_placeholders(v.get<std::string>(), b);
  if (v.is_object() || v.is_array())
    for (auto& x : v) x = with_placeholders(x, b);
  return v;
}

void write_recorded(const fs::path& file, const golden_file& g, const std::vector<std::string>& bodies) {
  std::ofstream out(file.string() + ".recorded");
  out << "# " << g.guards << "\n";
  if (g.portal && g.console_users.empty()) out << "set portal\n";
  for (const auto& [user, policy] : g.console_users) out << "set console " << user << " " << policy << "\n";
  for (const auto& [op, rate] : g.throttle) out << "set throttle " << op << " " << rate << "\n";
  for (std::size_t i = 0; i < g.exchanges.size(); ++i) {
    const auto& x = g.exchanges[i];
    out << "\n>>> " << (x.method == "POST" && x.target.find('/') == std::string::npos ? "" : x.method + " ") << x.target << "\n";
    for (const auto& [k, v] : x.headers) out << k << ": " << v << "\n";
    if (!x.body.empty()) out << x.body << "\n";
    out << "<<< " << x.status << "\n";
    for (const auto& [k, v] : x.expected_headers) out << k << ": " << v << "\n";
    for (const auto& [k, v] : x.captures) out << "@" << k << " " << v << "\n";
    if (!bodies[i].empty()) out << bodies[i] << "\n";
  }
}

std::string header_value(const proto::response& r, const std::string& name) {
  if (iequals_ascii(name, "Content-Type")) return r.content_type;
  for (const auto& [k, v] : r.headers)
    if (iequals_ascii(k, name)) return v;
  return "(absent)";
}

TEST_P(golden, exchanges_match) {
  const auto& file = GetParam();
  auto g = parse(file);
  ASSERT_FALSE(g.exchanges.empty()) << file;
  auto dir = fs::temp_directory_path() / ("atrium-golden-" + std::to_string(::getpid()) + "-" + file.stem().string());
  fs::remove_all(dir);
  fs::create_directories(dir);
  {
    deployment d(dir, g);
    bool record = std::getenv("ATRIUM_GOLDEN_RECORD") != nullptr;
    std::vector<std::string> recorded;
    int n = 0;
    for (auto& x : g.exchanges) {
      ++n;
      auto where = file.filename().string() + ":" + std::to_string(x.line);
      auto r = d.send(x, n);
      if (record && x.status == 0) x.status = r.status;
      for (const auto& [name, pointer] : x.captures) {
        auto body = json::parse(r.body, nullptr, false);
        auto p = json::json_pointer(pointer);
        ASSERT_TRUE(!body.is_discarded() && body.contains(p)) << where << ": nothing at " << pointer << " in " << r.body;
        d.vars()[name] = body[p].is_string() ? body[p].get<std::string>() : body[p].dump();
      }
      if (record) {
        auto actual = json::parse(r.body, nullptr, false);
        recorded.push_back(x.expected_body != "*" ? x.expected_body
                           : actual.is_discarded() ? r.body
                                                   : with_placeholders(actual, d.vars()).dump());
      }
      if (std::getenv("ATRIUM_GOLDEN_PRINT"))
        std::cout << where << " " << x.method << " " << x.target << "\n<<< " << r.status << "\n" << r.body << "\n";
      EXPECT_EQ(r.status, x.status) << where << ": " << r.body;
      for (const auto& [k, v] : x.expected_headers)
        EXPECT_TRUE(match_text(v, header_value(r, k), d.vars())) << where << ": header " << k << " is '" << header_value(r, k) << "'";
      if (x.expected_body == "*") continue;
      if (x.expected_body.empty()) {
        EXPECT_EQ(r.body, "") << where;
        continue;
      }
      auto expected = json::parse(x.expected_body, nullptr, false);
      ASSERT_FALSE(expected.is_discarded()) << where << ": the expected body is not JSON";
      auto actual = json::parse(r.body, nullptr, false);
      ASSERT_FALSE(actual.is_discarded()) << where << ": the body is not JSON: " << r.body;
      std::string why;
      EXPECT_TRUE(match_json(expected, actual, d.vars(), "$", why)) << where << ": " << why << "\nbody: " << r.body;
    }
    if (record) write_recorded(file, g, recorded);
  }
  fs::remove_all(dir);
}

INSTANTIATE_TEST_SUITE_P(files, golden, ::testing::ValuesIn(golden_files()),
                         [](const ::testing::TestParamInfo<fs::path>& i) {
                           std::string name = i.param.parent_path().filename().string() + "_" + i.param.stem().string();
                           for (auto& c : name)
                             if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
                           return name;
                         });

}  // namespace atrium::golden
