// A repository changed on SQLite (a new column) and not on PostgreSQL: check-store-twins must refuse it.
namespace atrium::store::sqlite {
const char* widget_sql = "SELECT id, name, colour FROM widgets WHERE id = ?";
}  // namespace atrium::store::sqlite
