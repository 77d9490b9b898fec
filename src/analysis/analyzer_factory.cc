#include "analysis/analyzer_factory.h"

#include "core/config.h"

namespace ct {

Result<std::unique_ptr<Analyzer>> AnalyzerForCompany(const CompanyConfig& company,
                                                     const std::string& taxonomy_override) {
  const std::string& path = taxonomy_override.empty() ? company.taxonomy : taxonomy_override;
  Result<Taxonomy> taxonomy = path.empty() ? Taxonomy::Embedded() : Taxonomy::Load(path);
  if (!taxonomy.ok()) {
    return taxonomy.status().WithContext(path.empty() ? "the built-in taxonomy"
                                                      : "taxonomy " + path);
  }
  AnalyzerOptions options;
  options.company_name = company.name;
  options.brand_terms = company.brand_terms;
  options.domains = company.domains;
  options.relevance_threshold = company.relevance_threshold;
  return Analyzer::Create(std::move(options), std::move(taxonomy).value());
}

}  // namespace ct
