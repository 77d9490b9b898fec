// Waiting in tests on other threads and processes without fixed sleeps: Eventually polls a
// condition until it holds or a time limit passes (the limit only matters when the test is
// about to fail, so it is generous); MsSince times what the test prints.
#pragma once

#include <chrono>
#include <thread>

namespace ct::testing {

template <typename F>
bool Eventually(F f, std::chrono::milliseconds limit = std::chrono::milliseconds(20000),
                std::chrono::milliseconds poll = std::chrono::milliseconds(10)) {
  const auto end = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < end) {
    if (f()) return true;
    std::this_thread::sleep_for(poll);
  }
  return f();
}

inline long long MsSince(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() -
                                                               t0)
      .count();
}

}  // namespace ct::testing
