#pragma once
// The identitystore answers of point reads written directly as text (issue 18 item 1): the same
// bytes as json_response(user_to_json(...)) etc. (identitystore_shapes.hpp), members in name
// order as the library's object (a std::map) writes them, without building that object and
// dumping it. tests/proto/aws/identitystore_wire_text_test.cpp holds both forms equal.
#include <string>
#include <vector>

#include "domain/identity.hpp"

namespace atrium::proto::aws {

void append_user_text(std::string& out, const domain::user& u, const std::string& store_id, bool with_enterprise);
std::string user_text(const domain::user& u, const std::string& store_id, bool with_enterprise);
std::string group_text(const domain::group& g, const std::string& store_id);
std::string membership_text(const domain::membership& m, const std::string& store_id);
// ListUsers' answer: {"NextToken"?, "Users": [...]}.
std::string users_page_text(const std::vector<domain::user>& users, const std::optional<std::string>& next_token,
                            const std::string& store_id, bool with_enterprise);

}  // namespace atrium::proto::aws
