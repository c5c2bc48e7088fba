#include "store/postgresql/connection.hpp"

#include <cstdlib>
#include <cstring>
#include <strings.h>

#include "base/conflict.hpp"

namespace atrium::store::postgresql {

namespace {

constexpr Oid text_oid = 25;
constexpr Oid int8_oid = 20;

std::string field(const PGresult* res, int code) {
  const char* v = res ? PQresultErrorField(res, code) : nullptr;
  return v ? v : "";
}

// "Key (a, b)=(values) already exists." -> "a, b": the columns only, never the values.
std::string key_columns(const std::string& detail) {
  auto open = detail.find("Key (");
  auto close = detail.find(")=(");
  if (open == std::string::npos || close == std::string::npos || close < open + 5) return "";
  return detail.substr(open + 5, close - open - 5);
}

// SQLite's message for the same violation: "UNIQUE constraint failed: t.a, t.b".
std::string sqlite_style_unique(const PGresult* res) {
  std::string table = field(res, PG_DIAG_TABLE_NAME);
  std::string cols = key_columns(field(res, PG_DIAG_MESSAGE_DETAIL));
  std::string out = "UNIQUE constraint failed: ";
  if (cols.empty()) return out + table + "." + field(res, PG_DIAG_CONSTRAINT_NAME);
  std::size_t start = 0;
  while (start <= cols.size()) {
    auto comma = cols.find(", ", start);
    std::string col = cols.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
    out += (start == 0 ? "" : ", ") + table + "." + col;
    if (comma == std::string::npos) break;
    start = comma + 2;
  }
  return out;
}

}  // namespace

std::string redact_conninfo(std::string_view in) {
  std::string s(in);
  // URI form: scheme://user:secret@host...
  if (auto scheme = s.find("://"); scheme != std::string::npos) {
    auto at = s.find('@', scheme + 3);
    auto colon = s.find(':', scheme + 3);
    if (at != std::string::npos && colon != std::string::npos && colon < at)
      s.replace(colon + 1, at - colon - 1, "***");
  }
  // Keyword form and URI query parameters: password=value (quoted or not), to the next space or &.
  for (std::size_t pos = 0; (pos = s.find("password", pos)) != std::string::npos;) {
    std::size_t eq = pos + 8;
    while (eq < s.size() && s[eq] == ' ') ++eq;
    if (eq >= s.size() || s[eq] != '=') {
      pos += 8;
      continue;
    }
    std::size_t v = eq + 1;
    while (v < s.size() && s[v] == ' ') ++v;
    std::size_t end = v;
    if (end < s.size() && s[end] == '\'') {
      for (++end; end < s.size() && s[end] != '\''; ++end)
        if (s[end] == '\\') ++end;
      end = std::min(end + 1, s.size());
    } else {
      while (end < s.size() && s[end] != ' ' && s[end] != '&') ++end;
    }
    s.replace(v, end - v, "***");
    pos = v + 3;
  }
  return s;
}

std::string numbered_parameters(std::string_view sql, int& params) {
  std::string out;
  out.reserve(sql.size() + 16);
  int sequential = 0;
  params = 0;
  char quote = 0;
  for (std::size_t i = 0; i < sql.size(); ++i) {
    char ch = sql[i];
    if (quote) {
      out += ch;
      if (ch == quote) quote = 0;
      continue;
    }
    if (ch == '\'' || ch == '"') {
      quote = ch;
      out += ch;
      continue;
    }
    if (ch != '?') {
      out += ch;
      continue;
    }
    int n = 0;
    std::size_t j = i + 1;
    while (j < sql.size() && sql[j] >= '0' && sql[j] <= '9') n = n * 10 + (sql[j++] - '0');
    if (j == i + 1) n = ++sequential;
    i = j - 1;
    params = std::max(params, n);
    out += '$' + std::to_string(n);
  }
  return out;
}

// ---- statement ---------------------------------------------------------------------------

statement::statement(connection& c, std::string sql, std::string name, int params)
    : c_(c), sql_(std::move(sql)), name_(std::move(name)), values_(params), kinds_(params, kind::unbound) {
  std::size_t i = sql_.find_first_not_of(" \t\n");
  auto starts = [&](const char* word) {
    return i != std::string::npos && sql_.size() - i >= std::strlen(word) &&
           strncasecmp(sql_.c_str() + i, word, std::strlen(word)) == 0;
  };
  guarded_ = starts("INSERT") || starts("UPDATE");
}

statement::~statement() { reset(); }

statement& statement::bind(int i, std::string_view v) {
  if (i >= 1 && i <= static_cast<int>(values_.size())) {
    values_[i - 1].assign(v);
    kinds_[i - 1] = kind::text;
  }
  return *this;
}
statement& statement::bind(int i, int64_t v) {
  if (i >= 1 && i <= static_cast<int>(values_.size())) {
    values_[i - 1] = std::to_string(v);
    kinds_[i - 1] = kind::integer;
  }
  return *this;
}
statement& statement::bind_null(int i) {
  if (i >= 1 && i <= static_cast<int>(values_.size())) kinds_[i - 1] = kind::null;
  return *this;
}
statement& statement::bind(int i, const std::optional<std::string>& v) {
  return v ? bind(i, std::string_view(*v)) : bind_null(i);
}

result<void> statement::ensure_prepared() {
  if (prepared_) return {};
  // Types from the first execution's bindings: a parameter the SQL does not mention (the
  // numbered filters bind only what they use) must still have a type, so unbound is text.
  std::vector<Oid> types(kinds_.size(), 0);
  for (std::size_t i = 0; i < kinds_.size(); ++i)
    types[i] = kinds_[i] == kind::integer ? int8_oid : kinds_[i] == kind::unbound ? text_oid : 0;
  PGresult* res = PQprepare(c_.conn_, name_.c_str(), sql_.c_str(), static_cast<int>(types.size()), types.data());
  if (PQresultStatus(res) != PGRES_COMMAND_OK) return std::unexpected(c_.failure(res, "postgresql prepare"));
  PQclear(res);
  prepared_ = true;
  return {};
}

result<bool> statement::step() {
  if (!res_) {
    if (auto p = ensure_prepared(); !p) {
      reset();
      return std::unexpected(p.error());
    }
    std::vector<const char*> values(values_.size(), nullptr);
    for (std::size_t i = 0; i < values_.size(); ++i)
      if (kinds_[i] == kind::text || kinds_[i] == kind::integer) values[i] = values_[i].c_str();
    bool savepoint = guarded_ && c_.in_transaction();
    if (savepoint)
      if (auto r = c_.exec("SAVEPOINT atrium_statement"); !r) {
        reset();
        return std::unexpected(r.error());
      }
    PGresult* res = PQexecPrepared(c_.conn_, name_.c_str(), static_cast<int>(values.size()), values.data(), nullptr,
                                   nullptr, 0);
    auto st = PQresultStatus(res);
    if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) {
      error e = c_.failure(res, "postgresql");
      if (savepoint) (void)c_.exec("ROLLBACK TO SAVEPOINT atrium_statement; RELEASE SAVEPOINT atrium_statement");
      reset();
      return std::unexpected(std::move(e));
    }
    if (savepoint)
      if (auto r = c_.exec("RELEASE SAVEPOINT atrium_statement"); !r) {
        PQclear(res);
        reset();
        return std::unexpected(r.error());
      }
    const char* n = PQcmdTuples(res);
    c_.changes_ = (n && *n) ? std::strtoll(n, nullptr, 10) : 0;
    res_ = res;
    row_ = -1;
  }
  ++row_;
  return row_ < PQntuples(res_);
}

std::string statement::text(int col) const {
  if (!res_ || PQgetisnull(res_, row_, col)) return {};
  return std::string(PQgetvalue(res_, row_, col), static_cast<std::size_t>(PQgetlength(res_, row_, col)));
}

int64_t statement::integer(int col) const {
  if (!res_ || PQgetisnull(res_, row_, col)) return 0;
  const char* v = PQgetvalue(res_, row_, col);
  if (v[0] == 't' && v[1] == 0) return 1;  // boolean (EXISTS)
  if (v[0] == 'f' && v[1] == 0) return 0;
  return std::strtoll(v, nullptr, 10);
}

bool statement::is_null(int col) const { return !res_ || PQgetisnull(res_, row_, col); }

void statement::reset() {
  if (res_) PQclear(res_);
  res_ = nullptr;
  row_ = -1;
  std::fill(kinds_.begin(), kinds_.end(), kind::unbound);
}

// ---- connection --------------------------------------------------------------------------

result<std::unique_ptr<connection>> connection::open(const connect_settings& s) {
  std::string timeout = std::to_string(std::max(1, s.connect_timeout_s));
  std::vector<const char*> keys{"dbname", "connect_timeout", "application_name", "client_encoding"};
  std::vector<const char*> values{s.conninfo.c_str(), timeout.c_str(), s.application_name.c_str(), "UTF8"};
  if (s.password) {
    keys.push_back("password");
    values.push_back(s.password->c_str());
  }
  keys.push_back(nullptr);
  values.push_back(nullptr);
  PGconn* c = PQconnectdbParams(keys.data(), values.data(), 1);
  if (!c) return fail(errc::internal, "postgresql: out of memory");
  if (PQstatus(c) != CONNECTION_OK) {
    // libpq's message names host and port, never the password; the conninfo is redacted anyway.
    std::string msg = redact_conninfo(PQerrorMessage(c));
    while (!msg.empty() && (msg.back() == '\n' || msg.back() == ' ')) msg.pop_back();
    PQfinish(c);
    return fail(errc::internal, "cannot connect to PostgreSQL (" + redact_conninfo(s.conninfo) + "): " + msg);
  }
  std::unique_ptr<connection> conn(new connection(c));
  std::string setup = "SET statement_timeout = " + std::to_string(std::max(0, s.statement_timeout_ms)) +
                      "; SET synchronous_commit = on; SET TIME ZONE 'UTC'; SET client_min_messages = warning";
  if (auto r = conn->exec(setup); !r) return std::unexpected(r.error());
  return conn;
}

connection::~connection() {
  cache_.clear();  // results freed before the connection closes
  PQfinish(conn_);
}

bool connection::in_transaction() const {
  auto st = PQtransactionStatus(conn_);
  return st == PQTRANS_INTRANS || st == PQTRANS_INERROR || st == PQTRANS_ACTIVE;
}

bool connection::broken() const { return PQstatus(conn_) != CONNECTION_OK; }

error connection::failure(PGresult* res, std::string_view context) {
  std::string state = field(res, PG_DIAG_SQLSTATE);
  if (state == "40001" || state == "40P01") retryable_ = true;
  error e;
  if (state == "23505") {
    e = uniqueness_violation(sqlite_style_unique(res));
  } else {
    std::string primary = field(res, PG_DIAG_MESSAGE_PRIMARY);
    if (primary.empty()) {
      primary = PQerrorMessage(conn_);  // no result: the connection itself failed
      while (!primary.empty() && (primary.back() == '\n' || primary.back() == ' ')) primary.pop_back();
    }
    e = error{errc::internal, std::string(context) + ": " + primary + (state.empty() ? "" : " (" + state + ")"), {}, {}};
  }
  if (res) PQclear(res);
  return e;
}

result<void> connection::exec(const char* sql) {
  PGresult* res = PQexec(conn_, sql);
  auto st = PQresultStatus(res);
  if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) return std::unexpected(failure(res, "postgresql"));
  PQclear(res);
  return {};
}

result<statement*> connection::prepare(const std::string& sql) {
  if (auto it = cache_.find(sql); it != cache_.end()) return it->second.get();
  int params = 0;
  std::string text = numbered_parameters(sql, params);
  std::string name = "atrium_" + std::to_string(cache_.size() + 1);
  return cache_.emplace(sql, std::make_unique<statement>(*this, std::move(text), std::move(name), params))
      .first->second.get();
}

}  // namespace atrium::store::postgresql
