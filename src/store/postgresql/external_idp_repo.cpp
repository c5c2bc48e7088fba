// external_idp_repo: migration 0017's external_idps, external_idp_domains, sp_requests,
// sp_assertions and sp_session_attributes.
#include "store/postgresql/external_idp_repo.hpp"

#include "store/postgresql/rows.hpp"

namespace atrium::store::postgresql {

namespace {

constexpr std::string_view pem_end = "-----END CERTIFICATE-----";

// PEM blocks are self-delimiting: the column holds them one after the other.
std::string joined_pems(const std::vector<std::string>& pems) {
  std::string out;
  for (const auto& p : pems) {
    out += p;
    if (!out.ends_with('\n')) out += '\n';
  }
  return out;
}

std::vector<std::string> split_pems(const std::string& text) {
  std::vector<std::string> out;
  std::size_t from = 0;
  while (true) {
    auto end = text.find(pem_end, from);
    if (end == std::string::npos) break;
    end += pem_end.size();
    auto begin = text.find_first_not_of("\r\n", from);
    out.push_back(text.substr(begin, end - begin) + "\n");
    from = end;
  }
  return out;
}

constexpr const char* idp_columns =
    "id, entity_id, sso_url, certificates, sign_authn_requests, allow_idp_initiated, status, metadata, created_at, "
    "updated_at";

external_idp_record idp_of_row(const statement& s) {
  external_idp_record r;
  r.id = s.text(0);
  r.entity_id = s.text(1);
  r.sso_url = s.text(2);
  r.certificates = split_pems(s.text(3));
  r.sign_authn_requests = s.integer(4) != 0;
  r.allow_idp_initiated = s.integer(5) != 0;
  r.enabled = s.text(6) == "ENABLED";
  if (!s.is_null(7)) r.metadata = s.text(7);
  r.created_at = from_epoch_millis(s.integer(8));
  r.updated_at = from_epoch_millis(s.integer(9));
  return r;
}

error idp_conflict(const error& e) {
  if (e.code != errc::conflict) return e;
  return error{errc::conflict, "Another identity provider has this entity ID or one of these domains.", {}, {}};
}

}  // namespace

result<void> external_idp_repo::put_domains(const external_idp_record& r) {
  {
    PREPARE(s, c_, "DELETE FROM external_idp_domains WHERE idp_id = ?");
    s.bind(1, r.id);
    TRY_VOID(run(s));
  }
  for (const auto& d : r.domains) {
    PREPARE(s, c_, "INSERT INTO external_idp_domains(domain, idp_id) VALUES (?, ?)");
    s.bind(1, d).bind(2, r.id);
    TRY_VOID(run(s, idp_conflict));
  }
  return {};
}

result<void> external_idp_repo::load_domains(external_idp_record& r) {
  PREPARE(s, c_, "SELECT domain FROM external_idp_domains WHERE idp_id = ? ORDER BY domain");
  s.bind(1, r.id);
  TRY(p, page_of(s, 1000, [](const statement& st) { return st.text(0); }));
  r.domains = std::move(p.items);
  return {};
}

result<void> external_idp_repo::insert(const external_idp_record& r) {
  PREPARE(s, c_,
          "INSERT INTO external_idps(id, entity_id, sso_url, certificates, sign_authn_requests, allow_idp_initiated, "
          "status, metadata, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
  s.bind(1, r.id).bind(2, r.entity_id).bind(3, r.sso_url).bind(4, joined_pems(r.certificates))
      .bind(5, int64_t{r.sign_authn_requests}).bind(6, int64_t{r.allow_idp_initiated})
      .bind(7, r.enabled ? "ENABLED" : "DISABLED").bind(8, r.metadata).bind(9, epoch_millis(r.created_at))
      .bind(10, epoch_millis(r.updated_at));
  TRY_VOID(run(s, idp_conflict));
  return put_domains(r);
}

result<bool> external_idp_repo::update(const external_idp_record& r) {
  PREPARE(s, c_,
          "UPDATE external_idps SET entity_id = ?, sso_url = ?, certificates = ?, sign_authn_requests = ?, "
          "allow_idp_initiated = ?, status = ?, metadata = ?, updated_at = ? WHERE id = ?");
  s.bind(1, r.entity_id).bind(2, r.sso_url).bind(3, joined_pems(r.certificates)).bind(4, int64_t{r.sign_authn_requests})
      .bind(5, int64_t{r.allow_idp_initiated}).bind(6, r.enabled ? "ENABLED" : "DISABLED").bind(7, r.metadata)
      .bind(8, epoch_millis(r.updated_at)).bind(9, r.id);
  TRY_VOID(run(s, idp_conflict));
  if (c_.changes() == 0) return false;
  TRY_VOID(put_domains(r));
  return true;
}

result<std::optional<external_idp_record>> external_idp_repo::get(const std::string& id) {
  PREPARE(s, c_, std::string("SELECT ") + idp_columns + " FROM external_idps WHERE id = ?");
  s.bind(1, id);
  TRY(row, one_row(s, idp_of_row));
  if (row) TRY_VOID(load_domains(*row));
  return row;
}

result<std::vector<external_idp_record>> external_idp_repo::list() {
  PREPARE(s, c_, std::string("SELECT ") + idp_columns + " FROM external_idps ORDER BY created_at, id");
  TRY(p, page_of(s, 1000, idp_of_row));
  for (auto& r : p.items) TRY_VOID(load_domains(r));
  return std::move(p.items);
}

result<std::optional<std::string>> external_idp_repo::idp_of_domain(const std::string& domain) {
  PREPARE(s, c_, "SELECT idp_id FROM external_idp_domains WHERE domain = ?");
  s.bind(1, domain);
  return one_row(s, [](const statement& st) { return st.text(0); });
}

result<bool> external_idp_repo::remove(const std::string& id) {
  PREPARE(s, c_, "DELETE FROM external_idps WHERE id = ?");
  s.bind(1, id);
  TRY_VOID(run(s));
  return c_.changes() > 0;
}

result<void> external_idp_repo::put_request(const sp_request_record& r) {
  PREPARE(s, c_,
          "INSERT INTO sp_requests(request_id, browser_hash, idp_id, relay, created_at, expires_at) "
          "VALUES (?, ?, ?, ?, ?, ?)");
  s.bind(1, r.request_id).bind(2, r.browser_hash).bind(3, r.idp_id).bind(4, r.relay).bind(5, epoch_millis(r.created_at))
      .bind(6, epoch_millis(r.expires_at));
  return run(s);
}

result<std::optional<sp_request_record>> external_idp_repo::take_request(const std::string& request_id,
                                                                         const std::string& browser_hash,
                                                                         sys_time now) {
  // DELETE ... RETURNING: only the browser that made the request can take it, and only once.
  PREPARE(s, c_,
          "DELETE FROM sp_requests WHERE request_id = ? AND browser_hash = ? "
          "RETURNING request_id, browser_hash, idp_id, relay, created_at, expires_at");
  s.bind(1, request_id).bind(2, browser_hash);
  TRY(row, one_row(s, [](const statement& st) {
        sp_request_record r{st.text(0), st.text(1), st.text(2), std::nullopt, from_epoch_millis(st.integer(4)),
                            from_epoch_millis(st.integer(5))};
        if (!st.is_null(3)) r.relay = st.text(3);
        return r;
      }));
  if (row && row->expires_at <= now) return std::optional<sp_request_record>();
  return row;
}

result<void> external_idp_repo::use_assertion(const std::string& issuer, const std::string& assertion_id,
                                              sys_time expires_at) {
  PREPARE(s, c_, "INSERT INTO sp_assertions(issuer, assertion_id, expires_at) VALUES (?, ?, ?)");
  s.bind(1, issuer).bind(2, assertion_id).bind(3, epoch_millis(expires_at));
  return run(s, [](const error& e) {
    if (e.code != errc::conflict) return e;
    return error{errc::conflict, "This assertion was used before (replay).", {}, {}};
  });
}

result<void> external_idp_repo::put_session_attributes(const std::string& session_id, const std::string& idp_id,
                                                       const std::string& attributes_json) {
  PREPARE(s, c_,
          "INSERT INTO sp_session_attributes(session_id, idp_id, attributes) VALUES (?, ?, ?) "
          "ON CONFLICT(session_id) DO UPDATE SET idp_id = excluded.idp_id, attributes = excluded.attributes");
  s.bind(1, session_id).bind(2, idp_id).bind(3, attributes_json);
  return run(s);
}

result<std::optional<std::string>> external_idp_repo::session_attributes(const std::string& session_id) {
  PREPARE(s, c_, "SELECT attributes FROM sp_session_attributes WHERE session_id = ?");
  s.bind(1, session_id);
  return one_row(s, [](const statement& st) { return st.text(0); });
}

result<int64_t> external_idp_repo::remove_expired(sys_time now) {
  int64_t n = 0;
  for (const char* sql : {"DELETE FROM sp_requests WHERE expires_at <= ?", "DELETE FROM sp_assertions WHERE expires_at <= ?"}) {
    PREPARE(s, c_, sql);
    s.bind(1, epoch_millis(now));
    TRY_VOID(run(s));
    n += c_.changes();
  }
  return n;
}

result<void> external_idp_repo::remove_all() {
  for (const char* sql : {"DELETE FROM sp_requests", "DELETE FROM sp_assertions", "DELETE FROM external_idps"}) {
    PREPARE(s, c_, sql);
    TRY_VOID(run(s));
  }
  return {};
}

result<configuration_counts> external_idp_repo::remove_configuration() {
  configuration_counts n;
  std::pair<const char*, int64_t*> counted[] = {{"SELECT COUNT(*) FROM permission_sets", &n.permission_sets},
                                                {"SELECT COUNT(*) FROM applications", &n.applications},
                                                {"SELECT COUNT(*) FROM account_assignments", &n.account_assignments},
                                                {"SELECT COUNT(*) FROM users", &n.users},
                                                {"SELECT COUNT(*) FROM groups", &n.groups},
                                                {"SELECT COUNT(*) FROM external_idps", &n.external_idps}};
  for (auto [sql, slot] : counted) {
    PREPARE(s, c_, sql);
    TRY(v, scalar(s));
    *slot = v;
  }
  // Children first where no ON DELETE CASCADE links them; users' and groups' triggers keep
  // row_counts and application_assignments right.
  for (const char* sql : {"DELETE FROM account_assignments", "DELETE FROM assignment_requests",
                          "DELETE FROM provisioned_permission_sets", "DELETE FROM permission_sets",
                          "DELETE FROM applications", "DELETE FROM memberships", "DELETE FROM external_ids",
                          "DELETE FROM users", "DELETE FROM groups", "DELETE FROM sp_requests",
                          "DELETE FROM sp_assertions", "DELETE FROM external_idps"}) {
    PREPARE(s, c_, sql);
    TRY_VOID(run(s));
  }
  return n;
}

}  // namespace atrium::store::postgresql
