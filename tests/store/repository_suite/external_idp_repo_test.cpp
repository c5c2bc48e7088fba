// External IdPs on both backends (migration 0017): configurations with their certificates and domains
// (one IdP per domain), pending SP requests taken once by the browser that made them, the
// assertion replay cache refused by the primary key, session attributes gone with the session,
// and the guide's "delete configuration".
#include "base/try.hpp"
#include "backend_fixture.hpp"
#include "store/external_idp_repository.hpp"
#include "store/session_repository.hpp"

namespace atrium::store::test {

namespace {

const sys_time t0 = from_epoch_millis(1'763'900'000'000);
const char* pem_a = "-----BEGIN CERTIFICATE-----\nQUFB\n-----END CERTIFICATE-----\n";
const char* pem_b = "-----BEGIN CERTIFICATE-----\nQkJC\n-----END CERTIFICATE-----\n";

external_idp_record idp(const std::string& id, const std::string& entity, std::vector<std::string> domains) {
  external_idp_record r;
  r.id = id;
  r.entity_id = entity;
  r.sso_url = entity + "/sso";
  r.certificates = {pem_a, pem_b};
  r.domains = std::move(domains);
  r.created_at = r.updated_at = t0;
  return r;
}

class external_idp_repo_test : public store_test {
 protected:
  result<void> insert_idp(const external_idp_record& r) {
    return db_->write([&](transaction& tx) { return tx.external_idps().insert(r); });
  }
  result<std::optional<sp_request_record>> take(const std::string& id, const std::string& hash, sys_time now) {
    return write_value(*db_, [&](transaction& tx) { return tx.external_idps().take_request(id, hash, now); });
  }
};

}  // namespace

TEST_P(external_idp_repo_test, configurations_round_trip_with_certificates_and_domains) {
  auto r = idp("idp-1", "https://a.example", {"a.example", "b.example"});
  r.metadata = "<md/>";
  r.sign_authn_requests = true;
  ASSERT_TRUE(insert_idp(r));
  auto got = write_value(*db_, [&](transaction& tx) { return tx.external_idps().get("idp-1"); });
  ASSERT_TRUE(got && *got);
  EXPECT_EQ((*got)->certificates, (std::vector<std::string>{pem_a, pem_b}));
  EXPECT_EQ((*got)->domains, (std::vector<std::string>{"a.example", "b.example"}));
  EXPECT_EQ((*got)->metadata, "<md/>");
  EXPECT_TRUE((*got)->sign_authn_requests);
  EXPECT_FALSE((*got)->enabled);
  auto owner = write_value(*db_, [&](transaction& tx) { return tx.external_idps().idp_of_domain("b.example"); });
  ASSERT_TRUE(owner);
  EXPECT_EQ(*owner, "idp-1");
  // A domain is one IdP's; so is an entity ID.
  auto clash = insert_idp(idp("idp-2", "https://c.example", {"b.example"}));
  ASSERT_FALSE(clash);
  EXPECT_EQ(clash.error().code, errc::conflict);
  EXPECT_FALSE(insert_idp(idp("idp-3", "https://a.example", {})));
  // Update replaces the domains.
  r.domains = {"c.example"};
  r.enabled = true;
  auto updated = write_value(*db_, [&](transaction& tx) { return tx.external_idps().update(r); });
  ASSERT_TRUE(updated && *updated);
  auto list = write_value(*db_, [&](transaction& tx) { return tx.external_idps().list(); });
  ASSERT_TRUE(list);
  ASSERT_EQ(list->size(), 1u);
  EXPECT_TRUE(list->front().enabled);
  EXPECT_EQ(list->front().domains, (std::vector<std::string>{"c.example"}));
}

TEST_P(external_idp_repo_test, a_request_is_taken_once_by_its_browser_before_it_expires) {
  ASSERT_TRUE(insert_idp(idp("idp-1", "https://a.example", {})));
  sp_request_record req{"_r1", "hash-a", "idp-1", std::string("/portal/x"), t0, t0 + std::chrono::minutes(10)};
  ASSERT_TRUE(db_->write([&](transaction& tx) { return tx.external_idps().put_request(req); }));
  auto wrong = take("_r1", "hash-b", t0);
  ASSERT_TRUE(wrong);
  EXPECT_FALSE(wrong->has_value()) << "another browser's hash";
  auto first = take("_r1", "hash-a", t0 + std::chrono::minutes(1));
  ASSERT_TRUE(first && first->has_value());
  EXPECT_EQ((*first)->relay, "/portal/x");
  auto again = take("_r1", "hash-a", t0 + std::chrono::minutes(1));
  ASSERT_TRUE(again);
  EXPECT_FALSE(again->has_value()) << "single use";
  req.request_id = "_r2";
  ASSERT_TRUE(db_->write([&](transaction& tx) { return tx.external_idps().put_request(req); }));
  auto late = take("_r2", "hash-a", t0 + std::chrono::minutes(10));
  ASSERT_TRUE(late);
  EXPECT_FALSE(late->has_value()) << "expired";
}

TEST_P(external_idp_repo_test, an_assertion_is_used_once_until_it_is_purged) {
  auto use = [&](const std::string& issuer, const std::string& id) {
    return db_->write([&](transaction& tx) { return tx.external_idps().use_assertion(issuer, id, t0 + std::chrono::minutes(5)); });
  };
  ASSERT_TRUE(use("https://a.example", "_a1"));
  auto replay = use("https://a.example", "_a1");
  ASSERT_FALSE(replay);
  EXPECT_EQ(replay.error().code, errc::conflict);
  EXPECT_NE(replay.error().message.find("replay"), std::string::npos);
  EXPECT_TRUE(use("https://b.example", "_a1")) << "another IdP's assertion with the same ID";
  auto purged = write_value(*db_, [&](transaction& tx) { return tx.external_idps().remove_expired(t0 + std::chrono::minutes(5)); });
  ASSERT_TRUE(purged);
  EXPECT_EQ(*purged, 2);
}

TEST_P(external_idp_repo_test, session_attributes_go_with_the_session_and_configuration_deletion) {
  ASSERT_TRUE(insert(make_user("u1", "jane@example.test")));
  session_record s{"sess-1", "u1", t0, t0 + std::chrono::hours(8), t0, "127.0.0.1", "ua", "csrf"};
  ASSERT_TRUE(db_->write([&](transaction& tx) -> result<void> {
    TRY_VOID(tx.sessions().insert_session(s));
    return tx.external_idps().put_session_attributes("sess-1", "idp-1", "{\"CostCenter\":\"1\"}");
  }));
  auto a = write_value(*db_, [&](transaction& tx) { return tx.external_idps().session_attributes("sess-1"); });
  ASSERT_TRUE(a && *a);
  EXPECT_EQ(**a, "{\"CostCenter\":\"1\"}");
  ASSERT_TRUE(insert_idp(idp("idp-1", "https://a.example", {"a.example"})));
  auto n = write_value(*db_, [&](transaction& tx) { return tx.external_idps().remove_configuration(); });
  ASSERT_TRUE(n) << n.error().message;
  EXPECT_EQ(n->users, 1);
  EXPECT_EQ(n->external_idps, 1);
  EXPECT_EQ(raw_scalar("SELECT COUNT(*) FROM users"), "0");
  EXPECT_EQ(raw_scalar("SELECT COUNT(*) FROM sp_session_attributes"), "0");
  EXPECT_EQ(raw_scalar("SELECT COUNT(*) FROM external_idp_domains"), "0");
  // PostgreSQL spreads the counter over stripes 'users#1'.. (migration 0021): their sum.
  EXPECT_EQ(raw_scalar("SELECT COALESCE(SUM(n), 0) FROM row_counts WHERE tbl = 'users' OR tbl LIKE 'users#%'"), "0");
}

ATRIUM_ON_BOTH_BACKENDS(external_idp_repo_test);

}  // namespace atrium::store::test
