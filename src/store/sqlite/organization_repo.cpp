#include "store/sqlite/organization_repo.hpp"

namespace atrium::store::sqlite {}  // namespace atrium::store::sqlite
