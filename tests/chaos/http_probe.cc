#include "http_probe.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <cctype>
#include <cerrno>
#include <cstdlib>
#include <cstring>

namespace ct::testing {
namespace {

constexpr int kIoTimeoutS = 10;  // a request slower than this counts as failed
constexpr std::size_t kMaxSamples = 5;

class Fd {
 public:
  explicit Fd(int fd) : fd_(fd) {}
  ~Fd() {
    if (fd_ >= 0) close(fd_);
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  int get() const { return fd_; }

 private:
  int fd_;
};

std::string Errno(const char* what) { return std::string(what) + ": " + std::strerror(errno); }

HttpResult Failed(std::string error, int status = 0) {
  HttpResult r;
  r.error = std::move(error);
  r.status = status;
  return r;
}

}  // namespace

int FreeLoopbackPort() {
  Fd fd(socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof addr;
  if (fd.get() < 0 || bind(fd.get(), reinterpret_cast<const sockaddr*>(&addr), sizeof addr) < 0 ||
      getsockname(fd.get(), reinterpret_cast<sockaddr*>(&addr), &len) < 0) {
    return 0;
  }
  return ntohs(addr.sin_port);
}

HttpResult HttpGet(int port, const std::string& path) {
  HttpResult r;
  Fd fd(socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
  if (fd.get() < 0) return Failed(Errno("socket"));
  timeval tv{kIoTimeoutS, 0};
  setsockopt(fd.get(), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  setsockopt(fd.get(), SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<std::uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (connect(fd.get(), reinterpret_cast<const sockaddr*>(&addr), sizeof addr) < 0) {
    return Failed(Errno("connect"));
  }
  const std::string request = "GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1:" +
                              std::to_string(port) + "\r\nConnection: close\r\n\r\n";
  for (std::size_t sent = 0; sent < request.size();) {
    const ssize_t n = send(fd.get(), request.data() + sent, request.size() - sent, MSG_NOSIGNAL);
    if (n < 0) return Failed(Errno("send"));
    sent += static_cast<std::size_t>(n);
  }
  // Read the whole response (Connection: close): a reply cut short also counts as a failure.
  std::string response;
  char buf[8192];
  for (;;) {
    const ssize_t n = recv(fd.get(), buf, sizeof buf, 0);
    if (n < 0) return Failed(Errno("recv"));
    if (n == 0) break;
    response.append(buf, static_cast<std::size_t>(n));
  }
  if (response.rfind("HTTP/1.1 ", 0) != 0 || response.size() < 12) {
    return Failed("malformed response (" + std::to_string(response.size()) + " bytes)");
  }
  r.status = std::atoi(response.substr(9, 3).c_str());
  const std::size_t body = response.find("\r\n\r\n");
  if (body == std::string::npos) return Failed("no end of headers", r.status);
  r.body = response.substr(body + 4);
  // Content-Length, when given, must match what arrived.
  std::string lower = response.substr(0, body);
  for (char& ch : lower) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  if (const std::size_t at = lower.find("\r\ncontent-length:"); at != std::string::npos) {
    const long expected = std::strtol(lower.c_str() + at + 17, nullptr, 10);
    if (expected != static_cast<long>(r.body.size())) {
      r.error = "body of " + std::to_string(r.body.size()) + " bytes, Content-Length " +
                std::to_string(expected);
    }
  }
  return r;
}

HttpProbe::HttpProbe(int port, std::string path) : port_(port), path_(std::move(path)) {}

HttpProbe::~HttpProbe() { Stop(); }

std::string HttpProbe::RequestOnce() const {
  const HttpResult r = HttpGet(port_, path_);
  if (!r.error.empty()) return r.error;
  if (r.status != 200) return "status " + std::to_string(r.status);
  return "";
}

bool HttpProbe::Start(std::chrono::milliseconds limit) {
  const auto end = std::chrono::steady_clock::now() + limit;
  while (!RequestOnce().empty()) {
    if (std::chrono::steady_clock::now() >= end) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  thread_ = std::thread([this] { Loop(); });
  return true;
}

void HttpProbe::Stop() {
  stop_ = true;
  if (thread_.joinable()) thread_.join();
}

void HttpProbe::Loop() {
  while (!stop_) {
    const std::string error = RequestOnce();
    ++requests_;
    if (!error.empty()) {
      ++failures_;
      std::lock_guard lock(mu_);
      if (samples_.size() < kMaxSamples) samples_.push_back(error);
    }
    // Steady, not flat out: the machine is shared with the workers under test.
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
}

std::vector<std::string> HttpProbe::failure_samples() const {
  std::lock_guard lock(mu_);
  return samples_;
}

std::string HttpProbe::Summary() const {
  std::string s = std::to_string(requests_.load()) + " requests to " + path_ + ", " +
                  std::to_string(failures_.load()) + " failed";
  const auto samples = failure_samples();
  if (!samples.empty()) {
    s += " (first:";
    for (const auto& e : samples) s += " [" + e + "]";
    s += ")";
  }
  return s;
}

}  // namespace ct::testing
