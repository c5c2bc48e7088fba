#pragma once
// The file `atrium backup` writes and `atrium restore` reads (docs/deployment.md "Backup and
// restore"):
//
//   ATRIUM-BACKUP 1\n
//   <header: one line of JSON: kind, schema version and name, payload size, per-table summaries>\n
//   <payload: exactly payload_bytes bytes>
//   \nATRIUM-BACKUP-END <HMAC-SHA256 hex of every byte before this line>\n
//
// kind "sqlite": the payload is the database file made with SQLite's online backup API.
// kind "postgresql": the payload is every table's shape and rows in store_copy's value encoding.
// The HMAC's key is derived from the deployment's master key: a backup that was cut short or
// changed (by accident or by someone without the key) is refused before anything is restored.
// The master key itself is never in the file; keep a copy of it apart from the backups.
#include <cstdint>
#include <filesystem>
#include <string>

#include "app/store_copy.hpp"
#include "base/result.hpp"

namespace atrium::app::backup_file {

struct header {
  std::string kind;  // "sqlite" | "postgresql"
  store_copy::schema_version schema;
  int64_t created_at_ms = 0;
  store_copy::summaries tables;  // postgresql: what restore must find after loading
};

// The bytes of a backup file. `master_key` is the raw content of <data_dir>/master.key.
std::string seal(const header& h, const std::string& payload, const std::string& master_key);
// Checks the framing, the size and the HMAC, then hands back the header and the payload.
// errc::validation naming what is wrong (truncated, altered, another deployment's key).
result<std::pair<header, std::string>> open(const std::string& file_bytes, const std::string& master_key);

// The payload of a PostgreSQL backup: tables with their shapes and rows.
void put_table(std::string& out, const store_copy::table_shape& t, int64_t rows);
struct table_reader {
  std::string_view payload;
  std::size_t pos = 0;
  bool done() const { return pos >= payload.size(); }
  // The next table's shape and row count; then next_row() that many times.
  result<std::pair<store_copy::table_shape, int64_t>> next_table();
  result<store_copy::row> next_row(const store_copy::table_shape& t);
};

result<std::string> read_all(const std::filesystem::path& file);
// Writes `bytes` to `file` through a temporary file and a rename (mode 0600: the backup holds
// hashed and sealed secrets), so that a crash leaves the old file or the new one.
result<void> write_all(const std::filesystem::path& file, const std::string& bytes);

}  // namespace atrium::app::backup_file
