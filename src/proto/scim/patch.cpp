#include "proto/scim/patch.hpp"

#include <algorithm>
#include <utility>

#include "base/strings.hpp"
#include "proto/scim/patch_values.hpp"

namespace atrium::proto::scim {

using nlohmann::json;
using namespace patch_detail;

namespace {

using def = attribute_def;

std::string_view core_urn(resource_kind kind) {
  return kind == resource_kind::user ? user_schema_urn : group_schema_urn;
}

// RFC 7643 §2.5: null and an empty array (or object) both mean "no value".
bool unassigned(const json& v) { return v.is_null() || ((v.is_array() || v.is_object()) && v.empty()); }

// ---- reading the request (RFC 7644 §3.5.2) ----

bool has_patch_urn(const json* schemas) {
  if (!schemas || !schemas->is_array()) return false;
  for (const auto& s : *schemas)
    if (s.is_string() && iequals_ascii(s.get_ref<const std::string&>(), patch_op_urn)) return true;
  return false;
}

std::optional<patch_op::kind> op_kind(const json* op) {
  if (!op || !op->is_string()) return std::nullopt;
  const auto& s = op->get_ref<const std::string&>();
  // Entra ID writes "Add", "Replace", "Remove".
  if (iequals_ascii(s, "add")) return patch_op::kind::add;
  if (iequals_ascii(s, "remove")) return patch_op::kind::remove;
  if (iequals_ascii(s, "replace")) return patch_op::kind::replace;
  return std::nullopt;
}

// Measured without recursion: the value may be nested as deep as the body is long.
bool nested_deeper_than(const json& v, int limit) {
  std::vector<std::pair<const json*, int>> todo{{&v, 0}};
  while (!todo.empty()) {
    auto [j, depth] = todo.back();
    todo.pop_back();
    if (!j->is_structured()) continue;
    if (depth + 1 > limit) return true;
    for (const auto& child : *j) todo.emplace_back(&child, depth + 1);
  }
  return false;
}

scim_result<patch_op> read_operation(const json& o, std::size_t index, const patch_limits& lim) {
  std::string where = "Operations[" + std::to_string(index) + "]";
  if (!o.is_object()) return bad_request(scim_type::invalid_syntax, where + " must be an object.");
  auto k = op_kind(find_key(o, "op"));
  if (!k) return bad_request(scim_type::invalid_syntax, where + ".op must be \"add\", \"remove\" or \"replace\".");
  patch_op op;
  op.op = *k;
  const json* path = find_key(o, "path");
  if (path && !path->is_null() && !path->is_string())
    return bad_request(scim_type::invalid_path, where + ".path must be a string.");
  if (path && path->is_string() && !path->get_ref<const std::string&>().empty()) {
    op.path_text = path->get<std::string>();
    auto p = parse_patch_path(op.path_text, lim.filter);
    if (!p) return std::unexpected(p.error());
    op.path = std::move(*p);
  }
  // RFC 7644 §3.5.2.2: a remove without a path has no target.
  if (op.op == patch_op::kind::remove && !op.path)
    return bad_request(scim_type::no_target, where + " removes without a \"path\".");
  if (const json* v = find_key(o, "value")) {
    if (nested_deeper_than(*v, lim.max_value_depth))
      return bad_request(scim_type::invalid_value,
                         where + ".value is nested deeper than " + std::to_string(lim.max_value_depth) + " levels.");
    op.value = *v;
  }
  if (op.op != patch_op::kind::remove && !op.value)
    return bad_request(scim_type::invalid_syntax, where + " needs a \"value\".");
  return op;
}

// ---- applying ----

// One run of apply_patch over one document.
class patcher {
 public:
  patcher(json& doc, resource_kind kind) : doc_(doc), kind_(kind) {}

  scim_result<void> apply(const patch_op& op) {
    const json* value = op.value ? &*op.value : nullptr;
    if (!op.path) {
      if (op.op == patch_op::kind::remove || !value)
        return bad_request(scim_type::no_target, "A remove needs a \"path\".");
      return apply_pathless(op.op, *value, "");
    }
    if (op.path->attr.name.empty()) return apply_schema(op.op, op.path->attr.urn, value);
    return apply_attr(op.op, *op.path, value, op.path_text);
  }

  std::vector<service::member_change> member_changes_;

 private:
  json& doc_;
  resource_kind kind_;

  bool is_enterprise(std::string_view urn) const {
    return kind_ == resource_kind::user && iequals_ascii(urn, enterprise_user_urn);
  }

  // Add/replace without a path: each key of the value is an attribute (or a dotted or URN-
  // prefixed path, or the extension URN holding an object), changed as if it were the path.
  // `scope` is the schema URN the keys belong to when nested under one; nesting is one deep.
  scim_result<void> apply_pathless(patch_op::kind k, const json& value, std::string_view scope) {
    if (!value.is_object())
      return bad_request(scim_type::invalid_value, "Without a \"path\" the value must be an object of attributes.");
    for (auto it = value.begin(); it != value.end(); ++it) {
      const std::string& key = it.key();
      const json& v = it.value();
      if (scope.empty() && (is_enterprise(key) || iequals_ascii(key, core_urn(kind_)))) {
        if (auto r = apply_schema(k, key, &v); !r) return r;
        continue;
      }
      if (scope.empty() && iequals_ascii(key, "schemas")) {
        if (auto r = check_schemas_unchanged(v); !r) return r;
        continue;
      }
      auto p = parse_patch_path(key);
      if (!p || p->attr.name.empty()) return bad_request(scim_type::invalid_path, "Unknown attribute '" + key + "'.");
      if (p->attr.urn.empty()) p->attr.urn = std::string(scope);
      if (auto skip = unchanged_read_only(*p, v); !skip) return std::unexpected(skip.error());
      else if (*skip) continue;
      if (auto r = apply_attr(k, *p, &v, key); !r) return r;
    }
    return {};
  }

  // A path (or path-less key) that is a whole schema URN: the extension as one object.
  scim_result<void> apply_schema(patch_op::kind k, std::string_view urn, const json* value) {
    if (!is_enterprise(urn) && !iequals_ascii(urn, core_urn(kind_)))
      return bad_request(scim_type::invalid_path, "'" + std::string(urn) + "' is not a schema of this resource.");
    bool removing = k == patch_op::kind::remove || (value && value->is_null());
    if (removing) {
      if (!is_enterprise(urn))
        return bad_request(scim_type::invalid_path, "The core schema cannot be removed as a whole.");
      erase_key(doc_, enterprise_user_urn);
      drop_schema_urn();
      return {};
    }
    if (!value || !value->is_object())
      return bad_request(scim_type::invalid_value, "The value of '" + std::string(urn) + "' must be an object.");
    return apply_pathless(k, *value, is_enterprise(urn) ? enterprise_user_urn : core_urn(kind_));
  }

  // Okta sends the resource's own id (and others may echo meta or schemas) inside a path-less
  // value: ignore a read-only key that would not change anything; refuse one that would.
  scim_result<bool> unchanged_read_only(const patch_path& p, const json& v) {
    const def* a = find_attribute(kind_, p.attr.urn, p.attr.name);
    if (!a || a->mut != def::mutability::read_only || !p.attr.sub_attr.empty() || p.value_filter) return false;
    const json* current = find_key(doc_, a->name);
    if ((current && *current == v) || ((!current || unassigned(*current)) && unassigned(v))) return true;
    return bad_request(scim_type::mutability, "Attribute '" + std::string(a->name) + "' is read-only.");
  }

  scim_result<void> check_schemas_unchanged(const json& v) {
    auto own = [&](const json& s) {
      return s.is_string() && (iequals_ascii(s.get_ref<const std::string&>(), core_urn(kind_)) ||
                               is_enterprise(s.get_ref<const std::string&>()));
    };
    if (v.is_array() && std::all_of(v.begin(), v.end(), own)) return {};
    return bad_request(scim_type::mutability, "\"schemas\" can only name the resource's own schemas.");
  }

  scim_result<void> apply_attr(patch_op::kind k, const patch_path& p, const json* value, std::string_view text) {
    const def* a = find_attribute(kind_, p.attr.urn, p.attr.name);
    if (!a) return bad_request(scim_type::invalid_path, "Unknown attribute in path '" + std::string(text) + "'.");
    if (kind_ == resource_kind::group && a->name == "members") return apply_members(k, p, *a, value, text);
    auto sub = check_target(*a, p, text);
    if (!sub) return std::unexpected(sub.error());
    bool ext = kind_ == resource_kind::user && find_attribute(kind_, enterprise_user_urn, a->name) == a;
    bool removing = k == patch_op::kind::remove || !value || value->is_null();
    if (removing && a->required && !*sub && !p.value_filter)
      return bad_request(scim_type::invalid_value, "Attribute '" + std::string(a->name) + "' is required.");
    json* c = container(ext, !removing);
    if (!c) return {};  // removing from an extension that is not there
    scim_result<void> r;
    if (removing) r = remove_value(*c, *a, *sub, p.value_filter.get(), k == patch_op::kind::remove ? value : nullptr);
    else if (p.value_filter) r = set_filtered(*c, *a, *sub, *p.value_filter, *value, k);
    else if (*sub) r = set_sub(*c, *a, **sub, *value);
    else r = set_whole(*c, *a, *value, k);
    if (ext) tidy_extension();
    return r;
  }

  // Checks the attribute and sub-attribute a path names; returns the sub-attribute (or null).
  scim_result<const def*> check_target(const def& a, const patch_path& p, std::string_view text) {
    if (a.mut == def::mutability::read_only || a.mut == def::mutability::immutable)
      return bad_request(scim_type::mutability, "Attribute '" + std::string(a.name) + "' cannot be changed.");
    if (p.value_filter) {
      if (!a.multi_valued)
        return bad_request(scim_type::invalid_path,
                           "'" + std::string(a.name) + "' is not multi-valued: '" + std::string(text) + "'.");
      if (auto ok = check_filter_names(a, *p.value_filter); !ok) return std::unexpected(ok.error());
    }
    if (p.attr.sub_attr.empty()) return nullptr;
    const def* sub = find_sub_attribute(a, p.attr.sub_attr);
    if (!sub) return bad_request(scim_type::invalid_path, "Unknown attribute in path '" + std::string(text) + "'.");
    if (sub->mut == def::mutability::read_only || sub->mut == def::mutability::immutable)
      return bad_request(scim_type::mutability,
                         "Attribute '" + std::string(a.name) + "." + std::string(sub->name) + "' cannot be changed.");
    return sub;
  }

  // Where the attribute lives: the document, or the enterprise extension's object inside it.
  json* container(bool ext, bool create) {
    if (!doc_.is_object()) doc_ = json::object();
    if (!ext) return &doc_;
    json* c = find_key(doc_, enterprise_user_urn);
    if (c && c->is_object()) return c;
    if (!create) return nullptr;
    json& made = put_key(doc_, enterprise_user_urn);
    made = json::object();
    // The document lists the schemas it uses (RFC 7643 §3: "schemas").
    if (json* s = find_key(doc_, "schemas"); s && s->is_array() && !contains_string(*s, enterprise_user_urn))
      s->push_back(std::string(enterprise_user_urn));
    return &made;
  }

  void tidy_extension() {
    json* c = find_key(doc_, enterprise_user_urn);
    if (!c || !c->is_object() || !c->empty()) return;
    erase_key(doc_, enterprise_user_urn);
    drop_schema_urn();
  }

  void drop_schema_urn() {
    json* s = find_key(doc_, "schemas");
    if (!s || !s->is_array()) return;
    json kept = json::array();
    for (auto& u : *s)
      if (!u.is_string() || !iequals_ascii(u.get_ref<const std::string&>(), enterprise_user_urn))
        kept.push_back(std::move(u));
    *s = std::move(kept);
  }

  // ---- group members: returned as changes, never written to the document ----

  scim_result<void> apply_members(patch_op::kind k, const patch_path& p, const def& a, const json* value,
                                  std::string_view text) {
    if (!p.attr.sub_attr.empty()) {
      if (find_sub_attribute(a, p.attr.sub_attr))
        return bad_request(scim_type::mutability, "A member's '" + p.attr.sub_attr + "' cannot be changed.");
      return bad_request(scim_type::invalid_path, "Unknown attribute in path '" + std::string(text) + "'.");
    }
    bool removing = k == patch_op::kind::remove || !value || value->is_null();
    if (p.value_filter) {
      if (!removing)
        return bad_request(scim_type::mutability,
                           "Members are added and removed, not changed: '" + std::string(text) + "'.");
      auto ids = member_ids_from_filter(*p.value_filter);
      if (!ids) return std::unexpected(ids.error());
      member_changes_.push_back({service::member_change::kind::remove, std::move(*ids)});
      return {};
    }
    if (removing && (k != patch_op::kind::remove || !value || value->is_null())) {
      member_changes_.push_back({service::member_change::kind::remove_all, {}});
      return {};
    }
    auto ids = member_ids(*value);
    if (!ids) return std::unexpected(ids.error());
    using mk = service::member_change::kind;
    if (k == patch_op::kind::replace) member_changes_.push_back({mk::remove_all, {}});
    if (!ids->empty()) member_changes_.push_back({k == patch_op::kind::remove ? mk::remove : mk::add, std::move(*ids)});
    return {};
  }
};

}  // namespace

scim_result<std::vector<patch_op>> parse_patch_request(const nlohmann::json& body, const patch_limits& lim) {
  if (!body.is_object()) return bad_request(scim_type::invalid_syntax, "The PATCH body must be a JSON object.");
  if (!has_patch_urn(find_key(body, "schemas")))
    return bad_request(scim_type::invalid_syntax, "\"schemas\" must hold \"" + std::string(patch_op_urn) + "\".");
  const json* ops = find_key(body, "Operations");
  if (!ops || !ops->is_array() || ops->empty())
    return bad_request(scim_type::invalid_syntax, "\"Operations\" must be a non-empty array.");
  if (ops->size() > lim.max_operations)
    return bad_request(scim_type::too_many, "More than " + std::to_string(lim.max_operations) + " operations.");
  std::vector<patch_op> out;
  out.reserve(ops->size());
  for (std::size_t i = 0; i < ops->size(); ++i) {
    auto op = read_operation((*ops)[i], i, lim);
    if (!op) return std::unexpected(op.error());
    out.push_back(std::move(*op));
  }
  return out;
}

scim_result<patch_outcome> apply_patch(nlohmann::json& doc, resource_kind kind, std::span<const patch_op> ops) {
  patcher p(doc, kind);
  for (const auto& op : ops)
    if (auto r = p.apply(op); !r) return std::unexpected(r.error());
  return patch_outcome{std::move(p.member_changes_)};
}

}  // namespace atrium::proto::scim
