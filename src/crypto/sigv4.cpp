// AWS Signature Version 4: canonical request, string to sign and signing key as in
// https://docs.aws.amazon.com/IAM/latest/UserGuide/create-signed-request.html.
#include "crypto/sigv4.hpp"

#include <algorithm>
#include <ctime>

#include "base/strings.hpp"
#include "crypto/primitives.hpp"

namespace atrium::crypto {

namespace {

constexpr std::string_view algorithm = "AWS4-HMAC-SHA256";
constexpr std::size_t max_signed_headers = 64;
constexpr std::size_t max_header_field = 8192;
constexpr std::chrono::seconds max_presign_expiry{604800};

using query_pair = std::pair<std::string, std::string>;

std::unexpected<sigv4_error> failure(sigv4_failure k, std::string msg) {
  return std::unexpected(sigv4_error{k, std::move(msg)});
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::string percent_decode(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size() && hex_value(s[i + 1]) >= 0 &&
        hex_value(s[i + 2]) >= 0) {
      out.push_back(static_cast<char>(hex_value(s[i + 1]) * 16 + hex_value(s[i + 2])));
      i += 2;
    } else {
      out.push_back(s[i]);
    }
  }
  return out;
}

// RFC 3986 unreserved characters stay; everything else is %XX (upper-case), as AWS requires.
std::string uri_encode(std::string_view s, bool keep_slash) {
  static constexpr char digits[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(s.size() * 3);
  for (unsigned char c : s) {
    bool unreserved = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                      c == '-' || c == '_' || c == '.' || c == '~' || (keep_slash && c == '/');
    if (unreserved) {
      out.push_back(static_cast<char>(c));
    } else {
      out.push_back('%');
      out.push_back(digits[c >> 4]);
      out.push_back(digits[c & 15]);
    }
  }
  return out;
}

std::vector<query_pair> parse_query(std::string_view q) {
  std::vector<query_pair> out;
  if (q.empty()) return out;
  for (auto part : split(q, '&')) {
    if (part.empty()) continue;
    auto eq = part.find('=');
    std::string_view k = part.substr(0, eq);
    std::string_view v = eq == std::string_view::npos ? std::string_view() : part.substr(eq + 1);
    out.emplace_back(percent_decode(k), percent_decode(v));
  }
  return out;
}

const std::string* find_param(const std::vector<query_pair>& q, std::string_view key) {
  for (const auto& [k, v] : q)
    if (k == key) return &v;
  return nullptr;
}

std::string canonical_query(const std::vector<query_pair>& q, bool skip_signature) {
  std::vector<query_pair> enc;
  for (const auto& [k, v] : q) {
    if (skip_signature && k == "X-Amz-Signature") continue;
    enc.emplace_back(uri_encode(k, false), uri_encode(v, false));
  }
  std::sort(enc.begin(), enc.end());
  std::string out;
  for (const auto& [k, v] : enc) {
    if (!out.empty()) out.push_back('&');
    out += k + "=" + v;
  }
  return out;
}

// Trims and collapses runs of spaces (canonical header values).
std::string canonical_value(std::string_view v) {
  v = trim(v);
  std::string out;
  out.reserve(v.size());
  bool space = false;
  for (char c : v) {
    if (c == ' ' || c == '\t') {
      space = true;
      continue;
    }
    if (space && !out.empty()) out.push_back(' ');
    space = false;
    out.push_back(c);
  }
  return out;
}

const std::string* find_header(const std::vector<http_header>& headers, std::string_view name) {
  for (const auto& h : headers)
    if (iequals_ascii(h.name, name)) return &h.value;
  return nullptr;
}

std::string canonical_headers(const std::vector<http_header>& headers,
                              const std::vector<std::string>& names) {
  std::string out;
  for (const auto& n : names) {
    std::string joined;
    for (const auto& h : headers) {
      if (!iequals_ascii(h.name, n)) continue;
      if (!joined.empty()) joined.push_back(',');
      joined += canonical_value(h.value);
    }
    out += n + ":" + joined + "\n";
  }
  return out;
}

std::string join(const std::vector<std::string>& v, char sep) {
  std::string out;
  for (const auto& s : v) {
    if (!out.empty()) out.push_back(sep);
    out += s;
  }
  return out;
}

std::optional<sys_time> parse_amz_date(std::string_view s) {
  if (s.size() != 16 || s[8] != 'T' || s[15] != 'Z') return std::nullopt;
  for (std::size_t i = 0; i < 15; ++i)
    if (i != 8 && (s[i] < '0' || s[i] > '9')) return std::nullopt;
  auto num = [&](std::size_t pos, std::size_t len) {
    int v = 0;
    for (std::size_t i = pos; i < pos + len; ++i) v = v * 10 + (s[i] - '0');
    return v;
  };
  std::tm tm{};
  tm.tm_year = num(0, 4) - 1900;
  tm.tm_mon = num(4, 2) - 1;
  tm.tm_mday = num(6, 2);
  tm.tm_hour = num(9, 2);
  tm.tm_min = num(11, 2);
  tm.tm_sec = num(13, 2);
  if (tm.tm_mon > 11 || tm.tm_mday < 1 || tm.tm_mday > 31 || tm.tm_hour > 23 || tm.tm_min > 59 || tm.tm_sec > 60)
    return std::nullopt;
  return from_epoch_millis(static_cast<int64_t>(timegm(&tm)) * 1000);
}

std::string format_amz_date(sys_time t) {
  std::time_t secs = static_cast<std::time_t>(epoch_millis(t) / 1000);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[20];
  std::strftime(buf, sizeof buf, "%Y%m%dT%H%M%SZ", &tm);
  return buf;
}

struct split_target {
  std::string path;
  std::string query;
};

split_target split_request_target(std::string_view target) {
  auto q = target.find('?');
  if (q == std::string_view::npos) return {std::string(target), ""};
  return {std::string(target.substr(0, q)), std::string(target.substr(q + 1))};
}

std::string signing_key(std::string_view secret, std::string_view date, std::string_view region,
                        std::string_view service) {
  auto k_date = hmac_sha256("AWS4" + std::string(secret), date);
  auto k_region = hmac_sha256(k_date, region);
  auto k_service = hmac_sha256(k_region, service);
  return hmac_sha256(k_service, "aws4_request");
}

std::string scope_of(std::string_view date, std::string_view region, std::string_view service) {
  return std::string(date) + "/" + std::string(region) + "/" + std::string(service) + "/aws4_request";
}

// The signature over a canonical request built from the parsed parts.
std::string compute_signature(const sigv4_request& req, const std::vector<query_pair>& query,
                              const std::vector<std::string>& signed_headers, std::string_view amz_date,
                              std::string_view date, std::string_view region, std::string_view service,
                              std::string_view payload_hash, bool presigned, std::string_view key) {
  auto [path, raw_query] = split_request_target(req.target);
  (void)raw_query;
  std::string canonical = req.method + "\n" + uri_encode(path.empty() ? "/" : path, true) + "\n" +
                          canonical_query(query, presigned) + "\n" +
                          canonical_headers(req.headers, signed_headers) + "\n" +
                          join(signed_headers, ';') + "\n" + std::string(payload_hash);
  std::string to_sign = std::string(algorithm) + "\n" + std::string(amz_date) + "\n" +
                        scope_of(date, region, service) + "\n" + sha256_hex(canonical);
  return hex_encode(hmac_sha256(key, to_sign));
}

// "AKID/20150830/us-east-1/service/aws4_request"
bool parse_credential(std::string_view cred, sigv4_parsed& p) {
  auto parts = split(cred, '/');
  if (parts.size() != 5 || parts[4] != "aws4_request") return false;
  for (std::size_t i = 0; i < 4; ++i)
    if (parts[i].empty() || parts[i].size() > 128) return false;
  if (parts[1].size() != 8) return false;
  p.access_key_id = parts[0];
  p.date = parts[1];
  p.region = parts[2];
  p.service = parts[3];
  return true;
}

bool parse_signed_headers(std::string_view list, sigv4_parsed& p) {
  if (list.empty() || list.size() > max_header_field) return false;
  auto names = split(list, ';');
  if (names.size() > max_signed_headers) return false;
  for (auto n : names) {
    if (n.empty()) return false;
    p.signed_headers.push_back(to_lower_ascii(n));
  }
  return std::find(p.signed_headers.begin(), p.signed_headers.end(), "host") != p.signed_headers.end();
}

bool is_hex64(std::string_view s) {
  if (s.size() != 64) return false;
  return std::all_of(s.begin(), s.end(), [](char c) { return hex_value(c) >= 0; });
}

std::expected<void, sigv4_error> parse_header_form(std::string_view auth, const sigv4_request& req,
                                                   sigv4_parsed& p) {
  const std::string malformed = "Authorization header requires 'Credential', 'SignedHeaders' and "
                                "'Signature' parameters of the AWS4-HMAC-SHA256 algorithm.";
  if (auth.size() > max_header_field || !auth.starts_with(algorithm) ||
      auth.size() <= algorithm.size() || auth[algorithm.size()] != ' ')
    return failure(sigv4_failure::malformed, malformed);
  std::string_view rest = auth.substr(algorithm.size() + 1);
  bool cred = false, headers = false, sig = false;
  for (auto field : split(rest, ',')) {
    field = trim(field);
    auto eq = field.find('=');
    if (eq == std::string_view::npos) return failure(sigv4_failure::malformed, malformed);
    auto key = field.substr(0, eq), value = field.substr(eq + 1);
    if (key == "Credential") cred = parse_credential(value, p);
    else if (key == "SignedHeaders") headers = parse_signed_headers(value, p);
    else if (key == "Signature") {
      sig = is_hex64(value);
      p.signature = to_lower_ascii(value);
    } else return failure(sigv4_failure::malformed, malformed);
  }
  if (!cred || !headers || !sig) return failure(sigv4_failure::malformed, malformed);
  const std::string* date = find_header(req.headers, "x-amz-date");
  if (!date) return failure(sigv4_failure::malformed, "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header.");
  p.amz_date = *date;
  return {};
}

std::expected<void, sigv4_error> parse_query_form(const std::vector<query_pair>& q, sigv4_parsed& p) {
  const std::string malformed = "AWS query-string parameters must include 'X-Amz-Algorithm', "
                                "'X-Amz-Credential', 'X-Amz-Signature', 'X-Amz-Date', "
                                "'X-Amz-SignedHeaders', and 'X-Amz-Expires'.";
  auto alg = find_param(q, "X-Amz-Algorithm");
  auto cred = find_param(q, "X-Amz-Credential");
  auto sig = find_param(q, "X-Amz-Signature");
  auto date = find_param(q, "X-Amz-Date");
  auto headers = find_param(q, "X-Amz-SignedHeaders");
  auto expires = find_param(q, "X-Amz-Expires");
  if (!alg || !cred || !sig || !date || !headers || !expires || *alg != algorithm ||
      !parse_credential(*cred, p) || !parse_signed_headers(*headers, p) || !is_hex64(*sig))
    return failure(sigv4_failure::malformed, malformed);
  if (expires->empty() || expires->size() > 7 ||
      !std::all_of(expires->begin(), expires->end(), [](char c) { return c >= '0' && c <= '9'; }))
    return failure(sigv4_failure::malformed, "X-Amz-Expires must be a number of seconds.");
  p.expires = std::chrono::seconds(std::stol(*expires));
  if (p.expires > max_presign_expiry)
    return failure(sigv4_failure::malformed, "X-Amz-Expires must be less than a week (in seconds) that is 604800.");
  p.signature = to_lower_ascii(*sig);
  p.amz_date = *date;
  p.presigned = true;
  return {};
}

std::expected<void, sigv4_error> check_time(sigv4_parsed& p, sys_time now, std::chrono::seconds skew) {
  auto t = parse_amz_date(p.amz_date);
  if (!t) return failure(sigv4_failure::malformed, "X-Amz-Date must be in the ISO8601 basic format yyyyMMdd'T'HHmmss'Z'.");
  if (p.amz_date.substr(0, 8) != p.date)
    return failure(sigv4_failure::malformed, "Credential should be scoped to a valid date: '" + p.amz_date.substr(0, 8) + "'.");
  p.request_time = *t;
  if (p.presigned) {
    if (now > *t + p.expires) return failure(sigv4_failure::expired, "Request has expired");
    if (*t > now + skew) return failure(sigv4_failure::expired, "Signature not yet current: " + p.amz_date + " is still later than " + format_amz_date(now + skew) + " (" + format_amz_date(now) + " + 5 min.)");
    return {};
  }
  if (*t < now - skew)
    return failure(sigv4_failure::expired, "Signature expired: " + p.amz_date + " is now earlier than " +
                                               format_amz_date(now - skew) + " (" + format_amz_date(now) + " - 5 min.)");
  if (*t > now + skew)
    return failure(sigv4_failure::expired, "Signature not yet current: " + p.amz_date + " is still later than " +
                                               format_amz_date(now + skew) + " (" + format_amz_date(now) + " + 5 min.)");
  return {};
}

std::string payload_hash_of(const sigv4_request& req, const sigv4_parsed& p) {
  const std::string* declared = find_header(req.headers, "x-amz-content-sha256");
  if (declared && std::find(p.signed_headers.begin(), p.signed_headers.end(), "x-amz-content-sha256") !=
                      p.signed_headers.end())
    return *declared;
  // Presigned or not, services other than S3 sign the body's hash (botocore's SigV4QueryAuth
  // does the same); only S3 uses UNSIGNED-PAYLOAD.
  return sha256_hex(req.body);
}

}  // namespace

std::expected<sigv4_parsed, sigv4_error> sigv4_parse(const sigv4_request& req, sys_time now,
                                                     std::chrono::seconds max_skew) {
  sigv4_parsed p;
  auto query = parse_query(split_request_target(req.target).query);
  const std::string* auth = find_header(req.headers, "authorization");
  std::expected<void, sigv4_error> r;
  if (auth) r = parse_header_form(*auth, req, p);
  else if (find_param(query, "X-Amz-Signature") || find_param(query, "X-Amz-Algorithm")) r = parse_query_form(query, p);
  else return failure(sigv4_failure::missing, "Missing Authentication Token");
  if (!r) return std::unexpected(r.error());
  if (auto t = check_time(p, now, max_skew); !t) return std::unexpected(t.error());
  return p;
}

std::string sigv4_signing_key(std::string_view secret, const sigv4_parsed& p) {
  return signing_key(secret, p.date, p.region, p.service);
}

std::expected<void, sigv4_error> sigv4_verify(const sigv4_request& req, const sigv4_parsed& p,
                                              std::string_view secret) {
  return sigv4_verify_with_key(req, p, sigv4_signing_key(secret, p));
}

std::expected<void, sigv4_error> sigv4_verify_with_key(const sigv4_request& req, const sigv4_parsed& p,
                                                       std::string_view signing_key) {
  auto query = parse_query(split_request_target(req.target).query);
  auto expected = compute_signature(req, query, p.signed_headers, p.amz_date, p.date, p.region, p.service,
                                    payload_hash_of(req, p), p.presigned, signing_key);
  if (!constant_time_equal(expected, p.signature))
    return failure(sigv4_failure::bad_signature,
                   "The request signature we calculated does not match the signature you provided. "
                   "Check your AWS Secret Access Key and signing method. Consult the service "
                   "documentation for details.");
  return {};
}

std::vector<http_header> sigv4_sign(const sigv4_request& req, std::string_view access_key_id,
                                    std::string_view secret, std::string_view region,
                                    std::string_view service, sys_time now) {
  std::string amz_date = format_amz_date(now);
  std::string date = amz_date.substr(0, 8);
  sigv4_request signed_req = req;
  signed_req.headers.push_back({"X-Amz-Date", amz_date});
  std::vector<std::string> names;
  for (const auto& h : signed_req.headers) names.push_back(to_lower_ascii(h.name));
  std::sort(names.begin(), names.end());
  names.erase(std::unique(names.begin(), names.end()), names.end());
  auto query = parse_query(split_request_target(req.target).query);
  auto sig = compute_signature(signed_req, query, names, amz_date, date, region, service,
                               sha256_hex(req.body), false, signing_key(secret, date, region, service));
  std::string auth = std::string(algorithm) + " Credential=" + std::string(access_key_id) + "/" +
                     scope_of(date, region, service) + ", SignedHeaders=" + join(names, ';') +
                     ", Signature=" + sig;
  return {{"X-Amz-Date", amz_date}, {"Authorization", auth}};
}

std::string sigv4_presign(const sigv4_request& req, std::string_view access_key_id,
                          std::string_view secret, std::string_view region,
                          std::string_view service, sys_time now, std::chrono::seconds expires) {
  std::string amz_date = format_amz_date(now);
  std::string date = amz_date.substr(0, 8);
  std::vector<std::string> names;
  for (const auto& h : req.headers) names.push_back(to_lower_ascii(h.name));
  std::sort(names.begin(), names.end());
  names.erase(std::unique(names.begin(), names.end()), names.end());
  auto [path, raw_query] = split_request_target(req.target);
  std::string params = std::string("X-Amz-Algorithm=") + std::string(algorithm) +
                       "&X-Amz-Credential=" + uri_encode(std::string(access_key_id) + "/" + scope_of(date, region, service), false) +
                       "&X-Amz-Date=" + amz_date + "&X-Amz-Expires=" + std::to_string(expires.count()) +
                       "&X-Amz-SignedHeaders=" + uri_encode(join(names, ';'), false);
  std::string target = path + "?" + (raw_query.empty() ? "" : raw_query + "&") + params;
  sigv4_request presigned = req;
  presigned.target = target;
  auto query = parse_query(split_request_target(target).query);
  auto sig = compute_signature(presigned, query, names, amz_date, date, region, service,
                               sha256_hex(req.body), true, signing_key(secret, date, region, service));
  return target + "&X-Amz-Signature=" + sig;
}

}  // namespace atrium::crypto
