#include "service/federation/aws_assertion.hpp"

#include "base/strings.hpp"

namespace atrium::service {

std::string aws_role_session_name(std::string_view user_name) {
  std::string out;
  for (std::size_t i = 0; i < user_name.size() && out.size() < 64;) {
    auto c = static_cast<unsigned char>(user_name[i]);
    if (c < 0x80) {
      bool ok = is_ascii_alnum(static_cast<char>(c)) || std::string_view("_+=,.@-").find(static_cast<char>(c)) !=
                                                            std::string_view::npos;
      out += ok ? static_cast<char>(c) : '_';
      ++i;
      continue;
    }
    // One '_' for each UTF-8 sequence (lead byte and its continuation bytes).
    out += '_';
    ++i;
    while (i < user_name.size() && (static_cast<unsigned char>(user_name[i]) & 0xC0) == 0x80) ++i;
  }
  while (out.size() < 2) out += '_';
  return out;
}

xml::response_values aws_response_values(const aws_assertion_values& v, random_source& random) {
  xml::response_values r;
  r.issuer = v.issuer;
  r.destination = v.signin_url;
  r.recipient = v.signin_url;
  r.audience = v.audience;
  r.name_id = v.user_id;
  r.name_id_format = std::string(nameid_persistent);
  r.session_index = "_" + random.hex(16);
  r.issue_instant = v.now;
  r.authn_instant = v.now;
  // A minute of allowance for a peer whose clock is behind ours (SAML core §2.5.1.2 lets the
  // IdP choose NotBefore); the assertion is good for `lifetime` (five minutes) from now.
  r.not_before = v.now - std::chrono::minutes(1);
  r.not_on_or_after = v.now + v.lifetime;
  // AssumeRoleWithSAML: the session lasts DurationSeconds or until SessionNotOnOrAfter,
  // whichever is shorter; both say the permission set's duration.
  r.session_not_on_or_after = v.now + v.session_duration;
  auto add = [&r](std::string name, std::string value) {
    xml::saml_attribute a;  // NameFormat uri (SAML core §8.2.2), one xs:string value
    a.name = std::move(name);
    a.values.push_back(std::move(value));
    r.attributes.push_back(std::move(a));
  };
  add(std::string(aws_attr_role), v.role_arn + "," + v.provider_arn);
  add(std::string(aws_attr_session_name), aws_role_session_name(v.user_name));
  add(std::string(aws_attr_session_duration), std::to_string(v.session_duration.count()));
  for (const auto& tag : v.principal_tags) add(std::string(aws_attr_principal_tag) + tag.key, tag.value);
  return r;
}

}  // namespace atrium::service
