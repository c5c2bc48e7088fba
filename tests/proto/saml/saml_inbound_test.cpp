// What the SSO endpoint reads off a request: the HTTP-Redirect query (SAMLRequest, RelayState,
// SigAlg, Signature) and the HTTP-POST form, each field once; what it refuses.
#include "proto/saml/saml_inbound.hpp"

#include <gtest/gtest.h>

namespace atrium::proto::saml {

namespace {

request get(std::string query) {
  request r;
  r.method = "GET";
  r.target = "/saml/assertion/apl-0123456789abcdef" + query;
  return r;
}

request post(std::string body, std::string type = "application/x-www-form-urlencoded") {
  request r;
  r.method = "POST";
  r.target = "/saml/assertion/apl-0123456789abcdef";
  r.headers = {{"Content-Type", type}};
  r.body = std::move(body);
  return r;
}

}  // namespace

TEST(saml_inbound, the_redirect_binding_reads_the_query) {
  auto in = read_inbound_request(get("?SAMLRequest=abc%2B%2F%3D&RelayState=%2Fhome%20page"), 1024);
  ASSERT_TRUE(in) << in.error().message;
  EXPECT_EQ(in->binding, xml::saml_binding::redirect);
  EXPECT_EQ(in->message, "abc+/=");
  EXPECT_EQ(in->relay_state, "/home page");
  ASSERT_TRUE(in->redirect);
  EXPECT_FALSE(in->redirect->signature);
  EXPECT_FALSE(read_inbound_request(get(""), 1024));
  EXPECT_FALSE(read_inbound_request(get("?SAMLResponse=abc"), 1024));            // not a request
  EXPECT_FALSE(read_inbound_request(get("?SAMLRequest=a&SAMLRequest=b"), 1024));  // twice
  EXPECT_FALSE(read_inbound_request(get("?SAMLRequest=a&Signature=x"), 1024));    // Signature without SigAlg
}

TEST(saml_inbound, the_post_binding_reads_the_form) {
  auto in = read_inbound_request(post("SAMLRequest=PHg%2BPC94Pg%3D%3D&RelayState=r+1"), 1024);
  ASSERT_TRUE(in) << in.error().message;
  EXPECT_EQ(in->binding, xml::saml_binding::post);
  EXPECT_EQ(in->message, "PHg+PC94Pg==");
  EXPECT_EQ(in->relay_state, "r 1");
  EXPECT_FALSE(in->redirect);
  EXPECT_FALSE(read_inbound_request(post("RelayState=x"), 1024));                      // no SAMLRequest
  EXPECT_FALSE(read_inbound_request(post("SAMLRequest=a&SAMLRequest=b"), 1024));        // twice
  EXPECT_FALSE(read_inbound_request(post("SAMLRequest=%zz"), 1024));                    // not URL-encoded
  EXPECT_FALSE(read_inbound_request(post("SAMLRequest=a", "application/json"), 1024));  // media type
  EXPECT_FALSE(read_inbound_request(post("SAMLRequest=" + std::string(2000, 'a')), 1024));  // size
}

TEST(saml_inbound, form_fields_keep_empty_values_and_refuse_repeats) {
  auto f = form_fields("a=1&b=&&c");
  ASSERT_TRUE(f);
  EXPECT_EQ(f->at("a"), "1");
  EXPECT_EQ(f->at("b"), "");
  EXPECT_EQ(f->at("c"), "");
  EXPECT_FALSE(form_fields("a=1&a=2"));
}

}  // namespace atrium::proto::saml
