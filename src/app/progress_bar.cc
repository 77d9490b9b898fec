#include "app/progress_bar.h"

#include <cstdio>

namespace ct {

ProgressBar::ProgressBar(std::int64_t total, bool enabled)
    : total_(total), enabled_(enabled), start_(std::chrono::steady_clock::now()) {}

void ProgressBar::Update(std::int64_t done, std::int64_t items) {
  done_ = done;
  items_ = items;
  if (!enabled_) return;
  const auto now = std::chrono::steady_clock::now();
  if (drawn_ && now - last_draw_ < std::chrono::milliseconds(100)) return;
  last_draw_ = now;
  Draw();
}

void ProgressBar::Draw() {
  const double secs =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  const double rate = secs > 0 ? items_ / secs : 0;
  if (total_ > 0) {
    const double frac = done_ >= total_ ? 1.0 : static_cast<double>(done_) / total_;
    const int width = 30, fill = static_cast<int>(frac * width);
    std::fprintf(stderr, "\r[%.*s%*s] %5.1f%%  %lld posts  %.0f/s ", fill,
                 "##############################", width - fill, "", frac * 100,
                 static_cast<long long>(items_), rate);
  } else {
    std::fprintf(stderr, "\r%lld posts  %.0f/s ", static_cast<long long>(items_), rate);
  }
  std::fflush(stderr);
  drawn_ = true;
}

void ProgressBar::Clear() {
  if (enabled_ && drawn_) std::fprintf(stderr, "\r\033[K");
}

void ProgressBar::Finish() {
  if (finished_) return;
  finished_ = true;
  if (!enabled_ || !drawn_) return;
  Draw();
  std::fprintf(stderr, "\n");
}

}  // namespace ct
