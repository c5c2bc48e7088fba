#pragma once
// Which attributes are IDs (SAML core §1.3.4 xs:ID; xmldsig-core §4.3.3.3 same-document
// URIs "#id"). A Reference resolves through the document's ID table, so that table decides
// what a signature covers. Atrium registers exactly the ID attribute of the elements that SAML
// signs (samlp:Response, saml:Assertion, samlp:AuthnRequest, samlp:LogoutRequest,
// samlp:LogoutResponse) and nothing else: IDs that schema validation or the parser added are
// removed first. A document in which an ID/Id value occurs twice, or that uses xml:id, is
// refused (signature wrapping copies the signed element and keeps its ID).
#include "base/result.hpp"
#include "xml/document.hpp"

namespace atrium::xml {

result<void> register_saml_ids(document& doc);

// True for the elements whose ID may be the target of a signature reference.
bool is_signable_element(const xmlNode* n);

}  // namespace atrium::xml
