#include "xml/library.hpp"

#include <libxml/parser.h>
#include <libxml/parserInternals.h>
#include <libxml/xmlIO.h>
#include <xmlsec/crypto.h>
#include <xmlsec/errors.h>
#include <xmlsec/xmlsec.h>

#include <cstdarg>
#include <cstdio>
#include <map>
#include <mutex>
#include <set>
#include <stdexcept>

namespace atrium::xml {

namespace {

thread_local error_capture* current_capture = nullptr;

std::mutex loader_mutex;
std::set<std::string>& allowed_dirs() {
  static std::set<std::string> dirs;
  return dirs;
}
std::map<std::string, std::string>& mapped_urls() {
  static std::map<std::string, std::string> urls;
  return urls;
}

void trim_newlines(std::string& s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r' || s.back() == ' ')) s.pop_back();
}

void structured_handler(void* ctx, xmlErrorPtr err) {
  if (!ctx || !err || !err->message) return;
  std::string m = err->message;
  trim_newlines(m);
  if (err->line > 0) m = "line " + std::to_string(err->line) + ": " + m;
  static_cast<error_capture*>(ctx)->add(std::move(m));
}

void generic_handler(void* ctx, const char* fmt, ...) {
  if (!ctx || !fmt) return;
  char buf[512];
  va_list ap;
  va_start(ap, fmt);
  std::vsnprintf(buf, sizeof buf, fmt, ap);
  va_end(ap);
  std::string m = buf;
  trim_newlines(m);
  if (!m.empty()) static_cast<error_capture*>(ctx)->add(std::move(m));
}

// xmlsec reports the failing function, the object and a reason code; never key bytes.
void xmlsec_handler(const char*, int, const char* func, const char* object, const char* subject, int reason,
                    const char* msg) {
  if (!current_capture) return;
  std::string m = "xmlsec";
  if (func && *func) m += std::string(" ") + func;
  if (subject && *subject) m += std::string(" [") + subject + "]";
  else if (object && *object) m += std::string(" [") + object + "]";
  m += ": reason " + std::to_string(reason);
  if (msg && *msg) m += std::string(", ") + msg;
  current_capture->add(std::move(m));
}

bool under_allowed_dir(const std::string& path) {
  if (path.find("/../") != std::string::npos || path.size() < 5 || path.compare(path.size() - 4, 4, ".xsd") != 0)
    return false;
  auto slash = path.rfind('/');
  if (slash == std::string::npos) return false;
  return allowed_dirs().count(path.substr(0, slash)) != 0;
}

// Every external load goes through here (xmlSetExternalEntityLoader): schema imports of the
// registered directories and mapped URLs open local files; anything else (a DTD, an external
// entity, an http:// URL, another file) is refused.
xmlParserInputPtr entity_loader(const char* url, const char*, xmlParserCtxtPtr ctxt) {
  std::string path = url ? url : "";
  if (path.rfind("file://", 0) == 0) path.erase(0, 7);
  {
    std::lock_guard lock(loader_mutex);
    if (auto it = mapped_urls().find(path); it != mapped_urls().end()) path = it->second;
    else if (!under_allowed_dir(path)) path.clear();
  }
  if (path.empty()) {
    if (current_capture) current_capture->add(std::string("external resource refused: ") + (url ? url : "(none)"));
    return nullptr;
  }
  return xmlNewInputFromFile(ctxt, path.c_str());
}

void init_once() {
  xmlInitParser();
  xmlSetExternalEntityLoader(entity_loader);
  xmlSecErrorsSetCallback(xmlsec_handler);
  if (xmlSecInit() < 0) throw std::runtime_error("xmlsec initialisation failed");
  if (xmlSecCheckVersion() != 1) throw std::runtime_error("xmlsec library version mismatch");
  if (xmlSecCryptoAppInit(nullptr) < 0 || xmlSecCryptoInit() < 0)
    throw std::runtime_error("xmlsec-openssl initialisation failed");
}

}  // namespace

void ensure_initialized() {
  static std::once_flag once;
  std::call_once(once, init_once);
}

error_capture::error_capture() : previous_(current_capture) {
  previous_structured_ = xmlStructuredError;
  previous_structured_context_ = xmlStructuredErrorContext;
  previous_generic_ = xmlGenericError;
  previous_generic_context_ = xmlGenericErrorContext;
  xmlSetStructuredErrorFunc(this, structured_handler);
  xmlSetGenericErrorFunc(this, generic_handler);
  current_capture = this;
}

error_capture::~error_capture() {
  current_capture = previous_;
  xmlSetStructuredErrorFunc(previous_structured_context_, previous_structured_);
  xmlSetGenericErrorFunc(previous_generic_context_, previous_generic_);
}

void error_capture::add(std::string message) {
  if (messages_.size() < 16) messages_.push_back(std::move(message));
}

std::string error_capture::summary() const {
  std::string out;
  for (std::size_t i = 0; i < messages_.size() && i < 3; ++i) {
    if (i) out += "; ";
    out += messages_[i];
  }
  return out;
}

void allow_schema_directory(const std::string& directory) {
  std::string d = directory;
  while (d.size() > 1 && d.back() == '/') d.pop_back();
  std::lock_guard lock(loader_mutex);
  allowed_dirs().insert(d);
}

void map_schema_url(const std::string& url, const std::string& local_path) {
  std::lock_guard lock(loader_mutex);
  mapped_urls()[url] = local_path;
}

}  // namespace atrium::xml
