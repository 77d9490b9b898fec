// bench_browser: pages per minute through the browser fetcher (real chromedriver + Chromium) on
// the fixture replay's JavaScript-rendered g2 review page, and the peak resident memory of the
// browser's process group (sampled every 20 ms from /proc, summed over the group). Two
// scenarios, one run: browsers retired after 20 pages (the default) and after every page.
// Writes a Markdown report (bench/browser/run.sh, `make bench-browser`).
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "fetch/browser_fetcher.h"
#include "jobs/process_group.h"
#include "sources/fixture_replay.h"

namespace ct {
namespace {

namespace fs = std::filesystem;
using Steady = std::chrono::steady_clock;

// Process groups led by our chromedriver children, from /proc.
std::vector<pid_t> OurBrowserGroups() {
  std::vector<pid_t> out;
  const pid_t self = getpid();
  for (const auto& entry : fs::directory_iterator("/proc")) {
    const std::string name = entry.path().filename().string();
    if (name.find_first_not_of("0123456789") != std::string::npos) continue;
    const std::string line = ReadProcFile((entry.path() / "stat").string());
    if (line.empty()) continue;
    const auto open = line.find('('), close = line.rfind(')');
    if (open == std::string::npos || close == std::string::npos) continue;
    const std::string comm = line.substr(open + 1, close - open - 1);
    std::istringstream rest(line.substr(close + 2));
    char state = 0;
    long ppid = 0, pgrp = 0;
    rest >> state >> ppid >> pgrp;
    if (ppid == self && comm == "chromedriver" && state != 'Z') out.push_back(static_cast<pid_t>(pgrp));
  }
  return out;
}

// Proportional set size of a process group: "Pss:" of /proc/PID/smaps_rollup, summed.
std::int64_t GroupPssBytes(pid_t pgid) {
  std::int64_t total = 0;
  for (pid_t pid : ProcessesInGroup(pgid, /*include_zombies=*/false)) {
    std::istringstream in(ReadProcFile("/proc/" + std::to_string(pid) + "/smaps_rollup"));
    for (std::string key; in >> key;) {
      if (key == "Pss:") {
        std::int64_t kb = 0;
        in >> kb;
        total += kb * 1024;
        break;
      }
    }
  }
  return total;
}

struct Scenario {
  std::string name;
  int pages = 0;
  int max_pages_per_browser = 20;
  // results
  int ok = 0;
  int failed = 0;
  std::string first_error;
  double seconds = 0;
  std::vector<double> latencies_ms;
  int browsers_started = 0;
  std::int64_t peak_sampled_rss = 0;
  std::int64_t peak_sampled_pss = 0;
  std::int64_t peak_after_page_rss = 0;
};

double Percentile(std::vector<double> v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  const std::size_t i = std::min(v.size() - 1, static_cast<std::size_t>(p * (v.size() - 1) + 0.5));
  return v[i];
}

void Run(Scenario& s, const std::string& url, const fs::path& temp) {
  BrowserOptions o;
  o.temp_dir = temp.string();
  o.guard = *SsrfGuard::FromStrings({"127.0.0.1/32"});
  o.max_pages_per_browser = s.max_pages_per_browser;
  BrowserFetcher browser(o);
  std::atomic<bool> done{false};
  std::atomic<std::int64_t> peak{0};
  std::atomic<std::int64_t> peak_pss{0};
  std::thread sampler([&] {
    while (!done) {
      std::int64_t total = 0, pss = 0;
      for (pid_t g : OurBrowserGroups()) {
        total += ProcessGroupRssBytes(g);
        pss += GroupPssBytes(g);
      }
      if (total > peak) peak = total;
      if (pss > peak_pss) peak_pss = pss;
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
  });
  const auto start = Steady::now();
  for (int i = 0; i < s.pages; ++i) {
    const auto t0 = Steady::now();
    auto page = browser.Load({.url = url, .wait_for_selector = "[itemprop='review']"});
    const double ms = std::chrono::duration<double, std::milli>(Steady::now() - t0).count();
    if (page.ok() && page->selector_found &&
        page->source.find("survey-response-9009311") != std::string::npos) {
      ++s.ok;
      s.latencies_ms.push_back(ms);
    } else {
      ++s.failed;
      if (s.first_error.empty())
        s.first_error = page.ok() ? "page without the rendered reviews" : page.status().ToString();
    }
  }
  s.seconds = std::chrono::duration<double>(Steady::now() - start).count();
  s.browsers_started = browser.stats().browsers_started;
  s.peak_after_page_rss = browser.stats().peak_group_rss_bytes;
  browser.Shutdown();
  done = true;
  sampler.join();
  s.peak_sampled_rss = peak;
  s.peak_sampled_pss = peak_pss;
}

std::string Command(const char* cmd) {
  std::string out;
  if (FILE* f = popen(cmd, "r")) {
    char buf[256];
    while (fgets(buf, sizeof buf, f)) out += buf;
    pclose(f);
  }
  while (!out.empty() && (out.back() == '\n' || out.back() == ' ')) out.pop_back();
  return out;
}

std::string Fixed(double v, int digits) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", digits, v);
  return buf;
}

int Main(int argc, char** argv) {
  int pages = 60;
  std::string out_path = "bench/results/browser.md";
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string flag = argv[i];
    if (flag == "--pages") pages = std::max(3, std::atoi(argv[i + 1]));
    else if (flag == "--out") out_path = argv[i + 1];
    else {
      std::cerr << "usage: bench_browser [--pages N] [--out FILE]\n";
      return 2;
    }
  }
  if (Status s = BecomeChildSubreaper(); !s.ok()) std::cerr << s.ToString() << "\n";
  FixtureReplay replay(CT_SOURCE_DIR "/tests/fixtures/sources", ReplayFaults{});
  testing::LocalHttpServer server([&](const testing::ServerRequest& r) { return replay.Handle(r); });
  if (Status s = server.Start(); !s.ok()) {
    std::cerr << s.ToString() << "\n";
    return 1;
  }
  const fs::path temp = fs::temp_directory_path() / ("ct_bench_browser_" + std::to_string(getpid()));
  fs::create_directories(temp);
  const std::string url = server.Url("/g2/products/ovhcloud/reviews");
  const std::string load_before = Command("cut -d' ' -f1-3 /proc/loadavg");

  std::vector<Scenario> scenarios = {
      {.name = "retired after 20 pages (default)", .pages = pages, .max_pages_per_browser = 20},
      {.name = "retired after every page", .pages = std::max(3, pages / 3), .max_pages_per_browser = 1},
  };
  for (Scenario& s : scenarios) {
    std::cerr << "bench_browser: " << s.name << ", " << s.pages << " pages...\n";
    Run(s, url, temp);
  }
  server.Stop();
  std::error_code ec;
  fs::remove_all(temp, ec);
  const std::size_t left = OurBrowserGroups().size();

  std::ostringstream md;
  md << "# Browser fetcher benchmark\n\n"
     << "`make bench-browser` (bench/browser/run.sh → bench_browser). One run, "
     << Command("date -u +%Y-%m-%dT%H:%MZ") << ", " << Command("nproc") << " CPUs (shared; load "
     << load_before << " at start), " << Command("/usr/bin/chromium --version 2>/dev/null") << ", "
     << Command("/usr/bin/chromedriver --version 2>/dev/null | cut -d' ' -f1-2") << ".\n\n"
     << "Each page: a new WebDriver session (fresh user-data-dir), navigate to the replay's "
        "JavaScript-rendered g2 review page, wait for `[itemprop='review']` (rendered ~100 ms "
        "after load by a script that fetches the reviews), read the source, delete the session. "
        "Pages are loaded one after another by one BrowserFetcher. Latency is Load() wall time "
        "(including a chromedriver start when the previous browser was retired). Peak RSS is "
        "sampled every 20 ms over every process of the browser's group (chromedriver + "
        "Chromium's processes, VmRSS summed; PSS from smaps_rollup, which splits shared pages "
        "between the processes sharing them); \"measured by the fetcher\" is what it compares "
        "with its memory limit (sampled at each 50 ms poll of a page and before its session closes). "
        "Summed VmRSS counts pages shared between Chromium's processes once per process: an "
        "upper bound.\n\n"
     << "| scenario | pages ok / failed | pages per minute | median page ms | p90 page ms | "
        "browsers started | peak group RSS (sampled) | peak group PSS (sampled) | "
        "max RSS measured by the fetcher |\n"
     << "|---|---|---|---|---|---|---|---|---|\n";
  for (const Scenario& s : scenarios) {
    md << "| " << s.name << " | " << s.ok << " / " << s.failed << " | "
       << Fixed(s.ok / s.seconds * 60, 1) << " | " << Fixed(Percentile(s.latencies_ms, 0.5), 0)
       << " | " << Fixed(Percentile(s.latencies_ms, 0.9), 0) << " | " << s.browsers_started
       << " | " << Fixed(s.peak_sampled_rss / 1048576.0, 0) << " MiB | "
       << Fixed(s.peak_sampled_pss / 1048576.0, 0) << " MiB | "
       << Fixed(s.peak_after_page_rss / 1048576.0, 0) << " MiB |\n";
  }
  const Scenario& a = scenarios[0];
  const Scenario& b = scenarios[1];
  md << "\nReusing the browser for 20 pages is "
     << Fixed((a.ok / a.seconds) / (b.ok / b.seconds), 2)
     << "× the throughput of a fresh browser per page (ratio of pages per minute, same run). "
     << "Browser groups left after the run: " << left << ".\n";
  for (const Scenario& s : scenarios)
    if (!s.first_error.empty()) md << "\nFirst failure in \"" << s.name << "\": " << s.first_error << "\n";
  std::ofstream(out_path) << md.str();
  std::cout << md.str();
  return scenarios[0].failed + scenarios[1].failed > 0 ? 1 : 0;
}

}  // namespace
}  // namespace ct

int main(int argc, char** argv) { return ct::Main(argc, argv); }
