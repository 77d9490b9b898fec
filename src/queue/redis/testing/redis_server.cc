#include "queue/redis/testing/redis_server.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <hiredis/hiredis.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

namespace ct::testing {
namespace {

namespace fs = std::filesystem;

Result<std::string> FindRedisServer() {
  if (fs::exists("/usr/bin/redis-server")) return std::string("/usr/bin/redis-server");
  if (const char* path = std::getenv("PATH")) {
    std::stringstream ss(path);
    std::string dir;
    while (std::getline(ss, dir, ':')) {
      const fs::path candidate = fs::path(dir) / "redis-server";
      if (!dir.empty() && ::access(candidate.c_str(), X_OK) == 0) return candidate.string();
    }
  }
  return Status::FailedPrecondition(
      "redis-server not found (/usr/bin/redis-server or PATH): install the redis-server package; "
      "redis tests cannot run without it");
}

Result<int> FreePort() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return Status::Internal(std::string("socket: ") + std::strerror(errno));
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof addr;
  if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    const std::string err = std::strerror(errno);
    ::close(fd);
    return Status::Internal("finding a free port: " + err);
  }
  ::close(fd);
  return static_cast<int>(ntohs(addr.sin_port));
}

struct ContextFree {
  void operator()(redisContext* c) const { redisFree(c); }
};
struct ReplyFree {
  void operator()(redisReply* r) const { freeReplyObject(r); }
};

void Render(const redisReply* r, std::string& out) {
  switch (r->type) {
    case REDIS_REPLY_INTEGER: out += std::to_string(r->integer); break;
    case REDIS_REPLY_NIL: out += "(nil)"; break;
    case REDIS_REPLY_ARRAY:
      for (size_t i = 0; i < r->elements; ++i) {
        if (i > 0) out += ' ';
        Render(r->element[i], out);
      }
      break;
    default: out.append(r->str, r->len);
  }
}

}  // namespace

Result<std::unique_ptr<RedisServer>> RedisServer::Start(RedisServerOptions options) {
  CT_ASSIGN_OR_RETURN(std::string binary, FindRedisServer());
  std::unique_ptr<RedisServer> server(new RedisServer());
  server->binary_ = std::move(binary);
  server->options_ = std::move(options);
  std::string tmpl =
      (fs::temp_directory_path() / ("ct-redis-" + std::to_string(::getpid()) + "-XXXXXX")).string();
  if (::mkdtemp(tmpl.data()) == nullptr) {
    return Status::Internal("mkdtemp " + tmpl + ": " + std::strerror(errno));
  }
  server->dir_ = tmpl;  // from here on the destructor cleans up
  // Another process may take the probed port before redis binds it: try a few.
  Status started;
  for (int attempt = 0; attempt < 5; ++attempt) {
    CT_ASSIGN_OR_RETURN(server->port_, FreePort());
    started = server->Launch();
    if (started.ok()) return server;
  }
  return started;
}

RedisServer::~RedisServer() {
  (void)Stop();
  if (!dir_.empty()) {
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }
}

std::string RedisServer::url() const { return "redis://127.0.0.1:" + std::to_string(port_); }

std::string RedisServer::ReadLog() const {
  std::ifstream in(dir_ + "/redis.log");
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

Status RedisServer::Launch() {
  std::vector<std::string> argv = {binary_,
                                   "--port", std::to_string(port_),
                                   "--bind", "127.0.0.1",
                                   "--dir", dir_,
                                   "--logfile", dir_ + "/redis.log",
                                   "--daemonize", "no",
                                   "--protected-mode", "no",
                                   "--save", "",
                                   "--maxmemory-policy", options_.maxmemory_policy};
  if (options_.persistent) {
    argv.insert(argv.end(), {"--appendonly", "yes", "--appendfsync", "always"});
  } else {
    argv.insert(argv.end(), {"--appendonly", "no"});
  }
  argv.insert(argv.end(), options_.extra_args.begin(), options_.extra_args.end());
  std::vector<char*> args;
  for (auto& a : argv) args.push_back(a.data());
  args.push_back(nullptr);

  const pid_t parent = ::getpid();
  const pid_t pid = ::fork();
  if (pid < 0) return Status::Internal(std::string("fork: ") + std::strerror(errno));
  if (pid == 0) {
    // Die with the test binary, even when it crashes.
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (::getppid() != parent) _exit(1);
    const int devnull = ::open("/dev/null", O_RDWR);
    if (devnull >= 0) {
      ::dup2(devnull, STDIN_FILENO);
      ::dup2(devnull, STDOUT_FILENO);
      ::dup2(devnull, STDERR_FILENO);
    }
    ::execv(args[0], args.data());
    _exit(127);
  }
  pid_ = pid;
  // Wait for PING (a process start, not a duration under test); give up after 10 s.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (std::chrono::steady_clock::now() < deadline) {
    int status = 0;
    if (::waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = 0;
      return Status::Unavailable("redis-server exited at start on port " + std::to_string(port_) +
                                 "; log:\n" + ReadLog());
    }
    auto pong = Exec({"PING"});
    if (pong.ok() && *pong == "PONG") return Status::Ok();
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  (void)Stop();
  return Status::DeadlineExceeded("redis-server did not answer PING within 10 s; log:\n" +
                                  ReadLog());
}

Status RedisServer::Stop() {
  if (pid_ <= 0) return Status::Ok();
  ::kill(pid_, SIGKILL);
  int status = 0;
  while (::waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
  }
  pid_ = 0;
  return Status::Ok();
}

Status RedisServer::StartAgain() {
  if (pid_ > 0) return Status::FailedPrecondition("redis-server is already running");
  return Launch();
}

Result<std::string> RedisServer::Exec(const std::vector<std::string>& args) const {
  timeval tv{2, 0};
  std::unique_ptr<redisContext, ContextFree> ctx(
      redisConnectWithTimeout("127.0.0.1", port_, tv));
  if (ctx == nullptr || ctx->err != 0) {
    return Status::Unavailable("connecting to test redis: " +
                               std::string(ctx ? ctx->errstr : "out of memory"));
  }
  redisSetTimeout(ctx.get(), tv);
  std::vector<const char*> argv;
  std::vector<size_t> lens;
  for (const auto& a : args) {
    argv.push_back(a.data());
    lens.push_back(a.size());
  }
  std::unique_ptr<redisReply, ReplyFree> reply(static_cast<redisReply*>(
      redisCommandArgv(ctx.get(), static_cast<int>(argv.size()), argv.data(), lens.data())));
  if (reply == nullptr) return Status::Unavailable("test redis: " + std::string(ctx->errstr));
  if (reply->type == REDIS_REPLY_ERROR) {
    return Status::Internal("test redis: " + std::string(reply->str, reply->len));
  }
  std::string out;
  Render(reply.get(), out);
  return out;
}

Status RedisServer::FlushAll() const {
  auto r = Exec({"FLUSHALL"});
  return r.ok() ? Status::Ok() : r.status();
}

Result<RedisServer*> SharedRedisServer() {
  // Function-local static: one server per test binary, destroyed at exit.
  static Result<std::unique_ptr<RedisServer>> server = RedisServer::Start();
  if (!server.ok()) return server.status();
  return server->get();
}

}  // namespace ct::testing
