#pragma once
// Coroutine I/O that reports errors as values (Boost 1.74 has no `as_tuple`; architecture guide
// "Platform notes"): `co_await op(..., await_error(ec))` leaves the outcome in `ec`.
#include <utility>  // before Asio (Boost 1.74)

#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/system/error_code.hpp>

namespace atrium::cloud {

inline auto await_error(boost::system::error_code& ec) {
  return boost::asio::redirect_error(boost::asio::use_awaitable, ec);
}

}  // namespace atrium::cloud
