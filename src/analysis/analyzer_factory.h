// The Analyzer of a company profile ([company] in the config): its name, brand terms, domains
// and relevance threshold, with the taxonomy file it names (company.taxonomy), else the
// taxonomy built into the binary. Every analysis goes through here — scrapes, `complaints
// parse`, `complaints analyze`, the reanalyze job — so they all judge posts alike.
#pragma once

#include <memory>
#include <string>

#include "analysis/analyzer.h"
#include "core/status.h"

namespace ct {

struct CompanyConfig;

// `taxonomy_override`, when not empty, is used instead of company.taxonomy (`complaints analyze
// --taxonomy FILE`). A taxonomy that does not load fails with its path in the message.
Result<std::unique_ptr<Analyzer>> AnalyzerForCompany(const CompanyConfig& company,
                                                     const std::string& taxonomy_override = "");

}  // namespace ct
