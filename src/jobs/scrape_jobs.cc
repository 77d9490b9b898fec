#include "jobs/scrape_jobs.h"

#include <nlohmann/json.hpp>

#include "jobs/payload_rules.h"

namespace ct {
namespace {

Status ValidateScrape(const nlohmann::json& p) {
  CT_RETURN_IF_ERROR(payload::OnlyKeys(p, {"source", "query", "limit"}));
  CT_RETURN_IF_ERROR(payload::RequiredString(p, "source"));
  CT_RETURN_IF_ERROR(payload::OptionalString(p, "query"));
  return payload::OptionalInt(p, "limit", 1, 10'000);
}

Status ValidateScrapeAll(const nlohmann::json& p) {
  CT_RETURN_IF_ERROR(payload::OnlyKeys(p, {"sources", "queries"}));
  CT_RETURN_IF_ERROR(payload::OptionalStringArray(p, "sources"));
  return payload::OptionalStringArray(p, "queries");
}

Status ValidateAutoScrape(const nlohmann::json& p) { return payload::OnlyKeys(p, {}); }

// The first source a payload names, or "*" (every configured source).
std::string FirstSource(const std::string& payload_json) {
  nlohmann::json p = nlohmann::json::parse(payload_json, nullptr, false);
  if (p.is_object()) {
    if (auto it = p.find("source"); it != p.end() && it->is_string()) return it->get<std::string>();
    if (auto it = p.find("sources"); it != p.end() && it->is_array() && !it->empty() &&
                                     (*it)[0].is_string()) {
      return (*it)[0].get<std::string>();
    }
  }
  return "*";
}

Result<std::string> NoAdapter(JobContext& ctx) {
  return Status::FailedPrecondition("no adapter for source " + FirstSource(ctx.payload_json()));
}

}  // namespace

Status RegisterScrapeJobs(JobRegistry& registry) {
  CT_RETURN_IF_ERROR(registry.Register({"scrape", JobIsolation::kIsolated, ValidateScrape,
                                        NoAdapter, "collect posts from one source"}));
  CT_RETURN_IF_ERROR(registry.Register({"scrape_all", JobIsolation::kIsolated, ValidateScrapeAll,
                                        NoAdapter, "collect posts from several sources"}));
  return registry.Register({"auto_scrape", JobIsolation::kIsolated, ValidateAutoScrape, NoAdapter,
                            "collect from every enabled source with its default queries"});
}

}  // namespace ct
