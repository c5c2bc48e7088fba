#pragma once
// The audit trail as CloudTrail's LookupEvents (AWS JSON 1.1, target prefix
// "com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101", IAM action cloudtrail:LookupEvents,
// eventSource cloudtrail.amazonaws.com), read by the console's audit view and by
// `aws cloudtrail lookup-events`:
//   LookupEvents {LookupAttributes?: [{AttributeKey: EventName|Username, AttributeValue}] (at most one),
//                 StartTime?, EndTime? (epoch seconds), MaxResults? (1-50, default 50), NextToken?}
//     -> {Events: [{EventId, EventName, ReadOnly, AccessKeyId?, EventTime, EventSource, Username,
//                   Resources: [], CloudTrailEvent}], NextToken?}
// Username matches the principal Atrium files a record under (the ARN, else the access key id,
// else the user name: `atrium audit --principal`).
#include "proto/aws/json_api.hpp"
#include "service/audit/audit_lookup.hpp"

namespace atrium::proto::aws {

class cloudtrail_api final : public json_api {
 public:
  explicit cloudtrail_api(service::audit_lookup& lookup);
};

}  // namespace atrium::proto::aws
