// Force-included into the fuzz build (clang 16 with Debian 12's libstdc++ 12), before anything
// else. libstdc++ 12 declares std::expected only when __cpp_concepts reports 202002; clang 16
// implements what <expected> uses (conditionally trivial special members, which clang 14 and 15
// lack, so they cannot compile xfer at all) but still reports 201907. <variant> and <optional>
// take other paths at 202002, so they are included with the true value first, and <expected>
// alone sees the higher one.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#pragma clang diagnostic push
#pragma clang diagnostic ignored "-Wbuiltin-macro-redefined"
#pragma clang diagnostic ignored "-Wmacro-redefined"
#undef __cpp_concepts
#define __cpp_concepts 202002L
#include <expected>
#undef __cpp_concepts
#define __cpp_concepts 201907L
#pragma clang diagnostic pop
