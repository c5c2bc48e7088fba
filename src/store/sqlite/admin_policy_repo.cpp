#include "store/sqlite/admin_policy_repo.hpp"

namespace atrium::store::sqlite {}  // namespace atrium::store::sqlite
