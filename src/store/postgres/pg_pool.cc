#include "store/postgres/pg_pool.h"

#include <chrono>

namespace ct::pg {

PgPool::PgPool(std::string url, int size, int statement_timeout_ms, int acquire_timeout_ms)
    : url_(std::move(url)),
      size_(size < 1 ? 1 : size),
      statement_timeout_ms_(statement_timeout_ms),
      acquire_timeout_ms_(acquire_timeout_ms) {}

PgPool::~PgPool() = default;

PgPool::Lease::~Lease() {
  if (conn_) pool_->Release(std::move(conn_));
}

Result<PgPool::Lease> PgPool::Acquire() {
  const auto deadline =
      std::chrono::steady_clock::now() + std::chrono::milliseconds(acquire_timeout_ms_);
  while (true) {
    std::unique_lock lock(mu_);
    if (!cv_.wait_until(lock, deadline, [&] { return !idle_.empty() || open_ < size_; })) {
      return Status::DeadlineExceeded("postgresql: no pooled connection free within " +
                                      std::to_string(acquire_timeout_ms_) + " ms (pool size " +
                                      std::to_string(size_) + ")");
    }
    if (!idle_.empty()) {
      std::unique_ptr<PgConnection> conn = std::move(idle_.back());
      idle_.pop_back();
      lock.unlock();
      conn->Poll();
      if (conn->healthy()) return Lease(this, std::move(conn));
      lock.lock();
      --open_;  // dropped: lost while idle
      cv_.notify_one();
      continue;
    }
    ++open_;
    lock.unlock();
    const int connect_timeout_s = (acquire_timeout_ms_ + 999) / 1000;
    auto conn = PgConnection::Connect(url_, statement_timeout_ms_, connect_timeout_s);
    if (!conn.ok()) {
      lock.lock();
      --open_;
      cv_.notify_one();
      return conn.status();
    }
    return Lease(this, std::move(*conn));
  }
}

void PgPool::Release(std::unique_ptr<PgConnection> conn) {
  const bool keep = conn->reusable();
  if (!keep) conn.reset();  // close outside the lock
  std::lock_guard lock(mu_);
  if (keep) {
    idle_.push_back(std::move(conn));
  } else {
    --open_;
  }
  cv_.notify_one();
}

Status PgPool::Run(const std::function<Status(PgConnection&)>& fn) {
  for (int attempt = 0;; ++attempt) {
    CT_ASSIGN_OR_RETURN(Lease lease, Acquire());
    lease->ResetUsage();
    Status s = fn(*lease);
    if (s.ok() || attempt > 0 || lease->healthy() || lease->used()) return s;
  }
}

}  // namespace ct::pg
