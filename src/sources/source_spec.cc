#include "sources/source_spec.h"

namespace ct {

SourceSpec SourceSpecFromConfig(const SourceConfig& source, const Environment& env) {
  SourceSpec s;
  s.name = source.name;
  s.kind = source.kind;
  s.base_url = source.base_url;
  s.instances = source.instances;
  s.options = source.selectors;
  if (!source.site.empty()) s.options["site"] = source.site;
  if (!source.format.empty()) s.options["format"] = source.format;
  if (!source.token_env.empty()) {
    auto it = env.find(source.token_env);
    if (it != env.end()) s.token = it->second;
  }
  s.page_size = source.page_size;
  s.max_pages = source.max_pages;
  return s;
}

}  // namespace ct
