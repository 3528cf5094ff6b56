// Shared helpers of bench_sketch: a sparse test matrix and a console reporter that keeps the
// median real time of every benchmark and prints ratios against baselines at the end.
#pragma once

#include <cstdio>
#include <map>
#include <string>
#include <vector>

#include <Eigen/SparseCore>
#include <benchmark/benchmark.h>

#include "subspace/core/rng.hpp"

namespace sketch_bench {

/// m x n sparse matrix with each entry present with probability `density`, N(0, 1) values.
inline Eigen::SparseMatrix<double> random_sparse(Eigen::Index m, Eigen::Index n, double density,
                                                 std::uint64_t seed) {
    std::vector<Eigen::Triplet<double>> t;
    t.reserve(
        static_cast<std::size_t>(static_cast<double>(m) * static_cast<double>(n) * density * 1.1));
    subspace::RandomStream rs(seed);
    // Gaps between nonzeros of a column are geometric: draw them directly.
    const double lq = std::log1p(-density);
    for (Eigen::Index j = 0; j < n; ++j) {
        Eigen::Index i = -1;
        while (true) {
            i += 1 + static_cast<Eigen::Index>(std::floor(std::log(rs.next_uniform()) / lq));
            if (i >= m) break;
            t.emplace_back(static_cast<int>(i), static_cast<int>(j), rs.next_normal());
        }
    }
    Eigen::SparseMatrix<double> A(m, n);
    A.setFromTriplets(t.begin(), t.end());
    return A;
}

struct Ratio {
    std::string name;
    std::string baseline;
    double target;  ///< the ratio the issue asks for (at most)
};

class MedianReporter : public benchmark::ConsoleReporter {
public:
    void ReportRuns(const std::vector<Run>& runs) override {
        for (const auto& r : runs)
            if (r.aggregate_name == "median" || (r.aggregate_name.empty() && !r.error_occurred))
                m_median[r.run_name.function_name] = r.GetAdjustedRealTime();  // no suffixes
        benchmark::ConsoleReporter::ReportRuns(runs);
    }
    void print_ratios(const std::vector<Ratio>& table) const {
        std::printf("\n%-32s %-28s %10s %10s %8s %s\n", "benchmark", "baseline", "median",
                    "base med", "ratio", "target");
        for (const auto& t : table) {
            const auto a = m_median.find(t.name), b = m_median.find(t.baseline);
            if (a == m_median.end() || b == m_median.end()) continue;
            const double ratio = a->second / b->second;
            std::printf("%-32s %-28s %10.2f %10.2f %8.3f <= %.3f %s\n", t.name.c_str(),
                        t.baseline.c_str(), a->second, b->second, ratio, t.target,
                        ratio <= t.target ? "met" : "MISSED");
        }
    }

private:
    std::map<std::string, double> m_median;
};

}  // namespace sketch_bench
