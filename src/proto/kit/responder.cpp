#include "proto/kit/responder.hpp"

namespace atrium::proto {

responder::responder(answer_fn answer, store::post_fn post)
    : s_(std::make_shared<state>()) {
  s_->answer = std::move(answer);
  s_->post = std::move(post);
}

// Dropped unanswered (a handler that lost it, or threw after taking it): the request must still
// end, or its connection would wait for ever.
responder::state::~state() {
  if (done.exchange(true) || !answer) return;
  try {
    answer(std::nullopt);
  } catch (...) {
  }
}

void responder::operator()(response r) const {
  if (s_->done.exchange(true)) return;
  s_->answer(std::move(r));
}

void responder::post(std::function<void()> work) const { s_->post(std::move(work)); }

store::post_fn responder::poster() const { return s_->post; }

bool responder::answered() const { return s_->done.load(); }

}  // namespace atrium::proto
