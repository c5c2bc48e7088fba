#pragma once
// The built browser UI (web/ -> Vite -> web.assets_dir) under /portal/: a file when it exists,
// otherwise index.html (the UI routes on the path). Paths are percent-decoded, then
// canonicalized and checked to stay inside the assets directory (no traversal, no symlink out).
#include <filesystem>
#include <string_view>

#include "proto/portal/portal_door.hpp"

namespace atrium::proto::portal {

// `rel` is the path after "/portal/" (may be empty), still percent-encoded.
response static_file(const std::filesystem::path& assets_dir, std::string_view rel);

// text/html for .html and so on; application/octet-stream when unknown.
std::string_view content_type_of(const std::filesystem::path& file);

}  // namespace atrium::proto::portal
