#include "analysis/sentiment_lexicon.h"

#include <charconv>
#include <string>

namespace ct {

Result<SentimentLexicon> SentimentLexicon::ParseVader(std::string_view tsv) {
  SentimentLexicon lexicon;
  std::size_t line_no = 0;
  while (!tsv.empty()) {
    const std::size_t nl = tsv.find('\n');
    std::string_view line = tsv.substr(0, nl);
    tsv = nl == std::string_view::npos ? std::string_view() : tsv.substr(nl + 1);
    ++line_no;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.empty()) continue;
    const std::size_t tab1 = line.find('\t');
    if (tab1 == std::string_view::npos || tab1 == 0) {
      return Status::InvalidArgument("vader lexicon line " + std::to_string(line_no) +
                                     ": expected term<TAB>valence");
    }
    std::string_view value = line.substr(tab1 + 1);
    value = value.substr(0, value.find('\t'));
    double valence = 0;
    const auto [ptr, ec] = std::from_chars(value.data(), value.data() + value.size(), valence);
    if (ec != std::errc() || ptr != value.data() + value.size()) {
      return Status::InvalidArgument("vader lexicon line " + std::to_string(line_no) +
                                     ": bad valence '" + std::string(value) + "'");
    }
    lexicon.Set(std::string(line.substr(0, tab1)), valence);
  }
  if (lexicon.size() == 0) return Status::InvalidArgument("vader lexicon is empty");
  return lexicon;
}

}  // namespace ct
