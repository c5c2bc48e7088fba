#pragma once
// Versioned schema migrations (src/store/sqlite/migrations/NNNN_name.sql, embedded at build
// time). Version N is the N-th file; each is applied once, in its own transaction, and recorded
// in schema_migrations.
#include <span>

#include "base/result.hpp"

namespace atrium::store::sqlite {

struct migration {
  const char* name;  // "0001_identity_store"
  const char* sql;
};

std::span<const migration> migrations();

class connection;
// Applies what is pending. Refuses a database whose schema is newer than this binary knows.
result<int> migrate(connection& c);

}  // namespace atrium::store::sqlite
