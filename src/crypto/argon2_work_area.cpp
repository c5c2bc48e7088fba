#include "crypto/argon2_work_area.hpp"

#include <sodium.h>
#include <sys/mman.h>

#include <algorithm>
#include <atomic>
#include <mutex>
#include <thread>
#include <vector>

namespace {

struct area {
  void* base = nullptr;
  std::size_t size = 0;
};

// Idle areas, mapped once and handed to whichever worker hashes next. At most `kept_limit`
// stay: the hash is CPU-bound, so more hashes at once than cores gain nothing, and a burst of
// sign-ins on all eight workers must not leave 8 x 19 MiB resident for good (issue 18 item 7's
// idle memory). Beyond it an area is unmapped after its hash, as libsodium does.
std::mutex pool_mu;
std::vector<area> pool;
std::atomic<std::size_t> kept_limit{std::max<std::size_t>(2, std::thread::hardware_concurrency())};

// The area of the hash running on this thread (argon2 asks for it and gives it back on the
// same thread).
thread_local area current;

void* map_area(std::size_t bytes) {
  void* p = mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (p == MAP_FAILED) return nullptr;
  // Libsodium asks for MAP_NOCORE (BSD); the Linux equivalent is this advice.
  (void)madvise(p, bytes, MADV_DONTDUMP);
  return p;
}

}  // namespace

extern "C" void* atrium_argon2_work_area(std::size_t bytes) {
  area smaller;
  {
    std::lock_guard lock(pool_mu);
    auto it = std::find_if(pool.begin(), pool.end(), [&](const area& a) { return a.size >= bytes; });
    if (it != pool.end()) {
      current = *it;
      pool.erase(it);
      return current.base;
    }
    // Only smaller ones (the configured cost grew): one of them goes, this hash maps its own.
    if (!pool.empty()) {
      smaller = pool.back();
      pool.pop_back();
    }
  }
  if (smaller.base != nullptr) munmap(smaller.base, smaller.size);
  current = {map_area(bytes), bytes};
  if (current.base == nullptr) current = {};
  return current.base;
}

extern "C" void atrium_argon2_work_area_release(void* base, std::size_t bytes) {
  area done = current;
  current = {};
  if (done.base != base) return;  // not ours (cannot happen: argon2 pairs the two calls)
  {
    std::lock_guard lock(pool_mu);
    if (pool.size() < kept_limit.load()) {
      sodium_memzero(base, bytes);
      pool.push_back(done);
      return;
    }
  }
  munmap(done.base, done.size);  // the kernel discards the pages
}

namespace atrium::crypto {
std::size_t argon2_work_areas_idle() {
  std::lock_guard lock(pool_mu);
  return pool.size();
}
void set_argon2_work_areas_kept(std::size_t n) {
  kept_limit = n;
  std::vector<area> gone;
  {
    std::lock_guard lock(pool_mu);
    while (pool.size() > n) {
      gone.push_back(pool.back());
      pool.pop_back();
    }
  }
  for (const auto& a : gone) munmap(a.base, a.size);
}
}  // namespace atrium::crypto
