#include "queue/redis/redis_connection.h"

#include <hiredis/hiredis.h>
#include <sys/time.h>

#include <cerrno>
#include <cstring>

namespace ct {
namespace {

timeval ToTimeval(std::int64_t ms) {
  timeval tv{};
  tv.tv_sec = static_cast<time_t>(ms / 1000);
  tv.tv_usec = static_cast<suseconds_t>((ms % 1000) * 1000);
  return tv;
}

std::string Where(const RedisEndpoint& ep) { return ep.host + ":" + std::to_string(ep.port); }

}  // namespace

void RedisReplyDeleter::operator()(redisReply* reply) const { freeReplyObject(reply); }
void RedisConnection::ContextDeleter::operator()(redisContext* c) const { redisFree(c); }

Status RedisReplyError(const redisReply& reply, std::string_view what) {
  if (reply.type != REDIS_REPLY_ERROR) return Status::Ok();
  const std::string msg(reply.str, reply.len);
  if (msg.rfind("OOM", 0) == 0 || msg.rfind("LOADING", 0) == 0 ||
      msg.rfind("MASTERDOWN", 0) == 0 || msg.rfind("READONLY", 0) == 0) {
    return Status::Unavailable(std::string(what) + ": redis: " + msg);
  }
  return Status::Internal(std::string(what) + ": redis: " + msg);
}

Result<std::unique_ptr<RedisConnection>> RedisConnection::Open(const RedisEndpoint& endpoint,
                                                               const RedisTimeouts& timeouts) {
  std::unique_ptr<RedisConnection> conn(new RedisConnection());
  conn->timeouts_ = timeouts;
  conn->ctx_.reset(
      redisConnectWithTimeout(endpoint.host.c_str(), endpoint.port, ToTimeval(timeouts.connect_ms)));
  if (conn->ctx_ == nullptr) return Status::Internal("redis: cannot allocate a connection");
  if (conn->ctx_->err != 0) {
    const std::string msg = "connecting to redis at " + Where(endpoint) + ": " + conn->ctx_->errstr;
    if (conn->ctx_->err == REDIS_ERR_IO && (errno == EAGAIN || errno == ETIMEDOUT)) {
      return Status::DeadlineExceeded(msg);
    }
    return Status::Unavailable(msg);
  }
  if (redisSetTimeout(conn->ctx_.get(), ToTimeval(timeouts.command_ms)) != REDIS_OK) {
    return Status::Unavailable("redis: setting the command timeout failed");
  }
  redisEnableKeepAlive(conn->ctx_.get());
  auto run = [&](std::vector<std::string> args, std::string_view what) -> Status {
    CT_ASSIGN_OR_RETURN(RedisReplyPtr reply, conn->Command(args));
    if (reply->type == REDIS_REPLY_ERROR) {
      return Status::Unauthenticated(std::string(what) + " at " + Where(endpoint) + ": " +
                                     std::string(reply->str, reply->len));
    }
    return Status::Ok();
  };
  if (!endpoint.password.empty()) {
    std::vector<std::string> auth = {"AUTH"};
    if (!endpoint.user.empty()) auth.push_back(endpoint.user);
    auth.push_back(endpoint.password);
    CT_RETURN_IF_ERROR(run(std::move(auth), "redis AUTH"));
  }
  if (endpoint.db != 0) {
    CT_RETURN_IF_ERROR(run({"SELECT", std::to_string(endpoint.db)}, "redis SELECT"));
  }
  return conn;
}

RedisConnection::~RedisConnection() = default;

Status RedisConnection::TransportError(std::string_view what) {
  broken_ = true;
  const std::string msg = std::string("redis ") + std::string(what) + ": " +
                          (ctx_->errstr[0] != '\0' ? ctx_->errstr : "connection lost");
  // hiredis reports a read timeout as an I/O error with EAGAIN.
  if (ctx_->err == REDIS_ERR_IO && (errno == EAGAIN || errno == EWOULDBLOCK)) {
    return Status::DeadlineExceeded(msg + " (timed out)");
  }
  return Status::Unavailable(msg);
}

Result<RedisReplyPtr> RedisConnection::Command(std::span<const std::string> args,
                                               std::int64_t timeout_ms) {
  if (broken_) return Status::Unavailable("redis: connection is broken");
  std::vector<const char*> argv;
  std::vector<size_t> argvlen;
  argv.reserve(args.size());
  argvlen.reserve(args.size());
  for (const auto& a : args) {
    argv.push_back(a.data());
    argvlen.push_back(a.size());
  }
  if (timeout_ms > 0) redisSetTimeout(ctx_.get(), ToTimeval(timeout_ms));
  errno = 0;
  void* raw = redisCommandArgv(ctx_.get(), static_cast<int>(argv.size()), argv.data(),
                               argvlen.data());
  if (timeout_ms > 0 && raw != nullptr) redisSetTimeout(ctx_.get(), ToTimeval(timeouts_.command_ms));
  if (raw == nullptr) return TransportError(args.empty() ? "command" : args[0]);
  return RedisReplyPtr(static_cast<redisReply*>(raw));
}

RedisPool::RedisPool(RedisEndpoint endpoint, RedisTimeouts timeouts, int max_idle)
    : endpoint_(std::move(endpoint)), timeouts_(timeouts), max_idle_(max_idle) {}

RedisPool::Handle::~Handle() {
  if (pool_ != nullptr && conn_ != nullptr) pool_->Release(std::move(conn_));
}

Result<RedisPool::Handle> RedisPool::Acquire() {
  {
    std::lock_guard lock(mu_);
    if (!idle_.empty()) {
      std::unique_ptr<RedisConnection> conn = std::move(idle_.back());
      idle_.pop_back();
      return Handle(this, std::move(conn), true);
    }
  }
  CT_ASSIGN_OR_RETURN(std::unique_ptr<RedisConnection> conn,
                      RedisConnection::Open(endpoint_, timeouts_));
  return Handle(this, std::move(conn), false);
}

void RedisPool::Clear() {
  std::vector<std::unique_ptr<RedisConnection>> dropped;
  std::lock_guard lock(mu_);
  dropped.swap(idle_);
}

void RedisPool::Release(std::unique_ptr<RedisConnection> conn) {
  if (conn->broken()) return;
  std::lock_guard lock(mu_);
  if (static_cast<int>(idle_.size()) < max_idle_) idle_.push_back(std::move(conn));
}

}  // namespace ct
