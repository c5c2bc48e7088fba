#pragma once
// Versioned schema migrations. src/store/sqlite/migrations/NNNN_name.sql is the source; the
// top-level CMakeLists.txt embeds every file, in name order, into the binary at configure time
// (nothing is read at run time). Version N is the N-th file, so the NNNN prefixes must run
// 0001, 0002, ... without gaps (a unit test checks). Each migration runs once, in its own
// transaction, and is recorded in schema_migrations; a file must therefore not contain BEGIN,
// COMMIT or ROLLBACK, and a file that has shipped is never edited: add the next one instead.
#include <span>

#include "base/result.hpp"

namespace atrium::store::sqlite {

struct migration {
  const char* name;  // "0001_identity_store"
  const char* sql;
};

std::span<const migration> migrations();

class connection;
// Applies what is pending and returns how many. Refuses a database whose schema is newer than
// this binary knows, or whose recorded migration names differ from the embedded ones.
result<int> migrate(connection& c);
// The recorded version is the one this binary knows (/readyz).
result<void> check_schema_current(connection& c);

}  // namespace atrium::store::sqlite
