#pragma once
// Where delegated administration reads `aws:ResourceTag/<key>` values from (user guide,
// "Delegating permission set administration": permission sets carry the aws:ResourceTag context
// key; accounts do not). Implemented over the permission-set store and wired in app/runtime.cpp;
// unit tests use a fake.
#include <map>
#include <string>

#include "base/result.hpp"

namespace atrium::service {

class resource_tag_source {
 public:
  virtual ~resource_tag_source() = default;
  // Tags of the resource named by `arn`; an empty map when it has none or does not exist (the
  // operation itself reports a missing resource after authorization, as AWS does).
  virtual result<std::map<std::string, std::string>> tags_of(const std::string& arn) = 0;
};

}  // namespace atrium::service
