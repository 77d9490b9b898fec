#include "queue/sql/sql_connection.h"

#include <charconv>

namespace ct::queue_sql {

Result<ConnectionPool::Lent> ConnectionPool::Acquire() {
  while (true) {
    std::unique_ptr<SqlConnection> conn;
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (idle_.empty()) break;
      conn = std::move(idle_.back());
      idle_.pop_back();
    }
    // An idle connection may have died with its server; never hand that one out.
    if (conn->Healthy()) return Lent(this, std::move(conn));
  }
  CT_ASSIGN_OR_RETURN(auto fresh, open_());
  return Lent(this, std::move(fresh));
}

void ConnectionPool::Return(std::unique_ptr<SqlConnection> conn) {
  if (!conn->Healthy()) return;
  std::lock_guard<std::mutex> lock(mu_);
  if (static_cast<int>(idle_.size()) < max_idle_) idle_.push_back(std::move(conn));
}

std::int64_t ToInt(const std::optional<std::string>& v) { return ToOptInt(v).value_or(0); }

std::optional<std::int64_t> ToOptInt(const std::optional<std::string>& v) {
  if (!v) return std::nullopt;
  std::int64_t out = 0;
  std::from_chars(v->data(), v->data() + v->size(), out);
  return out;
}

}  // namespace ct::queue_sql
