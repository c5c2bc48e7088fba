#pragma once
// Process-wide set-up of libxml2 and xmlsec1 (xmlsec1-openssl), done once and thread-safely,
// and the per-call collection of their error messages.
//
// Neither library prints anything: libxml2's structured and generic error handlers are set per
// thread for the length of one call (error_capture), and xmlsec's error callback forwards to
// the capture of the calling thread. The external entity loader is replaced by one that refuses
// every URL except the schema files xml/schema registers (so no parse ever reaches the network
// or an arbitrary file, SAML or schema alike).
#include <libxml/xmlerror.h>

#include <string>
#include <vector>

namespace atrium::xml {

// Initialises libxml2 (xmlInitParser), xmlsec and its OpenSSL back end once per process.
// Every public function of this layer calls it; calling it again is cheap.
void ensure_initialized();

// Collects libxml2 and xmlsec error messages raised on this thread while it is alive (nested
// captures stack). Messages never include key material: xmlsec reports names and reasons only.
class error_capture {
 public:
  error_capture();
  ~error_capture();
  error_capture(const error_capture&) = delete;
  error_capture& operator=(const error_capture&) = delete;

  void add(std::string message);
  const std::vector<std::string>& messages() const { return messages_; }
  // "first; second; third" (at most the first three), or "" when none.
  std::string summary() const;

 private:
  std::vector<std::string> messages_;
  error_capture* previous_ = nullptr;
  xmlStructuredErrorFunc previous_structured_ = nullptr;
  void* previous_structured_context_ = nullptr;
  xmlGenericErrorFunc previous_generic_ = nullptr;
  void* previous_generic_context_ = nullptr;
};

// Allows the external entity loader to open .xsd files in `directory` (absolute path).
void allow_schema_directory(const std::string& directory);
// Maps a schema URL (an http:// schemaLocation) to a local file.
void map_schema_url(const std::string& url, const std::string& local_path);

}  // namespace atrium::xml
