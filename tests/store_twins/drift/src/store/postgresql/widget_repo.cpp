// A repository changed on SQLite (a new column) and not on PostgreSQL: check-store-twins must refuse it.
namespace atrium::store::postgresql {
const char* widget_sql = "SELECT id, name FROM widgets WHERE id = ?";
}  // namespace atrium::store::postgresql
