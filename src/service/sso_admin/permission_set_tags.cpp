#include "service/sso_admin/permission_set_tags.hpp"

namespace atrium::service {

result<std::map<std::string, std::string>> permission_set_tags::tags_of(const std::string& arn) {
  std::map<std::string, std::string> out;
  auto r = db_.read([&](store::transaction& tx) -> result<void> {
    auto tags = ps_.tags_of(tx, arn);
    if (!tags) {
      // A permission set that does not exist has no tags; the operation itself reports it.
      if (tags.error().code == errc::not_found) return {};
      return std::unexpected(tags.error());
    }
    for (auto& t : *tags) out[t.key] = t.value;
    return {};
  });
  if (!r) return std::unexpected(r.error());
  return out;
}

}  // namespace atrium::service
