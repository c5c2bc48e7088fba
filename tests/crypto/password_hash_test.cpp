// argon2id through libsodium's argon2 (the vendored copy with a reusable work area): hash,
// verify, rehash when the cost changes, hashes of the shared libsodium still verify both ways.
// Low costs keep the test fast; the production floor (19 MiB, t=2) is the config default.
#include "crypto/password_hash.hpp"

#include <gtest/gtest.h>
#include <sodium.h>
#include <sys/resource.h>

#include <thread>

#include "crypto/argon2_work_area.hpp"

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

namespace {
long thread_minor_faults() {
  rusage u{};
  getrusage(RUSAGE_THREAD, &u);
  return u.ru_minflt;
}
}  // namespace

// Made by Debian's libsodium 1.0.18 (crypto_pwhash_str_alg) before the vendored copy existed:
// stored hashes keep verifying, at the test cost and at the production cost.
TEST(password_hash, hashes_made_by_libsodium_before_still_verify) {
  const std::string cheap_before = "$argon2id$v=19$m=8192,t=1,p=1$BB/LP3SE8I51Pbp0cizDUw$QT8oXpTTDvE1rxRV7Q/GhxiVyY3yGU0ReHahqhEAtm4";
  const std::string owasp_before = "$argon2id$v=19$m=19456,t=2,p=1$ZEJqGLEZfuUdie/xPr0G5A$G17plReVIlEDhnb/YjXJGF+HuVECigOsf1M+xtTZtOc";
  EXPECT_TRUE(verify_password(cheap_before, "Before-Change-1"));
  EXPECT_FALSE(verify_password(cheap_before, "Before-Change-2"));
  EXPECT_TRUE(verify_password(owasp_before, "Before-Change-2"));
  EXPECT_FALSE(verify_password(owasp_before, "Before-Change-1"));
}

TEST(password_hash, agrees_with_the_shared_libsodium_both_ways) {
  char theirs[crypto_pwhash_STRBYTES];
  ASSERT_EQ(crypto_pwhash_str_alg(theirs, "Both-Ways-1", 11, 1, 8192 * 1024, crypto_pwhash_ALG_ARGON2ID13), 0);
  EXPECT_TRUE(verify_password(theirs, "Both-Ways-1"));
  EXPECT_FALSE(verify_password(theirs, "Both-Ways-2"));
  auto ours = hash_password("Both-Ways-1", cheap);
  ASSERT_TRUE(ours);
  EXPECT_EQ(crypto_pwhash_str_verify(ours->c_str(), "Both-Ways-1", 11), 0);
  EXPECT_NE(crypto_pwhash_str_verify(ours->c_str(), "Both-Ways-2", 11), 0);
  EXPECT_FALSE(needs_rehash(*ours, cheap));
}

// Issue 18 item 6: work areas are mapped once and reused by whichever thread hashes next; a
// later hash does not map (and fault in) a fresh region. A fresh mapping of 8 MiB is 2,048 page
// faults.
TEST(password_hash, reuses_work_areas_across_threads) {
  set_argon2_work_areas_kept(2);
  auto h = hash_password("Reuse-Me-1", cheap);  // leaves one idle area of 8 MiB behind
  ASSERT_TRUE(h);
  EXPECT_GE(argon2_work_areas_idle(), 1u);
  std::thread([&] {
    const long before = thread_minor_faults();
    EXPECT_TRUE(verify_password(*h, "Reuse-Me-1"));
    EXPECT_FALSE(verify_password(*h, "Reuse-Me-2"));
    EXPECT_LT(thread_minor_faults() - before, 256) << "two hashes faulted in a new work area";
  }).join();
  // A larger cost maps a larger area (and lets a smaller one go); both costs then fit in it.
  auto big = hash_password("Reuse-Me-1", argon2_cost{16384, 1});
  ASSERT_TRUE(big);
  EXPECT_TRUE(verify_password(*h, "Reuse-Me-1"));
  EXPECT_TRUE(verify_password(*big, "Reuse-Me-1"));
  EXPECT_LE(argon2_work_areas_idle(), 2u);
}

// With no room in the pool each hash maps its area and gives it back: nothing stays.
TEST(password_hash, a_full_pool_keeps_no_more_areas) {
  set_argon2_work_areas_kept(0);
  EXPECT_EQ(argon2_work_areas_idle(), 0u);
  auto h = hash_password("Passing-1", cheap);
  ASSERT_TRUE(h);
  EXPECT_TRUE(verify_password(*h, "Passing-1"));
  EXPECT_FALSE(verify_password(*h, "Passing-2"));
  EXPECT_EQ(argon2_work_areas_idle(), 0u);
  set_argon2_work_areas_kept(2);
}

}  // namespace atrium::crypto
