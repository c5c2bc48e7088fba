// The application store on both backends: the document round trip, optimistic updates, certificates
// with one active, assignments listed by application and by principal set, cascades (application
// deleted, user or group deleted), and pending AuthnRequests (replay refused, answered once,
// expiry).
#include "base/try.hpp"
#include "backend_fixture.hpp"
#include "store/application_repository.hpp"

namespace atrium::store::test {

namespace {

domain::application sample_app(const std::string& id) {
  domain::application a;
  a.id = id;
  a.instance_id = "ssoins-0123456789abcdef";
  a.account_id = "123456789012";
  a.provider_arn = domain::catalog_provider_arn("slack");
  a.name = "Slack";
  a.description = "Team chat";
  a.portal = {domain::sign_in_origin::application, "https://acme.slack.com", true};
  a.created_at = from_epoch_millis(1'700'000'000'000);
  a.created_from = "us-east-1";
  a.sp.entity_id = "https://slack.com";
  a.sp.acs = {{"https://acme.slack.com/sso/saml", 0, true}};
  a.sp.signing_certificates = {"-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n"};
  a.sp.template_fields = {{"workspace", "acme"}};
  a.response.session_duration = std::chrono::hours(2);
  a.response.relay_state = "/home";
  a.response.sign = domain::saml_sign_target::assertion;
  a.mappings = {{"Subject", "${user:subject}", "persistent"}, {"User.Email", "${user:email}", "unspecified"}};
  a.icon_png = std::string("\x89PNG\r\n\x1a\n\0\0", 10);
  return a;
}

application_certificate_record cert(const std::string& id, const std::string& app, bool active, int64_t at) {
  return {id, app, "PEM", "sealed", "fp-" + id, 2048, from_epoch_millis(at), from_epoch_millis(at + 1000),
          from_epoch_millis(at), active};
}

}  // namespace

using application_repo_test = store_test;

TEST_P(application_repo_test, the_document_round_trips_and_updates_are_optimistic) {
  auto a = sample_app("apl-0000000000000001");
  ASSERT_TRUE(db_->write([&](transaction& tx) { return tx.applications().insert(a); }));
  auto got = read_value(*db_, [&](transaction& tx) { return tx.applications().get(a.id); });
  ASSERT_TRUE(got && *got);
  const auto& b = **got;
  EXPECT_EQ(b.name, a.name);
  EXPECT_EQ(b.description, a.description);
  EXPECT_EQ(b.portal, a.portal);
  EXPECT_EQ(b.sp, a.sp);
  EXPECT_EQ(b.response, a.response);
  EXPECT_EQ(b.mappings, a.mappings);
  EXPECT_EQ(b.icon_png, a.icon_png);
  EXPECT_EQ(b.created_at, a.created_at);
  EXPECT_EQ(b.arn(), a.arn());

  auto next = b;
  next.version = 2;
  next.name = "Slack (Acme)";
  EXPECT_TRUE(db_->write([&](transaction& tx) { return tx.applications().update(next, 1); }));
  auto stale = db_->write([&](transaction& tx) { return tx.applications().update(next, 1); });
  ASSERT_FALSE(stale);
  EXPECT_EQ(stale.error().code, errc::concurrent_modification);
  auto gone = next;
  gone.id = "apl-00000000000000ff";
  auto missing = db_->write([&](transaction& tx) { return tx.applications().update(gone, 1); });
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().code, errc::not_found);
}

TEST_P(application_repo_test, listing_pages_and_filters_by_provider) {
  ASSERT_TRUE(db_->write([&](transaction& tx) -> result<void> {
    for (int i = 1; i <= 5; ++i) {
      auto a = sample_app("apl-000000000000000" + std::to_string(i));
      if (i % 2 == 0) a.provider_arn = std::string(domain::custom_saml_provider_arn);
      TRY_VOID(tx.applications().insert(a));
    }
    return {};
  }));
  auto p1 = read_value(*db_, [](transaction& tx) { return tx.applications().list(std::nullopt, {"", 3}); });
  ASSERT_TRUE(p1);
  ASSERT_EQ(p1->items.size(), 3u);
  EXPECT_TRUE(p1->more);
  auto p2 = read_value(*db_, [&](transaction& tx) { return tx.applications().list(std::nullopt, {p1->items.back().id, 3}); });
  ASSERT_TRUE(p2);
  EXPECT_EQ(p2->items.size(), 2u);
  EXPECT_FALSE(p2->more);
  auto custom = read_value(*db_, [](transaction& tx) {
    return tx.applications().list(std::string(domain::custom_saml_provider_arn), {"", 10});
  });
  ASSERT_TRUE(custom);
  EXPECT_EQ(custom->items.size(), 2u);
}

TEST_P(application_repo_test, one_active_certificate_and_activation_moves_it) {
  const std::string app = "apl-0000000000000001";
  ASSERT_TRUE(db_->write([&](transaction& tx) -> result<void> {
    TRY_VOID(tx.applications().insert(sample_app(app)));
    TRY_VOID(tx.applications().insert_certificate(cert("appcert-1", app, true, 1000)));
    return tx.applications().insert_certificate(cert("appcert-2", app, false, 2000));
  }));
  // A second active row is refused by the store itself.
  auto two = db_->write([&](transaction& tx) { return tx.applications().insert_certificate(cert("appcert-3", app, true, 3000)); });
  EXPECT_FALSE(two);
  auto moved = write_value(*db_, [&](transaction& tx) { return tx.applications().activate_certificate(app, "appcert-2"); });
  ASSERT_TRUE(moved && *moved);
  auto certs = read_value(*db_, [&](transaction& tx) { return tx.applications().certificates(app); });
  ASSERT_TRUE(certs);
  ASSERT_EQ(certs->size(), 2u);
  EXPECT_FALSE((*certs)[0].active);
  EXPECT_TRUE((*certs)[1].active);
  auto other = write_value(*db_, [&](transaction& tx) { return tx.applications().activate_certificate(app, "appcert-9"); });
  ASSERT_TRUE(other);
  EXPECT_FALSE(*other);
  auto removed = write_value(*db_, [&](transaction& tx) { return tx.applications().remove_certificate(app, "appcert-1"); });
  ASSERT_TRUE(removed && *removed);
}

TEST_P(application_repo_test, assignments_by_application_by_principals_and_cascades) {
  ASSERT_TRUE(insert(make_user("u1", "alice")));
  ASSERT_TRUE(insert(make_group("g1", "eng")));
  const std::string a1 = "apl-0000000000000001", a2 = "apl-0000000000000002";
  ASSERT_TRUE(db_->write([&](transaction& tx) -> result<void> {
    TRY_VOID(tx.applications().insert(sample_app(a1)));
    TRY_VOID(tx.applications().insert(sample_app(a2)));
    TRY_VOID(tx.applications().insert_certificate(cert("appcert-1", a1, true, 1000)));
    for (const auto& [app, p, kind] : {std::tuple{a1, "u1", domain::principal_type::user},
                                       std::tuple{a1, "g1", domain::principal_type::group},
                                       std::tuple{a2, "g1", domain::principal_type::group}}) {
      TRY(added, tx.applications().insert_assignment({app, kind, p, from_epoch_millis(5)}));
      if (!added) return fail(errc::internal, "not added");
    }
    TRY(again, tx.applications().insert_assignment({a1, domain::principal_type::user, "u1", from_epoch_millis(6)}));
    if (again) return fail(errc::internal, "added twice");
    return {};
  }));
  auto of_a1 = read_value(*db_, [&](transaction& tx) { return tx.applications().assignments_of(a1, {"", 1}); });
  ASSERT_TRUE(of_a1);
  ASSERT_EQ(of_a1->items.size(), 1u);
  EXPECT_TRUE(of_a1->more);
  EXPECT_EQ(of_a1->items[0].principal_id, "g1");
  EXPECT_EQ(of_a1->items[0].principal_kind, domain::principal_type::group);

  std::vector<std::string> principals = {"u1", "g1"};
  auto all = read_value(*db_, [&](transaction& tx) { return tx.applications().assignments_for(principals, std::nullopt, {"", 2}); });
  ASSERT_TRUE(all) << all.error().message;
  ASSERT_EQ(all->items.size(), 2u);
  EXPECT_TRUE(all->more);
  auto rest = read_value(*db_, [&](transaction& tx) {
    return tx.applications().assignments_for(principals, std::nullopt, {all->items[1].application_id + " " + all->items[1].principal_id, 2});
  });
  ASSERT_TRUE(rest);
  ASSERT_EQ(rest->items.size(), 1u);
  EXPECT_EQ(rest->items[0].application_id, a2);
  auto only_a2 = read_value(*db_, [&](transaction& tx) { return tx.applications().assignments_for(principals, a2, {"", 10}); });
  ASSERT_TRUE(only_a2);
  EXPECT_EQ(only_a2->items.size(), 1u);

  // A deleted user or group takes its assignments; a deleted application takes everything.
  ASSERT_TRUE(db_->write([](transaction& tx) -> result<void> {
    TRY_VOID(tx.users().remove("u1"));
    return {};
  }));
  auto after_user = read_value(*db_, [&](transaction& tx) { return tx.applications().get_assignment(a1, "u1"); });
  ASSERT_TRUE(after_user);
  EXPECT_FALSE(*after_user);
  ASSERT_TRUE(db_->write([&](transaction& tx) -> result<void> {
    TRY_VOID(tx.applications().remove(a1));
    return {};
  }));
  EXPECT_EQ(raw_scalar("SELECT COUNT(*) FROM application_assignments WHERE application_id = '" + a1 + "'"), "0");
  EXPECT_EQ(raw_scalar("SELECT COUNT(*) FROM application_certificates"), "0");
  ASSERT_TRUE(db_->write([](transaction& tx) -> result<void> {
    TRY_VOID(tx.groups().remove("g1"));
    return {};
  }));
  EXPECT_EQ(raw_scalar("SELECT COUNT(*) FROM application_assignments"), "0");
}

TEST_P(application_repo_test, pending_requests_refuse_replays_answer_once_and_expire) {
  const std::string app = "apl-0000000000000001";
  ASSERT_TRUE(db_->write([&](transaction& tx) { return tx.applications().insert(sample_app(app)); }));
  saml_request_record r{"h1", app, "_req1", "https://acme.slack.com/sso/saml", "rs", true,
                        from_epoch_millis(1000), from_epoch_millis(2000), std::nullopt};
  ASSERT_TRUE(db_->write([&](transaction& tx) { return tx.applications().insert_request(r); }));
  auto replay = r;
  replay.id = "h2";
  auto refused = db_->write([&](transaction& tx) { return tx.applications().insert_request(replay); });
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, errc::conflict);
  auto got = read_value(*db_, [](transaction& tx) { return tx.applications().get_request("h1"); });
  ASSERT_TRUE(got && *got);
  EXPECT_EQ((*got)->request_id, "_req1");
  EXPECT_EQ((*got)->relay_state, "rs");
  EXPECT_TRUE((*got)->force_authn);
  EXPECT_FALSE((*got)->answered_at);
  auto first = write_value(*db_, [](transaction& tx) { return tx.applications().answer_request("h1", from_epoch_millis(1500)); });
  ASSERT_TRUE(first && *first);
  auto second = write_value(*db_, [](transaction& tx) { return tx.applications().answer_request("h1", from_epoch_millis(1600)); });
  ASSERT_TRUE(second);
  EXPECT_FALSE(*second);
  auto early = write_value(*db_, [](transaction& tx) { return tx.applications().remove_expired_requests(from_epoch_millis(1999)); });
  ASSERT_TRUE(early);
  EXPECT_EQ(*early, 0);
  auto expired = write_value(*db_, [](transaction& tx) { return tx.applications().remove_expired_requests(from_epoch_millis(2000)); });
  ASSERT_TRUE(expired);
  EXPECT_EQ(*expired, 1);
}

ATRIUM_ON_BOTH_BACKENDS(application_repo_test);

}  // namespace atrium::store::test
