#pragma once
#include <string>
namespace atrium::app {
// One JSON object per line on stderr: {"time":..., "level":..., "msg":...}. Messages that the
// http layer logs already carry request_id, method, path, status and duration.
void setup_logging(const std::string& level);
}
