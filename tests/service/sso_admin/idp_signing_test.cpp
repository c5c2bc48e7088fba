// IdP certificates on the real SQLite store: first start, rotation with the previous one kept,
// retirement, the sealed key, and the metadata XML.
#include "service/sso_admin/idp_signing.hpp"
#include "xml/dom.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>

#include "store/sqlite/sqlite_database.hpp"

namespace atrium::service {
namespace {

class IdpSigning : public ::testing::Test {
 protected:
  void SetUp() override {
    crypto::init();
    dir_ = std::filesystem::temp_directory_path() /
           ("atrium-idp-" + std::to_string(::getpid()) + "-" + ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    auto db = store::sqlite::sqlite_database::open({dir_ / "t.db", false});
    ASSERT_TRUE(db) << db.error().message;
    db_ = std::move(*db);
    audit_ = std::make_unique<auditor>(clk_, rnd_, std::nullopt);
    audited_ = std::make_unique<audited_store>(*db_, *audit_);
    idp_ = std::make_unique<idp_signing>(*audited_, clk_, box_, "Atrium IdP test", 2048);
    ctx_.who.arn = "arn:aws:iam::123456789012:root";
    ctx_.event_name = "CreateIdpCertificate";
  }
  void TearDown() override {
    idp_.reset();
    db_.reset();
    std::filesystem::remove_all(dir_);
  }
  std::size_t audit_count() {
    std::size_t n = 0;
    EXPECT_TRUE(db_->flush());  // read calls' records are batched (docs/audit.md)
    (void)db_->read([&](store::transaction& tx) -> result<void> {
      auto r = tx.audit().query({});
      if (r) n = r->size();
      return {};
    });
    return n;
  }

  seeded_random rnd_{7};
  manual_clock clk_{from_epoch_millis(1'795'000'000'000)};
  crypto::secret_box box_{std::string(32, 'k')};
  std::filesystem::path dir_;
  std::unique_ptr<store::database> db_;
  std::unique_ptr<auditor> audit_;
  std::unique_ptr<audited_store> audited_;
  std::unique_ptr<idp_signing> idp_;
  call_context ctx_;
};

TEST_F(IdpSigning, FirstStartRotationAndRetirement) {
  ASSERT_EQ(idp_->ensure(ctx_).value(), true);
  ASSERT_EQ(idp_->ensure(ctx_).value(), false);
  auto first = idp_->list().value();
  ASSERT_EQ(first.size(), 1u);
  EXPECT_TRUE(first[0].active);
  EXPECT_EQ(first[0].not_after - first[0].not_before, std::chrono::days(5 * 365));
  auto key1 = idp_->active_private_key_pem();
  ASSERT_TRUE(key1);
  EXPECT_NE(key1->find("PRIVATE KEY"), std::string::npos);
  // The stored setting never holds the key in the clear.
  (void)db_->read([&](store::transaction& tx) -> result<void> {
    auto v = tx.settings().get(idp_signing_setting);
    EXPECT_TRUE(v && *v);
    EXPECT_EQ((**v).find("PRIVATE KEY"), std::string::npos);
    return {};
  });

  clk_.advance(std::chrono::hours(24));
  auto second = idp_->rotate(ctx_);
  ASSERT_TRUE(second) << second.error().message;
  auto both = idp_->list().value();
  ASSERT_EQ(both.size(), 2u);
  EXPECT_EQ(both[0].id, second->id);
  EXPECT_TRUE(both[0].active);
  EXPECT_EQ(both[1].id, first[0].id);
  EXPECT_FALSE(both[1].active);
  EXPECT_NE(idp_->active_private_key_pem().value(), *key1);
  EXPECT_EQ(idp_->rotate(ctx_).error().code, errc::conflict) << "retire the previous one first";

  EXPECT_EQ(idp_->retire_previous(ctx_).value(), 1);
  EXPECT_EQ(idp_->list().value().size(), 1u);
  EXPECT_EQ(idp_->retire_previous(ctx_).value(), 0);
  EXPECT_EQ(audit_count(), 4u) << "created, rotated, retired twice";
}

TEST_F(IdpSigning, MetadataListsEveryCertificateAndEscapes) {
  ASSERT_TRUE(idp_->ensure(ctx_));
  ASSERT_TRUE(idp_->rotate(ctx_));
  auto certs = idp_->list().value();
  auto xml = idp_signing::metadata_xml(certs, {"https://h:1/saml/assertion/i?a=1&b=\"2\"", "https://h:1/sso<x>"});
  std::size_t keys = 0;
  for (auto at = xml.find("<md:KeyDescriptor use=\"signing\">"); at != std::string::npos;
       at = xml.find("<md:KeyDescriptor use=\"signing\">", at + 1))
    ++keys;
  EXPECT_EQ(keys, 2u);
  EXPECT_NE(xml.find("entityID=\"https://h:1/saml/assertion/i?a=1&amp;b=&quot;2&quot;\""), std::string::npos);
  EXPECT_NE(xml.find("Location=\"https://h:1/sso&lt;x&gt;\""), std::string::npos);
  EXPECT_NE(xml.find("urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect"), std::string::npos);
  EXPECT_NE(xml.find("urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST"), std::string::npos);
  EXPECT_NE(xml.find("<md:NameIDFormat>urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress</md:NameIDFormat>"),
            std::string::npos);
  EXPECT_EQ(xml::escape("<&>\"'"), "&lt;&amp;&gt;&quot;&apos;");
}

}  // namespace
}  // namespace atrium::service
