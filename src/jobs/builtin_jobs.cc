#include "jobs/builtin_jobs.h"

#include <nlohmann/json.hpp>

#include "jobs/payload_rules.h"
#include "jobs/queue_factory.h"
#include "jobs/reanalyze_job.h"
#include "jobs/scrape_jobs.h"
#include "jobs/test_jobs.h"

namespace ct {

BuiltinJobOptions BuiltinJobOptionsFromConfig(const AppConfig& config, const Environment& env) {
  BuiltinJobOptions o;
  o.backup.database_url = config.store.database_url;
  o.backup.data_dir = config.data_dir;
  auto it = env.find("COMPLAINTS_TEST_JOBS");
  o.test_jobs = it != env.end() && it->second == "1";
  o.scrape.config = config;
  o.scrape.env = env;
  return o;
}

Status RegisterBuiltinJobs(JobRegistry& registry, const BuiltinJobOptions& options,
                           const Clock& clock) {
  const BackupOptions backup = options.backup;
  CT_RETURN_IF_ERROR(registry.Register(
      {"backup", JobIsolation::kIsolated,
       [](const nlohmann::json& p) { return payload::OnlyKeys(p, {}); },
       [backup, &clock](JobContext& ctx) { return RunBackup(backup, clock, ctx); },
       "verified copy of the database, then retention"}));
  // The daily `prune` schedule: finished jobs whose results expired, in whichever queue this
  // configuration uses (the child opens its own connection).
  const AppConfig config = options.scrape.config;
  CT_RETURN_IF_ERROR(registry.Register(
      {"prune", JobIsolation::kIsolated,
       [](const nlohmann::json& p) { return payload::OnlyKeys(p, {}); },
       [config, &clock](JobContext&) -> Result<std::string> {
         CT_ASSIGN_OR_RETURN(std::unique_ptr<JobQueue> queue, OpenJobQueue(config, clock));
         CT_ASSIGN_OR_RETURN(int pruned, queue->Prune());
         return nlohmann::json{{"pruned", pruned}}.dump();
       },
       "delete finished jobs whose results expired"}));
  CT_RETURN_IF_ERROR(
      RegisterReanalyzeJob(registry, ReanalyzeJobOptions{config, options.taxonomy_path}, clock));
  CT_RETURN_IF_ERROR(RegisterScrapeJobs(registry, ScrapeJobDeps{options.scrape, clock}));
  if (options.test_jobs) CT_RETURN_IF_ERROR(RegisterTestJobs(registry));
  return Status::Ok();
}

}  // namespace ct
