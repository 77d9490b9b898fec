#include "api/http_server.h"

#include <poll.h>
#include <spdlog/spdlog.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <cerrno>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <exception>
#include <future>
#include <mutex>
#include <optional>
#include <thread>
#include <unordered_map>
#include <vector>

#include "api/api_errors.h"

namespace ct {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

Status SplitHostPort(std::string_view listen, std::string& host, int& port) {
  auto bad = [&] {
    return Status::InvalidArgument("listen address must be host:port, got '" + std::string(listen) +
                                   "'");
  };
  std::size_t colon = listen.rfind(':');
  if (colon == std::string_view::npos || colon + 1 == listen.size()) return bad();
  std::string_view h = listen.substr(0, colon);
  if (h.size() >= 2 && h.front() == '[' && h.back() == ']') h = h.substr(1, h.size() - 2);
  if (h.empty()) return bad();
  int p = 0;
  for (char c : listen.substr(colon + 1)) {
    if (c < '0' || c > '9') return bad();
    p = p * 10 + (c - '0');
    if (p > 65535) return bad();
  }
  host = std::string(h);
  port = p;
  return Status::Ok();
}

namespace {

// Owns a file descriptor taken from an Asio socket for the streaming thread.
struct FdCloser {
  void operator()(int* fd) const {
    ::close(*fd);
    delete fd;
  }
};
using UniqueFd = std::unique_ptr<int, FdCloser>;

// Writes all of `data`, waiting at most `timeout_ms` for the socket to accept each part.
bool WriteAllWithDeadline(int fd, std::string_view data, int timeout_ms) {
  while (!data.empty()) {
    ssize_t n = ::send(fd, data.data(), data.size(), MSG_NOSIGNAL);
    if (n > 0) {
      data.remove_prefix(static_cast<std::size_t>(n));
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      pollfd p{fd, POLLOUT, 0};
      int r = ::poll(&p, 1, timeout_ms);
      if (r <= 0) return false;  // deadline passed, or poll failed
      continue;
    }
    return false;
  }
  return true;
}

std::string ReasonPhrase(int status) {
  return std::string(http::obsolete_reason(static_cast<http::status>(status)));
}

}  // namespace

class HttpServer::Impl {
 public:
  Impl(const ServerConfig& config, HttpHandler handler, RejectObserver on_reject)
      : config_(config), handler_(std::move(handler)), on_reject_(std::move(on_reject)) {}

  ~Impl() { Stop(); }

  Status Start();
  void Stop();
  int port() const { return port_.load(); }

  class Session;

  // Session bookkeeping so Stop can close idle connections and wait for in-flight ones.
  void AddSession(Session* s, std::weak_ptr<Session> w) {
    std::lock_guard lock(mu_);
    sessions_.emplace(s, std::move(w));
  }
  void RemoveSession(Session* s) {
    std::lock_guard lock(mu_);
    sessions_.erase(s);
    cv_.notify_all();
  }

  void StartStream(tcp::socket socket, HttpResponse response);
  void DoAccept();

  const ServerConfig config_;
  const HttpHandler handler_;
  const RejectObserver on_reject_;
  std::atomic<bool> stopping_{false};
  std::atomic<int> port_{0};

  // Declared before io_context so that they outlive it: handlers destroyed with the
  // io_context still deregister their sessions.
  std::mutex mu_;
  std::condition_variable cv_;
  std::unordered_map<Session*, std::weak_ptr<Session>> sessions_;
  int active_streams_ = 0;

  std::mutex lifecycle_mu_;
  bool started_ = false;
  bool stopped_ = false;

  asio::io_context ioc_;
  std::optional<asio::executor_work_guard<asio::io_context::executor_type>> work_;
  std::optional<tcp::acceptor> acceptor_;
  std::vector<std::thread> threads_;
};

class HttpServer::Impl::Session : public std::enable_shared_from_this<Session> {
 public:
  Session(Impl& server, tcp::socket socket) : server_(server), stream_(std::move(socket)) {
    beast::error_code ec;
    auto ep = stream_.socket().remote_endpoint(ec);
    if (!ec) remote_ = ep.address().to_string() + ":" + std::to_string(ep.port());
  }
  ~Session() { server_.RemoveSession(this); }

  void Run() {
    server_.AddSession(this, weak_from_this());
    asio::dispatch(stream_.get_executor(), [self = shared_from_this()] { self->DoRead(); });
  }

  // Runs on the session's strand (posted by Stop).
  void CloseIfIdle() {
    if (idle_) {
      beast::error_code ec;
      stream_.socket().cancel(ec);
      stream_.socket().close(ec);
    }
  }

  asio::any_io_executor executor() { return stream_.get_executor(); }

 private:
  void DoRead() {
    if (server_.stopping_) return Close();
    parser_.emplace();
    parser_->header_limit(static_cast<std::uint32_t>(server_.config_.max_header_bytes));
    parser_->body_limit(static_cast<std::uint64_t>(server_.config_.max_body_bytes));
    if (buffer_.size() > 0) return StartRequest();  // pipelined bytes already here
    idle_ = true;
    stream_.expires_after(std::chrono::milliseconds(server_.config_.idle_timeout_ms));
    stream_.async_read_some(buffer_.prepare(4096),
                            [self = shared_from_this()](beast::error_code ec, std::size_t n) {
                              self->idle_ = false;
                              if (ec) return self->Close();
                              self->buffer_.commit(n);
                              self->StartRequest();
                            });
  }

  void StartRequest() {
    idle_ = false;
    stream_.expires_after(std::chrono::milliseconds(server_.config_.request_timeout_ms));
    http::async_read(
        stream_, buffer_, *parser_,
        [self = shared_from_this()](beast::error_code ec, std::size_t) { self->OnRead(ec); });
  }

  void OnRead(beast::error_code ec) {
    if (ec == http::error::end_of_stream || ec == asio::error::eof || ec == beast::error::timeout ||
        ec == asio::error::operation_aborted) {
      return Close();
    }
    if (ec == http::error::header_limit) {
      return Reject(ErrorResponse(
          431, "header_too_large",
          "request header exceeds " + std::to_string(server_.config_.max_header_bytes) + " bytes"));
    }
    if (ec == http::error::body_limit) {
      return Reject(ErrorResponse(
          413, "body_too_large",
          "request body exceeds " + std::to_string(server_.config_.max_body_bytes) + " bytes"));
    }
    if (ec.category() ==
        http::make_error_code(http::error::body_limit).category()) {  // other Beast parse errors
      return Reject(ErrorResponse(400, "bad_request", "malformed HTTP request: " + ec.message()));
    }
    if (ec) return Close();

    auto& req = parser_->get();
    HttpRequest request;
    request.method = std::string(req.method_string());
    std::string_view target(req.target().data(), req.target().size());
    request.target = std::string(target);
    std::size_t qmark = target.find('?');
    auto path = PercentDecode(target.substr(0, qmark), false);
    if (!path.ok()) return Reject(ErrorResponse(400, "bad_request", path.status().message()));
    request.path = std::move(path).value();
    if (qmark != std::string_view::npos) {
      auto query = ParseQueryString(target.substr(qmark + 1));
      if (!query.ok()) return Reject(ErrorResponse(400, "bad_request", query.status().message()));
      request.query = std::move(query).value();
    }
    for (const auto& field : req) {
      request.headers.Add(std::string(field.name_string()), std::string(field.value()));
    }
    request.body = std::move(req.body());
    request.remote_address = remote_;
    bool keep_alive = req.keep_alive();
    unsigned version = req.version();

    HttpResponse response;
    try {
      response = server_.handler_(request);
    } catch (const std::exception& e) {
      spdlog::error("http: handler threw on {} {}: {}", request.method, request.target, e.what());
      response = ErrorResponse(500, "internal", "internal error");
    } catch (...) {
      spdlog::error("http: handler threw on {} {}", request.method, request.target);
      response = ErrorResponse(500, "internal", "internal error");
    }

    if (response.producer) {
      stream_.expires_never();
      server_.StartStream(stream_.release_socket(), std::move(response));
      return;
    }
    Write(std::move(response), keep_alive && !server_.stopping_, version);
  }

  void Write(HttpResponse response, bool keep_alive, unsigned version) {
    auto res = std::make_shared<http::response<http::string_body>>();
    res->version(version);
    res->result(static_cast<unsigned>(response.status));
    for (const auto& [name, value] : response.headers.entries()) res->insert(name, value);
    res->body() = std::move(response.body);
    res->keep_alive(keep_alive);
    res->prepare_payload();
    http::async_write(
        stream_, *res,
        [self = shared_from_this(), res, keep_alive](beast::error_code ec, std::size_t) {
          if (ec || !keep_alive) return self->Close();
          self->DoRead();
        });
  }

  // Answers a request that cannot be handled, then closes after draining what the client is
  // still sending: closing with unread input would reset the connection and could destroy the
  // error response before the client reads it.
  void Reject(HttpResponse response) {
    if (server_.on_reject_) server_.on_reject_(response.status);
    auto res = std::make_shared<http::response<http::string_body>>();
    res->version(11);
    res->result(static_cast<unsigned>(response.status));
    for (const auto& [name, value] : response.headers.entries()) res->insert(name, value);
    res->body() = std::move(response.body);
    res->keep_alive(false);
    res->prepare_payload();
    http::async_write(stream_, *res,
                      [self = shared_from_this(), res](beast::error_code ec, std::size_t) {
                        if (ec) return self->Close();
                        beast::error_code ignored;
                        self->stream_.socket().shutdown(tcp::socket::shutdown_send, ignored);
                        self->stream_.expires_after(std::chrono::seconds(2));
                        self->Drain(0);
                      });
  }

  void Drain(std::size_t drained) {
    constexpr std::size_t kMaxDrain = 16 << 20;
    if (drained > kMaxDrain) return Close();
    stream_.async_read_some(asio::buffer(drain_buf_), [self = shared_from_this(), drained](
                                                          beast::error_code ec, std::size_t n) {
      if (ec) return self->Close();
      self->Drain(drained + n);
    });
  }

  void Close() {
    beast::error_code ec;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ec);
    stream_.close();
  }

  Impl& server_;
  beast::tcp_stream stream_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  std::string remote_;
  bool idle_ = false;  // waiting for the first byte of a request; touched on the strand only
  std::array<char, 8192> drain_buf_{};
};

void HttpServer::Impl::StartStream(tcp::socket socket, HttpResponse response) {
  beast::error_code ec;
  int raw = socket.release(ec);
  if (ec) {
    spdlog::warn("http: cannot release socket for streaming: {}", ec.message());
    return;
  }
  {
    std::lock_guard lock(mu_);
    ++active_streams_;
  }
  std::thread([this, fd = UniqueFd(new int(raw)), response = std::move(response)]() mutable {
    const int timeout = config_.request_timeout_ms;
    std::string head = "HTTP/1.1 " + std::to_string(response.status) + " " +
                       ReasonPhrase(response.status) + "\r\n";
    for (const auto& [name, value] : response.headers.entries()) {
      if (EqualsIgnoreCase(name, "Content-Length") || EqualsIgnoreCase(name, "Connection") ||
          EqualsIgnoreCase(name, "Transfer-Encoding")) {
        continue;
      }
      head += name + ": " + value + "\r\n";
    }
    head += "Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n";
    bool ok = WriteAllWithDeadline(*fd, head, timeout);
    std::string chunk;
    std::string frame;
    while (ok) {
      chunk.clear();
      Result<bool> more = false;
      try {
        more = response.producer(chunk);
      } catch (const std::exception& e) {
        more = Status::Internal(e.what());
      }
      if (!more.ok()) {
        spdlog::error("http: streamed response aborted: {}", more.status().ToString());
        ok = false;
        break;
      }
      if (!chunk.empty()) {
        char size[20];
        int len = std::snprintf(size, sizeof size, "%zx\r\n", chunk.size());
        frame.assign(size, static_cast<std::size_t>(len));
        frame += chunk;
        frame += "\r\n";
        ok = WriteAllWithDeadline(*fd, frame, timeout);
      }
      if (!*more) break;
      if (stopping_) {  // a stream cut short by shutdown must not look complete
        ok = false;
        break;
      }
    }
    if (ok && WriteAllWithDeadline(*fd, "0\r\n\r\n", timeout)) {
      ::shutdown(*fd, SHUT_WR);
    }
    fd.reset();
    response = HttpResponse();  // release producer state before signalling the end
    std::lock_guard lock(mu_);
    --active_streams_;
    cv_.notify_all();
  }).detach();
}

Status HttpServer::Impl::Start() {
  std::lock_guard lifecycle(lifecycle_mu_);
  if (started_) return Status::FailedPrecondition("server already started");
  started_ = true;
  std::string host;
  int port = 0;
  CT_RETURN_IF_ERROR(SplitHostPort(config_.listen, host, port));
  beast::error_code ec;
  tcp::resolver resolver(ioc_);
  auto results = resolver.resolve(host, std::to_string(port),
                                  tcp::resolver::passive | tcp::resolver::numeric_service, ec);
  if (ec || results.empty()) {
    return Status::Unavailable("cannot resolve listen address '" + config_.listen +
                               "': " + ec.message());
  }
  tcp::endpoint endpoint = results.begin()->endpoint();
  acceptor_.emplace(asio::make_strand(ioc_));
  auto fail = [&](const char* what) {
    acceptor_.reset();
    return Status::Unavailable(std::string("cannot ") + what + " " + config_.listen + ": " +
                               ec.message());
  };
  if (acceptor_->open(endpoint.protocol(), ec)) return fail("open socket for");
  if (acceptor_->set_option(asio::socket_base::reuse_address(true), ec)) return fail("configure");
  if (acceptor_->bind(endpoint, ec)) return fail("bind");
  if (acceptor_->listen(asio::socket_base::max_listen_connections, ec)) return fail("listen on");
  port_ = acceptor_->local_endpoint().port();

  work_.emplace(ioc_.get_executor());
  DoAccept();
  int n = config_.threads > 0 ? config_.threads
                              : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  for (int i = 0; i < n; ++i) threads_.emplace_back([this] { ioc_.run(); });
  spdlog::info("http: listening on {}:{} with {} threads", host, port_.load(), n);
  return Status::Ok();
}

void HttpServer::Impl::DoAccept() {
  acceptor_->async_accept(asio::make_strand(ioc_), [this](beast::error_code ec, tcp::socket s) {
    if (ec == asio::error::operation_aborted || !acceptor_->is_open()) return;
    if (!ec) {
      beast::error_code ignored;
      s.set_option(tcp::no_delay(true), ignored);
      if (stopping_) {
        s.close(ignored);
      } else {
        std::make_shared<Session>(*this, std::move(s))->Run();
      }
    } else {
      spdlog::warn("http: accept failed: {}", ec.message());
    }
    if (!stopping_) DoAccept();
  });
}

void HttpServer::Impl::Stop() {
  std::lock_guard lifecycle(lifecycle_mu_);
  if (!started_ || stopped_) return;
  stopped_ = true;
  stopping_ = true;
  if (acceptor_) {
    std::promise<void> closed;
    asio::post(acceptor_->get_executor(), [this, &closed] {
      beast::error_code ec;
      acceptor_->close(ec);
      closed.set_value();
    });
    closed.get_future().wait();
  }
  std::vector<std::shared_ptr<Session>> open;
  {
    std::lock_guard lock(mu_);
    for (auto& [raw, weak] : sessions_) {
      if (auto s = weak.lock()) open.push_back(std::move(s));
    }
  }
  // Outside the lock: dropping the last reference runs ~Session, which takes mu_.
  for (auto& s : open) asio::post(s->executor(), [s] { s->CloseIfIdle(); });
  open.clear();
  bool abandoned = false;
  {
    std::unique_lock lock(mu_);
    // In-flight requests get their own deadline to finish; then the loop is stopped anyway.
    auto deadline = std::chrono::steady_clock::now() +
                    std::chrono::milliseconds(config_.request_timeout_ms + 1000);
    cv_.wait_until(lock, deadline, [this] { return sessions_.empty(); });
    // Streams end at their next chunk boundary (or write deadline) once stopping_ is set.
    cv_.wait(lock, [this] { return active_streams_ == 0; });
    abandoned = !sessions_.empty();
  }
  work_.reset();
  if (abandoned) ioc_.stop();
  for (auto& t : threads_) t.join();
  threads_.clear();
  spdlog::info("http: stopped");
}

HttpServer::HttpServer(const ServerConfig& config, HttpHandler handler, RejectObserver on_reject)
    : impl_(std::make_unique<Impl>(config, std::move(handler), std::move(on_reject))) {}
HttpServer::~HttpServer() = default;
Status HttpServer::Start() { return impl_->Start(); }
void HttpServer::Stop() { impl_->Stop(); }
int HttpServer::port() const { return impl_->port(); }

}  // namespace ct
