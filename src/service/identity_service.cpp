#include "service/identity_service.hpp"

#include "base/json_text.hpp"
#include "base/strings.hpp"
#include "service/assignment_cascade.hpp"
#include "store/credential_repository.hpp"
#include "domain/ids.hpp"
#include "domain/validation.hpp"

namespace atrium::service {

identity_service::identity_service(audited_store& store, const clock& clk, random_source& rnd,
                                   std::string identity_store_id, quotas q)
    : store_(store), clock_(clk), random_(rnd), store_id_(std::move(identity_store_id)), quotas_(q) {}

namespace {
// "Created by"/"Updated by": the caller's ARN, or for SCIM (whose callers are bearer tokens,
// not IAM principals) the token id.
std::string by(const call_context& ctx) { return ctx.who.arn.empty() ? ctx.who.access_key_id : ctx.who.arn; }
}  // namespace

domain::audit_stamp identity_service::stamp(const call_context& ctx) const {
  domain::audit_stamp s;
  s.created_at = s.updated_at = clock_.now();
  s.created_by = s.updated_by = by(ctx);
  s.created_via = s.updated_via = ctx.via;
  return s;
}

void identity_service::touch(domain::audit_stamp& s, const call_context& ctx) const {
  s.updated_at = clock_.now();
  s.updated_by = by(ctx);
  s.updated_via = ctx.via;
}

std::string identity_service::ids(std::initializer_list<std::pair<const char*, std::string>> kv) const {
  nlohmann::json j = {{"identityStoreId", store_id_}};
  for (auto& [k, v] : kv) j[k] = v;
  return to_json_text(j);
}

// ---- users -------------------------------------------------------------------------------

result<domain::user> identity_service::create_user(const call_context& ctx, domain::user u) {
  auto v = create_user_view(ctx, std::move(u));
  if (!v) return std::unexpected(v.error());
  return std::move(v->user);
}

result<domain::user> identity_service::describe_user(const call_context& ctx, const std::string& id) {
  return store_.read<domain::user>(ctx, [&](store::transaction& tx) -> result<domain::user> {
    auto u = tx.users().get(id);
    if (!u) return std::unexpected(u.error());
    if (!*u) return not_found("USER", id);
    return std::move(**u);
  });
}

result<domain::user> identity_service::update_user(const call_context& ctx, const std::string& id,
                                                   const user_edit& edit) {
  auto v = rewrite_user(
      ctx, id,
      [&](const domain::user& current) -> result<domain::user> {
        domain::user u = current;
        if (auto r = edit(u); !r) return std::unexpected(r.error());
        return u;
      },
      std::nullopt, {false, false}, false);
  if (!v) return std::unexpected(v.error());
  return std::move(v->user);
}

result<std::monostate> identity_service::delete_user(const call_context& ctx, const std::string& id,
                                                       const version_condition& if_match) {
  return store_.write<std::monostate>(
      ctx,
      [&](store::transaction& tx) -> result<std::monostate> {
        // The guide: deleting a user of the built-in store deletes what refers to it.
        if (if_match) {
          auto cur = tx.users().get(id);
          if (!cur) return std::unexpected(cur.error());
          if (!*cur) return not_found("USER", id);
          if (auto r = check_version(if_match, (*cur)->version); !r) return std::unexpected(r.error());
        }
        if (auto r = leave_all_groups(tx, ctx, id); !r) return std::unexpected(r.error());
        if (auto r = tx.memberships().remove_all_for(id); !r) return std::unexpected(r.error());
        // Its account assignments go too; roles left without one are removed by the job runner.
        if (auto r = remove_assignments_of_principal(tx, random_, clock_.now(), id); !r) return std::unexpected(r.error());
        // Its password, history and outstanding links/codes go too (issue 5).
        if (auto r = tx.credentials().remove_all_for(id); !r) return std::unexpected(r.error());
        auto removed = tx.users().remove(id);
        if (!removed) return std::unexpected(removed.error());
        if (!*removed) return not_found("USER", id);
        return std::monostate{};
      },
      json_text_of([&](const std::monostate&) { return nlohmann::json(nullptr); }));
}

namespace {

std::string user_scope(const store::user_filter& f) {
  return "users|" + f.user_name_key.value_or("");
}

}  // namespace

result<listing<domain::user>> identity_service::list_users(
    const call_context& ctx, const store::user_filter& f, const std::optional<std::string>& next_token,
    int max) {
  std::string scope = user_scope(f);
  auto start = start_page(scope, next_token, max);
  if (!start) return std::unexpected(start.error());
  store::page_request pr = *start;
  return store_.read<listing<domain::user>>(ctx, [&](store::transaction& tx) -> result<listing<domain::user>> {
    auto p = tx.users().list(f, pr);
    if (!p) return std::unexpected(p.error());
    return to_listing(std::move(*p), scope);
  });
}

result<std::string> identity_service::get_user_id(const call_context& ctx,
                                                  const alternate_identifier& alt) {
  store::user_filter f;
  std::string shown;
  if (alt.external_id) {
    f.external_id = alt.external_id;
    shown = alt.external_id->id;
  } else {
    auto path = to_lower_ascii(alt.attribute_path);
    if (!alt.attribute_value) {
      auto e = fail(errc::validation, "UniqueAttribute.AttributeValue must be a string.");
      return e;
    }
    shown = *alt.attribute_value;
    if (path == "username") f.user_name_key = domain::fold_key(shown);
    else if (path == "emails.value") f.email_key = domain::fold_key(shown);
    else {
      auto e = fail(errc::validation, "UniqueAttribute.AttributePath '" + alt.attribute_path +
                                          "' is not supported; use userName or emails.value.");
      return e;
    }
  }
  return store_.read<std::string>(ctx, [&](store::transaction& tx) -> result<std::string> {
    auto p = tx.users().list(f, {"", 1});
    if (!p) return std::unexpected(p.error());
    if (p->items.empty()) return not_found("USER", shown);
    return p->items.front().id;
  });
}

// ---- page tokens -------------------------------------------------------------------------

result<store::page_request> identity_service::start_page(std::string_view scope,
                                                         const std::optional<std::string>& token, int max) {
  store::page_request pr{"", max};
  if (!token) return pr;
  auto after = decode_page_token(scope, *token);
  if (!after) return std::unexpected(after.error());
  pr.after_id = std::move(*after);
  return pr;
}

std::string encode_page_token(std::string_view scope, std::string_view last_id) {
  std::string raw = "v1\n" + std::string(scope) + "\n" + std::string(last_id);
  return base64url_encode(raw);
}

result<std::string> decode_page_token(std::string_view scope, std::string_view token) {
  auto bad = [] { return fail(errc::validation, "The NextToken is invalid or expired."); };
  if (token.size() > 4096) return bad();
  auto raw = base64url_decode(token);
  if (!raw) return bad();
  auto parts = split(*raw, '\n');
  if (parts.size() != 3 || parts[0] != "v1" || parts[1] != scope || parts[2].empty()) return bad();
  return std::string(parts[2]);
}

}  // namespace atrium::service
