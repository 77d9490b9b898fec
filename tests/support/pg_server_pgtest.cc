#include "support/pg_server.h"

#include <gtest/gtest.h>
#include <libpq-fe.h>

#include <filesystem>
#include <memory>

namespace ct::testing {
namespace {

bool CanQuery(const std::string& url) {
  std::unique_ptr<PGconn, decltype(&PQfinish)> c(PQconnectdb(url.c_str()), &PQfinish);
  if (PQstatus(c.get()) != CONNECTION_OK) return false;
  std::unique_ptr<PGresult, decltype(&PQclear)> r(PQexec(c.get(), "SELECT 1"), &PQclear);
  return PQresultStatus(r.get()) == PGRES_TUPLES_OK;
}

TEST(PgServerTest, MissingBinariesFailWithAClearMessage) {
  auto server = PgServer::Start("/nonexistent/postgresql");
  ASSERT_FALSE(server.ok());
  EXPECT_EQ(server.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(server.status().message().find("/nonexistent/postgresql"), std::string::npos)
      << server.status().ToString();
}

TEST(PgServerTest, StartsCreatesDatabasesRestartsAndCleansUp) {
  std::string dir, url_a, url_b;
  {
    auto server = PgServer::Start();
    ASSERT_TRUE(server.ok()) << server.status().ToString();
    dir = (*server)->dir();
    EXPECT_TRUE(std::filesystem::exists(dir));
    auto a = (*server)->CreateDatabase();
    auto b = (*server)->CreateDatabase();
    ASSERT_TRUE(a.ok() && b.ok());
    url_a = *a;
    url_b = *b;
    EXPECT_NE(url_a, url_b);
    EXPECT_TRUE(CanQuery(url_a));
    EXPECT_TRUE(CanQuery(url_b));

    ASSERT_TRUE((*server)->StopServer().ok());
    EXPECT_FALSE(CanQuery(url_a));
    ASSERT_TRUE((*server)->StartServer().ok());
    EXPECT_TRUE(CanQuery(url_a));  // same port, same data
  }
  EXPECT_FALSE(std::filesystem::exists(dir));
  EXPECT_FALSE(CanQuery(url_a));
}

TEST(PgServerTest, SharedServerIsStartedOnce) {
  auto first = SharedPgServer();
  auto second = SharedPgServer();
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  ASSERT_TRUE(second.ok());
  EXPECT_EQ(*first, *second);
  auto url = FreshDatabaseUrl();
  ASSERT_TRUE(url.ok()) << url.status().ToString();
  EXPECT_TRUE(CanQuery(*url));
}

}  // namespace
}  // namespace ct::testing
