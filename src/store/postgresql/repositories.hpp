#pragma once
// PostgreSQL implementations of the repository interfaces over one connection: the SQLite ones
// (store/sqlite) with the dialect differences marked where they occur. The transaction
// boundaries belong to pg_database; these only run statements.
#include <memory>

#include "store/repositories.hpp"
#include "store/postgresql/connection.hpp"

namespace atrium::store::postgresql {

class user_repo final : public user_repository {
 public:
  explicit user_repo(connection& c) : c_(c) {}
  result<std::optional<domain::user>> get(const std::string& id) override;
  result<page<domain::user>> list(const user_filter& f, const page_request& p) override;
  result<void> insert(const domain::user& u) override;
  result<void> update(const domain::user& u, int64_t expected_version) override;
  result<bool> remove(const std::string& id) override;
  result<int64_t> count() override;
  result<int64_t> count_matching(const user_filter& f) override;
  result<page<domain::user>> search(const search_request& q) override;

 private:
  connection& c_;
};

class group_repo final : public group_repository {
 public:
  explicit group_repo(connection& c) : c_(c) {}
  result<std::optional<domain::group>> get(const std::string& id) override;
  result<page<domain::group>> list(const group_filter& f, const page_request& p) override;
  result<void> insert(const domain::group& g) override;
  result<void> update(const domain::group& g, int64_t expected_version) override;
  result<bool> remove(const std::string& id) override;
  result<int64_t> count() override;
  result<int64_t> count_matching(const group_filter& f) override;
  result<page<domain::group>> search(const search_request& q) override;

 private:
  connection& c_;
};

class membership_repo final : public membership_repository {
 public:
  explicit membership_repo(connection& c) : c_(c) {}
  result<std::optional<domain::membership>> get(const std::string& id) override;
  result<std::optional<domain::membership>> find(const std::string& group_id, const std::string& member_id) override;
  result<void> insert(const domain::membership& m) override;
  result<bool> remove(const std::string& id) override;
  result<page<domain::membership>> list_by_group(const std::string& group_id, const page_request& p) override;
  result<page<domain::membership>> list_by_member(const std::string& member_id, const page_request& p) override;
  result<int64_t> remove_all_for(const std::string& id) override;
  result<int64_t> count_for_group(const std::string& group_id) override;
  result<std::vector<member_ref>> members_of(const std::string& group_id) override;
  result<std::vector<std::string>> groups_of(const std::string& member_id) override;
  result<bool> remove_pair(const std::string& group_id, const std::string& member_id) override;
  result<int64_t> remove_all_members(const std::string& group_id) override;

 private:
  connection& c_;
};

class audit_repo final : public audit_repository {
 public:
  explicit audit_repo(connection& c) : c_(c) {}
  result<void> append(const audit_record& r) override;
  result<std::vector<audit_record>> query(const audit_query& q) override;

 private:
  connection& c_;
};

class access_key_repo final : public access_key_repository {
 public:
  explicit access_key_repo(connection& c) : c_(c) {}
  result<void> insert(const access_key_record& k) override;
  result<std::optional<access_key_record>> get(const std::string& access_key_id) override;
  result<std::vector<access_key_record>> list() override;
  result<bool> set_status(const std::string& access_key_id, const std::string& status) override;

 private:
  connection& c_;
};

class settings_repo final : public settings_repository {
 public:
  explicit settings_repo(connection& c) : c_(c) {}
  result<std::optional<std::string>> get(const std::string& key) override;
  result<void> put(const std::string& key, const std::string& value) override;

 private:
  connection& c_;
};

class scim_token_repo final : public scim_token_repository {
 public:
  explicit scim_token_repo(connection& c) : c_(c) {}
  result<void> insert(const scim_token_record& t) override;
  result<std::optional<scim_token_record>> get(const std::string& id) override;
  result<std::vector<scim_token_record>> list() override;
  result<bool> remove(const std::string& id) override;
  result<void> touch(const std::string& id, sys_time last_used) override;

 private:
  connection& c_;
};

class pg_transaction final : public transaction {
 public:
  // Out of line: the lazily made repositories are incomplete types here.
  explicit pg_transaction(connection& c);
  ~pg_transaction() override;
  user_repository& users() override { return users_; }
  group_repository& groups() override { return groups_; }
  membership_repository& memberships() override { return memberships_; }
  audit_repository& audit() override { return audit_; }
  access_key_repository& access_keys() override { return keys_; }
  settings_repository& settings() override { return settings_; }
  scim_token_repository& scim_tokens() override { return scim_tokens_; }
  // Made on first use (most transactions never touch them); defined in pg_database.cpp
  // (sqlite_database.cpp for SQLite).
  organization_repository& organization() override;
  permission_set_repository& permission_sets() override;
  assignment_repository& assignments() override;
  admin_policy_repository& admin_policies() override;
  credential_repository& credentials() override;
  mfa_device_repository& mfa_devices() override;
  session_repository& sessions() override;
  oidc_repository& oidc() override;
  application_repository& applications() override;
  webauthn_challenge_repository& webauthn_challenges() override;
  external_idp_repository& external_idps() override;
  transient_state_repository& transient_state() override;
  // The connection underneath, for store-internal tools and tests that must reach past the
  // repositories (e.g. to make a COMMIT fail on purpose). Service code never sees this type.
  connection& conn() { return c_; }

 private:
  connection& c_;
  user_repo users_;
  group_repo groups_;
  membership_repo memberships_;
  audit_repo audit_;
  access_key_repo keys_;
  settings_repo settings_;
  scim_token_repo scim_tokens_;
  std::unique_ptr<organization_repository> organization_;
  std::unique_ptr<permission_set_repository> permission_sets_;
  std::unique_ptr<assignment_repository> assignments_;
  std::unique_ptr<admin_policy_repository> admin_policies_;
  std::unique_ptr<credential_repository> credentials_;
  std::unique_ptr<mfa_device_repository> mfa_devices_;
  std::unique_ptr<session_repository> sessions_;
  std::unique_ptr<oidc_repository> oidc_;
  std::unique_ptr<application_repository> applications_;
  std::unique_ptr<webauthn_challenge_repository> webauthn_challenges_;
  std::unique_ptr<external_idp_repository> external_idps_;
  std::unique_ptr<transient_state_repository> transient_state_;
};

}  // namespace atrium::store::postgresql
