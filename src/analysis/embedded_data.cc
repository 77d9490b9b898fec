#include "analysis/embedded_data.h"

#include <string_view>
#include <utility>
#include <vector>

namespace ct::analysis_data {
std::vector<std::pair<std::string_view, std::string_view>> EmbeddedAnalysisFiles();
}  // namespace ct::analysis_data

namespace ct {

std::string_view EmbeddedFile(std::string_view name) {
  static const auto kFiles = analysis_data::EmbeddedAnalysisFiles();
  for (const auto& [file, contents] : kFiles) {
    if (file == name) return contents;
  }
  return {};
}

}  // namespace ct
