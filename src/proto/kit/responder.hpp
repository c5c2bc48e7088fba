#pragma once
// The answer to a request given later (issue 18 item 3): a door's asynchronous handler takes a
// responder, starts its work (a write through store::database::write_then) and returns at once;
// whoever finishes the work calls the responder, and the HTTP layer writes the response on the
// connection's strand. No worker thread waits for a group commit meanwhile.
#include <atomic>
#include <functional>
#include <memory>
#include <optional>

#include "proto/kit/exchange.hpp"
#include "store/repositories.hpp"

namespace atrium::proto {

class responder {
 public:
  // `answer` takes the response, or nullopt when the responder was dropped unanswered (the HTTP
  // layer then answers 500, as for a handler that threw). `post` runs work on a worker thread.
  using answer_fn = std::function<void(std::optional<response>)>;
  responder(answer_fn answer, store::post_fn post);

  // The first call answers; later ones are ignored. Any thread; it only hands the response on.
  void operator()(response r) const;
  // Runs work on a worker thread of the server (never the caller's): a store completion's way
  // off the writer thread (store::write_done).
  void post(std::function<void()> work) const;
  store::post_fn poster() const;
  bool answered() const;

 private:
  struct state {
    answer_fn answer;
    store::post_fn post;
    std::atomic<bool> done{false};
    ~state();
  };
  std::shared_ptr<state> s_;
};

}  // namespace atrium::proto
