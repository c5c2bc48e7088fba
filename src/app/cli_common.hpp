#pragma once
// Pieces every `atrium` subcommand shares: the --config/--data-dir/--set options and loading
// the configuration from them (docs/configuration.md); the call context of a command and the
// audited report of a refused one.
#include <CLI/CLI.hpp>
#include <initializer_list>
#include <string>
#include <string_view>
#include <vector>

#include "app/config.hpp"
#include "base/result.hpp"
#include "domain/identity.hpp"
#include "service/audit/audited_store.hpp"
#include "service/audit/call_context.hpp"
#include "store/repositories.hpp"

namespace atrium::app {

class runtime;
struct deployment_ids;

// What every command needs besides its own services: who it acts as (the deployment's root)
// and where a refusal is audited. Commands get this and the few services they use, never the
// whole runtime.
struct cli_env {
  const deployment_ids& ids;
  service::audited_store& audit;
};
cli_env cli_env_of(runtime& rt);

struct common_options {
  std::string config_file;
  std::string data_dir;
  std::vector<std::string> settings;  // --set key=value
};

void add_common(CLI::App* cmd, common_options& o);
// The same on each of `cmds` (one group's subcommands), each also taking --json.
void add_common(std::initializer_list<CLI::App*> cmds, common_options& o, bool& as_json);
// Throws std::runtime_error naming the bad key or value.
config load_config(const common_options& o);

// A command's call context: the CLI acts as the deployment's root (it holds the data directory
// and the master key). `event_source` is the service whose CloudTrail event the command writes
// ("organizations.amazonaws.com"); List*, Describe* and Get* events are readOnly.
service::call_context cli_context(const cli_env& env, std::string_view event_source, std::string_view event);

// A refused command is audited like a refused API call (errorCode, errorMessage) and reported
// on stderr; returns the exit code 1. errorCode is the AWS JSON error name of `e` unless
// `error_code` is given (an API with its own names, e.g. Organizations'), which is then
// printed before the message too.
int cli_failed(const cli_env& env, const service::call_context& ctx, const error& e, std::string_view error_code = {});

// The user named by --user: an identity-store user id first, else a user name
// (case-insensitive, as the store keeps names unique). errc::not_found naming USER otherwise.
result<domain::user> find_cli_user(store::database& db, const std::string& key);

}  // namespace atrium::app
