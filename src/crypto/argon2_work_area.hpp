#pragma once
// The argon2id work area of the calling thread (issue 18 item 6). Libsodium's argon2 maps a
// fresh region per hash (19 MiB at the OWASP cost: ~4,900 page faults and the kernel zeroing it,
// then munmap), so each worker thread keeps one region instead and the vendored argon2
// (third_party/libsodium-argon2, ARCHITECTURE.md "Library choices") takes it through the two C
// hooks below. The region is excluded from core dumps and wiped after every hash: its last pass
// holds enough to recompute the first pass, i.e. a cheap test of password guesses.
#include <cstddef>

extern "C" {
// A region of at least `bytes` owned by the calling thread (grown when a larger cost asks for
// more), or nullptr when the kernel refuses the mapping.
void* atrium_argon2_work_area(std::size_t bytes);
// End of one hash: wipes the first `bytes` of the region (sodium_memzero).
void atrium_argon2_work_area_release(void* base, std::size_t bytes);
}

namespace atrium::crypto {
// Bytes currently held by the calling thread's work area (0 before its first hash). For tests.
std::size_t argon2_work_area_bytes();
}  // namespace atrium::crypto
