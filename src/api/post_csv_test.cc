#include "api/post_csv.h"

#include <gtest/gtest.h>

namespace ct {
namespace {

TEST(PostCsvTest, QuotesPerRfc4180) {
  std::string out;
  AppendCsvField(out, "plain");
  out += '|';
  AppendCsvField(out, "a,b");
  out += '|';
  AppendCsvField(out, "say \"hi\"");
  out += '|';
  AppendCsvField(out, "two\r\nlines");
  EXPECT_EQ(out, "plain|\"a,b\"|\"say \"\"hi\"\"\"|\"two\r\nlines\"");
}

TEST(PostCsvTest, RowHasOneFieldPerHeaderColumn) {
  Post p;
  p.id = 3;
  p.source = "reddit";
  p.title = "Down, again";
  p.content = "line1\nline2 \"quoted\"";
  p.created_at = 1700000000;
  p.rating = 2;
  p.answered = true;
  p.answered_at = 1700000100;
  std::string header, row;
  AppendPostCsvHeader(header);
  AppendPostCsvRow(row, p);
  EXPECT_EQ(header.substr(0, 10), "id,source,");
  EXPECT_EQ(row.substr(row.size() - 2), "\r\n");
  EXPECT_NE(row.find("\"Down, again\",\"line1\nline2 \"\"quoted\"\"\""), std::string::npos) << row;
  EXPECT_NE(row.find(",2023-11-14T22:13:20Z,"), std::string::npos);
  EXPECT_NE(row.find(",2,"), std::string::npos);  // rating
  EXPECT_NE(row.find(",true,2023-11-14T22:15:00Z,"), std::string::npos);
  // 26 columns: count the commas of the header.
  EXPECT_EQ(std::count(header.begin(), header.end(), ','), 25);
}

}  // namespace
}  // namespace ct
