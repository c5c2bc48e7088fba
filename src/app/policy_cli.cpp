#include "app/policy_cli.hpp"

#include <filesystem>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "app/runtime.hpp"
#include "base/clock.hpp"
#include "base/json_text.hpp"

#include "service/audit/event_sources.hpp"
namespace atrium::app {

namespace {

// CloudTrail eventSource of the events these commands write: changes to key policies are
// audited like IAM's AttachUserPolicy/DetachUserPolicy.

// Policy files are small (6,144 characters without white space); refuse anything huge early.
result<std::string> read_policy_file(const std::string& path) {
  std::error_code ec;
  auto size = std::filesystem::file_size(path, ec);
  if (ec) return fail(errc::validation, "cannot read policy file " + path + ": " + ec.message());
  if (size > domain::policy_limits::max_raw_bytes) return fail(errc::validation, "policy file " + path + " is too large.");
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  if (!in) return fail(errc::validation, "cannot read policy file " + path + ".");
  return ss.str();
}

nlohmann::json record_json(const store::key_policy_record& r) {
  nlohmann::json j = {{"PolicyName", r.name}, {"Type", r.document ? "Inline" : "BuiltIn"},
                      {"AttachedAt", iso8601(r.attached_at)}};
  if (r.document) {
    auto doc = nlohmann::json::parse(*r.document, nullptr, false);
    j["PolicyDocument"] = doc.is_discarded() ? nlohmann::json(*r.document) : doc;
  }
  return j;
}

}  // namespace

result<std::vector<service::key_policy_spec>> policy_specs(const std::vector<std::string>& names,
                                                            const std::vector<std::string>& files) {
  std::vector<service::key_policy_spec> out;
  for (const auto& n : names) out.push_back({n, std::nullopt});
  for (const auto& f : files) {
    auto text = read_policy_file(f);
    if (!text) return std::unexpected(text.error());
    out.push_back({std::filesystem::path(f).stem().string(), std::move(*text)});
  }
  for (const auto& s : out)
    if (auto v = service::validate_key_policy(s); !v) return std::unexpected(v.error());
  return out;
}

key_policy_commands::key_policy_commands(CLI::App* admin) {
  group_ = admin->add_subcommand("key-policies", "Policies of admin access keys (delegated administration)")
               ->require_subcommand(1);
  list_ = group_->add_subcommand("list", "List the policies attached to an access key");
  attach_ = group_->add_subcommand("attach", "Attach a built-in policy (--policy) or a policy file (--policy-file)");
  detach_ = group_->add_subcommand("detach", "Detach a policy from an access key");
  builtins_ = group_->add_subcommand("builtins", "List the built-in policies with their documents");
  add_common({list_, attach_, detach_, builtins_}, common_, json_);
  for (auto* c : {list_, attach_, detach_}) c->add_option("--access-key-id", key_id_, "The key (AKIA...)")->required();
  auto* by_name = attach_->add_option("--policy", policy_, "Built-in policy name (see `key-policies builtins`)");
  auto* by_file = attach_->add_option("--policy-file", file_, "IAM policy document (JSON)");
  by_name->excludes(by_file);
  attach_->add_option("--name", name_, "Name for the file's policy (default: the file name without .json)");
  detach_->add_option("--policy", policy_, "Name of the attached policy")->required();
}

std::optional<int> key_policy_commands::run() {
  if (!*group_) return std::nullopt;
  if (*builtins_) {
    nlohmann::json all = nlohmann::json::array();
    for (const auto& b : domain::builtin_policies()) {
      if (!json_) std::cout << b.name << "\n";
      all.push_back({{"PolicyName", b.name}, {"PolicyDocument", nlohmann::json::parse(b.document)}});
    }
    if (json_) std::cout << all.dump() << "\n";
    return 0;
  }
  auto cfg = load_config(common_);
  auto rt = runtime::open(cfg);
  return act(cli_env_of(*rt));
}

int key_policy_commands::act(const cli_env& env) {
  system_clock clk;
  service::key_policies kp(env.audit, clk);
  if (*list_) {
    auto ctx = cli_context(env, service::event_sources::iam, "ListAttachedKeyPolicies");
    auto rows = kp.list(key_id_);
    if (!rows) return cli_failed(env, ctx, rows.error());
    nlohmann::json out = nlohmann::json::array();
    for (const auto& r : *rows) out.push_back(record_json(r));
    if (json_) std::cout << nlohmann::json{{"AccessKeyId", key_id_}, {"Policies", out}}.dump() << "\n";
    else if (rows->empty()) std::cout << "  (no policies: every call is denied)\n";
    else
      for (const auto& r : *rows) std::cout << "  " << r.name << (r.document ? "  (inline)" : "  (built-in)") << "\n";
    return 0;
  }
  if (*attach_) {
    auto ctx = cli_context(env, service::event_sources::iam, "AttachKeyPolicy");
    if (policy_.empty() && file_.empty())
      return cli_failed(env, ctx, error{errc::validation, "give --policy NAME or --policy-file FILE", {}, {}});
    auto specs = policy_.empty() ? policy_specs({}, {file_}) : policy_specs({policy_}, {});
    if (!specs) return cli_failed(env, ctx, specs.error());
    auto spec = specs->front();
    if (!name_.empty() && spec.document) spec.name = name_;
    ctx.request_parameters = to_json_text({{"accessKeyId", key_id_}, {"policyName", spec.name}});
    if (auto r = kp.attach(key_id_, spec, ctx); !r) return cli_failed(env, ctx, r.error());
    if (json_) std::cout << nlohmann::json{{"AccessKeyId", key_id_}, {"PolicyName", spec.name}}.dump() << "\n";
    else std::cout << "Attached " << spec.name << " to " << key_id_ << ".\n";
    return 0;
  }
  auto ctx = cli_context(env, service::event_sources::iam, "DetachKeyPolicy");
  ctx.request_parameters = to_json_text({{"accessKeyId", key_id_}, {"policyName", policy_}});
  if (auto r = kp.detach(key_id_, policy_, ctx); !r) return cli_failed(env, ctx, r.error());
  if (json_) std::cout << nlohmann::json{{"AccessKeyId", key_id_}, {"PolicyName", policy_}, {"Detached", true}}.dump() << "\n";
  else std::cout << "Detached " << policy_ << " from " << key_id_ << ".\n";
  return 0;
}

}  // namespace atrium::app
