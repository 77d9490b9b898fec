// bench_sources: the sources benchmark (issue #4). Run through bench/sources/run.sh
// (`make bench-sources`); docs/benchmarks.md says how to read it.
//
//   1. Parse throughput per adapter: each adapter's fixture grown to a real page
//      (bench_pages.h), parsed over and over; items/s per CPU second and per wall second, the
//      median of --runs runs of at least --min-seconds each.
//   2. End-to-end ingestion: SYNTHETIC Hacker News and Reddit pages served over real HTTP by a
//      local server (127.0.0.1), scraped through ScrapeSession / Scraper exactly as the scrape
//      job does (Fetcher -> adapter -> Analyzer -> Store::UpsertPosts), into a fresh SQLite file
//      and a fresh database of a throw-away PostgreSQL server (tests/support/pg_server.h).
//      Every run must store every item (checked), else the benchmark fails.
//   3. Stages: the same pages, one stage at a time (fetch only, parse only, analyse only, upsert
//      only) to show where the time goes.
// Writes <out>/sources.json and <out>/sources.md.
#include <sys/resource.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <chrono>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iostream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "analysis/analyzer.h"
#include "bench/sources/bench_pages.h"
#include "core/clock.h"
#include "core/config.h"
#include "core/time_format.h"
#include "fetch/http_client.h"
#include "fetch/testing/local_http_server.h"
#include "sources/scrape_session.h"
#include "sources/source_registry.h"
#include "store/store.h"
#include "support/pg_server.h"

namespace ct::bench {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

struct Options {
  std::string fixtures = CT_SOURCE_DIR "/tests/fixtures/sources";
  std::string out = CT_SOURCE_DIR "/bench/results";
  std::string work = CT_SOURCE_DIR "/bench/work/sources";
  int parse_runs = 5;
  double min_seconds = 0.5;
  int ingest_runs = 3;
  int items = 20'000;  // per ingestion run, half Hacker News, half Reddit
  int per_page = 100;
  std::vector<std::string> stores = {"sqlite", "postgresql"};
  std::uint64_t seed = 42;
  std::string label;    // a note for the report ("before"/"after" a change)
  std::string command;  // as run, for the report
};

double WallNow() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}
double ThreadCpuNow() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}
double ProcessCpuNow() {
  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  auto sec = [](const timeval& tv) {
    return static_cast<double>(tv.tv_sec) + static_cast<double>(tv.tv_usec) * 1e-6;
  };
  return sec(ru.ru_utime) + sec(ru.ru_stime);
}
std::string LoadAverage() {
  std::ifstream in("/proc/loadavg");
  std::string one, five, fifteen;
  in >> one >> five >> fifteen;
  return one + " " + five + " " + fifteen;
}
std::string CpuModel() {
  std::ifstream in("/proc/cpuinfo");
  for (std::string line; std::getline(in, line);) {
    if (line.rfind("model name", 0) == 0) return line.substr(line.find(':') + 2);
  }
  return "unknown CPU";
}
double Median(std::vector<double> v) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  const std::size_t n = v.size();
  return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}
std::string Fixed(double v, int digits = 0) {
  std::ostringstream ss;
  ss.setf(std::ios::fixed);
  ss.precision(digits);
  ss << v;
  std::string s = ss.str();
  // Thousands separators on the integer part.
  const std::size_t dot = s.find('.');
  std::size_t end = dot == std::string::npos ? s.size() : dot;
  const std::size_t start = s[0] == '-' ? 1 : 0;
  for (std::ptrdiff_t at = static_cast<std::ptrdiff_t>(end) - 3;
       at > static_cast<std::ptrdiff_t>(start); at -= 3)
    s.insert(static_cast<std::size_t>(at), ",");
  return s;
}

// What each workload's source looks like in a config (the adapters read these).
SourceSpec SpecFor(const std::string& kind) {
  SourceSpec s;
  s.name = kind;
  s.kind = kind;
  if (kind == "discourse") s.base_url = "https://community.ovhcloud.com";
  if (kind == "rss") s.base_url = "https://blog.example.org/feed.xml";
  if (kind == "nitter") s.base_url = "https://nitter.example.org";
  if (kind == "mastodon") s.instances = {"https://mastodon.social"};
  if (kind == "html") {
    s.base_url = "https://forum.example.fr/forum/search?q={query}";
    s.options = {{"item", "//article[@class='thread']"},
                 {"title", ".//h2"},
                 {"url", ".//h2/a/@href"},
                 {"id", "string(@data-id)"},
                 {"author", ".//span[@class='author']"},
                 {"date", ".//time/@datetime"},
                 {"content", ".//div[@class='body']"}};
  }
  return s;
}

// ---- 1. parse ------------------------------------------------------------------------------

Result<json> BenchParse(const Options& o) {
  CT_ASSIGN_OR_RETURN(std::vector<ParseWorkload> workloads, BuildParseWorkloads(o.fixtures));
  const SourceRegistry registry = SourceRegistry::Builtin();
  json rows = json::array();
  for (const ParseWorkload& w : workloads) {
    const SourceAdapter* adapter = registry.Find(w.kind);
    if (!adapter) return Status::NotFound("no adapter " + w.kind);
    const SourceSpec spec = SpecFor(w.kind);
    CT_ASSIGN_OR_RETURN(std::vector<HttpRequest> first,
                        adapter->FirstRequests(spec, w.query, std::nullopt));
    ParseContext ctx;
    ctx.spec = &spec;
    ctx.query = w.query;
    ctx.request = first.front();
    if (w.fixture.rfind("reddit/search.rss", 0) == 0)
      ctx.request.url = "https://www.reddit.com/search.rss?q=ovh&sort=new";
    ctx.collected_at = 1'747'300'000;
    // Checked once: the grown page must parse into every item.
    CT_ASSIGN_OR_RETURN(ParsedPage check, adapter->Parse(ctx, w.body));
    const int expected = w.items - w.skipped;
    if (static_cast<int>(check.posts.size()) != expected)
      return Status::Internal(w.fixture + ": parsed " + std::to_string(check.posts.size()) +
                              " items, expected " + std::to_string(expected));
    std::vector<double> cpu_rates, wall_rates;
    std::int64_t pages_per_run = 0;
    for (int run = 0; run < o.parse_runs; ++run) {
      const double w0 = WallNow(), c0 = ThreadCpuNow();
      std::int64_t pages = 0, items = 0;
      double w1 = w0, c1 = c0;
      while (w1 - w0 < o.min_seconds) {
        for (int i = 0; i < 8; ++i) {
          Result<ParsedPage> page = adapter->Parse(ctx, w.body);
          if (!page.ok()) return page.status();
          items += static_cast<std::int64_t>(page->posts.size());
          ++pages;
        }
        w1 = WallNow();
        c1 = ThreadCpuNow();
      }
      cpu_rates.push_back(static_cast<double>(items) / (c1 - c0));
      wall_rates.push_back(static_cast<double>(items) / (w1 - w0));
      pages_per_run = pages;
    }
    const double cpu = Median(cpu_rates);
    rows.push_back(
        {{"kind", w.kind},
         {"fixture", w.fixture},
         {"fixture_items", w.fixture_items},
         {"fixture_bytes", w.fixture_bytes},
         {"items_per_page", expected},
         {"entries_per_page", w.items},
         {"page_bytes", w.body.size()},
         {"page_size_basis", w.why},
         {"runs", o.parse_runs},
         {"pages_last_run", pages_per_run},
         {"items_per_cpu_s", cpu_rates},
         {"items_per_wall_s", wall_rates},
         {"median_items_per_cpu_s", cpu},
         {"median_items_per_wall_s", Median(wall_rates)},
         {"median_mb_per_cpu_s", cpu / expected * static_cast<double>(w.body.size()) / 1e6}});
    std::cerr << "parse " << w.fixture << ": " << Fixed(cpu) << " items/CPU s\n";
  }
  return rows;
}

// ---- 2. end-to-end ingestion ----------------------------------------------------------------

struct Served {
  IngestPages hn, reddit;
};

testing::ServerReply Serve(const Served& pages, const testing::ServerRequest& r) {
  auto reply = [](const std::string& body) {
    return testing::ServerReply{.headers = {{"Content-Type", "application/json; charset=utf-8"}},
                                .body = body};
  };
  if (r.path == "/hackernews/api/v1/search_by_date") {
    const int page = std::atoi(r.Param("page").c_str());
    if (page >= 0 && page < static_cast<int>(pages.hn.bodies.size()))
      return reply(pages.hn.bodies[static_cast<std::size_t>(page)]);
  } else if (r.path == "/reddit/search.json") {
    const std::string after = r.Param("after");
    if (after.empty()) return reply(pages.reddit.bodies.front());
    auto it = pages.reddit.page_after.find(after);
    if (it != pages.reddit.page_after.end())
      return reply(pages.reddit.bodies[static_cast<std::size_t>(it->second)]);
  }
  return {.status = 404, .body = "bench: no page for " + r.target + "\n"};
}

AppConfig IngestConfig(const Options& o, const std::string& database_url,
                       const std::string& data_dir, const std::string& server_url,
                       const Served& pages) {
  AppConfig config;
  config.data_dir = data_dir;
  config.store.database_url = database_url;
  config.fetch.allow_networks = {"127.0.0.1/32"};
  config.fetch.host_requests_per_second = 1e6;
  config.sources.clear();
  for (const auto& [kind, n] : {std::pair{std::string("hackernews"), pages.hn.bodies.size()},
                                std::pair{std::string("reddit"), pages.reddit.bodies.size()}}) {
    SourceConfig s;
    s.name = kind;
    s.kind = kind;
    s.base_url = server_url + "/" + kind;
    s.queries = {"ovh"};
    s.page_size = o.per_page;
    s.max_pages = static_cast<int>(n);
    s.requests_per_minute = 1e9;
    s.burst = 1'000'000;
    config.sources.push_back(s);
  }
  return config;
}

struct IngestRun {
  double wall_s = 0, cpu_s = 0;
  std::int64_t pages = 0, fetched = 0, inserted = 0;
};

Result<IngestRun> RunIngestOnce(const Options& o, const std::string& database_url,
                                const std::string& data_dir, const std::string& server_url,
                                const Served& pages, const Clock& clock, std::size_t upsert_batch) {
  const AppConfig config = IngestConfig(o, database_url, data_dir, server_url, pages);
  CT_ASSIGN_OR_RETURN(std::unique_ptr<ScrapeSession> session,
                      ScrapeSession::Open(config, {}, clock));
  IngestRun run;
  ScrapeHooks hooks;
  hooks.upsert_batch = upsert_batch;
  const double w0 = WallNow(), c0 = ProcessCpuNow();
  for (const SourceConfig& s : config.sources) {
    CT_ASSIGN_OR_RETURN(SourceScrapeResult r,
                        session->ScrapeSource(s, session->QueriesOf(s, std::nullopt), hooks));
    run.pages += r.total.pages;
    run.fetched += r.total.fetched;
    run.inserted += r.total.inserted;
  }
  run.wall_s = WallNow() - w0;
  run.cpu_s = ProcessCpuNow() - c0;
  const std::int64_t expected = pages.hn.items + pages.reddit.items;
  if (run.inserted != expected || run.fetched != expected)
    return Status::Internal("ingestion stored " + std::to_string(run.inserted) + " and fetched " +
                            std::to_string(run.fetched) + " of " + std::to_string(expected) +
                            " items");
  return run;
}

// ---- 3. stages --------------------------------------------------------------------------------

// Wall and CPU (this thread) seconds of each stage.
struct Stages {
  double fetch_s = 0, parse_s = 0, analyse_s = 0, upsert_s = 0;
  double fetch_cpu_s = 0, parse_cpu_s = 0, analyse_cpu_s = 0, upsert_cpu_s = 0;
  // The upsert stage again with other batch sizes: 1000 items per UpsertPosts, and every item in
  // one BulkUpsertPosts (what `complaints import` uses).
  double upsert_1000_s = 0, upsert_1000_cpu_s = 0, upsert_bulk_s = 0, upsert_bulk_cpu_s = 0;
};

Result<Stages> RunStages(const Options& o, const std::function<Result<std::string>()>& new_database,
                         const std::string& server_url, const Served& pages, const Clock& clock) {
  Stages st;
  const SourceRegistry registry = SourceRegistry::Builtin();
  HttpClientOptions ho;
  ho.guard = SsrfGuard::FromStrings({"127.0.0.1/32"}).value();
  std::unique_ptr<HttpClient> client = MakeCurlHttpClient(ho);
  // (kind, request, body): the requests the scrape makes, in order.
  struct Page {
    std::string kind;
    HttpRequest request;
    std::string body;
  };
  std::vector<Page> fetched;
  double t0 = WallNow(), c0 = ThreadCpuNow();
  for (const std::string kind : {"hackernews", "reddit"}) {
    SourceSpec spec = SpecFor(kind);
    spec.base_url = server_url + "/" + kind;
    spec.page_size = o.per_page;
    const SourceAdapter* adapter = registry.Find(kind);
    CT_ASSIGN_OR_RETURN(std::vector<HttpRequest> first,
                        adapter->FirstRequests(spec, "ovh", std::nullopt));
    std::optional<HttpRequest> next = first.front();
    while (next) {
      CT_ASSIGN_OR_RETURN(HttpResponse r, client->Send(*next));
      if (r.status != 200) return Status::Internal("stage fetch: HTTP " + std::to_string(r.status));
      // The next page's URL comes from parsing; not counted in the fetch stage.
      const double p0 = WallNow(), pc0 = ThreadCpuNow();
      ParseContext ctx;
      ctx.spec = &spec;
      ctx.query = "ovh";
      ctx.request = *next;
      CT_ASSIGN_OR_RETURN(ParsedPage parsed, adapter->Parse(ctx, r.body));
      t0 += WallNow() - p0;
      c0 += ThreadCpuNow() - pc0;
      fetched.push_back({kind, *next, std::move(r.body)});
      next = parsed.next;
    }
  }
  st.fetch_s = WallNow() - t0;
  st.fetch_cpu_s = ThreadCpuNow() - c0;

  std::vector<std::vector<Post>> posts;
  t0 = WallNow();
  c0 = ThreadCpuNow();
  for (const Page& p : fetched) {
    SourceSpec spec = SpecFor(p.kind);
    spec.base_url = server_url + "/" + p.kind;
    ParseContext ctx;
    ctx.spec = &spec;
    ctx.query = "ovh";
    ctx.request = p.request;
    ctx.collected_at = clock.NowSeconds();
    CT_ASSIGN_OR_RETURN(ParsedPage parsed, registry.Find(p.kind)->Parse(ctx, p.body));
    posts.push_back(std::move(parsed.posts));
  }
  st.parse_s = WallNow() - t0;
  st.parse_cpu_s = ThreadCpuNow() - c0;

  CT_ASSIGN_OR_RETURN(Taxonomy taxonomy, Taxonomy::Embedded());
  CT_ASSIGN_OR_RETURN(std::unique_ptr<Analyzer> analyzer,
                      Analyzer::Create(AnalyzerOptions{}, std::move(taxonomy)));
  t0 = WallNow();
  c0 = ThreadCpuNow();
  for (std::vector<Post>& page : posts)
    for (Post& p : page) Analyzer::Apply(analyzer->Analyze(p), &p);
  st.analyse_s = WallNow() - t0;
  st.analyse_cpu_s = ThreadCpuNow() - c0;

  const std::int64_t expected = pages.hn.items + pages.reddit.items;
  // batch: 0 = one UpsertPosts per page (as the Scraper), -1 = one BulkUpsertPosts, else items.
  auto upsert = [&](int batch, double* wall, double* cpu) -> Status {
    CT_ASSIGN_OR_RETURN(std::string database_url, new_database());
    StoreConfig sc;
    sc.database_url = database_url;
    CT_ASSIGN_OR_RETURN(std::unique_ptr<Store> store, OpenStore(sc, clock));
    const double w0 = WallNow(), c0 = ThreadCpuNow();
    std::int64_t inserted = 0;
    if (batch < 0) {
      std::size_t next = 0;
      CT_ASSIGN_OR_RETURN(UpsertSummary s,
                          store->BulkUpsertPosts([&]() -> Result<std::vector<Post>> {
                            if (next >= posts.size()) return std::vector<Post>{};
                            return posts[next++];
                          }));
      inserted = s.inserted;
    } else {
      std::vector<Post> pending;
      for (std::size_t i = 0; i < posts.size(); ++i) {
        pending.insert(pending.end(), posts[i].begin(), posts[i].end());
        if (static_cast<int>(pending.size()) < batch && i + 1 < posts.size()) continue;
        CT_ASSIGN_OR_RETURN(UpsertSummary s, store->UpsertPosts(pending));
        inserted += s.inserted;
        pending.clear();
      }
    }
    *wall = WallNow() - w0;
    *cpu = ThreadCpuNow() - c0;
    if (inserted != expected)
      return Status::Internal("stage upsert stored " + std::to_string(inserted) + " of " +
                              std::to_string(expected) + " items");
    return Status::Ok();
  };
  CT_RETURN_IF_ERROR(upsert(0, &st.upsert_s, &st.upsert_cpu_s));
  CT_RETURN_IF_ERROR(upsert(1000, &st.upsert_1000_s, &st.upsert_1000_cpu_s));
  CT_RETURN_IF_ERROR(upsert(-1, &st.upsert_bulk_s, &st.upsert_bulk_cpu_s));
  return st;
}

Result<json> BenchIngest(const Options& o) {
  const int pages_per_source = std::max(1, o.items / 2 / o.per_page);
  Served pages{BuildHackerNewsPages(pages_per_source, o.per_page, o.seed),
               BuildRedditPages(pages_per_source, o.per_page, o.seed + 1)};
  testing::LocalHttpServer server(
      [&pages](const testing::ServerRequest& r) { return Serve(pages, r); });
  CT_RETURN_IF_ERROR(server.Start());
  const std::string url = server.Url("");
  SystemClock clock;
  std::unique_ptr<testing::PgServer> pg;
  json out = json::object();
  out["items_per_run"] = pages.hn.items + pages.reddit.items;
  out["pages_per_run"] = pages.hn.bodies.size() + pages.reddit.bodies.size();
  out["bytes_per_run"] = pages.hn.bytes + pages.reddit.bytes;
  out["items_per_page"] = o.per_page;
  out["stores"] = json::object();
  int db = 0;
  for (const std::string& store : o.stores) {
    auto new_database = [&]() -> Result<std::string> {
      ++db;
      if (store == "sqlite") {
        const fs::path file = fs::path(o.work) / ("ingest_" + std::to_string(db) + ".db");
        for (const char* ext : {"", "-wal", "-shm"}) fs::remove(file.string() + ext);
        return "sqlite:" + file.string();
      }
      if (!pg) {
        CT_ASSIGN_OR_RETURN(pg, testing::PgServer::Start());
      }
      return pg->CreateDatabase();
    };
    if (store != "sqlite" && store != "postgresql")
      return Status::InvalidArgument("unknown store '" + store + "' (sqlite, postgresql)");
    // The Scraper as it is (1000 posts per transaction) and as it was (one per page),
    // alternating run by run so that both see the same machine load.
    struct Variant {
      const char* name;
      std::size_t upsert_batch;
      std::vector<double> rates, cpu_rates, walls;
      json runs = json::array();
    };
    Variant variants[] = {{"batch_1000", 1000, {}, {}, {}}, {"per_page", 0, {}, {}, {}}};
    for (int run = 0; run < o.ingest_runs; ++run) {
      for (int k = 0; k < 2; ++k) {
        Variant& v = variants[(run + k) % 2];
        CT_ASSIGN_OR_RETURN(std::string database_url, new_database());
        const fs::path data_dir = fs::path(o.work) / ("data_" + std::to_string(db));
        fs::remove_all(data_dir);
        fs::create_directories(data_dir);
        CT_ASSIGN_OR_RETURN(IngestRun r, RunIngestOnce(o, database_url, data_dir.string(), url,
                                                       pages, clock, v.upsert_batch));
        v.rates.push_back(static_cast<double>(r.inserted) / r.wall_s);
        v.cpu_rates.push_back(static_cast<double>(r.inserted) / r.cpu_s);
        v.walls.push_back(r.wall_s);
        v.runs.push_back({{"run", run + 1},
                          {"wall_s", r.wall_s},
                          {"process_cpu_s", r.cpu_s},
                          {"pages", r.pages},
                          {"inserted", r.inserted}});
        std::cerr << "ingest " << store << " " << v.name << " run " << run + 1 << ": "
                  << Fixed(v.rates.back()) << " items/s (" << Fixed(r.wall_s, 2) << " s)\n";
      }
    }
    json variant_json = json::object();
    for (const Variant& v : variants) {
      variant_json[v.name] = {
          {"upsert_batch", v.upsert_batch},
          {"runs", v.runs},
          {"median_items_per_s", Median(v.rates)},
          {"median_items_per_process_cpu_s", Median(v.cpu_rates)},
          {"min_items_per_s", *std::min_element(v.rates.begin(), v.rates.end())},
          {"max_items_per_s", *std::max_element(v.rates.begin(), v.rates.end())},
          {"median_wall_s", Median(v.walls)}};
    }
    std::vector<double> paired;  // run by run: batch_1000 items/s over per_page items/s
    for (std::size_t i = 0; i < variants[0].rates.size(); ++i)
      paired.push_back(variants[0].rates[i] / variants[1].rates[i]);
    variant_json["median_paired_ratio"] = Median(paired);
    CT_ASSIGN_OR_RETURN(Stages st, RunStages(o, new_database, url, pages, clock));
    std::cerr << "stages " << store << ": fetch " << Fixed(st.fetch_s, 2) << " s, parse "
              << Fixed(st.parse_s, 2) << " s, analyse " << Fixed(st.analyse_s, 2) << " s, upsert "
              << Fixed(st.upsert_s, 2) << " s\n";
    out["stores"][store] = {
        {"scraper", variant_json},
        {"stages_s",
         {{"fetch", st.fetch_s},
          {"parse", st.parse_s},
          {"analyse", st.analyse_s},
          {"upsert", st.upsert_s}}},
        {"stages_thread_cpu_s",
         {{"fetch", st.fetch_cpu_s},
          {"parse", st.parse_cpu_s},
          {"analyse", st.analyse_cpu_s},
          {"upsert", st.upsert_cpu_s}}},
        {"upsert_batches",
         {{"per_page", {{"wall_s", st.upsert_s}, {"cpu_s", st.upsert_cpu_s}}},
          {"1000", {{"wall_s", st.upsert_1000_s}, {"cpu_s", st.upsert_1000_cpu_s}}},
          {"bulk", {{"wall_s", st.upsert_bulk_s}, {"cpu_s", st.upsert_bulk_cpu_s}}}}}};
  }
  server.Stop();
  return out;
}

// ---- report -----------------------------------------------------------------------------------

std::string Markdown(const Options& o, const json& r) {
  std::ostringstream md;
  md << "# Sources: parse and ingestion throughput\n\n"
     << "Generated by `" << r["command"].get<std::string>() << "` on "
     << r["date"].get<std::string>() << " — " << r["cpu"].get<std::string>() << ", "
     << r["nproc"].get<int>() << " cores, load average " << r["load_before"].get<std::string>()
     << " before / " << r["load_after"].get<std::string>()
     << " after (1, 5, 15 min). The machine is shared: other builds and tests ran at the same "
        "time, so wall-clock figures are low and noisy; parse figures are also given per CPU "
        "second of the parsing thread.";
  if (!o.label.empty()) md << " Label: " << o.label << ".";
  md << " How to read it: docs/benchmarks.md.\n\n";
  if (r.contains("parse")) {
    md << "## Parse throughput per adapter\n\n"
       << "Each adapter's fixture (tests/fixtures/sources/) grown to a real page of its source by "
          "repeating its items (JSON items get distinct ids), then parsed over and over by the "
          "adapter: median of "
       << o.parse_runs << " runs of at least " << o.min_seconds << " s each.\n\n"
       << "| adapter | fixture (items, bytes) | page: items | page bytes | items/s per CPU s "
          "(median) | items/s wall (median) | MB/s per CPU s | page size from |\n"
       << "|---|---|---:|---:|---:|---:|---:|---|\n";
    for (const json& row : r["parse"]) {
      md << "| " << row["kind"].get<std::string>() << " | `" << row["fixture"].get<std::string>()
         << "` (" << row["fixture_items"].get<int>() << ", "
         << Fixed(row["fixture_bytes"].get<double>()) << ") | " << row["items_per_page"].get<int>()
         << " | " << Fixed(row["page_bytes"].get<double>()) << " | **"
         << Fixed(row["median_items_per_cpu_s"].get<double>()) << "** | "
         << Fixed(row["median_items_per_wall_s"].get<double>()) << " | "
         << Fixed(row["median_mb_per_cpu_s"].get<double>(), 1) << " | "
         << row["page_size_basis"].get<std::string>() << " |\n";
    }
    md << "\n";
  }
  if (r.contains("ingest")) {
    const json& in = r["ingest"];
    md << "## End-to-end ingestion\n\n"
       << Fixed(in["items_per_run"].get<double>()) << " SYNTHETIC items per run (half Hacker News, "
       << "half Reddit JSON listings; " << in["items_per_page"].get<int>() << " items a page, "
       << Fixed(in["pages_per_run"].get<double>()) << " pages, "
       << Fixed(in["bytes_per_run"].get<double>() / 1e6, 1)
       << " MB of JSON) served over HTTP by a local server on 127.0.0.1, scraped through "
          "ScrapeSession / Scraper (Fetcher with its rate limits raised out of the way -> adapter "
          "-> Analyzer -> Store::UpsertPosts) into a fresh database each run, once with the "
          "Scraper as it is (ScrapeHooks::upsert_batch = 1000: up to 1000 posts per "
          "transaction) and once as it was (upsert_batch = 0: one transaction per page), "
          "alternating. Every run stored every item (checked). Median of "
       << o.ingest_runs << " runs of each.\n\n"
       << "| store | Scraper upserts | items/s (median) | min – max | wall s (median) | items "
          "per process CPU s |\n"
       << "|---|---|---:|---:|---:|---:|\n";
    for (const auto& [name, s] : in["stores"].items()) {
      for (const char* variant : {"batch_1000", "per_page"}) {
        const json& v = s["scraper"][variant];
        md << "| " << name << " | "
           << (std::string(variant) == "per_page" ? "one transaction per page (before)"
                                                  : "1000 posts per transaction (now)")
           << " | **" << Fixed(v["median_items_per_s"].get<double>()) << "** | "
           << Fixed(v["min_items_per_s"].get<double>()) << " – "
           << Fixed(v["max_items_per_s"].get<double>()) << " | "
           << Fixed(v["median_wall_s"].get<double>(), 2) << " | "
           << Fixed(v["median_items_per_process_cpu_s"].get<double>()) << " |\n";
      }
    }
    md << "\nNow / before, the median of the run-by-run ratios of items/s (the two variants "
          "alternate, so each pair ran under about the same load):";
    const char* sep = " ";
    for (const auto& [name, s] : in["stores"].items()) {
      md << sep << name << " **" << Fixed(s["scraper"]["median_paired_ratio"].get<double>(), 2)
         << "**";
      sep = ", ";
    }
    md << ".\n";
    md << "\nStages (wall s, this thread's CPU s in brackets):\n\n"
       << "| store | fetch | parse | analyse | upsert |\n|---|---:|---:|---:|---:|\n";
    for (const auto& [name, s] : in["stores"].items()) {
      const json& st = s["stages_s"];
      const json& cpu = s["stages_thread_cpu_s"];
      auto stage = [&](const char* k) {
        return Fixed(st[k].get<double>(), 2) + " (" + Fixed(cpu[k].get<double>(), 2) + ")";
      };
      md << "| " << name << " | " << stage("fetch") << " | " << stage("parse") << " | "
         << stage("analyse") << " | " << stage("upsert") << " |\n";
    }
    if (in["stores"].contains("sqlite") && in["stores"].contains("postgresql")) {
      md << "\nSQLite / PostgreSQL items/s (now): "
         << Fixed(in["stores"]["sqlite"]["scraper"]["batch_1000"]["median_items_per_s"]
                          .get<double>() /
                      in["stores"]["postgresql"]["scraper"]["batch_1000"]["median_items_per_s"]
                          .get<double>(),
                  2)
         << ".\n";
    }
    md << "\nUpsert batch size (the upsert stage again, each into a fresh database; wall s, this "
          "thread's CPU s in brackets):\n\n"
       << "| store | one UpsertPosts per page (" << in["items_per_page"].get<int>()
       << " items) | 1000 items per UpsertPosts | one BulkUpsertPosts |\n"
       << "|---|---:|---:|---:|\n";
    for (const auto& [name, s] : in["stores"].items()) {
      const json& b = s["upsert_batches"];
      auto cell = [&](const char* k) {
        return Fixed(b[k]["wall_s"].get<double>(), 2) + " (" +
               Fixed(b[k]["cpu_s"].get<double>(), 2) + ")";
      };
      md << "| " << name << " | " << cell("per_page") << " | " << cell("1000") << " | "
         << cell("bulk") << " |\n";
    }
    md << "\nStages: the same pages once more, one stage at a time, single-threaded (fetch = "
          "HTTP GETs only; upsert = Store::UpsertPosts per page into another fresh database). "
          "Items per process CPU s counts this process only (the PostgreSQL server's CPU is not "
          "in it).\n";
  }
  return md.str();
}

int Main(int argc, char** argv) {
  Options o;
  bool skip_parse = false, skip_ingest = false;
  CLI::App app{"bench_sources: adapter parse throughput and end-to-end ingestion"};
  app.add_option("--fixtures", o.fixtures, "fixtures folder");
  app.add_option("--out", o.out, "where sources.md and sources.json are written");
  app.add_option("--work", o.work, "scratch folder (SQLite files, state)");
  app.add_option("--parse-runs", o.parse_runs)->check(CLI::PositiveNumber);
  app.add_option("--min-seconds", o.min_seconds, "per parse run")->check(CLI::PositiveNumber);
  app.add_option("--ingest-runs", o.ingest_runs)->check(CLI::PositiveNumber);
  app.add_option("--items", o.items, "items per ingestion run")->check(CLI::Range(200, 10'000'000));
  app.add_option("--per-page", o.per_page)->check(CLI::Range(1, 1000));
  app.add_option("--stores", o.stores, "sqlite and/or postgresql")->delimiter(',');
  app.add_option("--seed", o.seed);
  app.add_option("--label", o.label, "a note in the report");
  app.add_flag("--skip-parse", skip_parse);
  app.add_flag("--skip-ingest", skip_ingest);
  CLI11_PARSE(app, argc, argv);
  for (int i = 0; i < argc; ++i) o.command += (i ? " " : "") + std::string(argv[i]);
  if (const char* cmd = std::getenv("BENCH_COMMAND")) o.command = cmd;
  fs::create_directories(o.work);
  fs::create_directories(o.out);

  json r;
  r["command"] = o.command;
  r["date"] = FormatIso8601(SystemClock().NowSeconds());
  r["cpu"] = CpuModel();
  r["nproc"] = static_cast<int>(sysconf(_SC_NPROCESSORS_ONLN));
  r["load_before"] = LoadAverage();
  r["label"] = o.label;
  if (!skip_parse) {
    auto parse = BenchParse(o);
    if (!parse.ok()) {
      std::cerr << "bench_sources: parse: " << parse.status().ToString() << "\n";
      return 1;
    }
    r["parse"] = *parse;
  }
  if (!skip_ingest) {
    auto ingest = BenchIngest(o);
    if (!ingest.ok()) {
      std::cerr << "bench_sources: ingest: " << ingest.status().ToString() << "\n";
      return 1;
    }
    r["ingest"] = *ingest;
  }
  r["load_after"] = LoadAverage();
  std::ofstream(fs::path(o.out) / "sources.json") << r.dump(2) << "\n";
  std::ofstream(fs::path(o.out) / "sources.md") << Markdown(o, r);
  std::cerr << "wrote " << (fs::path(o.out) / "sources.md").string() << " and sources.json\n";
  return 0;
}

}  // namespace
}  // namespace ct::bench

int main(int argc, char** argv) { return ct::bench::Main(argc, argv); }
