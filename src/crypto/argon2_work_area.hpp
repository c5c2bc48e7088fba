#pragma once
// The argon2id work areas (issue 18 item 6). Libsodium's argon2 maps a fresh region per hash
// (19 MiB at the OWASP cost: ~4,900 page faults and the kernel zeroing it, then munmap). Here
// the vendored argon2 (third_party/libsodium-argon2, ARCHITECTURE.md "Library choices") takes an
// idle region from a small pool through the two C hooks below and gives it back after the hash,
// so the workers reuse a few regions instead; at most as many stay as there are cores (at least
// 2): more hashes at once gain nothing on CPU, and each kept region is 19 MiB of resident
// memory. The regions are excluded from core dumps and wiped before they go back: the last pass
// of a hash holds enough to recompute its first pass, i.e. a cheap test of password guesses.
#include <cstddef>

extern "C" {
// A region of at least `bytes` for the hash about to run on the calling thread (an idle one, or
// a new mapping), or nullptr when the kernel refuses the mapping.
void* atrium_argon2_work_area(std::size_t bytes);
// End of that hash: the region is wiped (sodium_memzero) and goes back to the pool, or is
// unmapped when the pool is full.
void atrium_argon2_work_area_release(void* base, std::size_t bytes);
}

namespace atrium::crypto {
// Idle regions in the pool now. For tests.
std::size_t argon2_work_areas_idle();
// How many idle regions may stay (default: the cores, at least 2); extra ones are unmapped.
void set_argon2_work_areas_kept(std::size_t n);
}  // namespace atrium::crypto
