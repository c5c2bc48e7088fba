#pragma once
// The `atrium` command: serve, admin create-access-key, audit, version.
namespace atrium::app {
int run_cli(int argc, char** argv);
}
