#include "proto/portal/static_files.hpp"

#include <fstream>
#include <map>
#include <optional>
#include <sstream>
#include <system_error>

#include "base/strings.hpp"
#include "proto/portal/portal_http.hpp"

namespace atrium::proto::portal {

namespace fs = std::filesystem;

namespace {

constexpr std::uintmax_t max_file_bytes = 32 << 20;

std::optional<std::string> percent_decode(std::string_view s) {
  std::string out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] != '%') {
      out.push_back(s[i]);
      continue;
    }
    if (i + 2 >= s.size()) return std::nullopt;
    auto hex = [](char c) -> int {
      if (c >= '0' && c <= '9') return c - '0';
      if (c >= 'a' && c <= 'f') return c - 'a' + 10;
      if (c >= 'A' && c <= 'F') return c - 'A' + 10;
      return -1;
    };
    int hi = hex(s[i + 1]), lo = hex(s[i + 2]);
    if (hi < 0 || lo < 0) return std::nullopt;
    out.push_back(static_cast<char>(hi * 16 + lo));
    i += 2;
  }
  return out;
}

// The file inside `root` that `rel` names, or nullopt when it is not a regular file inside it.
std::optional<fs::path> inside(const fs::path& root, std::string_view rel) {
  auto decoded = percent_decode(rel);
  if (!decoded || decoded->find('\0') != std::string::npos || decoded->find('\\') != std::string::npos)
    return std::nullopt;
  for (auto seg : split(*decoded, '/'))
    if (seg == "..") return std::nullopt;
  std::error_code ec;
  fs::path file = fs::weakly_canonical(root / fs::path(*decoded).relative_path(), ec);
  if (ec) return std::nullopt;
  auto r = root.native(), f = file.native();
  if (f.size() <= r.size() || f.compare(0, r.size(), r) != 0 || f[r.size()] != '/') return std::nullopt;
  if (!fs::is_regular_file(file, ec) || ec) return std::nullopt;
  return file;
}

std::optional<std::string> slurp(const fs::path& p) {
  std::error_code ec;
  auto size = fs::file_size(p, ec);
  if (ec || size > max_file_bytes) return std::nullopt;
  std::ifstream in(p, std::ios::binary);
  if (!in) return std::nullopt;
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

}  // namespace

std::string_view content_type_of(const fs::path& file) {
  static const std::map<std::string, std::string_view> types = {
      {".html", "text/html; charset=utf-8"},  {".js", "text/javascript; charset=utf-8"},
      {".mjs", "text/javascript; charset=utf-8"}, {".css", "text/css; charset=utf-8"},
      {".json", "application/json"},          {".map", "application/json"},
      {".svg", "image/svg+xml"},              {".png", "image/png"},
      {".jpg", "image/jpeg"},                 {".jpeg", "image/jpeg"},
      {".gif", "image/gif"},                  {".ico", "image/x-icon"},
      {".webp", "image/webp"},                {".woff", "font/woff"},
      {".woff2", "font/woff2"},               {".txt", "text/plain; charset=utf-8"},
      {".webmanifest", "application/manifest+json"}, {".wasm", "application/wasm"},
  };
  auto it = types.find(to_lower_ascii(file.extension().string()));
  return it == types.end() ? std::string_view("application/octet-stream") : it->second;
}

response static_file(const fs::path& assets_dir, std::string_view rel) {
  std::error_code ec;
  fs::path root = fs::canonical(assets_dir, ec);
  if (ec) return error_answer(404, "NotFound", "The portal's pages are not built (web.assets_dir: " + assets_dir.string() + ").");
  auto file = inside(root, rel);
  bool fallback = !file;
  if (fallback) file = inside(root, "index.html");
  if (!file) return error_answer(404, "NotFound", "The portal's pages are not built (no index.html in web.assets_dir).");
  auto body = slurp(*file);
  if (!body) return error_answer(500, "InternalError", "The file cannot be read.");
  response r;
  r.content_type = std::string(content_type_of(*file));
  r.body = std::move(*body);
  r.operation = "portal.Static";
  // Vite names built assets by content hash under assets/: they never change. Everything else
  // (index.html above all) is revalidated so that a new build is seen at once.
  bool hashed = !fallback && starts_with(rel, "assets/");
  r.headers.emplace_back("Cache-Control", hashed ? "public, max-age=31536000, immutable" : "no-cache");
  return r;
}

}  // namespace atrium::proto::portal
