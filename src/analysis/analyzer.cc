#include "analysis/analyzer.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <map>
#include <nlohmann/json.hpp>
#include <set>

#include "analysis/embedded_data.h"
#include "analysis/french_sentiment.h"
#include "analysis/evidence_writer.h"
#include "analysis/phrase_matcher.h"
#include "analysis/sentiment_lexicon.h"
#include "analysis/stemmer.h"
#include "analysis/string_table.h"
#include "analysis/tokenizer.h"
#include "analysis/utf8.h"
#include "analysis/vader.h"

namespace ct {
namespace {

using Json = nlohmann::json;

double Round(double x, int digits = 4) {
  const double scale = std::pow(10.0, digits);
  return std::round(x * scale) / scale;
}

// 1 - prod(1 - w): independent signals, each able to push the score towards 1.
double Combine(const std::vector<double>& weights) {
  double keep = 1;
  for (double w : weights) keep *= 1 - std::clamp(w, 0.0, 1.0);
  return 1 - keep;
}

std::vector<std::string> FoldedWords(std::string_view phrase) {
  std::vector<std::string> words;
  for (const Token& t : Tokenize(phrase)) words.push_back(text::FoldAccents(t.lower));
  return words;
}

bool IsHostChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
         static_cast<unsigned char>(c) >= 0x80;
}

// Occurrences of `domain` in lower-case `text` as a whole host name or its suffix.
bool ContainsDomain(std::string_view text, std::string_view domain) {
  for (std::size_t at = text.find(domain); at != std::string_view::npos;
       at = text.find(domain, at + 1)) {
    const bool left_ok = at == 0 || !IsHostChar(text[at - 1]);
    const std::size_t end = at + domain.size();
    const bool right_ok =
        end == text.size() || !(IsHostChar(text[end]) ||
                                (text[end] == '.' && end + 1 < text.size() && IsHostChar(text[end + 1])));
    if (left_ok && right_ok) return true;
  }
  return false;
}

const std::map<std::string, std::string, std::less<>>& LanguageCountries() {
  static const std::map<std::string, std::string, std::less<>> kMap = {
      {"fr", "FR"}, {"de", "DE"}, {"es", "ES"}, {"it", "IT"}, {"pl", "PL"}, {"nl", "NL"},
      {"pt", "PT"}, {"cs", "CZ"}, {"fi", "FI"}, {"lt", "LT"}};
  return kMap;
}

}  // namespace

std::string SentimentLabel(double compound) {
  if (compound >= 0.05) return "positive";
  if (compound <= -0.05) return "negative";
  return "neutral";
}

struct Analyzer::Impl {
  AnalyzerOptions options;
  Taxonomy taxonomy;
  LanguageDetector detector;
  SentimentLexicon vader_lexicon;
  CachedStemmer english;
  CachedStemmer french;
  FrenchLexicon french_lexicon;
  std::unique_ptr<VaderScorer> vader;
  std::unique_ptr<FrenchSentimentScorer> french_scorer;
  // One matcher per word space, so each word is looked up once: Snowball stems per language
  // (complaint signals, products) and accent-folded words (brands, competitors, places...).
  enum Kind {
    kComplaint, kProduct, kBrand, kCompetitor, kFalsePositiveAfter, kProspect, kDisclaimer, kPlace
  };
  PhraseMatcher stems_en, stems_fr, words;
  std::set<std::string, std::less<>> neutral_terms;
  std::vector<std::string> lower_domains;
  std::string folded_company;
  std::set<std::string, std::less<>> folded_brands;
  // Per-post scratch space (Run is not reentrant; see the class comment).
  std::vector<Token> scratch_tokens;
  std::vector<std::string> scratch_folded;
  std::vector<std::string_view> scratch_words;
  std::vector<PhraseMatcher::Match> scratch_stem_matches, scratch_word_matches;

  Impl(AnalyzerOptions o, Taxonomy t, SentimentLexicon v, Stemmer en, Stemmer fr, FrenchLexicon fl)
      : options(std::move(o)),
        taxonomy(std::move(t)),
        detector(options.language),
        vader_lexicon(std::move(v)),
        english(std::move(en)),
        french(std::move(fr)),
        french_lexicon(std::move(fl)) {
    vader = std::make_unique<VaderScorer>(&vader_lexicon);
    french_scorer = std::make_unique<FrenchSentimentScorer>(&french_lexicon, &french);
  }

  static std::vector<std::string> Stems(const std::vector<std::string>& folded, CachedStemmer& s) {
    std::vector<std::string> out;
    out.reserve(folded.size());
    for (const auto& w : folded) out.push_back(s.Stem(w));
    return out;
  }

  void AddTerms(const std::vector<TaxonomyCategory>& cats, Kind kind) {
    for (std::size_t i = 0; i < cats.size(); ++i) {
      const int idx = static_cast<int>(i);
      for (const auto& term : cats[i].en) stems_en.Add(Stems(FoldedWords(term), english), kind, idx, term);
      for (const auto& term : cats[i].fr) stems_fr.Add(Stems(FoldedWords(term), french), kind, idx, term);
    }
  }

  void Compile() {
    AddTerms(taxonomy.complaints, kComplaint);
    AddTerms(taxonomy.products, kProduct);
    for (const auto& t : taxonomy.scoring.sentiment_neutral_terms) neutral_terms.insert(text::FoldAccents(t));
    for (const auto& b : options.brand_terms) {
      words.Add(FoldedWords(b), kBrand, 0, b);
      folded_brands.insert(text::FoldAccents(b));
    }
    for (const auto& d : options.domains) lower_domains.push_back(text::ToLower(d));
    folded_company = text::FoldAccents(options.company_name);
    for (const auto& c : taxonomy.relevance.competitors) words.Add(FoldedWords(c), kCompetitor, 0, c);
    for (const auto& w : taxonomy.relevance.brand_false_positive_after) {
      words.Add(FoldedWords(w), kFalsePositiveAfter, 0, w);
    }
    for (const auto& w : taxonomy.relevance.prospect_before) words.Add(FoldedWords(w), kProspect, 0, w);
    for (const auto& w : taxonomy.scoring.disclaimers) words.Add(FoldedWords(w), kDisclaimer, 0, w);
    for (std::size_t i = 0; i < taxonomy.countries.size(); ++i) {
      for (const auto& p : taxonomy.countries[i].second) {
        words.Add(FoldedWords(p), kPlace, static_cast<int>(i), p);
      }
    }
  }

  Analysis Run(const Post& post);
};

Analyzer::Analyzer(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Analyzer::~Analyzer() = default;
const AnalyzerOptions& Analyzer::options() const { return impl_->options; }

Result<std::unique_ptr<Analyzer>> Analyzer::Create(AnalyzerOptions options, Taxonomy taxonomy) {
  if (options.relevance_threshold < 0 || options.relevance_threshold > 1) {
    return Status::InvalidArgument("relevance_threshold must be in [0, 1]");
  }
  const std::string_view vader_text = EmbeddedFile("vader_lexicon.txt");
  CT_ASSIGN_OR_RETURN(SentimentLexicon vader, SentimentLexicon::ParseVader(vader_text));
  CT_ASSIGN_OR_RETURN(Stemmer english, Stemmer::Create("english"));
  CT_ASSIGN_OR_RETURN(Stemmer french, Stemmer::Create("french"));
  CT_ASSIGN_OR_RETURN(FrenchLexicon french_lexicon,
                      FrenchLexicon::Build(EmbeddedFile("pattern_fr.json"),
                                           EmbeddedFile("fr_overlay.tsv"), french));
  auto impl = std::make_unique<Impl>(std::move(options), std::move(taxonomy), std::move(vader),
                                     std::move(english), std::move(french),
                                     std::move(french_lexicon));
  impl->Compile();
  return std::unique_ptr<Analyzer>(new Analyzer(std::move(impl)));
}

Analysis Analyzer::Analyze(const Post& post) { return impl_->Run(post); }

void Analyzer::Apply(const Analysis& a, Post* post) {
  post->language = a.language;
  post->sentiment_score = a.sentiment_score;
  post->sentiment_label = a.sentiment_label;
  post->is_complaint = a.is_complaint;
  post->complaint_score = a.complaint_score;
  post->product = a.product;
  post->country = a.country;
  post->relevance_score = a.relevance_score;
  post->evidence_json = a.evidence_json;
}

Analysis Analyzer::Impl::Run(const Post& post) {
  Analysis out;
  EvidenceWriter ev;
  ev.Reserve(1024);
  ev.BeginObject();
  // Sanitised once, so that every term quoted in the evidence is valid UTF-8.
  const std::string text = text::SanitizeUtf8(
      post.title.empty() ? post.content
                         : (post.content.empty() ? post.title : post.title + "\n" + post.content));

  // Language.
  const LanguageGuess lang = detector.Detect(text);
  out.language = lang.code;
  out.language_confidence = lang.confidence;
  ev.Key("language").BeginObject().Field("code", lang.code).Field("confidence", Round(lang.confidence, 2))
      .Field("reliable", lang.reliable).Field("method", "cld2");
  if (!lang.reason.empty()) ev.Field("reason", lang.reason).Field("top_guess", lang.top_guess);
  ev.EndObject();
  // The rules' language: the verdict, else CLD2's best guess, else English.
  const std::string& rules = lang.code == "und" ? lang.top_guess : lang.code;
  const bool en_rules = rules == "en";
  const bool fr_rules = rules == "fr";

  english.MaybeTrim();
  french.MaybeTrim();
  // Scratch vectors reused from post to post (their capacity is what is reused).
  std::vector<Token>& tokens = scratch_tokens;
  Tokenize(text, &tokens);
  std::vector<std::string>& folded = scratch_folded;
  folded.resize(tokens.size());
  for (std::size_t i = 0; i < tokens.size(); ++i) folded[i] = text::FoldAccents(tokens[i].lower);

  // Sentiment.
  double complaint_sentiment = 0;  // the same, without the taxonomy's neutral terms
  {
    VaderScores s;
    const char* method = "unsupported-language";
    if (fr_rules) {
      s = french_scorer->Score(text, tokens, folded, true);
      method = "vader-fr";
    } else if (en_rules || lang.code == "und") {
      s = vader->Score(text, true);
      method = "vader-en";
    }
    out.sentiment_score = std::clamp(s.compound, -1.0, 1.0);
    out.sentiment_label = SentimentLabel(out.sentiment_score);
    double sum = 0;
    bool any_neutral = false;
    for (const auto& t : s.terms) {
      if (neutral_terms.contains(t.term)) {
        any_neutral = true;
      } else {
        sum += t.valence;
      }
    }
    if (!any_neutral) {
      complaint_sentiment = out.sentiment_score;
    } else if (sum != 0) {
      const double emphasis = VaderPunctuationEmphasis(text);
      complaint_sentiment = VaderNormalize(sum > 0 ? sum + emphasis : sum - emphasis);
    }
    ev.Key("sentiment").BeginObject().Field("method", method).Field("score", Round(out.sentiment_score))
        .Field("label", out.sentiment_label);
    ev.Key("terms").BeginArray();
    for (const auto& t : s.terms) {
      ev.BeginObject().Field("term", t.term).Field("valence", Round(t.valence, 3)).EndObject();
    }
    ev.EndArray();
    if (s.contrast) ev.Field("contrast", true);
    ev.EndObject();
  }

  // Words, stems and term matches.
  const bool use_en = !fr_rules;  // English terms unless the text is French
  const bool use_fr = !en_rules;  // French terms unless the text is English
  std::vector<PhraseMatcher::Match> complaint_matches, product_matches;
  std::vector<PhraseMatcher::Match>& stem_matches = scratch_stem_matches;
  stem_matches.clear();
  std::vector<std::string_view>& stems = scratch_words;
  stems.clear();
  if (use_en) {
    for (const auto& w : folded) stems.push_back(english.Stem(w));
    stems_en.FindAll(stems, &stem_matches);
  }
  if (use_fr) {
    stems.clear();
    for (const auto& w : folded) stems.push_back(french.Stem(w));
    stems_fr.FindAll(stems, &stem_matches);
  }
  for (const auto& m : stem_matches) {
    (m.kind == kComplaint ? complaint_matches : product_matches).push_back(m);
  }
  std::vector<PhraseMatcher::Match> brand_matches, competitor_matches, fp_matches, place_matches,
      prospect_matches, disclaimer_matches;
  std::vector<PhraseMatcher::Match>& word_matches = scratch_word_matches;
  word_matches.clear();
  stems.assign(folded.begin(), folded.end());  // now the folded words
  words.FindAll(stems, &word_matches);
  for (const auto& m : word_matches) {
    switch (m.kind) {
      case kBrand: brand_matches.push_back(m); break;
      case kCompetitor: competitor_matches.push_back(m); break;
      case kFalsePositiveAfter: fp_matches.push_back(m); break;
      case kProspect: prospect_matches.push_back(m); break;
      case kDisclaimer: disclaimer_matches.push_back(m); break;
      default: place_matches.push_back(m); break;
    }
  }
  const auto surface = [&](const PhraseMatcher::Match& m) {
    return text::ToLower(
        std::string_view(text).substr(tokens[m.first].begin, tokens[m.last].end - tokens[m.first].begin));
  };

  // Product: most weighted matched terms; ties go to the first product in taxonomy order.
  {
    std::vector<double> hits(taxonomy.products.size(), 0);
    std::map<int, std::set<std::string>> terms;
    for (const auto& m : product_matches) {
      hits[m.payload] += taxonomy.products[m.payload].weight;
      terms[m.payload].insert(surface(m));
    }
    int best = -1;
    for (std::size_t i = 0; i < hits.size(); ++i) {
      if (hits[i] > 0 && (best < 0 || hits[i] > hits[best])) best = static_cast<int>(i);
    }
    ev.Key("product").BeginObject();
    if (best >= 0) {
      out.product = taxonomy.products[best].id;
      ev.Field("id", out.product).Field("label", taxonomy.products[best].label);
      ev.StringArray("terms", terms[best]);
    } else {
      ev.Key("id").Null();
    }
    ev.Key("candidates").BeginObject();
    for (const auto& [idx, t] : terms) ev.Field(taxonomy.products[idx].id, hits[idx]);
    ev.EndObject().EndObject();
  }

  // Metadata (source-given: reviewer country, company page...).
  Json metadata = Json::object();
  if (!post.metadata_json.empty() && post.metadata_json != "{}") {
    metadata = Json::parse(post.metadata_json, nullptr, /*allow_exceptions=*/false);
    if (!metadata.is_object()) metadata = Json::object();
  }
  const auto meta_string = [&](const char* key) -> std::string {
    const auto it = metadata.find(key);
    return it != metadata.end() && it->is_string() ? it->get<std::string>() : std::string();
  };

  // Relevance.
  {
    const RelevanceRules& rr = taxonomy.relevance;
    std::set<std::size_t> fp_starts;
    for (const auto& m : fp_matches) fp_starts.insert(m.first);
    std::set<std::string> competitor_names;
    for (const auto& m : competitor_matches) competitor_names.insert(*m.term);

    std::vector<std::string> brand_terms;
    std::vector<std::pair<std::string, std::string>> discounted;
    int in_lists = 0;
    for (const auto& m : brand_matches) {
      if (fp_starts.contains(m.last + 1)) {
        discounted.emplace_back(surface(m), "followed by " + folded[m.last + 1]);
        continue;
      }
      // In a list of providers: a competitor right before/after, separated by a list mark
      // or by a connector word.
      bool listed = false;
      for (const auto& c : competitor_matches) {
        const bool before = c.last + 1 == m.first || c.last + 2 == m.first;
        const bool after = m.last + 1 == c.first || m.last + 2 == c.first;
        if (!before && !after) continue;
        const std::size_t gap_from = before ? tokens[c.last].end : tokens[m.last].end;
        const std::size_t gap_to = before ? tokens[m.first].begin : tokens[c.first].begin;
        const std::size_t mid = before ? c.last + 1 : m.last + 1;
        const bool connector_word = (before ? c.last + 2 == m.first : m.last + 2 == c.first) &&
                                    (folded[mid] == "or" || folded[mid] == "and" ||
                                     folded[mid] == "vs" || folded[mid] == "versus" ||
                                     folded[mid] == "ou" || folded[mid] == "et");
        const bool adjacent = before ? c.last + 1 == m.first : m.last + 1 == c.first;
        if (connector_word || (adjacent && GapContains(text, gap_from, gap_to, ",/|;+&"))) {
          listed = true;
          break;
        }
      }
      if (listed && competitor_names.size() >= 2) ++in_lists;
      brand_terms.push_back(surface(m));
    }
    const int counted = static_cast<int>(brand_terms.size());
    const bool comparison = counted > 0 && in_lists == counted;

    const std::string lower_text = text::ToLower(text);
    std::vector<std::string_view> domains;
    for (const auto& d : lower_domains) {
      if (ContainsDomain(lower_text, d)) domains.push_back(d);
    }
    const std::string company = text::FoldAccents(meta_string("company"));
    const bool meta_match =
        !company.empty() && (company == folded_company || folded_brands.contains(company));

    std::vector<double> weights;
    if (meta_match) weights.push_back(rr.metadata_relevance);
    if (counted > 0) {
      // A second mention adds a little: 0.75 -> 0.8 -> 0.84...
      double w = 1 - std::pow(1 - rr.brand_weight, 1 + 0.2 * (std::min(counted, 5) - 1));
      if (comparison) w *= rr.comparison_factor;
      weights.push_back(w);
    }
    if (!domains.empty()) weights.push_back(rr.domain_weight);
    const int product_term_count = std::min<int>(static_cast<int>(product_matches.size()), 3);
    for (int i = 0; i < product_term_count; ++i) weights.push_back(rr.product_weight);
    out.relevance_score = Round(Combine(weights));
    out.relevant = out.relevance_score >= options.relevance_threshold;
    ev.Key("relevance").BeginObject().Field("score", out.relevance_score)
        .Field("threshold", options.relevance_threshold).Field("relevant", out.relevant);
    ev.StringArray("brand", brand_terms).StringArray("domains", domains);
    ev.Field("product_terms", static_cast<double>(product_term_count));
    if (meta_match) ev.Field("metadata", meta_string("company"));
    if (!discounted.empty()) {
      ev.Key("discounted").BeginArray();
      for (const auto& [term, reason] : discounted) ev.BeginObject().Field("term", term).Field("reason", reason).EndObject();
      ev.EndArray();
    }
    if (comparison) ev.StringArray("comparison_list", competitor_names);
    ev.EndObject();
  }

  // Complaint.
  {
    const ComplaintScoring& sc = taxonomy.scoring;
    static const std::set<std::string_view> kNegators = {
        "no", "not", "zero", "without", "never", "isn", "wasn", "didn", "don", "doesn", "sans",
        "aucun", "aucune", "pas", "jamais", "0", "nothing", "nor", "rien", "ni"};
    static const StringTable<bool> kElapsedBefore = [] {  // looked up for every word
      StringTable<bool> t;
      for (std::string_view w :
           {"for", "after", "since", "been", "over", "depuis", "pendant", "bout", "apres"}) {
        t.Emplace(w, true);
      }
      return t;
    }();
    static const std::set<std::string_view> kNumberWords = {
        "a", "an", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
        "eleven", "twelve", "several", "few", "un", "une", "deux", "trois", "quatre", "cinq",
        "six", "sept", "huit", "neuf", "dix", "onze", "douze", "plusieurs", "quelques"};
    static const std::set<std::string_view> kTimeUnits = {
        "minutes", "hours", "days", "weeks", "hour", "day", "week", "heures", "jours",
        "semaines", "heure", "jour", "semaine"};
    static const std::string kElapsedTerm = "(elapsed time)";
    int duration_category = -1;
    for (std::size_t i = 0; i < taxonomy.complaints.size(); ++i) {
      if (taxonomy.complaints[i].id == "duration") duration_category = static_cast<int>(i);
    }
    std::map<int, std::set<std::string>> signal_terms;
    std::map<int, std::set<const std::string*>> signal_entries;  // distinct taxonomy terms
    std::vector<std::string> negated;
    for (const auto& m : complaint_matches) {
      if (taxonomy.complaints[m.payload].negatable) {
        bool is_negated = false;
        for (std::size_t back = 1; back <= 2 && back <= m.first; ++back) {
          is_negated = is_negated || kNegators.contains(folded[m.first - back]);
        }
        if (is_negated) {
          negated.push_back(surface(m));
          continue;
        }
      }
      signal_terms[m.payload].insert(surface(m));
      signal_entries[m.payload].insert(m.term);
    }
    // Elapsed time in a narrative: "after 9 days", "for 40 minutes", "it's been 3 days",
    // "depuis dix jours", "au bout de 9 jours" (not "in two hours" / "en deux heures", which
    // is praise of speed, nor months or years, which is loyalty). Counted as the taxonomy's
    // "duration" signal when it has one.
    if (duration_category >= 0) {
      for (std::size_t i = 0; i + 2 < folded.size(); ++i) {
        if (kElapsedBefore.Find(folded[i]) == nullptr) continue;
        std::size_t n = i + 1;
        if (folded[n] == "de" && n + 2 < folded.size()) ++n;  // "au bout de 9 jours"
        const std::string& number = folded[n];
        const bool is_number = kNumberWords.contains(number) ||
                               (!number.empty() && std::all_of(number.begin(), number.end(), [](char c) {
                                 return c >= '0' && c <= '9';
                               }));
        if (!is_number || !kTimeUnits.contains(folded[n + 1])) continue;
        const std::string phrase = folded[i] + " " + number + " " + folded[n + 1];
        // Not again when a taxonomy term already matched these words ("for two days").
        if (signal_terms[duration_category].insert(phrase).second) {
          signal_entries[duration_category].insert(&kElapsedTerm);
        }
      }
    }
    // A second and third distinct term of the same signal ("keeps killing", "at random",
    // "blank pages") add half its weight each: several symptoms are likelier a complaint.
    const auto repeats = [&](int idx) {
      return std::min<int>(static_cast<int>(signal_entries[idx].size()) - 1, 2);
    };
    const bool low_rating = post.rating && *post.rating <= sc.low_rating_max;
    std::vector<double> weights;
    double strongest = 0;
    for (const auto& [idx, terms] : signal_terms) {
      weights.push_back(taxonomy.complaints[idx].weight);
      for (int k = 0; k < repeats(idx); ++k) weights.push_back(taxonomy.complaints[idx].weight / 2);
      strongest = std::max(strongest, taxonomy.complaints[idx].weight);
    }
    if (low_rating) weights.push_back(sc.low_rating_weight);
    const double sentiment_weight =
        complaint_sentiment < 0 ? sc.negative_sentiment_weight * -complaint_sentiment : 0;
    if (sentiment_weight > 0) weights.push_back(sentiment_weight);
    double score = Combine(weights);
    const bool high_rating = post.rating && *post.rating >= sc.high_rating_min;
    if (high_rating) score *= sc.high_rating_factor;
    const bool positive_damper = complaint_sentiment > 0.5 && strongest < 0.5 && !low_rating;
    const double positive_factor = 1 - sc.positive_sentiment_factor * complaint_sentiment;
    if (positive_damper) score *= positive_factor;
    // Shopping for a provider after a bad experience elsewhere ("Hetzner deleted my account...
    // looking at OVH"): a competitor is named and every brand mention follows a prospect word.
    bool other_provider = !competitor_matches.empty() && !brand_matches.empty();
    for (const auto& b : brand_matches) {
      bool prospected = false;
      for (const auto& p : prospect_matches) {
        prospected = prospected || (p.last < b.first && b.first - p.last <= 3);
      }
      other_provider = other_provider && prospected;
    }
    if (other_provider) score *= taxonomy.relevance.comparison_factor;
    // "Had an outage last night but support kept us updated... Well handled": every signal is
    // before the contrast ("but", "mais"...) and the text as a whole reads positive, so the
    // post is about how it was resolved. (VADER weighs the clause after "but" more too.)
    std::size_t contrast_at = folded.size();
    for (std::size_t i = 0; i < folded.size() && contrast_at == folded.size(); ++i) {
      const std::string& w = folded[i];
      if (w == "but" || w == "however" || w == "mais" || w == "cependant" || w == "pourtant") {
        contrast_at = i;
      }
    }
    bool resolved_after_contrast = contrast_at < folded.size() && !signal_terms.empty() &&
                                   complaint_sentiment > 0.3 && !low_rating;
    for (const auto& m : complaint_matches) {
      resolved_after_contrast = resolved_after_contrast && m.last < contrast_at;
    }
    if (resolved_after_contrast) score *= sc.positive_sentiment_factor;
    const bool disclaimed = !disclaimer_matches.empty() && !low_rating;
    if (disclaimed) score *= sc.disclaimer_factor;
    out.complaint_score = Round(score);
    out.is_complaint = out.complaint_score >= sc.complaint_threshold;

    ev.Key("complaint").BeginObject().Field("score", out.complaint_score)
        .Field("threshold", sc.complaint_threshold).Field("is_complaint", out.is_complaint);
    ev.Key("signals").BeginArray();
    for (const auto& [idx, terms] : signal_terms) {
      const auto& cat = taxonomy.complaints[idx];
      ev.BeginObject().Field("id", cat.id).Field("weight", cat.weight).StringArray("terms", terms);
      if (repeats(idx) > 0) ev.Field("repeats", static_cast<double>(repeats(idx)));
      ev.EndObject();
    }
    if (low_rating) {
      ev.BeginObject().Field("id", "low_rating").Field("weight", sc.low_rating_weight)
          .Field("rating", *post.rating).EndObject();
    }
    if (sentiment_weight > 0) {
      ev.BeginObject().Field("id", "negative_sentiment").Field("weight", Round(sentiment_weight, 3)).EndObject();
    }
    ev.EndArray();
    if (high_rating || positive_damper || other_provider || resolved_after_contrast || disclaimed) {
      ev.Key("dampers").BeginArray();
      if (high_rating) {
        ev.BeginObject().Field("id", "high_rating").Field("rating", *post.rating)
            .Field("factor", sc.high_rating_factor).EndObject();
      }
      if (positive_damper) {
        ev.BeginObject().Field("id", "positive_sentiment").Field("factor", Round(positive_factor, 3)).EndObject();
      }
      if (resolved_after_contrast) {
        ev.BeginObject().Field("id", "positive_after_contrast")
            .Field("factor", sc.positive_sentiment_factor).EndObject();
      }
      if (disclaimed) {
        ev.BeginObject().Field("id", "disclaimer").Field("term", *disclaimer_matches.front().term)
            .Field("factor", sc.disclaimer_factor).EndObject();
      }
      if (other_provider) {
        ev.BeginObject().Field("id", "other_provider")
            .Field("factor", taxonomy.relevance.comparison_factor).EndObject();
      }
      ev.EndArray();
    }
    if (!negated.empty()) ev.StringArray("negated_terms", negated);
    if (complaint_sentiment != out.sentiment_score) ev.Field("sentiment_used", Round(complaint_sentiment));
    if (post.rating) ev.Field("rating", *post.rating);
    ev.EndObject();
  }

  // Country: metadata, then place names, then language.
  {
    ev.Key("country").BeginObject();
    std::string code;
    for (const char* key : {"country", "country_code", "reviewer_country", "author_country"}) {
      std::string v = meta_string(key);
      if (v.size() == 2 && std::isalpha(static_cast<unsigned char>(v[0])) &&
          std::isalpha(static_cast<unsigned char>(v[1]))) {
        for (char& c : v) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
        code = v;
        ev.Field("code", code).Field("method", "metadata").Field("field", key);
        break;
      }
    }
    const auto place_vote = [&](const std::vector<PhraseMatcher::Match>& found, const char* method) {
      std::vector<PhraseMatcher::Match> matches;
      for (const auto& m : found) {
        if (m.kind == kPlace) matches.push_back(m);
      }
      if (matches.empty()) return;
      std::map<int, int> votes;
      std::map<int, std::set<std::string>> terms;
      for (const auto& m : matches) {
        ++votes[m.payload];
        terms[m.payload].insert(*m.term);
      }
      int best = matches.front().payload;
      for (const auto& [idx, n] : votes) {
        if (n > votes[best]) best = idx;
      }
      code = taxonomy.countries[best].first;
      ev.Field("code", code).Field("method", method).StringArray("terms", terms[best]);
    };
    if (code.empty()) {
      const std::string location = meta_string("location");
      if (!location.empty()) {
        const std::vector<std::string> location_words = FoldedWords(location);
        std::vector<PhraseMatcher::Match> found;
        words.FindAll(std::vector<std::string_view>(location_words.begin(), location_words.end()), &found);
        place_vote(found, "metadata_location");
      }
    }
    if (code.empty()) place_vote(place_matches, "place_names");
    if (code.empty()) {
      const auto it = LanguageCountries().find(out.language);
      if (it != LanguageCountries().end()) {
        code = it->second;
        ev.Field("code", code).Field("method", "language").Field("language", out.language);
      }
    }
    if (code.empty()) ev.Key("code").Null();
    out.country = code;
    ev.EndObject();
  }

  ev.EndObject();
  out.evidence_json = ev.Take();
  return out;
}

}  // namespace ct
