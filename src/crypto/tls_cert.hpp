#pragma once
// Self-signed TLS certificate for first start (OpenSSL 3 EVP API): EC P-256 key, SANs for the
// given DNS names and IPs, valid 825 days. Written with mode 0600 for the key.
#include <filesystem>
#include <string>
#include <vector>

#include "base/result.hpp"

namespace atrium::crypto {

// Creates cert_file and key_file unless both already exist. Returns true when it created them.
result<bool> ensure_self_signed_cert(const std::filesystem::path& cert_file,
                                     const std::filesystem::path& key_file,
                                     const std::vector<std::string>& dns_names,
                                     const std::vector<std::string>& ip_addresses);

}  // namespace atrium::crypto
