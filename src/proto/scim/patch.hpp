#pragma once
// SCIM PATCH (RFC 7644 §3.5.2) applied to a resource's JSON document: the resource as GET
// renders it (for groups, without "members"), changed in place; the door then reads the
// document back into the domain entity, which validates it as a whole. Group member changes
// are not applied to the document but returned as member_change values, in request order,
// for the service to apply as row changes (a group may have millions of members).
//
// Accepted beyond the letter of the RFC, because major IdPs send it:
//  - op names in any case ("Add", "Replace", "Remove": Entra ID);
//  - boolean attributes given as the strings "True"/"False" in any case (Entra ID);
//  - add/replace without a path whose value object has dotted ("name.givenName") or URN-
//    prefixed ("urn:…:enterprise:2.0:User:department") keys, or the extension URN as a key
//    holding an object;
//  - a complex single-valued attribute with a "value" sub-attribute given as a bare string
//    (enterprise manager: "value": "<id>");
//  - a multi-valued attribute given a single object instead of an array;
//  - add/replace on "emails[type eq \"work\"].value" when no item matches: a new item
//    {"type": "work", "value": …} is created (Entra ID);
//  - remove on "members" with a value list removes just those members (Entra ID);
//  - read-only keys (id, meta, schemas, groups) inside a path-less value are ignored when they
//    would not change anything (Okta sends the group's own id); a path naming a read-only or
//    immutable attribute is 400 mutability.
#include <nlohmann/json.hpp>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "proto/scim/filter.hpp"
#include "proto/scim/schemas.hpp"
#include "proto/scim/scim_error.hpp"
#include "service/identity/member_change.hpp"

namespace atrium::proto::scim {

struct patch_op {
  enum class kind { add, remove, replace };
  kind op = kind::add;
  std::optional<patch_path> path;  // parsed "path", when present
  std::string path_text;           // as sent (for error details)
  std::optional<nlohmann::json> value;
};

struct patch_limits {
  std::size_t max_operations = 100'000;  // no 100-change limit; the body-size limit binds first
  filter_limits filter;
  // Nesting of an operation's "value" (SCIM values need 3). Copying, comparing and dumping JSON
  // recurse, so a deeper value is refused (400 invalidValue) before it is copied.
  int max_value_depth = 8;
};

// Reads a PatchOp request (RFC 7644 §3.5.2): "schemas" must hold the PatchOp URN, "Operations"
// a non-empty array of objects with "op" (add/remove/replace, any case), "path" (a string;
// required for remove) and "value" (required for add and replace). Errors: 400 invalidSyntax
// (shape), 400 invalidPath (path), 400 tooMany (over max_operations), 400 noTarget (a remove
// without a path, RFC 7644 §3.5.2.2), 400 invalidValue (a value nested deeper than
// max_value_depth). A "path" that is null or "" counts as absent.
scim_result<std::vector<patch_op>> parse_patch_request(const nlohmann::json& body, const patch_limits& lim = {});

struct patch_outcome {
  std::vector<service::member_change> member_changes;  // groups only, in request order
};

// Applies `ops` in order to `doc`. Errors: 400 invalidPath (unknown attribute),
// 400 mutability (read-only/immutable target), 400 invalidValue (wrong JSON type for the
// attribute), 400 noTarget (replace of a filtered path that matches nothing when the filter is
// not a plain `attr eq "v"` that could describe a new item), 400 invalidFilter (a members
// filter other than `value eq "…"` joined by `or`). Removing what is not there (a filtered
// item that matches nothing, an absent attribute, a non-member) is a no-op: IdPs retry, and a
// remove that already happened must not fail the sync. On error `doc` may be partly changed:
// callers discard it.
scim_result<patch_outcome> apply_patch(nlohmann::json& doc, resource_kind kind,
                                       std::span<const patch_op> ops);

}  // namespace atrium::proto::scim
