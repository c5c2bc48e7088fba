#pragma once
// The one early-return helper for result<T> (base/result.hpp): errors are values, and a
// function that cannot go on without a value hands the error it got back to its caller.
//
//   TRY(user, load_user(tx, id));   // `user` is a T&; on failure: return std::unexpected(error)
//   TRY_VOID(check(user));          // the same for result<void> (or any result whose value is unused)
//
// Works for any std::expected whose error converts to the enclosing function's error type
// (result<T>, scim_result<T>). Doors that answer with a response instead of an error run their
// routes as functions returning result<response> and shape the error once (portal_door).
#include <expected>

#define TRY(var, expr)                                   \
  auto var##_r = (expr);                                 \
  if (!var##_r) return std::unexpected(var##_r.error()); \
  auto& var = *var##_r

#define TRY_VOID(expr) \
  if (auto try_r_ = (expr); !try_r_) return std::unexpected(try_r_.error())
