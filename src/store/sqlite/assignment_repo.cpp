#include "store/sqlite/assignment_repo.hpp"

namespace atrium::store::sqlite {}  // namespace atrium::store::sqlite
