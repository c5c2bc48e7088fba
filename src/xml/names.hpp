#pragma once
// Namespace and algorithm URIs of SAML 2.0 and XML-DSig, in one place so that every check
// compares against the same text.
namespace atrium::xml {

// SAML core §2.1 / §3.1 (assertion and protocol namespaces), xmldsig-core §4.
inline constexpr const char* ns_saml = "urn:oasis:names:tc:SAML:2.0:assertion";
inline constexpr const char* ns_samlp = "urn:oasis:names:tc:SAML:2.0:protocol";
inline constexpr const char* ns_ds = "http://www.w3.org/2000/09/xmldsig#";
inline constexpr const char* ns_xenc = "http://www.w3.org/2001/04/xmlenc#";
inline constexpr const char* ns_xml = "http://www.w3.org/XML/1998/namespace";

// xmldsig-core §6 and RFC 6931 §2.3.2 (rsa-sha256), xml-exc-c14n §3.
inline constexpr const char* alg_exc_c14n = "http://www.w3.org/2001/10/xml-exc-c14n#";
inline constexpr const char* alg_enveloped = "http://www.w3.org/2000/09/xmldsig#enveloped-signature";
inline constexpr const char* alg_rsa_sha256 = "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256";
inline constexpr const char* alg_rsa_sha1 = "http://www.w3.org/2000/09/xmldsig#rsa-sha1";
inline constexpr const char* alg_sha256 = "http://www.w3.org/2001/04/xmlenc#sha256";

// SAML core §3.2.2.2 (top-level status codes), §8.3 (NameID formats), SAML profiles §3.3.
inline constexpr const char* status_success = "urn:oasis:names:tc:SAML:2.0:status:Success";
inline constexpr const char* cm_bearer = "urn:oasis:names:tc:SAML:2.0:cm:bearer";
inline constexpr const char* binding_redirect = "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect";
inline constexpr const char* binding_post = "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST";

}  // namespace atrium::xml
