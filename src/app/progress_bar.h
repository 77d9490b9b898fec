// A one-line progress bar on stderr, drawn only when stderr is a terminal.
// Not thread-safe: one owner updates it.
#pragma once

#include <chrono>
#include <cstdint>

namespace ct {

class ProgressBar {
 public:
  // total: units of work (bytes, rows); 0 = unknown (shows a count only).
  ProgressBar(std::int64_t total, bool enabled);
  ~ProgressBar() { Finish(); }
  // done: units finished so far; items: a count shown beside it. Redraws at most 10 times/s.
  void Update(std::int64_t done, std::int64_t items);
  void Clear();   // erases the line (before printing something else)
  void Finish();  // final draw and newline; idempotent

 private:
  void Draw();
  std::int64_t total_, done_ = 0, items_ = 0;
  bool enabled_, drawn_ = false, finished_ = false;
  std::chrono::steady_clock::time_point start_, last_draw_;
};

}  // namespace ct
