#pragma once
// The value half of SCIM PATCH (RFC 7644 §3.5.2.1-3): type checks against the schema tables and
// the changes to one attribute of a document (whole, one sub-attribute, or the items a value
// filter selects), plus the reading of group members. patch.cpp decides which one applies;
// these do it. Internal to proto/scim (the door uses patch.hpp).
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "proto/scim/filter.hpp"
#include "proto/scim/patch.hpp"
#include "proto/scim/schemas.hpp"
#include "proto/scim/scim_error.hpp"

// A namespace of its own so that these helper names cannot collide with the door's.
namespace atrium::proto::scim::patch_detail {

// Object keys compare case-insensitively (RFC 7643 §2.1). nullptr when obj is not an object or
// has no such key.
const nlohmann::json* find_key(const nlohmann::json& obj, std::string_view key);
nlohmann::json* find_key(nlohmann::json& obj, std::string_view key);
// Removes every spelling of key.
void erase_key(nlohmann::json& obj, std::string_view key);
// obj[canonical], after removing other spellings of it; makes obj an object if it is not one.
nlohmann::json& put_key(nlohmann::json& obj, std::string_view canonical);
// An array holding the string s (case-insensitively).
bool contains_string(const nlohmann::json& arr, std::string_view s);

// Changes of attribute `a` inside container `c` (the document or the extension's object).
// `value` is never null here: a null value is a remove.
scim_result<void> set_whole(nlohmann::json& c, const attribute_def& a, const nlohmann::json& value,
                           patch_op::kind k);
scim_result<void> set_sub(nlohmann::json& c, const attribute_def& a, const attribute_def& sub,
                         const nlohmann::json& value);
scim_result<void> set_filtered(nlohmann::json& c, const attribute_def& a, const attribute_def* sub,
                              const filter& f, const nlohmann::json& value, patch_op::kind k);
// `value` (optional) lists the items of a multi-valued attribute to remove.
scim_result<void> remove_value(nlohmann::json& c, const attribute_def& a, const attribute_def* sub,
                              const filter* f, const nlohmann::json* value);

// Every attribute a value filter names must be a sub-attribute of `a` (400 invalidPath).
scim_result<void> check_filter_names(const attribute_def& a, const filter& f);

// Members as IdPs send them: objects with a string "value" (other keys, such as Okta's
// "display", are ignored); an array or a single object. 400 invalidValue otherwise.
scim_result<std::vector<std::string>> member_ids(const nlohmann::json& value);
// The ids of a members filter `value eq "a" or value eq "b"`, in order; 400 invalidFilter for
// any other filter.
scim_result<std::vector<std::string>> member_ids_from_filter(const filter& f);

}  // namespace atrium::proto::scim::patch_detail
