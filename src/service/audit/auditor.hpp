#pragma once
// CloudTrail-format audit events (record fields as in the CloudTrail record contents reference:
// eventVersion 1.08, userIdentity, eventTime, eventSource, eventName, awsRegion,
// sourceIPAddress, userAgent, requestParameters, responseElements, requestID, eventID,
// readOnly, eventType, recipientAccountId, errorCode/errorMessage). The database copy is
// written in the same transaction as the change; the JSON-lines file is an export appended
// after commit (the database is authoritative: `atrium audit` reads it).
#include <cstdio>
#include <filesystem>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

#include "base/clock.hpp"
#include "base/random.hpp"
#include "service/audit/call_context.hpp"
#include "store/records.hpp"

namespace atrium::service {

class auditor {
 public:
  auditor(const clock& clk, random_source& rnd, std::optional<std::filesystem::path> jsonl_file);
  ~auditor();
  auditor(const auditor&) = delete;
  auditor& operator=(const auditor&) = delete;

  // `response_elements`: serialised JSON (empty: null), as a use case renders its result.
  store::audit_record make(const call_context& ctx, std::string_view response_elements,
                           const call_failure* failure);
  void export_line(const store::audit_record& r);
  // An AwsServiceEvent record (guide "Understanding AWS SSO sign-in events"): requestParameters
  // and responseElements null, the outcome in serviceEventDetails ({"<eventName>": "Success"}),
  // details in additionalEventData; userIdentity carries type, principalId, arn, accountId,
  // accessKeyId and userName even when empty, in the guide's field order. The record's
  // principal column is the user name, so `atrium audit --principal <user>` finds them.
  // Both arguments are serialised JSON objects whose member order is kept.
  store::audit_record make_service_event(const call_context& ctx, std::string_view additional_event_data,
                                         std::string_view service_event_details);

 private:
  const clock& clock_;
  random_source& random_;
  std::mutex mu_;
  std::FILE* file_ = nullptr;
};

// Values of these request keys are replaced before they reach a record or a log, wherever they
// occur (case-insensitive): secrets never leave the request.
// Takes and gives serialised JSON.
std::string redact_secrets(std::string_view params);

}  // namespace atrium::service
