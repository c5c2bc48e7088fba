#include "service/idsource/identity_source_service.hpp"

#include <nlohmann/json.hpp>

#include "base/json_text.hpp"
#include "base/try.hpp"
#include "store/credential_repository.hpp"
#include "xml/saml_sp_messages.hpp"

namespace atrium::service {

namespace {

using nlohmann::json;

json idp_json(const store::external_idp_record& r) {
  return json{{"IdpId", r.id}, {"EntityId", r.entity_id}, {"Status", r.enabled ? "ENABLED" : "DISABLED"}};
}

json outcome_json(const switch_outcome& o) {
  return json{{"IdentitySource", o.identity_source},
              {"Users", o.users},
              {"Groups", o.groups},
              {"UsersWithPassword", o.users_with_password},
              {"DisabledIdPs", o.disabled_idps}};
}

result<void> confirmed(const std::string& typed, const std::string& expected) {
  if (typed != expected) return invalid("Type " + expected + " in Confirmation to confirm the change.");
  return {};
}

result<store::external_idp_record> existing_idp(store::transaction& tx, const std::string& id) {
  TRY(r, tx.external_idps().get(id));
  if (!r) return not_found("ExternalIdPConfiguration", id);
  return std::move(*r);
}

result<switch_outcome> counted(store::transaction& tx, switch_outcome o) {
  TRY(users, tx.users().count());
  TRY(groups, tx.groups().count());
  TRY(pw, tx.credentials().count_passwords());
  o.users = users;
  o.groups = groups;
  o.users_with_password = pw;
  return o;
}

}  // namespace

identity_source_service::identity_source_service(audited_store& store, const clock& clk, random_source& rnd,
                                                 sp_keys& keys, std::shared_ptr<const sp_endpoints> endpoints,
                                                 std::string identity_store_id)
    : store_(store),
      clock_(clk),
      random_(rnd),
      keys_(keys),
      endpoints_(std::move(endpoints)),
      identity_store_id_(std::move(identity_store_id)) {}

result<service_provider_view> identity_source_service::service_provider() {
  TRY(key, keys_.get());
  service_provider_view v{endpoints_->entity_id(), endpoints_->acs_url(), endpoints_->metadata_url(), {}};
  v.metadata = xml::build_sp_metadata({v.entity_id, v.acs_url, key->certificate_base64});
  return v;
}

result<identity_source_view> identity_source_service::describe(const call_context& ctx) {
  TRY(sp, service_provider());
  return store_.read<identity_source_view>(ctx, [&](store::transaction& tx) -> result<identity_source_view> {
    identity_source_view v;
    TRY(st, read_identity_source(tx));
    TRY(idps, tx.external_idps().list());
    v.state = st;
    v.sp = sp;
    v.idps = std::move(idps);
    return v;
  });
}

result<std::string> identity_source_service::create_idp(const call_context& ctx, const idp_input& in) {
  store::external_idp_record r;
  r.id = "idp-" + random_.hex(8);
  r.created_at = r.updated_at = clock_.now();
  TRY_VOID(apply_idp_input(r, in, clock_.now()));
  auto made = store_.write<store::external_idp_record>(
      ctx,
      [&](store::transaction& tx) -> result<store::external_idp_record> {
        TRY(all, tx.external_idps().list());
        if (all.size() >= idp_limits::max_idps) return fail(errc::quota_exceeded, "At most 20 identity providers.");
        TRY_VOID(tx.external_idps().insert(r));
        return r;
      },
      json_text_of(idp_json));
  if (!made) return std::unexpected(made.error());
  return made->id;
}

result<store::external_idp_record> identity_source_service::update_idp(const call_context& ctx,
                                                                        const std::string& idp_id, const idp_input& in) {
  return store_.write<store::external_idp_record>(
      ctx,
      [&](store::transaction& tx) -> result<store::external_idp_record> {
        TRY(r, existing_idp(tx, idp_id));
        TRY_VOID(apply_idp_input(r, in, clock_.now()));
        r.updated_at = clock_.now();
        TRY_VOID(tx.external_idps().update(r));
        return r;
      },
      json_text_of(idp_json));
}

result<switch_outcome> identity_source_service::enable_idp(const call_context& ctx, const std::string& idp_id,
                                                           const std::string& confirmation) {
  TRY_VOID(confirmed(confirmation, confirmation_word));
  auto now = clock_.now();
  return store_.write<switch_outcome>(
      ctx,
      [&](store::transaction& tx) -> result<switch_outcome> {
        TRY(r, existing_idp(tx, idp_id));
        auto expiry = earliest_expiry(r);
        bool any_valid = false;
        for (const auto& c : certificate_views(r)) any_valid = any_valid || c.not_after > now;
        if (!expiry || !any_valid)
          return invalid("Every certificate of this identity provider has expired: update it first.");
        TRY(st, read_identity_source(tx));
        switch_outcome o;
        o.identity_source = "EXTERNAL_IDP";
        // The service keeps one external IdP at a time: switching to another disables the
        // previous one (entitlements are kept either way).
        if (!st.multiple_idps) {
          TRY(all, tx.external_idps().list());
          for (auto& other : all) {
            if (other.id == r.id || !other.enabled) continue;
            other.enabled = false;
            other.updated_at = now;
            TRY_VOID(tx.external_idps().update(other));
            o.disabled_idps.push_back(other.id);
          }
        }
        r.enabled = true;
        r.updated_at = now;
        TRY_VOID(tx.external_idps().update(r));
        TRY_VOID(tx.settings().put(identity_source_setting, "EXTERNAL_IDP"));
        return counted(tx, std::move(o));
      },
      json_text_of(outcome_json));
}

result<switch_outcome> identity_source_service::disable_external(const call_context& ctx,
                                                                 const std::string& confirmation) {
  TRY_VOID(confirmed(confirmation, confirmation_word));
  auto now = clock_.now();
  return store_.write<switch_outcome>(
      ctx,
      [&](store::transaction& tx) -> result<switch_outcome> {
        TRY(st, read_identity_source(tx));
        if (!st.external) return fail(errc::conflict, "The identity source is the built-in store already.");
        switch_outcome o;
        o.identity_source = "BUILT_IN";
        TRY(all, tx.external_idps().list());
        for (auto& r : all) {
          if (!r.enabled) continue;
          r.enabled = false;
          r.updated_at = now;
          TRY_VOID(tx.external_idps().update(r));
          o.disabled_idps.push_back(r.id);
        }
        TRY_VOID(tx.settings().put(identity_source_setting, "BUILT_IN"));
        return counted(tx, std::move(o));
      },
      json_text_of(outcome_json));
}

result<void> identity_source_service::delete_idp(const call_context& ctx, const std::string& idp_id) {
  auto r = store_.write<bool>(
      ctx,
      [&](store::transaction& tx) -> result<bool> {
        TRY(idp, existing_idp(tx, idp_id));
        if (idp.enabled)
          return fail(errc::conflict,
                      "This identity provider is enabled: switch the identity source (or enable another one) first.");
        return tx.external_idps().remove(idp_id);
      },
      [](const bool&) { return std::string(); });
  if (!r) return std::unexpected(r.error());
  return {};
}

result<identity_source_state> identity_source_service::update_settings(const call_context& ctx, bool multiple_idps) {
  return store_.write<identity_source_state>(
      ctx,
      [&](store::transaction& tx) -> result<identity_source_state> {
        if (!multiple_idps) {
          TRY(all, tx.external_idps().list());
          int enabled = 0;
          for (const auto& r : all) enabled += r.enabled ? 1 : 0;
          if (enabled > 1)
            return fail(errc::conflict, "Several identity providers are enabled: disable all but one first.");
        }
        TRY_VOID(tx.settings().put(multiple_idps_setting, multiple_idps ? "true" : "false"));
        return read_identity_source(tx);
      },
      json_text_of([](const identity_source_state& s) { return json{{"MultipleIdPs", s.multiple_idps}}; }));
}

result<store::configuration_counts> identity_source_service::delete_configuration(const call_context& ctx,
                                                                                  const std::string& confirmation) {
  if (confirmation != identity_store_id_)
    return invalid("Type the identity store id (" + identity_store_id_ + ") in Confirmation to delete the configuration.");
  auto r = store_.write<store::configuration_counts>(
      ctx,
      [&](store::transaction& tx) -> result<store::configuration_counts> {
        TRY(n, tx.external_idps().remove_configuration());
        TRY_VOID(tx.settings().put(identity_source_setting, "BUILT_IN"));
        TRY_VOID(tx.settings().put(multiple_idps_setting, "false"));
        return n;
      },
      json_text_of([](const store::configuration_counts& n) {
        return json{{"PermissionSets", n.permission_sets}, {"Applications", n.applications},
                    {"AccountAssignments", n.account_assignments}, {"Users", n.users},
                    {"Groups", n.groups}, {"ExternalIdPs", n.external_idps}};
      }));
  return r;
}

}  // namespace atrium::service
