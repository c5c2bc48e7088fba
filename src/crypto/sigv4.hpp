#pragma once
// AWS Signature Version 4 (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_sigv.html):
// parse the Authorization header or the X-Amz-* query parameters, rebuild the canonical request
// and compare signatures in constant time. Also signs, for our own clients (bench/, tests).
#include <chrono>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/clock.hpp"
#include "base/result.hpp"

namespace atrium::crypto {

struct http_header {
  std::string name;   // as received; compared case-insensitively
  std::string value;
};

struct sigv4_request {
  std::string method;        // "POST"
  std::string target;        // raw request-target as on the wire: path plus optional ?query
  std::vector<http_header> headers;
  std::string_view body;
};

enum class sigv4_failure {
  missing,            // no Authorization header and no X-Amz-Signature: MissingAuthenticationToken
  malformed,          // header/params present but incomplete or unparsable: IncompleteSignature
  expired,            // X-Amz-Date more than the allowed skew away, or presigned URL past expiry
  bad_signature,      // signature mismatch: InvalidSignatureException
};

struct sigv4_error {
  sigv4_failure kind;
  std::string message;  // AWS-style message, e.g. "Signature expired: 20261123T000000Z is now
                        // earlier than 20261123T000500Z (20261123T001000Z - 5 min.)"
};

struct sigv4_parsed {
  std::string access_key_id;
  std::string date;      // yyyymmdd from the credential scope
  std::string region;
  std::string service;
  std::vector<std::string> signed_headers;  // lower-case, as listed
  std::string signature;                    // hex
  std::string amz_date;                     // yyyymmddThhmmssZ
  sys_time request_time{};
  bool presigned = false;                   // query-string form
  std::chrono::seconds expires{0};          // X-Amz-Expires for the query form
};

// Parses without knowing the secret, so the caller can look the key up first. Checks the clock
// skew (header form: |now - X-Amz-Date| <= max_skew; query form: now within [date - skew,
// date + expires]).
std::expected<sigv4_parsed, sigv4_error> sigv4_parse(const sigv4_request& req, sys_time now,
                                                     std::chrono::seconds max_skew = std::chrono::minutes(5));

// Recomputes the signature with `secret` and compares in constant time.
std::expected<void, sigv4_error> sigv4_verify(const sigv4_request& req, const sigv4_parsed& p,
                                              std::string_view secret);

// The derived signing key of the request's scope (kSigning: four HMACs from "AWS4" + secret,
// the date, region and service). It changes only with the secret or the scope, so a verifier
// may keep it for the day (issue 18: the derivation is a fifth of SigV4's cost per request).
std::string sigv4_signing_key(std::string_view secret, const sigv4_parsed& p);

// sigv4_verify with the derived key instead of the secret.
std::expected<void, sigv4_error> sigv4_verify_with_key(const sigv4_request& req, const sigv4_parsed& p,
                                                       std::string_view signing_key);

// Signs a request (header form): returns the headers to add (Authorization, X-Amz-Date,
// X-Amz-Content-Sha256 is NOT added; services like identitystore do not need it). `req.headers`
// must already contain Host. Signs every header present plus x-amz-date.
std::vector<http_header> sigv4_sign(const sigv4_request& req, std::string_view access_key_id,
                                    std::string_view secret, std::string_view region,
                                    std::string_view service, sys_time now);

// Query-string (presigned) form: returns the target with X-Amz-* parameters appended. The body's
// hash is signed (non-S3 services).
std::string sigv4_presign(const sigv4_request& req, std::string_view access_key_id,
                          std::string_view secret, std::string_view region,
                          std::string_view service, sys_time now, std::chrono::seconds expires);

}  // namespace atrium::crypto
