#include "app/cli.hpp"

int main(int argc, char** argv) { return atrium::app::run_cli(argc, argv); }
