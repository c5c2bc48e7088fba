// Signature wrapping (Somorovsky et al., "On Breaking SAML: Be Whoever You Want to Be", 2012):
// XSW1-XSW8 built programmatically from a validly signed Response, each with the forged
// element's ID different from and equal to the original's. Every one must be refused both by
// the SP-side validator and by the verifier asked about the element a naive SP would consume.
// Also: several assertions (CVE-2021-28091) and comment injection into NameID (2018).
#include <gtest/gtest.h>

#include <functional>

#include "xml_test_support.hpp"

namespace atrium::xml {
namespace {

using namespace testing;

const xmlChar* x(const char* s) { return reinterpret_cast<const xmlChar*>(s); }

xmlNode* find(xmlNode* n, const char* ns, const char* name) {
  for (xmlNode* c = n->children; c; c = c->next) {
    if (is_element(c, ns, name)) return c;
    if (c->type == XML_ELEMENT_NODE)
      if (xmlNode* f = find(c, ns, name)) return f;
  }
  return nullptr;
}
xmlNode* child(xmlNode* n, const char* ns, const char* name) { return element_children(n, ns, name).front(); }
xmlNode* copy_without_signature(xmlNode* n) {
  xmlNode* c = xmlDocCopyNode(n, n->doc, 1);
  for (xmlNode* s : element_children(c, ns_ds, "Signature")) {
    xmlUnlinkNode(s);
    xmlFreeNode(s);
  }
  return c;
}
// The forgery: another ID (or the same one) and another subject.
void forge(xmlNode* n, const std::string& id) {
  xmlSetProp(n, x("ID"), x(id.c_str()));
  xmlNodeSetContent(find(n, ns_saml, "NameID"), x("mallory@evil.example"));
}
// A forged Response also gets a fresh Assertion ID, so that no ID repeats unless the attack
// reuses the Response's: then only the reference check stands between it and acceptance.
void forge_response(xmlNode* r, const std::string& id) {
  forge(r, id);
  xmlSetProp(child(r, ns_saml, "Assertion"), x("ID"), x("_evilassertion0123456789abcdef012"));
}
xmlNode* new_element(xmlNode* context, const char* ns, const char* name) {
  return xmlNewDocNode(context->doc, xmlSearchNsByHref(context->doc, context, x(ns)), x(name), nullptr);
}

struct attack {
  const char* name;
  sign_target signed_part;
  bool consumes_response;  // what a naive SP reads: the root Response, or its first Assertion
  std::function<void(xmlNode* response, const std::string& evil_id)> build;
};

const attack attacks[] = {
    {"XSW1", sign_target::response, true, [](xmlNode* r, const std::string& id) {
       xmlNode* original = copy_without_signature(r);
       forge_response(r, id);
       xmlAddChild(child(r, ns_ds, "Signature"), original);  // the original inside the Signature
     }},
    {"XSW2", sign_target::response, true, [](xmlNode* r, const std::string& id) {
       xmlNode* original = copy_without_signature(r);
       forge_response(r, id);
       xmlAddPrevSibling(child(r, ns_ds, "Signature"), original);  // the original before the Signature
     }},
    {"XSW3", sign_target::assertion, false, [](xmlNode* r, const std::string& id) {
       xmlNode* a = child(r, ns_saml, "Assertion");
       xmlNode* evil = copy_without_signature(a);
       forge(evil, id);
       xmlAddPrevSibling(a, evil);  // forged assertion first, original after it
     }},
    {"XSW4", sign_target::assertion, false, [](xmlNode* r, const std::string& id) {
       xmlNode* a = child(r, ns_saml, "Assertion");
       xmlNode* evil = copy_without_signature(a);
       forge(evil, id);
       xmlAddPrevSibling(a, evil);
       xmlUnlinkNode(a);
       xmlAddChild(evil, a);  // the original nested inside the forged one
     }},
    {"XSW5", sign_target::assertion, false, [](xmlNode* r, const std::string& id) {
       xmlNode* a = child(r, ns_saml, "Assertion");
       xmlNode* original = copy_without_signature(a);
       forge(a, id);  // the forged one keeps the original Signature
       xmlAddChild(r, original);
     }},
    {"XSW6", sign_target::assertion, false, [](xmlNode* r, const std::string& id) {
       xmlNode* a = child(r, ns_saml, "Assertion");
       xmlNode* original = copy_without_signature(a);
       forge(a, id);
       xmlAddChild(child(a, ns_ds, "Signature"), original);  // the original inside the Signature
     }},
    {"XSW7", sign_target::assertion, false, [](xmlNode* r, const std::string& id) {
       xmlNode* a = child(r, ns_saml, "Assertion");
       xmlNode* evil = copy_without_signature(a);
       forge(evil, id);
       xmlNode* ext = new_element(r, ns_samlp, "Extensions");
       xmlAddPrevSibling(child(r, ns_samlp, "Status"), ext);
       xmlUnlinkNode(a);
       xmlAddChild(ext, a);  // the signed original hidden in Extensions
       xmlAddChild(r, evil);
     }},
    {"XSW8", sign_target::assertion, false, [](xmlNode* r, const std::string& id) {
       xmlNode* a = child(r, ns_saml, "Assertion");
       xmlNode* original = copy_without_signature(a);
       forge(a, id);
       xmlNode* sig = child(a, ns_ds, "Signature");
       xmlNode* object = new_element(sig, ns_ds, "Object");
       xmlAddChild(sig, object);
       xmlAddChild(object, original);  // the original in ds:Object
     }},
};

std::string build_attack(const attack& at, bool same_id) {
  auto doc = document::parse(signed_response(at.signed_part));
  if (!doc) throw std::runtime_error(doc.error().message);
  xmlNode* target = at.consumes_response ? doc->root() : child(doc->root(), ns_saml, "Assertion");
  std::string id = same_id ? *attribute(target, "ID") : "_evil0123456789abcdef0123456789ab";
  at.build(doc->root(), id);
  return doc->to_string();
}

TEST(XmlWrapping, EveryXswVariantIsRefused) {
  for (const auto& at : attacks) {
    for (bool same_id : {false, true}) {
      SCOPED_TRACE(std::string(at.name) + (same_id ? " (same ID)" : " (new ID)"));
      std::string xml = build_attack(at, same_id);
      ASSERT_NE(xml.find("mallory@evil.example"), std::string::npos);
      auto validated = validate_text(xml);
      ASSERT_FALSE(validated);
      // The verifier alone (no schema, no assertion count) refuses the element a naive SP reads.
      auto doc = document::parse(xml);
      ASSERT_TRUE(doc);
      xmlNode* consumed = at.consumes_response ? doc->root() : element_children(doc->root(), ns_saml, "Assertion").front();
      auto verified = idp_verifier().verify(*doc, consumed);
      ASSERT_FALSE(verified);
      std::printf("[ xsw  ] %s%s: validator: %s | verifier: %s\n", at.name, same_id ? " same-ID" : "",
                  validated.error().message.c_str(), verified.error().message.c_str());
    }
  }
}

TEST(XmlWrapping, TheUnmodifiedResponsesPass) {
  for (auto target : {sign_target::assertion, sign_target::response, sign_target::both}) {
    auto r = validate_text(signed_response(target));
    ASSERT_TRUE(r) << r.error().message;
    EXPECT_EQ(r->name_id, "alice@example.com");
  }
}

TEST(XmlWrapping, RefusesTwoAssertions) {
  // CVE-2021-28091 (Lasso): several assertions, one validly signed. Atrium refuses the
  // document, whichever order and whether or not the extra one is signed.
  for (bool signed_extra : {false, true}) {
    auto doc = document::parse(signed_response(sign_target::assertion));
    xmlNode* a = child(doc->root(), ns_saml, "Assertion");
    xmlNode* extra = signed_extra ? xmlDocCopyNode(a, doc->get(), 1) : copy_without_signature(a);
    xmlSetProp(extra, x("ID"), x("_second0123456789abcdef0123456789"));
    xmlAddNextSibling(a, extra);
    auto r = validate_text(doc->to_string());
    ASSERT_FALSE(r);
    EXPECT_NE(r.error().message.find("exactly one Assertion"), std::string::npos) << r.error().message;
  }
}

TEST(XmlWrapping, CommentInNameIdReadsTheWholeSignedText) {
  // 2018 (Duo Labs, CVE-2017-11427 and others): "user@example.com<!---->.evil.com" is signed
  // as "user@example.com.evil.com" (exc-c14n drops comments); a reader of the first text node
  // would see "user@example.com". Atrium reads every text node.
  auto v = sample_values();
  v.name_id = "user@example.com.evil.com";
  for (auto target : {sign_target::assertion, sign_target::response}) {
    auto xml = signed_response(target, v);
    replace_once(xml, "user@example.com.evil.com", "user@example.com<!---->.evil.com");
    auto r = validate_text(xml);
    ASSERT_TRUE(r) << r.error().message;
    EXPECT_EQ(r->name_id, "user@example.com.evil.com");
  }
}

TEST(XmlWrapping, RefusesAResponseWithNoSignatureAtAll) {
  seeded_random random(1);
  auto xml = build_response_xml(sample_values(), random);
  auto r = validate_text(*xml);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, errc::unauthenticated);
}

}  // namespace
}  // namespace atrium::xml
