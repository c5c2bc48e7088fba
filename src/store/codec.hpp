#pragma once
// JSON documents of the entities as every backend stores them (SQLite TEXT, PostgreSQL jsonb).
// Every attribute is kept, optional ones only when set (so "absent" and "empty" stay apart);
// times are epoch milliseconds and doors their domain::to_string names. The format is
// versioned by the schema migrations, not by the wire protocols. Decoding never throws: a
// document this binary did not write is an errc::internal error naming the entity only.
#include <string>
#include <string_view>

#include "base/result.hpp"
#include "domain/identity.hpp"

namespace atrium::store {

std::string encode_user(const domain::user& u);
result<domain::user> decode_user(std::string_view doc);
std::string encode_group(const domain::group& g);
result<domain::group> decode_group(std::string_view doc);
std::string encode_membership(const domain::membership& m);
result<domain::membership> decode_membership(std::string_view doc);

}  // namespace atrium::store
