#pragma once
// The fast path of decode_user and decode_group (issue 18 item 1: building nlohmann's DOM of a
// stored user was 9.4% of DescribeUser's CPU). A SAX reader fills the domain value straight from
// the lexer's events. It accepts only the shape encode_user/encode_group write (expected types,
// no duplicate members; unknown members are skipped as the DOM decoder ignores them) and says
// nullopt for anything else — a corrupt document, a wrong type, null — which codec.cpp then
// decodes with the DOM decoder, so every error, and every lenient reading of an odd shape, is
// the DOM decoder's own. For store/codec.cpp, its tests and its fuzz target only.
#include <optional>
#include <string_view>

#include "base/result.hpp"
#include "domain/identity.hpp"

namespace atrium::store::detail {

std::optional<domain::user> read_user_fast(std::string_view doc);
std::optional<domain::group> read_group_fast(std::string_view doc);

// The DOM decoders (the reference the fast path must equal; the fallback for other shapes).
result<domain::user> decode_user_dom(std::string_view doc);
result<domain::group> decode_group_dom(std::string_view doc);

}  // namespace atrium::store::detail
