#include "store/sqlite/permission_set_repo.hpp"

namespace atrium::store::sqlite {}  // namespace atrium::store::sqlite
