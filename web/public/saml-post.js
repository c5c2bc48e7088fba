// Submits the form of the page that hands a SAML Response to an application (SAML bindings
// §3.5.4 HTTP-POST; src/proto/portal/saml_post_page.cpp). A file of its own: the page's CSP runs
// no inline script.
document.getElementById('saml-post')?.submit();
