// One include for Catch2 v2 (Debian's catch2 2.13) and v3. SUBSPACE_CATCH2_MAJOR is set by CMake.
// Use only what both versions share: TEST_CASE, SECTION, TEMPLATE_TEST_CASE, Approx,
// WithinAbs/WithinRel, REQUIRE_THROWS_AS, REQUIRE_THROWS_WITH, CAPTURE, INFO.
#pragma once

#include <string>

#if SUBSPACE_CATCH2_MAJOR == 3
#include <catch2/catch_approx.hpp>
#include <catch2/catch_template_test_macros.hpp>
#include <catch2/catch_test_macros.hpp>
#include <catch2/matchers/catch_matchers_floating_point.hpp>
#include <catch2/matchers/catch_matchers_string.hpp>
using Catch::Approx;
using Catch::Matchers::ContainsSubstring;
#else
#include <catch2/catch.hpp>
// v3's name for v2's string Contains matcher.
inline Catch::Matchers::StdString::ContainsMatcher ContainsSubstring(const std::string& s) {
    return Catch::Matchers::Contains(s);
}
#endif
