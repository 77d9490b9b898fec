// ct_vader_score: reads one JSON string per line on stdin and prints, per line, the VADER
// compound score (unrounded, 17 significant digits). With --french, uses the French rules.
// A test and benchmark tool; not part of the product's CLI.
#include <cstdio>
#include <iostream>
#include <nlohmann/json.hpp>
#include <string>

#include "analysis/embedded_data.h"
#include "analysis/french_sentiment.h"
#include "analysis/vader.h"

int main(int argc, char** argv) {
  const bool french = argc > 1 && std::string(argv[1]) == "--french";
  auto lexicon = ct::SentimentLexicon::ParseVader(ct::EmbeddedFile("vader_lexicon.txt"));
  auto stemmer = ct::Stemmer::Create("french");
  if (!lexicon.ok() || !stemmer.ok()) {
    std::cerr << "cannot load lexicons\n";
    return 1;
  }
  auto fr_lexicon = ct::FrenchLexicon::Build(ct::EmbeddedFile("pattern_fr.json"),
                                             ct::EmbeddedFile("fr_overlay.tsv"), *stemmer);
  if (!fr_lexicon.ok()) {
    std::cerr << fr_lexicon.status().ToString() << "\n";
    return 1;
  }
  const ct::VaderScorer vader(&*lexicon);
  ct::CachedStemmer cached(std::move(stemmer).value());
  const ct::FrenchSentimentScorer fr(&*fr_lexicon, &cached);
  std::ios::sync_with_stdio(false);
  std::string line;
  char buf[64];
  while (std::getline(std::cin, line)) {
    const auto text = nlohmann::json::parse(line, nullptr, false);
    if (!text.is_string()) {
      std::cerr << "expected a JSON string per line\n";
      return 1;
    }
    const std::string& s = text.get_ref<const std::string&>();
    const double compound = french ? fr.Score(s).compound : vader.Score(s).compound;
    std::snprintf(buf, sizeof buf, "%.17g\n", compound);
    std::cout << buf;
  }
  return 0;
}
