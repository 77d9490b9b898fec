#include "analysis/evidence_writer.h"

#include <gtest/gtest.h>

#include <charconv>
#include <cmath>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace ct {
namespace {

TEST(EvidenceWriterTest, WritesValidEscapedJson) {
  EvidenceWriter w;
  w.BeginObject().Field("a", "quote \" back\\slash\nnew\x01 é").Field("n", 0.25).Field("b", true);
  w.Key("list").BeginArray().String("x").Null().Number(2).EndArray();
  w.StringArray("s", std::vector<std::string>{"p", "q"});
  w.Key("empty").BeginObject().EndObject();
  w.EndObject();
  const auto j = nlohmann::json::parse(w.str());
  EXPECT_EQ(j["a"], "quote \" back\\slash\nnew\x01 é");
  EXPECT_EQ(j["n"], 0.25);
  EXPECT_EQ(j["list"].size(), 3u);
  EXPECT_EQ(j["s"][1], "q");
  EXPECT_TRUE(j["empty"].empty());
}

// Numbers take a fast path for values rounded to four decimals; the text must stay exactly
// what std::to_chars (shortest round trip) writes, fixed or scientific.
TEST(EvidenceWriterTest, NumbersAreWrittenAsToCharsWrites) {
  const auto expected = [](double v) {
    char buf[32];
    return std::string(buf, std::to_chars(buf, buf + sizeof buf, v).ptr);
  };
  const auto written = [](double v) {
    EvidenceWriter w;
    w.Number(v);
    return w.str();
  };
  std::vector<double> values = {0, -0.0, 1, -1, 0.1, 0.5, 0.001, 0.0015, 0.0005, 0.0001, 10000,
                                20000, 99999.9999, 100000, 123456, 1e-7, 3.14159265358979,
                                0.3 + 0.6, 1.0 / 3, -2.5e-5, 1e21};
  for (int k = -200000; k <= 200000; k += 7) values.push_back(static_cast<double>(k) / 1e4);
  for (int k = 0; k < 100000; k += 13) {
    const double x = k * 0.000123456789;
    values.push_back(std::round(x * 1e4) / 1e4);
    values.push_back(std::round(x * 1e3) / 1e3);
    values.push_back(std::round(x * 1e2) / 1e2);
    values.push_back(x);
  }
  for (double v : values) ASSERT_EQ(written(v), expected(v)) << v;
}

}  // namespace
}  // namespace ct
