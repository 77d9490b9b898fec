// The Store conformance suite: the behaviour every backend must share (store.h), as one
// value-parameterised GoogleTest fixture. A backend instantiates it from its own test file:
//
//   #include "store/store_conformance.h"
//
//   ct::StoreBackend MyBackend() {
//     return {"Postgres", [](const ct::Clock& clock) -> ct::Result<std::unique_ptr<ct::Store>> {
//       // Return a migrated Store over an EMPTY database (a fresh schema or database per
//       // call: tests assume no posts and no tokens).
//     }};
//   }
//   INSTANTIATE_TEST_SUITE_P(Postgres, StoreConformanceTest, ::testing::Values(MyBackend()),
//                            ::ct::StoreBackendName);
//
// and links the test with `ct_store_conformance` (an OBJECT library, so the tests are always
// linked in). The fixture calls the factory once per test; the Store is destroyed at TearDown.
//
// Behaviour pinned down here beyond store.h's wording (keep backends in line):
//  - A post's identity (source, external_id) and created_at are kept from the first insert;
//    an update replaces every other collected/analysed field (collected_at included); a
//    duplicate whose fields are all equal counts as `unchanged`.
//  - q: words are split on whitespace and punctuation and each must match a whole word of the
//    title or content, case-insensitively, accents significant. A q made only of punctuation
//    matches nothing (and never fails).
//  - Breakdowns sort by count descending, then key ascending in byte order (COLLATE "C").
//  - Week buckets start on Monday; periods are UTC "YYYY-MM-DD".
//  - CreateToken with created_at == 0 stamps the clock's time; duplicate live names are
//    AlreadyExists.
#pragma once

#include <gtest/gtest.h>

#include <functional>
#include <memory>
#include <ostream>
#include <string>

#include "core/clock.h"
#include "core/status.h"
#include "store/store.h"

namespace ct {

struct StoreBackend {
  std::string name;  // test name suffix, e.g. "Sqlite"
  // Returns a fresh, migrated, empty store. `clock` outlives the store.
  std::function<Result<std::unique_ptr<Store>>(const Clock& clock)> open;
};

// gtest prints the parameter as its name instead of a byte dump.
inline void PrintTo(const StoreBackend& backend, std::ostream* os) { *os << backend.name; }

// Names instantiations after StoreBackend::name.
std::string StoreBackendName(const ::testing::TestParamInfo<StoreBackend>& info);

class StoreConformanceTest : public ::testing::TestWithParam<StoreBackend> {
 protected:
  void SetUp() override;
  void TearDown() override;

  Store& store() { return *store_; }

  FakeClock clock_;
  std::unique_ptr<Store> store_;
};

}  // namespace ct
