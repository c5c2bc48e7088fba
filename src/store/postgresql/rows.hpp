#pragma once
// Reading rows through a cached statement, shared by the PostgreSQL repositories (as store/sqlite/rows.hpp). Every helper
// leaves the statement reset, as connection.hpp asks (a cached statement must not hold a read
// snapshot open). A row function reads the current row: it returns the value, or a result of
// it when decoding can fail (a stored JSON document that does not parse).
#include <algorithm>
#include <cstdint>
#include <optional>
#include <type_traits>
#include <utility>

#include "base/try.hpp"
#include "store/repositories.hpp"
#include "store/postgresql/connection.hpp"

// Unwraps result<statement*> or returns its error.
#define PREPARE(var, conn, sql)        \
  TRY(var##_p, (conn).prepare(sql)); \
  statement& var = *var##_p

namespace atrium::store::postgresql {

namespace rows_detail {
template <class R>
struct value_of {
  using type = R;
};
template <class T>
struct value_of<result<T>> {
  using type = T;
};
template <class Row>
using row_result = std::invoke_result_t<Row&, const statement&>;
template <class Row>
using row_value = typename value_of<row_result<Row>>::type;
template <class Row>
inline constexpr bool row_can_fail = !std::is_same_v<row_result<Row>, row_value<Row>>;
}  // namespace rows_detail

// A page asks for at least one row: limit 0 would report `more` forever.
inline int64_t page_limit(const page_request& p) { return std::max(1, p.limit); }

// Runs a statement that returns no rows. `name` may turn SQLite's error into the caller's words
// (a uniqueness violation names columns only, never what the caller sent).
inline result<void> run(statement& s, error (*name)(const error&) = nullptr) {
  auto r = s.step();
  s.reset();
  if (!r) return std::unexpected(name ? name(r.error()) : r.error());
  return {};
}

// The first row, or nullopt when there is none.
template <class Row>
result<std::optional<rows_detail::row_value<Row>>> one_row(statement& s, Row&& row) {
  auto step = s.step();
  if (!step) return std::unexpected(step.error());
  std::optional<rows_detail::row_value<Row>> out;
  if (*step) {
    auto v = row(std::as_const(s));
    if constexpr (rows_detail::row_can_fail<Row>) {
      if (!v) {
        s.reset();
        return std::unexpected(v.error());
      }
      out = std::move(*v);
    } else {
      out = std::move(v);
    }
  }
  s.reset();
  return out;
}

// Reads up to limit + 1 rows (the query asks for one more): the extra row only sets `more`.
template <class Row>
result<page<rows_detail::row_value<Row>>> page_of(statement& s, int64_t limit, Row&& row) {
  page<rows_detail::row_value<Row>> out;
  while (true) {
    auto step = s.step();
    if (!step) return std::unexpected(step.error());
    if (!*step) break;
    if (static_cast<int64_t>(out.items.size()) == limit) {
      out.more = true;
      break;
    }
    auto v = row(std::as_const(s));
    if constexpr (rows_detail::row_can_fail<Row>) {
      if (!v) {
        s.reset();
        return std::unexpected(v.error());
      }
      out.items.push_back(std::move(*v));
    } else {
      out.items.push_back(std::move(v));
    }
  }
  s.reset();
  return out;
}

// The integer in the first column of the first row (COUNT, EXISTS), 0 without a row.
inline result<int64_t> scalar(statement& s) {
  auto step = s.step();
  if (!step) return std::unexpected(step.error());
  int64_t v = *step ? s.integer(0) : 0;
  s.reset();
  return v;
}

}  // namespace atrium::store::postgresql
