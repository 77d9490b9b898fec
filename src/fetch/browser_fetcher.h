// BrowserFetcher: loads pages in headless Chromium, driven over W3C WebDriver by a chromedriver
// this object starts and owns, for sources whose content is rendered by JavaScript (g2).
//
// The browser: chromedriver runs on a free loopback port in a process group of its own (setsid;
// SIGKILL on our death via PR_SET_PDEATHSIG), and Chromium runs as its child, in that group.
// It is started on the first Load and retired (the whole group killed and reaped) after
// `max_pages_per_browser` pages, or after a page during which the group's resident memory (VmRSS
// summed over /proc for every process of the group, sampled at each poll and before the session
// is closed, while Chromium is alive) exceeded `max_group_rss_bytes`; the next Load starts a new
// one. Summed VmRSS counts pages shared between Chromium's processes more than once: it is an
// upper bound of the group's real footprint.
//
// Each Load: a new WebDriver session (headless=new, --no-sandbox, --disable-gpu,
// --disable-dev-shm-usage, a fresh --user-data-dir under `temp_dir`, removed afterwards),
// navigate, wait until `wait_for_selector` matches (or, without one, until document.readyState
// is "complete"; with one that still does not match `selector_settle_ms` after "complete", the
// page is returned as it is), read the page source, delete the session. Sessions use
// pageLoadStrategy "none": every WebDriver call returns quickly, and the wait is a poll that
// checks the page deadline and `cancelled` between calls.
//
// On timeout, on cancellation, or on any WebDriver failure, the WHOLE process group is killed
// (SIGTERM, `kill_grace_ms`, then SIGKILL), reaped, and the user-data-dir removed, before the
// error is returned: DeadlineExceeded (transient) naming the URL and what was awaited; Aborted
// when cancelled; Unavailable when chromedriver or Chromium fails; FailedPrecondition when a
// binary is missing; PermissionDenied when the SSRF guard refuses the URL's host.
//
// SSRF: the URL's host is resolved and every address checked with `guard` before the browser is
// sent there, and only http/https URLs are loaded. The browser's own sub-requests (scripts,
// images, redirects made by the page) do not go through our socket hook and are not checked.
//
// A process that creates BrowserFetchers should be a child subreaper (BecomeChildSubreaper in
// jobs/process_group.h) so that Chromium's processes, orphaned when chromedriver is killed, are
// reaped here rather than left as zombies: after a kill, the fetcher waits (at most 5 s) until
// no process of the group is left, and reaps Chromium's crash handler (chrome_crashpad_handler
// starts in a session of its own, outside the group, and exits when its Chromium dies).
//
// Thread safety: none (one owner thread). MakeBrowserRoutingClient serialises its calls.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/config.h"
#include "core/status.h"
#include "fetch/http_client.h"
#include "fetch/ssrf_guard.h"

namespace ct {

class ProcessGroup;

struct BrowserOptions {
  std::string chromedriver_path = "/usr/bin/chromedriver";
  std::string chromium_path = "/usr/bin/chromium";
  int page_load_timeout_ms = 30'000;  // default per page; a request may ask for less
  int startup_timeout_ms = 20'000;    // chromedriver answering /status
  int max_pages_per_browser = 20;
  std::int64_t max_group_rss_bytes = std::int64_t{1536} << 20;
  int kill_grace_ms = 1'000;          // SIGTERM -> SIGKILL of the group
  int poll_interval_ms = 50;          // between checks while waiting for the page
  // With a selector: once the document is "complete", how long scripts get to make the selector
  // match; then the page is returned without it (selector_found false), so a page whose layout
  // changed reaches its adapter (drift, permanent) instead of timing out (transient).
  int selector_settle_ms = 5'000;
  std::string temp_dir;               // parent of the user-data-dirs; "" = $TMPDIR or /tmp
  std::string proxy;                  // --proxy-server; "" = direct
  std::string user_agent;             // --user-agent; "" = Chromium's own
  std::int64_t max_source_bytes = 32 << 20;  // a bigger page source is an error, not cut
  SsrfGuard guard;
  // Polled while waiting; true = stop, kill the browser, return Aborted. May be null.
  std::function<bool()> cancelled;
};

struct BrowserRequest {
  std::string url;
  std::string wait_for_selector;  // CSS; "" = wait for document.readyState == "complete"
  int timeout_ms = 0;             // 0 = options.page_load_timeout_ms
};

struct BrowserPage {
  std::string source;     // the DOM serialised by the browser (after scripts ran)
  std::string final_url;  // after redirects
  bool selector_found = false;  // the awaited selector matched (false also when none was given)
  std::int64_t elapsed_ms = 0;
  std::int64_t peak_group_rss_bytes = 0;  // sampled at each poll and before the session closed
};

struct BrowserStats {
  pid_t last_pgid = 0;       // the group of the browser started last (kept after it is killed)
  int browsers_started = 0;
  int browsers_retired = 0;  // by the page count or memory limit (not by errors)
  int browsers_killed = 0;   // after a timeout, a cancellation or a failure
  int pages_loaded = 0;
  int pages_on_current = 0;
  std::int64_t peak_group_rss_bytes = 0;  // the highest of the pages' peaks
  std::string last_retire_reason;
};

class BrowserFetcher {
 public:
  explicit BrowserFetcher(BrowserOptions options);
  ~BrowserFetcher();  // Shutdown()
  BrowserFetcher(const BrowserFetcher&) = delete;
  BrowserFetcher& operator=(const BrowserFetcher&) = delete;

  Result<BrowserPage> Load(const BrowserRequest& request);

  // Kills the browser's group (if running) and reaps it. Idempotent.
  void Shutdown();

  // The running browser's process group (chromedriver's pid); 0 when none is running.
  pid_t pgid() const;
  // VmRSS summed over the running browser's group; 0 when none is running.
  std::int64_t GroupRssBytes() const;
  const BrowserStats& stats() const { return stats_; }
  const BrowserOptions& options() const { return options_; }

 private:
  class Session;
  Status EnsureStarted();
  // Kills and reaps the group; `retired` counts it as a planned retirement.
  void Stop(bool retired, const std::string& reason);
  Result<BrowserPage> LoadOnce(const BrowserRequest& request, const std::string& user_data_dir);
  bool Cancelled() const { return options_.cancelled && options_.cancelled(); }

  BrowserOptions options_;
  std::unique_ptr<HttpClient> driver_client_;  // loopback only
  std::unique_ptr<ProcessGroup> driver_;
  std::string driver_url_;  // http://127.0.0.1:PORT
  BrowserStats stats_;
};

// VmRSS (bytes) summed over the live processes of process group `pgid`, from /proc.
std::int64_t ProcessGroupRssBytes(pid_t pgid);

// BrowserOptions from [browser] and [fetch] (proxy, SSRF allowlist).
Result<BrowserOptions> BrowserOptionsFromConfig(const BrowserConfig& browser,
                                                const FetchConfig& fetch);

// Requests carrying this header (value "browser") are loaded by the browser; the header named
// kWaitForHeader, if present, is the CSS selector to wait for. Adapters set them (g2.cc); the
// headers are never sent anywhere.
inline constexpr std::string_view kFetchViaHeader = "X-Ct-Fetch-Via";
inline constexpr std::string_view kWaitForHeader = "X-Ct-Wait-For";

// An HttpClient that sends requests marked with kFetchViaHeader: browser to `browser` (a 200
// whose body is the rendered page source; only GET) and every other request to `http`. So the
// polite Fetcher (rate limits, retries, circuit breaker) wraps browser sources too.
// Thread-safe: browser loads are serialised.
std::unique_ptr<HttpClient> MakeBrowserRoutingClient(std::unique_ptr<HttpClient> http,
                                                     std::unique_ptr<BrowserFetcher> browser);

}  // namespace ct
