#include "fetch/ssrf_guard.h"

#include <gtest/gtest.h>

namespace ct {
namespace {

AddressClass Class(const char* ip) { return ClassifyAddress(IpAddress::Parse(ip).value()); }

TEST(SsrfGuardTest, ClassifiesIpv4) {
  EXPECT_EQ(Class("8.8.8.8"), AddressClass::kPublic);
  EXPECT_EQ(Class("51.68.1.1"), AddressClass::kPublic);
  EXPECT_EQ(Class("127.0.0.1"), AddressClass::kLoopback);
  EXPECT_EQ(Class("127.255.0.3"), AddressClass::kLoopback);
  EXPECT_EQ(Class("10.1.2.3"), AddressClass::kPrivate);
  EXPECT_EQ(Class("172.16.0.1"), AddressClass::kPrivate);
  EXPECT_EQ(Class("172.31.255.255"), AddressClass::kPrivate);
  EXPECT_EQ(Class("172.32.0.1"), AddressClass::kPublic);
  EXPECT_EQ(Class("192.168.1.1"), AddressClass::kPrivate);
  EXPECT_EQ(Class("100.64.0.1"), AddressClass::kPrivate);
  EXPECT_EQ(Class("169.254.169.254"), AddressClass::kMetadata);
  EXPECT_EQ(Class("169.254.1.1"), AddressClass::kLinkLocal);
  EXPECT_EQ(Class("0.0.0.0"), AddressClass::kUnspecified);
  EXPECT_EQ(Class("224.0.0.1"), AddressClass::kMulticast);
  EXPECT_EQ(Class("255.255.255.255"), AddressClass::kReserved);
}

TEST(SsrfGuardTest, ClassifiesIpv6AndMappedAddresses) {
  EXPECT_EQ(Class("2001:41d0::1"), AddressClass::kPublic);  // OVH
  EXPECT_EQ(Class("::1"), AddressClass::kLoopback);
  EXPECT_EQ(Class("::"), AddressClass::kUnspecified);
  EXPECT_EQ(Class("fc00::1"), AddressClass::kPrivate);
  EXPECT_EQ(Class("fdab:1::1"), AddressClass::kPrivate);
  EXPECT_EQ(Class("fe80::1"), AddressClass::kLinkLocal);
  EXPECT_EQ(Class("febf::1"), AddressClass::kLinkLocal);
  EXPECT_EQ(Class("fd00:ec2::254"), AddressClass::kMetadata);
  EXPECT_EQ(Class("::ffff:127.0.0.1"), AddressClass::kLoopback);
  EXPECT_EQ(Class("::ffff:169.254.169.254"), AddressClass::kMetadata);
  EXPECT_EQ(Class("::ffff:8.8.8.8"), AddressClass::kPublic);
  EXPECT_EQ(Class("64:ff9b::10.0.0.1"), AddressClass::kPrivate);
  EXPECT_EQ(Class("ff02::1"), AddressClass::kMulticast);
}

TEST(SsrfGuardTest, ParsesCidrs) {
  auto c = Cidr::Parse("10.0.0.0/8");
  ASSERT_TRUE(c.ok());
  EXPECT_TRUE(c->Contains(IpAddress::Parse("10.200.3.4").value()));
  EXPECT_FALSE(c->Contains(IpAddress::Parse("11.0.0.1").value()));
  EXPECT_TRUE(c->Contains(IpAddress::Parse("::ffff:10.0.0.9").value()));
  EXPECT_EQ(Cidr::Parse("192.168.1.77/24")->ToString(), "192.168.1.0/24");
  EXPECT_EQ(Cidr::Parse("127.0.0.1")->prefix, 32);
  EXPECT_EQ(Cidr::Parse("fe80::/10")->prefix, 10);
  EXPECT_FALSE(Cidr::Parse("10.0.0.0/33").ok());
  EXPECT_FALSE(Cidr::Parse("fe80::/129").ok());
  EXPECT_FALSE(Cidr::Parse("example.com/8").ok());
  EXPECT_FALSE(Cidr::Parse("10.0.0.0/x").ok());
}

TEST(SsrfGuardTest, RefusesInternalAddressesUnlessAllowlisted) {
  SsrfGuard strict;
  EXPECT_TRUE(strict.Check(IpAddress::Parse("51.91.1.1").value()).ok());
  Status s = strict.Check(IpAddress::Parse("169.254.169.254").value());
  EXPECT_EQ(s.code(), StatusCode::kPermissionDenied);
  EXPECT_NE(s.message().find("cloud metadata"), std::string::npos) << s.message();
  EXPECT_FALSE(s.transient());
  EXPECT_FALSE(strict.Check(IpAddress::Parse("::1").value()).ok());

  auto allow = SsrfGuard::FromStrings({"127.0.0.1/32"});
  ASSERT_TRUE(allow.ok());
  EXPECT_TRUE(allow->Check(IpAddress::Parse("127.0.0.1").value()).ok());
  EXPECT_FALSE(allow->Check(IpAddress::Parse("127.0.0.2").value()).ok());
  EXPECT_FALSE(allow->Check(IpAddress::Parse("10.0.0.1").value()).ok());
  EXPECT_FALSE(SsrfGuard::FromStrings({"nope"}).ok());
}

}  // namespace
}  // namespace ct
