#include "crypto/argon2_work_area.hpp"

#include <sodium.h>
#include <sys/mman.h>

namespace {

// One per thread: the workers that verify passwords are long-lived, so a region is mapped once
// per worker and unmapped when its thread ends.
class thread_work_area {
 public:
  thread_work_area() = default;
  thread_work_area(const thread_work_area&) = delete;
  thread_work_area& operator=(const thread_work_area&) = delete;
  ~thread_work_area() { unmap(); }

  void* get(std::size_t bytes) {
    if (bytes <= size_) return base_;
    unmap();
    void* p = mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED) return nullptr;
    // Libsodium asks for MAP_NOCORE (BSD); the Linux equivalent is this advice.
    (void)madvise(p, bytes, MADV_DONTDUMP);
    base_ = p;
    size_ = bytes;
    return base_;
  }
  std::size_t size() const { return size_; }

 private:
  void unmap() {
    if (base_ != nullptr) munmap(base_, size_);
    base_ = nullptr;
    size_ = 0;
  }
  void* base_ = nullptr;
  std::size_t size_ = 0;
};

thread_local thread_work_area work_area;

}  // namespace

extern "C" void* atrium_argon2_work_area(std::size_t bytes) { return work_area.get(bytes); }

extern "C" void atrium_argon2_work_area_release(void* base, std::size_t bytes) { sodium_memzero(base, bytes); }

namespace atrium::crypto {
std::size_t argon2_work_area_bytes() { return work_area.size(); }
}  // namespace atrium::crypto
