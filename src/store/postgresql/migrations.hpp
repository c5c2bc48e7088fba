#pragma once
// The PostgreSQL twins of store/sqlite's migrations: src/store/postgresql/migrations/NNNN_name.sql,
// the same numbers and names with the same meaning, in PostgreSQL's dialect (BIGINT for
// INTEGER, identity columns where SQLite's statements use its rowid, trigger functions). The
// top-level CMakeLists.txt embeds them as it does SQLite's; a unit test checks that both lists
// have the same names. The rules of store/sqlite/migrations.hpp hold: no BEGIN/COMMIT in a
// file, a shipped file is never edited.
#include <span>

#include "base/result.hpp"

namespace atrium::store::postgresql {

struct migration {
  const char* name;  // "0001_identity_store"
  const char* sql;
};

std::span<const migration> migrations();

class connection;
// Applies what is pending, each migration in its own transaction, holding a session advisory
// lock so that nodes starting together apply each once. Refuses a schema newer than this
// binary, or one whose recorded names differ from the embedded ones. Returns how many ran.
result<int> migrate(connection& c);
// The version recorded in schema_migrations and whether it is the one this binary knows.
result<void> check_schema_current(connection& c);

}  // namespace atrium::store::postgresql
