#include "app/backup_file.hpp"

#include <gtest/gtest.h>

#include "app/store_copy.hpp"

namespace atrium::app {
namespace {

const std::string key(32, '\x42');

backup_file::header sample_header() {
  backup_file::header h;
  h.kind = "postgresql";
  h.schema = {18, "0018_console_access"};
  h.created_at_ms = 1700000000000;
  h.tables["users"] = {2, "ab"};
  return h;
}

TEST(BackupFile, SealedFileOpensWithTheSameKey) {
  auto bytes = backup_file::seal(sample_header(), std::string("pay\nload\0x", 10), key);
  auto opened = backup_file::open(bytes, key);
  ASSERT_TRUE(opened) << opened.error().message;
  EXPECT_EQ(opened->first.schema.version, 18);
  EXPECT_EQ(opened->first.tables.at("users").rows, 2);
  EXPECT_EQ(opened->second, std::string("pay\nload\0x", 10));
}

TEST(BackupFile, EveryAlteredByteIsRefused) {
  auto bytes = backup_file::seal(sample_header(), "payload", key);
  for (std::size_t i = 0; i < bytes.size(); ++i) {
    auto changed = bytes;
    changed[i] = static_cast<char>(changed[i] ^ 0x01);
    EXPECT_FALSE(backup_file::open(changed, key)) << "byte " << i;
  }
}

TEST(BackupFile, EveryTruncationAndAppendIsRefused) {
  auto bytes = backup_file::seal(sample_header(), "payload", key);
  for (std::size_t n = 0; n < bytes.size(); ++n) EXPECT_FALSE(backup_file::open(bytes.substr(0, n), key)) << n;
  EXPECT_FALSE(backup_file::open(bytes + "x", key));
}

TEST(BackupFile, AnotherDeploymentsKeyIsRefused) {
  auto bytes = backup_file::seal(sample_header(), "payload", key);
  auto opened = backup_file::open(bytes, std::string(32, '\x43'));
  ASSERT_FALSE(opened);
  EXPECT_NE(opened.error().message.find("HMAC"), std::string::npos);
}

TEST(BackupFile, TablesRoundTrip) {
  store_copy::table_shape t{"users", {{"rowid", true, true}, {"id", false, false}, {"doc", false, false}}};
  std::string payload;
  backup_file::put_table(payload, t, 2);
  for (const auto& v : {store_copy::value{int64_t{7}}, store_copy::value{std::string("u-1")},
                        store_copy::value{std::string("{\"a\":\"x:y;\"}")}, store_copy::value{int64_t{-8}},
                        store_copy::value{}, store_copy::value{std::string()}})
    store_copy::encode(v, payload);
  backup_file::table_reader in{payload};
  auto next = in.next_table();
  ASSERT_TRUE(next) << next.error().message;
  EXPECT_EQ(next->first.name, "users");
  ASSERT_EQ(next->first.columns.size(), 3u);
  EXPECT_TRUE(next->first.columns[0].identity && next->first.columns[0].integer);
  EXPECT_EQ(next->second, 2);
  auto first = in.next_row(next->first);
  ASSERT_TRUE(first);
  EXPECT_EQ(std::get<std::string>((*first)[2]), "{\"a\":\"x:y;\"}");
  auto second = in.next_row(next->first);
  ASSERT_TRUE(second);
  EXPECT_EQ(std::get<int64_t>((*second)[0]), -8);
  EXPECT_TRUE(std::holds_alternative<std::monostate>((*second)[1]));
  EXPECT_TRUE(in.done());
}

TEST(StoreCopy, DecodeRefusesValuesRunningPastTheEnd) {
  std::size_t pos = 0;
  EXPECT_FALSE(store_copy::decode("S10:abc", pos));
  pos = 0;
  EXPECT_FALSE(store_copy::decode("I12", pos));
  pos = 0;
  EXPECT_FALSE(store_copy::decode("S-1:", pos));
  pos = 0;
  EXPECT_FALSE(store_copy::decode("X", pos));
}

TEST(StoreCopy, ChecksumIgnoresRowOrderButNotContent) {
  store_copy::row a{store_copy::value{int64_t{1}}, store_copy::value{std::string("a")}};
  store_copy::row b{store_copy::value{int64_t{2}}, store_copy::value{std::string("b")}};
  store_copy::summariser s1, s2, s3;
  s1.add(a);
  s1.add(b);
  s2.add(b);
  s2.add(a);
  s3.add(a);
  s3.add(store_copy::row{store_copy::value{int64_t{2}}, store_copy::value{std::string("c")}});
  auto x = s1.finish(), y = s2.finish(), z = s3.finish();
  EXPECT_EQ(x, y);
  EXPECT_EQ(x.rows, 2);
  EXPECT_NE(x.checksum, z.checksum);
}

}  // namespace
}  // namespace atrium::app
