#include "proto/scim/patch_values.hpp"

#include <algorithm>
#include <optional>
#include <unordered_set>

#include "base/strings.hpp"

namespace atrium::proto::scim::patch_detail {

using nlohmann::json;

namespace {

using def = attribute_def;

std::string name_of(const def& a) { return std::string(a.name); }

// ---- type checks (RFC 7643 §2.3) ----

scim_result<json> coerce_simple(const def& a, const json& v, const std::string& where) {
  switch (a.t) {
    case def::type::string:
    case def::type::reference:
    case def::type::date_time:
      if (v.is_string()) return v;
      return bad_request(scim_type::invalid_value, "'" + where + "' must be a string.");
    case def::type::boolean:
      if (v.is_boolean()) return v;
      // Entra ID sends "True"/"False"; the document keeps a real boolean.
      if (v.is_string() && iequals_ascii(v.get_ref<const std::string&>(), "true")) return json(true);
      if (v.is_string() && iequals_ascii(v.get_ref<const std::string&>(), "false")) return json(false);
      return bad_request(scim_type::invalid_value, "'" + where + "' must be a boolean.");
    case def::type::integer:
      if (v.is_number_integer()) return v;
      return bad_request(scim_type::invalid_value, "'" + where + "' must be an integer.");
    case def::type::decimal:
      if (v.is_number()) return v;
      return bad_request(scim_type::invalid_value, "'" + where + "' must be a number.");
    case def::type::complex: break;
  }
  return bad_request(scim_type::invalid_value, "'" + where + "' must be an object.");
}

// A complex value with canonical key spellings. Read-only sub-attributes are ignored, as a PUT
// ignores them (RFC 7644 §3.5.1); nulls are kept when the caller merges (null = remove).
scim_result<json> coerce_complex(const def& a, const json& v, bool keep_nulls) {
  // Entra ID gives the enterprise manager as its bare id.
  if (v.is_string() && !a.multi_valued)
    if (const def* value = find_sub_attribute(a, "value")) return json{{name_of(*value), v}};
  if (!v.is_object()) return bad_request(scim_type::invalid_value, "'" + name_of(a) + "' must be an object.");
  json out = json::object();
  for (auto it = v.begin(); it != v.end(); ++it) {
    const def* s = find_sub_attribute(a, it.key());
    if (!s) return bad_request(scim_type::invalid_path, "Unknown attribute '" + name_of(a) + "." + it.key() + "'.");
    if (s->mut == def::mutability::read_only) continue;
    if (it.value().is_null()) {
      if (keep_nulls) out[name_of(*s)] = nullptr;
      continue;
    }
    auto c = coerce_simple(*s, it.value(), name_of(a) + "." + name_of(*s));
    if (!c) return std::unexpected(c.error());
    out[name_of(*s)] = std::move(*c);
  }
  return out;
}

// The items of a multi-valued attribute; a single item may come without its array.
scim_result<json> coerce_items(const def& a, const json& v) {
  json out = json::array();
  auto one = [&](const json& e) -> scim_result<void> {
    if (e.is_null()) return {};
    auto c = a.t == def::type::complex ? coerce_complex(a, e, false) : coerce_simple(a, e, name_of(a));
    if (!c) return std::unexpected(c.error());
    if (!(c->is_object() && c->empty())) out.push_back(std::move(*c));
    return {};
  };
  if (!v.is_array()) {
    if (auto r = one(v); !r) return std::unexpected(r.error());
    return out;
  }
  for (const auto& e : v)
    if (auto r = one(e); !r) return std::unexpected(r.error());
  return out;
}

// ---- multi-valued helpers ----

bool is_primary(const json& item) {
  const json* p = find_key(item, "primary");
  return p && p->is_boolean() && p->get<bool>();
}

// RFC 7643 §2.4: "primary" is true on at most one value; the one just set wins.
void keep_one_primary(json& arr, std::size_t winner) {
  for (std::size_t i = 0; i < arr.size(); ++i)
    if (i != winner && is_primary(arr[i])) put_key(arr[i], "primary") = false;
}

std::string item_key(const json& item) { return item.dump(-1, ' ', false, json::error_handler_t::replace); }

// Writes a multi-valued attribute back; an empty one is removed.
void store_items(json& c, const def& a, json arr) {
  if (arr.empty()) erase_key(c, a.name);
  else put_key(c, a.name) = std::move(arr);
}

case_exact_fn case_exact_for(const def& a) {
  return [&a](std::string_view name) {
    const def* s = find_sub_attribute(a, name);
    return s && s->case_exact;
  };
}

bool same_string(const std::string& x, const std::string& y, bool exact) {
  return exact ? x == y : iequals_ascii(x, y);
}

// `item` has every sub-attribute `given` has, with the same value.
bool item_contains(const json& item, const json& given, const def& a) {
  if (!given.is_object()) return item == given;
  for (auto it = given.begin(); it != given.end(); ++it) {
    const json* v = find_key(item, it.key());
    if (!v) return false;
    const def* s = find_sub_attribute(a, it.key());
    if (v->is_string() && it.value().is_string()) {
      if (!same_string(v->get<std::string>(), it.value().get<std::string>(), s && s->case_exact)) return false;
    } else if (*v != it.value()) {
      return false;
    }
  }
  return true;
}

// For `attr eq "v"` filters: the item the filter describes, {attr: v}, which add/replace create
// when nothing matches (Entra ID: emails[type eq "work"].value on a user without one).
std::optional<json> plain_eq_seed(const def& a, const filter& f) {
  if (f.k != filter::kind::compare || f.op != compare_op::eq || !f.path.urn.empty() || !f.path.sub_attr.empty())
    return std::nullopt;
  const def* s = find_sub_attribute(a, f.path.name);
  if (!s || s->mut == def::mutability::read_only) return std::nullopt;
  auto v = coerce_simple(*s, f.value, name_of(a) + "." + name_of(*s));
  if (!v) return std::nullopt;
  return json{{name_of(*s), std::move(*v)}};
}

// Merges sub-attributes (null = remove) into a complex single-valued attribute.
void merge_complex(json& c, const def& a, const json& subs) {
  json& target = put_key(c, a.name);
  if (!target.is_object()) target = json::object();
  const json* old_value = find_key(target, "value");
  std::optional<json> before = old_value ? std::optional<json>(*old_value) : std::nullopt;
  for (auto it = subs.begin(); it != subs.end(); ++it) {
    if (it.value().is_null()) erase_key(target, it.key());
    else put_key(target, it.key()) = it.value();
  }
  // "$ref" and read-only sub-attributes (manager.displayName) describe "value"; when it
  // changes they describe the old one, so they go unless the request gave them.
  const json* now = find_key(target, "value");
  if ((now ? std::optional<json>(*now) : std::nullopt) != before)
    for (const auto& s : a.sub_attributes)
      if ((s.name == "$ref" || s.mut == def::mutability::read_only) && !subs.contains(name_of(s)))
        erase_key(target, s.name);
  if (target.empty()) erase_key(c, a.name);
}

}  // namespace

const json* find_key(const json& obj, std::string_view key) {
  if (!obj.is_object()) return nullptr;
  if (auto it = obj.find(key); it != obj.end()) return &*it;
  for (auto it = obj.begin(); it != obj.end(); ++it)
    if (iequals_ascii(it.key(), key)) return &it.value();
  return nullptr;
}

json* find_key(json& obj, std::string_view key) {
  return const_cast<json*>(find_key(static_cast<const json&>(obj), key));
}

void erase_key(json& obj, std::string_view key) {
  if (!obj.is_object()) return;
  std::vector<std::string> doomed;
  for (auto it = obj.begin(); it != obj.end(); ++it)
    if (iequals_ascii(it.key(), key)) doomed.push_back(it.key());
  for (const auto& k : doomed) obj.erase(k);
}

json& put_key(json& obj, std::string_view canonical) {
  if (!obj.is_object()) obj = json::object();
  std::string key(canonical);
  std::vector<std::string> other;
  for (auto it = obj.begin(); it != obj.end(); ++it)
    if (it.key() != key && iequals_ascii(it.key(), key)) other.push_back(it.key());
  // A value stored under another spelling ("Name") moves to the canonical one ("name").
  if (!other.empty() && !obj.contains(key)) obj[key] = std::move(obj[other.front()]);
  for (const auto& k : other) obj.erase(k);
  return obj[key];
}

bool contains_string(const json& arr, std::string_view s) {
  if (!arr.is_array()) return false;
  for (const auto& e : arr)
    if (e.is_string() && iequals_ascii(e.get_ref<const std::string&>(), s)) return true;
  return false;
}

scim_result<void> set_whole(json& c, const def& a, const json& value, patch_op::kind k) {
  if (!a.multi_valued && a.t == def::type::complex) {
    // RFC 7644 §3.5.2.1 and §3.5.2.3: add and replace of a complex attribute both set the
    // given sub-attributes and leave the others.
    auto subs = coerce_complex(a, value, true);
    if (!subs) return std::unexpected(subs.error());
    merge_complex(c, a, *subs);
    return {};
  }
  if (!a.multi_valued) {
    auto v = coerce_simple(a, value, name_of(a));
    if (!v) return std::unexpected(v.error());
    put_key(c, a.name) = std::move(*v);
    return {};
  }
  auto items = coerce_items(a, value);
  if (!items) return std::unexpected(items.error());
  std::optional<std::size_t> winner;
  json arr = json::array();
  if (k == patch_op::kind::add) {
    // §3.5.2.1: add appends to a multi-valued attribute; a value already there is not doubled.
    if (const json* cur = find_key(c, a.name); cur && cur->is_array()) arr = *cur;
    std::unordered_set<std::string> seen;
    for (const auto& e : arr) seen.insert(item_key(e));
    for (auto& item : *items) {
      if (!seen.insert(item_key(item)).second) continue;
      arr.push_back(std::move(item));
      if (is_primary(arr.back())) winner = arr.size() - 1;
    }
  } else {
    // §3.5.2.3: replace without a filter replaces all values.
    arr = std::move(*items);
    for (std::size_t i = 0; i < arr.size(); ++i)
      if (is_primary(arr[i])) winner = i;
  }
  if (winner) keep_one_primary(arr, *winner);
  store_items(c, a, std::move(arr));
  return {};
}

scim_result<void> set_sub(json& c, const def& a, const def& sub, const json& value) {
  auto v = coerce_simple(sub, value, name_of(a) + "." + name_of(sub));
  if (!v) return std::unexpected(v.error());
  if (!a.multi_valued) {
    merge_complex(c, a, json{{name_of(sub), std::move(*v)}});
    return {};
  }
  // "emails.value" without a filter sets it on every value (there is one in the common case);
  // with no values yet it creates one.
  const json* cur = find_key(c, a.name);
  json arr = cur && cur->is_array() ? *cur : json::array();
  if (arr.empty()) arr.push_back(json::object());
  for (auto& item : arr) put_key(item, sub.name) = *v;
  if (is_primary(arr.back())) keep_one_primary(arr, arr.size() - 1);
  store_items(c, a, std::move(arr));
  return {};
}

scim_result<void> set_filtered(json& c, const def& a, const def* sub, const filter& f, const json& value,
                               patch_op::kind k) {
  scim_result<json> change;
  if (sub) {
    change = coerce_simple(*sub, value, name_of(a) + "." + name_of(*sub));
  } else {
    const json& one = value.is_array() && value.size() == 1 ? value[0] : value;
    change = coerce_complex(a, one, false);
  }
  if (!change) return std::unexpected(change.error());
  const json* cur = find_key(c, a.name);
  json arr = cur && cur->is_array() ? *cur : json::array();
  auto exact = case_exact_for(a);
  std::vector<std::size_t> hits;
  for (std::size_t i = 0; i < arr.size(); ++i)
    if (matches(f, arr[i], exact)) hits.push_back(i);
  auto seed = plain_eq_seed(a, f);
  if (hits.empty()) {
    // RFC 7644 §3.5.2.3: a filter that matches nothing is noTarget, unless it describes the
    // item to create.
    if (!seed) return bad_request(scim_type::no_target, "No value of '" + name_of(a) + "' matches the filter.");
    arr.push_back(*seed);
    hits.push_back(arr.size() - 1);
  }
  std::optional<std::size_t> winner;
  for (auto i : hits) {
    json& item = arr[i];
    if (!item.is_object()) item = json::object();
    if (sub) {
      put_key(item, sub->name) = *change;
    } else if (k == patch_op::kind::replace) {
      item = *change;  // §3.5.2.3: matching values are replaced ...
      if (seed)        // ... but keep what the filter said they are (type "work").
        for (auto it = seed->begin(); it != seed->end(); ++it)
          if (!find_key(item, it.key())) item[it.key()] = it.value();
    } else {
      for (auto it = change->begin(); it != change->end(); ++it) put_key(item, it.key()) = it.value();
    }
    if (is_primary(item)) winner = i;
  }
  if (winner) keep_one_primary(arr, *winner);
  store_items(c, a, std::move(arr));
  return {};
}

scim_result<void> remove_value(json& c, const def& a, const def* sub, const filter* f, const json* value) {
  const json* cur = find_key(c, a.name);
  if (!cur) return {};  // already gone: IdPs retry removes
  if (!f && sub && !a.multi_valued) {
    if (cur->is_object()) merge_complex(c, a, json{{name_of(*sub), nullptr}});
    return {};
  }
  bool listed = !f && !sub && value && !value->is_null() && a.multi_valued;
  if (!f && !sub && !listed) {
    erase_key(c, a.name);
    return {};
  }
  if (!cur->is_array()) return {};
  json given = json::array();
  if (listed) {
    auto items = coerce_items(a, *value);
    if (!items) return std::unexpected(items.error());
    given = std::move(*items);
  }
  auto exact = case_exact_for(a);
  json kept = json::array();
  for (const auto& item : *cur) {
    auto listed_here = [&](const json& g) { return item_contains(item, g, a); };
    bool hit = f ? matches(*f, item, exact) : !listed || std::any_of(given.begin(), given.end(), listed_here);
    if (!hit) {
      kept.push_back(item);
    } else if (sub) {
      json left = item;
      erase_key(left, sub->name);
      if (!(left.is_object() && left.empty())) kept.push_back(std::move(left));
    }
  }
  store_items(c, a, std::move(kept));
  return {};
}

scim_result<void> check_filter_names(const def& a, const filter& f) {
  std::vector<const filter*> todo{&f};
  while (!todo.empty()) {
    const filter* n = todo.back();
    todo.pop_back();
    if (n->k == filter::kind::compare || n->k == filter::kind::value_path) {
      if (n->k == filter::kind::value_path || !n->path.urn.empty() || !n->path.sub_attr.empty() ||
          !find_sub_attribute(a, n->path.name))
        return bad_request(scim_type::invalid_path,
                           "The filter of '" + name_of(a) + "' names an unknown attribute '" + n->path.name + "'.");
      continue;
    }
    if (n->lhs) todo.push_back(n->lhs.get());
    if (n->rhs) todo.push_back(n->rhs.get());
  }
  return {};
}

scim_result<std::vector<std::string>> member_ids(const json& value) {
  std::vector<std::string> ids;
  auto one = [&](const json& m) {
    const json* v = find_key(m, "value");
    if (!v || !v->is_string() || v->get_ref<const std::string&>().empty()) return false;
    ids.push_back(v->get<std::string>());
    return true;
  };
  bool ok = true;
  if (value.is_array()) {
    for (const auto& m : value) ok = ok && one(m);
  } else {
    ok = one(value);
  }
  if (!ok) return bad_request(scim_type::invalid_value, "Each member must be an object with a string \"value\".");
  return ids;
}

scim_result<std::vector<std::string>> member_ids_from_filter(const filter& f) {
  std::vector<std::string> ids;
  std::vector<const filter*> todo{&f};  // right child pushed first: ids come out in order
  while (!todo.empty()) {
    const filter* n = todo.back();
    todo.pop_back();
    if (n->k == filter::kind::logical_or && n->lhs && n->rhs) {
      todo.push_back(n->rhs.get());
      todo.push_back(n->lhs.get());
      continue;
    }
    if (n->k != filter::kind::compare || n->op != compare_op::eq || !n->path.urn.empty() ||
        !n->path.sub_attr.empty() || !iequals_ascii(n->path.name, "value") || !n->value.is_string())
      return bad_request(scim_type::invalid_filter,
                         "A members filter can only be value eq \"<id>\" terms joined by or.");
    ids.push_back(n->value.get<std::string>());
  }
  return ids;
}

}  // namespace atrium::proto::scim::patch_detail
