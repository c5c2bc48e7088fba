// argon2id through libsodium: hash, verify, rehash when the cost changes. Low costs keep the
// test fast; the production floor (19 MiB, t=2) is the config default.
#include "crypto/password_hash.hpp"

#include <gtest/gtest.h>

namespace atrium::crypto {

namespace {
const argon2_cost cheap{8192, 1};
}

TEST(password_hash, produces_an_argon2id_phc_string_with_the_cost) {
  auto h = hash_password("Abcdef1!", cheap);
  ASSERT_TRUE(h) << h.error().message;
  EXPECT_EQ(h->rfind("$argon2id$v=19$m=8192,t=1,p=1$", 0), 0u) << *h;
  auto again = hash_password("Abcdef1!", cheap);
  ASSERT_TRUE(again);
  EXPECT_NE(*h, *again) << "every hash has its own salt";
}

TEST(password_hash, verifies_only_the_same_password) {
  auto h = hash_password("Abcdef1!", cheap);
  ASSERT_TRUE(h);
  EXPECT_TRUE(verify_password(*h, "Abcdef1!"));
  EXPECT_FALSE(verify_password(*h, "abcdef1!")) << "case-sensitive";
  EXPECT_FALSE(verify_password(*h, "Abcdef1"));
  EXPECT_FALSE(verify_password(*h, ""));
}

TEST(password_hash, foreign_or_damaged_strings_never_verify) {
  EXPECT_FALSE(verify_password("", "x"));
  EXPECT_FALSE(verify_password("plaintext", "plaintext"));
  EXPECT_FALSE(verify_password("$argon2i$v=19$m=8192,t=1,p=1$c2FsdHNhbHQ$aGFzaA", "x"));
  auto h = hash_password("Abcdef1!", cheap);
  ASSERT_TRUE(h);
  std::string broken = *h;
  broken.back() = broken.back() == 'A' ? 'B' : 'A';
  EXPECT_FALSE(verify_password(broken, "Abcdef1!"));
}

TEST(password_hash, needs_rehash_when_the_cost_changes) {
  auto h = hash_password("Abcdef1!", cheap);
  ASSERT_TRUE(h);
  EXPECT_FALSE(needs_rehash(*h, cheap));
  EXPECT_TRUE(needs_rehash(*h, {8192, 2}));
  EXPECT_TRUE(needs_rehash(*h, {16384, 1}));
  EXPECT_TRUE(needs_rehash("not a hash", cheap));
}

TEST(password_hash, refuses_costs_below_the_floor) {
  EXPECT_FALSE(check_cost({4096, 2}));
  EXPECT_FALSE(check_cost({19456, 0}));
  EXPECT_TRUE(check_cost({19456, 2}));
  EXPECT_FALSE(hash_password("x", {1024, 1}));
}

}  // namespace atrium::crypto
