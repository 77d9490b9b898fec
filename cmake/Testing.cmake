# ct_add_test(NAME SOURCES ... LIBS ... LABEL pure|pg|redis|browser|chaos)
# Labels follow the file suffix: *_test.cc pure, *_pgtest.cc PostgreSQL, *_redistest.cc Redis,
# *_browsertest.cc Chromium. Tests share one precompiled gtest header to keep builds quick.
find_package(GTest REQUIRED)

add_library(ct_test_pch STATIC ${CMAKE_SOURCE_DIR}/tests/support/pch_anchor.cc)
target_link_libraries(ct_test_pch PUBLIC GTest::gtest GTest::gmock GTest::gtest_main)
# Test helpers shared by every test: #include "support/eventually.h" and the like.
target_include_directories(ct_test_pch PUBLIC ${CMAKE_SOURCE_DIR}/tests)
target_precompile_headers(ct_test_pch PUBLIC <gtest/gtest.h> <gmock/gmock.h> <string> <vector>
                          <memory> <optional> <functional> <map>)

# `pure_tests` builds every test labelled pure (the sanitizer run builds only these).
add_custom_target(pure_tests)

function(ct_add_test name)
  cmake_parse_arguments(T "" "LABEL;TIMEOUT" "SOURCES;LIBS" ${ARGN})
  if(NOT T_LABEL)
    set(T_LABEL pure)
  endif()
  if(NOT T_TIMEOUT)
    set(T_TIMEOUT 300)
  endif()
  add_executable(${name} ${T_SOURCES})
  target_link_libraries(${name} PRIVATE ${T_LIBS} ct_test_pch)
  target_precompile_headers(${name} REUSE_FROM ct_test_pch)
  target_compile_definitions(${name} PRIVATE CT_SOURCE_DIR="${CMAKE_SOURCE_DIR}"
                             CT_BINARY_DIR="${CMAKE_BINARY_DIR}")
  add_test(NAME ${name} COMMAND ${name})
  set_tests_properties(${name} PROPERTIES LABELS ${T_LABEL} TIMEOUT ${T_TIMEOUT})
  if(T_LABEL STREQUAL "pure")
    add_dependencies(pure_tests ${name})
  endif()
endfunction()
