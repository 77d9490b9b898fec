#include "fetch/browser_fetcher.h"

#include <arpa/inet.h>
#include <dirent.h>
#include <netdb.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <sstream>
#include <mutex>
#include <optional>
#include <nlohmann/json.hpp>
#include <thread>

#include "fetch/fetcher.h"
#include "jobs/process_group.h"

namespace ct {
namespace {

using nlohmann::json;
using SteadyClock = std::chrono::steady_clock;

std::int64_t MsUntil(SteadyClock::time_point t) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(t - SteadyClock::now()).count();
}

std::int64_t MsSince(SteadyClock::time_point t) { return -MsUntil(t); }

// A TCP port on 127.0.0.1 that was free a moment ago (chromedriver binds it next; a lost race
// makes chromedriver exit, and the caller tries another).
Result<int> FreeLoopbackPort() {
  const int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return Status::Unavailable("browser: socket(): " + std::string(std::strerror(errno)));
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  socklen_t len = sizeof addr;
  int port = 0;
  if (bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0 &&
      getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0)
    port = ntohs(addr.sin_port);
  close(fd);
  if (port == 0) return Status::Unavailable("browser: no free loopback port");
  return port;
}

// Only http(s) URLs whose host resolves to addresses the guard accepts.
Status CheckUrl(const std::string& url, const SsrfGuard& guard) {
  if (url.rfind("http://", 0) != 0 && url.rfind("https://", 0) != 0)
    return Status::InvalidArgument("browser: only http(s) URLs are loaded, got '" + url + "'");
  std::string host = UrlHost(url);
  if (host.empty()) return Status::InvalidArgument("browser: no host in URL '" + url + "'");
  if (host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* res = nullptr;
  if (int rc = getaddrinfo(host.c_str(), nullptr, &hints, &res); rc != 0)
    return Status::Unavailable("browser: cannot resolve " + host + ": " + gai_strerror(rc));
  std::unique_ptr<addrinfo, decltype(&freeaddrinfo)> owned(res, &freeaddrinfo);
  for (addrinfo* a = res; a != nullptr; a = a->ai_next) {
    auto ip = IpAddress::FromSockaddr(a->ai_addr);
    if (!ip.ok()) continue;
    if (Status s = guard.Check(*ip); !s.ok())
      return s.WithContext("browser: refusing to load " + url);
  }
  return Status::Ok();
}

Result<std::string> MakeUserDataDir(const std::string& parent_hint) {
  std::string parent = parent_hint;
  if (parent.empty()) {
    const char* tmp = std::getenv("TMPDIR");
    parent = tmp != nullptr && *tmp != '\0' ? tmp : "/tmp";
  }
  std::string templ = parent + "/ct-browser-XXXXXX";
  if (mkdtemp(templ.data()) == nullptr)
    return Status::Unavailable("browser: creating a user-data-dir in " + parent + ": " +
                               std::strerror(errno));
  return templ;
}

bool Executable(const std::string& path) { return access(path.c_str(), X_OK) == 0; }

// Members of a killed group that become our zombies after ProcessGroup has finished reaping:
// Chromium's zygote and renderers are children of Chromium's main process, and while its other
// threads are still exiting (its leader thread already a zombie) they stay attached to it; only
// then are they re-parented to us, the subreaper. So when we are a subreaper, wait (at most 5 s)
// until no process of `group` is left at all, killing and reaping as we go. Only pids of `group`.
void ReapGroupStragglers(pid_t group) {
  int subreaper = 0;
  prctl(PR_GET_CHILD_SUBREAPER, &subreaper);
  const auto deadline = SteadyClock::now() + std::chrono::seconds(5);
  for (;;) {
    while (waitpid(-group, nullptr, WNOHANG) > 0) {
    }
    const bool live = !ProcessesInGroup(group, /*include_zombies=*/false).empty();
    // Not a subreaper: the zombies are not ours to reap.
    if (!live && (subreaper == 0 || ProcessesInGroup(group, /*include_zombies=*/true).empty())) return;
    if (SteadyClock::now() > deadline) return;
    if (live) kill(-group, SIGKILL);
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
}

// Chromium starts chrome_crashpad_handler in a session of its own, so it is outside the
// browser's group. When its Chromium dies it exits too, and, re-parented to us (a subreaper),
// would stay our zombie. Our children of that name can only be such orphans: end and reap them.
void ReapOrphanedCrashHandlers() {
  const pid_t self = getpid();
  DIR* dir = opendir("/proc");
  if (dir == nullptr) return;
  std::vector<pid_t> orphans;
  while (dirent* entry = readdir(dir)) {
    char* end = nullptr;
    const long pid = std::strtol(entry->d_name, &end, 10);
    if (pid <= 0 || *end != '\0') continue;
    const std::string stat = ReadProcFile(std::string("/proc/") + entry->d_name + "/stat");
    const auto open = stat.find('('), close = stat.rfind(')');
    if (open == std::string::npos || close == std::string::npos || close < open) continue;
    if (stat.compare(open + 1, 15, "chrome_crashpad") != 0) continue;
    char state = 0;
    long ppid = 0;
    if (std::sscanf(stat.c_str() + close + 1, " %c %ld", &state, &ppid) == 2 && ppid == self)
      orphans.push_back(static_cast<pid_t>(pid));
  }
  closedir(dir);
  for (pid_t pid : orphans) {
    kill(pid, SIGKILL);
    while (waitpid(pid, nullptr, 0) < 0 && errno == EINTR) {
    }
  }
}

}  // namespace

std::int64_t ProcessGroupRssBytes(pid_t pgid) {
  if (pgid <= 0) return 0;
  const std::int64_t page = sysconf(_SC_PAGESIZE);
  std::int64_t total = 0;
  for (pid_t pid : ProcessesInGroup(pgid, /*include_zombies=*/false)) {
    std::istringstream statm(ReadProcFile("/proc/" + std::to_string(pid) + "/statm"));
    std::int64_t size = 0, resident = 0;
    if (statm >> size >> resident) total += resident * page;
  }
  return total;
}

BrowserFetcher::BrowserFetcher(BrowserOptions options) : options_(std::move(options)) {
  HttpClientOptions o;
  o.connect_timeout_ms = 2'000;
  o.timeout_ms = 10'000;
  o.max_redirects = 0;
  o.max_body_bytes = options_.max_source_bytes + (1 << 20);  // JSON escaping of the source
  o.guard = SsrfGuard({*Cidr::Parse("127.0.0.1/32")});
  driver_client_ = MakeCurlHttpClient(std::move(o));
}

BrowserFetcher::~BrowserFetcher() { Shutdown(); }

void BrowserFetcher::Shutdown() { Stop(/*retired=*/false, "shutdown"); }

pid_t BrowserFetcher::pgid() const { return driver_ ? driver_->pgid() : 0; }

std::int64_t BrowserFetcher::GroupRssBytes() const { return ProcessGroupRssBytes(pgid()); }

void BrowserFetcher::Stop(bool retired, const std::string& reason) {
  if (!driver_) return;
  const pid_t group = driver_->pgid();
  driver_->Terminate(std::chrono::milliseconds(options_.kill_grace_ms));
  driver_.reset();
  ReapGroupStragglers(group);
  ReapOrphanedCrashHandlers();
  driver_url_.clear();
  stats_.pages_on_current = 0;
  if (reason == "shutdown") return;
  if (retired) {
    ++stats_.browsers_retired;
    stats_.last_retire_reason = reason;
  } else {
    ++stats_.browsers_killed;
  }
}

// One WebDriver command: JSON in, the reply's "value" out. WebDriver errors become a Status
// naming the command: "no such element" is NotFound (the wait polls on it), others Unavailable.
class BrowserFetcher::Session {
 public:
  Session(HttpClient& client, std::string base) : client_(client), base_(std::move(base)) {}

  Result<json> Call(const char* method, const std::string& path, const json* body,
                    std::int64_t timeout_ms) {
    HttpRequest req;
    req.method = method;
    req.url = base_ + path;
    req.timeout_ms = static_cast<int>(std::clamp<std::int64_t>(timeout_ms, 1, 60'000));
    if (body) {
      req.body = body->dump();
      req.headers = {{"Content-Type", "application/json; charset=utf-8"}};
    }
    auto r = client_.Send(req);
    if (!r.ok()) return r.status().WithContext(std::string("webdriver ") + method + " " + path);
    json reply = json::parse(r->body, nullptr, false);
    if (reply.is_discarded() || !reply.is_object() || !reply.contains("value")) {
      return Status::Unavailable(std::string("webdriver ") + method + " " + path + ": HTTP " +
                                 std::to_string(r->status) + ", not a WebDriver reply");
    }
    json value = std::move(reply["value"]);
    if (r->status == 200) return value;
    std::string error = value.is_object() ? value.value("error", "") : "";
    std::string message = value.is_object() ? value.value("message", "") : "";
    if (auto nl = message.find('\n'); nl != std::string::npos) message.resize(nl);
    const std::string text = std::string("webdriver ") + method + " " + path + ": " + error +
                             (message.empty() ? "" : ": " + message);
    if (error == "no such element") return Status::NotFound(text);
    if (error == "invalid selector" || error == "invalid argument") return Status::InvalidArgument(text);
    return Status::Unavailable(text);
  }

 private:
  HttpClient& client_;
  std::string base_;
};

Status BrowserFetcher::EnsureStarted() {
  if (driver_ && driver_->TryWait()) {
    // It died between pages (crash, OOM kill): reaped by TryWait; start another.
    driver_.reset();
    ++stats_.browsers_killed;
  }
  if (driver_) return Status::Ok();
  if (!Executable(options_.chromedriver_path)) {
    return Status::FailedPrecondition("browser: chromedriver not found or not executable at " +
                                      options_.chromedriver_path +
                                      " (Debian: apt-get install chromium-driver)");
  }
  if (!Executable(options_.chromium_path)) {
    return Status::FailedPrecondition("browser: chromium not found or not executable at " +
                                      options_.chromium_path + " (Debian: apt-get install chromium)");
  }
  Status last = Status::Unavailable("browser: chromedriver did not start");
  for (int attempt = 0; attempt < 3; ++attempt) {
    CT_ASSIGN_OR_RETURN(int port, FreeLoopbackPort());
    SpawnOptions so;
    so.argv = {options_.chromedriver_path, "--port=" + std::to_string(port)};
    so.parent_death_signal = SIGKILL;
    CT_ASSIGN_OR_RETURN(driver_, ProcessGroup::Spawn(so));
    driver_url_ = "http://127.0.0.1:" + std::to_string(port);
    Session probe(*driver_client_, driver_url_);
    const auto deadline = SteadyClock::now() + std::chrono::milliseconds(options_.startup_timeout_ms);
    bool ready = false;
    while (!ready) {
      if (Cancelled()) {
        Stop(false, "cancelled");
        return Status::Aborted("browser: cancelled while starting chromedriver");
      }
      if (driver_->TryWait()) break;  // exited: port taken, or broken install
      if (MsUntil(deadline) <= 0) break;
      auto status = probe.Call("GET", "/status", nullptr, std::min<std::int64_t>(1000, MsUntil(deadline)));
      if (status.ok() && status->is_object() && status->value("ready", false)) {
        ready = true;
        break;
      }
      driver_->ReadLines(options_.poll_interval_ms);  // drains its output; waits a little
    }
    if (ready) {
      ++stats_.browsers_started;
      stats_.last_pgid = driver_->pgid();
      stats_.pages_on_current = 0;
      return Status::Ok();
    }
    std::string tail = driver_->stderr_tail();
    const bool exited = driver_->TryWait().has_value();
    Stop(false, "failed to start");
    if (tail.size() > 500) tail = tail.substr(tail.size() - 500);
    last = Status::Unavailable(
        std::string("browser: chromedriver ") +
        (exited ? "exited at start" : "did not answer within " + std::to_string(options_.startup_timeout_ms) + " ms") +
        (tail.empty() ? "" : ": " + tail));
    if (!exited) break;
  }
  return last;
}

Result<BrowserPage> BrowserFetcher::Load(const BrowserRequest& request) {
  CT_RETURN_IF_ERROR(CheckUrl(request.url, options_.guard));
  if (Cancelled()) return Status::Aborted("browser: cancelled before loading " + request.url);
  CT_RETURN_IF_ERROR(EnsureStarted());
  CT_ASSIGN_OR_RETURN(std::string user_data_dir, MakeUserDataDir(options_.temp_dir));
  Result<BrowserPage> page = LoadOnce(request, user_data_dir);
  std::error_code ec;
  std::filesystem::remove_all(user_data_dir, ec);
  if (ec && driver_) {
    // Something still writes there: kill the browser, then the directory can go.
    Stop(false, "user-data-dir busy");
    std::filesystem::remove_all(user_data_dir, ec);
  }
  ReapOrphanedCrashHandlers();  // the session's Chromium has quit
  if (!page.ok()) return page;
  ++stats_.pages_loaded;
  ++stats_.pages_on_current;
  const std::int64_t rss = page->peak_group_rss_bytes;
  stats_.peak_group_rss_bytes = std::max(stats_.peak_group_rss_bytes, rss);
  if (stats_.pages_on_current >= options_.max_pages_per_browser) {
    Stop(true, "served " + std::to_string(options_.max_pages_per_browser) + " pages");
  } else if (rss > options_.max_group_rss_bytes) {
    Stop(true, "group RSS " + std::to_string(rss >> 20) + " MiB over the limit of " +
                   std::to_string(options_.max_group_rss_bytes >> 20) + " MiB");
  }
  return page;
}

Result<BrowserPage> BrowserFetcher::LoadOnce(const BrowserRequest& request,
                                             const std::string& user_data_dir) {
  const auto started = SteadyClock::now();
  const int timeout_ms = request.timeout_ms > 0
                             ? std::min(request.timeout_ms, options_.page_load_timeout_ms)
                             : options_.page_load_timeout_ms;
  const auto deadline = started + std::chrono::milliseconds(timeout_ms);
  const std::string awaited = request.wait_for_selector.empty()
                                  ? "document.readyState 'complete'"
                                  : "selector '" + request.wait_for_selector + "'";
  const pid_t group = pgid();
  auto kill_group = [&](Status s) -> Status {
    Stop(false, s.message());
    return s;
  };
  auto timed_out = [&](const std::string& during) {
    return kill_group(Status::DeadlineExceeded(
        "browser: " + request.url + " not loaded within " + std::to_string(timeout_ms) +
        " ms (" + during + "; waited for " + awaited + "); killed its process group " +
        std::to_string(group)));
  };
  auto failed = [&](const Status& s) {
    if (MsUntil(deadline) <= 0) return timed_out(s.message());
    return kill_group(Status::Unavailable(s.message() + " (loading " + request.url +
                                          "; killed the browser's process group " +
                                          std::to_string(group) + ")"));
  };
  auto cancelled = [&] {
    return kill_group(Status::Aborted("browser: cancelled while loading " + request.url +
                                      "; killed its process group " + std::to_string(group)));
  };

  json args = json::array({"--headless=new", "--no-sandbox", "--disable-gpu",
                           "--disable-dev-shm-usage", "--no-first-run",
                           "--no-default-browser-check", "--disable-extensions",
                           "--window-size=1280,2000", "--user-data-dir=" + user_data_dir});
  if (!options_.proxy.empty()) args.push_back("--proxy-server=" + options_.proxy);
  if (!options_.user_agent.empty()) args.push_back("--user-agent=" + options_.user_agent);
  const json caps = {
      {"capabilities",
       {{"alwaysMatch",
         {{"browserName", "chrome"},
          {"pageLoadStrategy", "none"},
          {"timeouts", {{"pageLoad", timeout_ms}, {"script", timeout_ms}, {"implicit", 0}}},
          {"goog:chromeOptions", {{"binary", options_.chromium_path}, {"args", args}}}}}}}};
  Session driver(*driver_client_, driver_url_);
  auto created = driver.Call("POST", "/session", &caps, MsUntil(deadline));
  if (!created.ok()) return failed(created.status());
  const std::string id = created->is_object() ? created->value("sessionId", "") : "";
  if (id.empty()) return failed(Status::Unavailable("webdriver POST /session: no sessionId"));
  const std::string at = "/session/" + id;

  if (Cancelled()) return cancelled();
  const json nav = {{"url", request.url}};
  if (auto r = driver.Call("POST", at + "/url", &nav, MsUntil(deadline)); !r.ok()) return failed(r.status());

  const json find = {{"using", "css selector"}, {"value", request.wait_for_selector}};
  // Until the navigation has started the document is still about:blank, whose readyState is
  // already "complete".
  const json ready_state = {
      {"script", "return location.href === 'about:blank' ? 'navigating' : document.readyState"},
      {"args", json::array()}};
  BrowserPage page;
  std::optional<SteadyClock::time_point> complete_since;
  for (;;) {
    if (Cancelled()) return cancelled();
    if (MsUntil(deadline) <= 0) return timed_out("page still loading");
    const std::int64_t call_ms = std::min<std::int64_t>(5'000, MsUntil(deadline));
    if (!request.wait_for_selector.empty()) {
      auto found = driver.Call("POST", at + "/element", &find, call_ms);
      if (found.ok()) {
        page.selector_found = true;
        break;
      }
      if (found.status().code() == StatusCode::kInvalidArgument)
        return kill_group(Status::InvalidArgument("browser: " + found.status().message()));
      if (found.status().code() != StatusCode::kNotFound) return failed(found.status());
    }
    if (request.wait_for_selector.empty() || !complete_since) {
      auto state = driver.Call("POST", at + "/execute/sync", &ready_state, call_ms);
      if (!state.ok()) return failed(state.status());
      if (state->is_string() && state->get<std::string>() == "complete") {
        if (request.wait_for_selector.empty()) break;
        complete_since = SteadyClock::now();
      }
    }
    if (complete_since && MsSince(*complete_since) >= options_.selector_settle_ms) break;
    page.peak_group_rss_bytes = std::max(page.peak_group_rss_bytes, GroupRssBytes());
    driver_->ReadLines(0);  // keeps chromedriver's pipes from filling
    std::this_thread::sleep_for(std::chrono::milliseconds(
        std::max<std::int64_t>(1, std::min<std::int64_t>(options_.poll_interval_ms, MsUntil(deadline)))));
  }

  auto source = driver.Call("GET", at + "/source", nullptr, MsUntil(deadline));
  if (!source.ok()) return failed(source.status());
  if (!source->is_string()) return failed(Status::Unavailable("webdriver GET /source: not a string"));
  page.source = source->get<std::string>();
  if (static_cast<std::int64_t>(page.source.size()) > options_.max_source_bytes) {
    return kill_group(Status::ResourceExhausted(
        "browser: the page source of " + request.url + " is " + std::to_string(page.source.size()) +
        " bytes, over the limit of " + std::to_string(options_.max_source_bytes)));
  }
  auto url = driver.Call("GET", at + "/url", nullptr, MsUntil(deadline));
  if (!url.ok()) return failed(url.status());
  page.final_url = url->is_string() ? url->get<std::string>() : request.url;
  page.peak_group_rss_bytes = std::max(page.peak_group_rss_bytes, GroupRssBytes());
  // Closing the session quits its Chromium; a session that will not close takes the group down.
  if (auto closed = driver.Call("DELETE", at, nullptr, std::max<std::int64_t>(2'000, MsUntil(deadline)));
      !closed.ok()) {
    Stop(false, "session not deleted");
  }
  page.elapsed_ms = MsSince(started);
  return page;
}

Result<BrowserOptions> BrowserOptionsFromConfig(const BrowserConfig& browser,
                                                const FetchConfig& fetch) {
  BrowserOptions o;
  o.chromedriver_path = browser.chromedriver;
  o.chromium_path = browser.chromium;
  o.page_load_timeout_ms = browser.page_load_timeout_ms;
  o.max_pages_per_browser = browser.max_pages;
  o.max_group_rss_bytes = std::int64_t{browser.max_memory_mb} << 20;
  o.proxy = fetch.proxy;
  CT_ASSIGN_OR_RETURN(o.guard, SsrfGuard::FromStrings(fetch.allow_networks));
  return o;
}

namespace {

class BrowserRoutingClient final : public HttpClient {
 public:
  BrowserRoutingClient(std::unique_ptr<HttpClient> http, std::unique_ptr<BrowserFetcher> browser)
      : http_(std::move(http)), browser_(std::move(browser)) {}

  Result<HttpResponse> Send(const HttpRequest& request) override {
    std::string via, wait_for;
    for (const auto& [name, value] : request.headers) {
      if (EqualsIgnoreCase(name, kFetchViaHeader)) via = value;
      if (EqualsIgnoreCase(name, kWaitForHeader)) wait_for = value;
    }
    if (via != "browser") return http_->Send(request);
    if (request.method != "GET")
      return Status::InvalidArgument("browser: only GET requests are loaded, got " + request.method);
    std::lock_guard lock(mu_);
    BrowserRequest br;
    br.url = request.url;
    br.wait_for_selector = wait_for;
    br.timeout_ms = request.timeout_ms;
    CT_ASSIGN_OR_RETURN(BrowserPage page, browser_->Load(br));
    HttpResponse out;
    out.status = 200;  // WebDriver does not expose the HTTP status; the adapter judges the page
    out.headers = {{"content-type", "text/html; charset=utf-8"}};
    out.body = std::move(page.source);
    out.final_url = std::move(page.final_url);
    return out;
  }

 private:
  static bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
    return a.size() == b.size() &&
           std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
             return std::tolower(static_cast<unsigned char>(x)) ==
                    std::tolower(static_cast<unsigned char>(y));
           });
  }

  std::unique_ptr<HttpClient> http_;
  std::mutex mu_;
  std::unique_ptr<BrowserFetcher> browser_;
};

}  // namespace

std::unique_ptr<HttpClient> MakeBrowserRoutingClient(std::unique_ptr<HttpClient> http,
                                                     std::unique_ptr<BrowserFetcher> browser) {
  return std::make_unique<BrowserRoutingClient>(std::move(http), std::move(browser));
}

}  // namespace ct
