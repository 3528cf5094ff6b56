// Sketching operators against a plain Eigen GEMM with a pre-generated Gaussian matrix, on the
// issue's sizes: a dense 1000 x 20000 matrix (20000 points in R^1000) and a sparse 1e5 x 2000
// matrix of density 1%, both sketched to k = 200. Build in Release; each benchmark repeats 5
// times and the ratio table at the end uses the medians.
#include <cstdio>
#include <map>
#include <string>
#include <vector>

#include <Eigen/SparseCore>
#include <benchmark/benchmark.h>

#include "subspace/sketch.hpp"

#include "sketch_bench_util.hpp"

namespace {

using Mat = Eigen::MatrixXd;
using subspace::Index;

constexpr Index kDenseN = 1000, kDenseM = 20000, kK = 200;
constexpr Index kSparseN = 100000, kSparseM = 2000;

const Mat& dense_input() {
    static const Mat A = subspace::Rng(1).normal<double>(kDenseN, kDenseM);
    return A;
}
const Eigen::SparseMatrix<double>& sparse_input() {
    static const Eigen::SparseMatrix<double> A =
        sketch_bench::random_sparse(kSparseN, kSparseM, 0.01, 2);
    return A;
}

void BM_dense_gemm_baseline(benchmark::State& st) {
    const Mat& A = dense_input();
    const Mat G = subspace::Rng(3).normal<double>(kK, kDenseN) / std::sqrt(double(kK));
    Mat out(kK, kDenseM);
    for (auto _ : st) {
        out.noalias() = G * A;
        benchmark::DoNotOptimize(out.data());
    }
    st.counters["GFLOP/s"] = benchmark::Counter(2.0 * kK * kDenseN * kDenseM,
                                                benchmark::Counter::kIsIterationInvariantRate);
}

template <class Op>
void BM_dense(benchmark::State& st, Op op) {
    const Mat& A = dense_input();
    for (auto _ : st) {
        Mat out = op.apply(A);
        benchmark::DoNotOptimize(out.data());
    }
}

void BM_sparse_gemm_baseline(benchmark::State& st) {
    const auto& A = sparse_input();
    const Mat G = subspace::Rng(3).normal<double>(kK, kSparseN) / std::sqrt(double(kK));
    Mat out(kK, kSparseM);
    for (auto _ : st) {
        out.noalias() = G * A;
        benchmark::DoNotOptimize(out.data());
    }
    st.counters["GFLOP/s"] = benchmark::Counter(2.0 * kK * double(A.nonZeros()),
                                                benchmark::Counter::kIsIterationInvariantRate);
}

template <class Op>
void BM_sparse(benchmark::State& st, Op op) {
    const auto& A = sparse_input();
    for (auto _ : st) {
        Mat out = op.apply(A);
        benchmark::DoNotOptimize(out.data());
    }
}

#define SKETCH_BENCH(fn, name, ...)          \
    BENCHMARK_CAPTURE(fn, name, __VA_ARGS__) \
        ->Unit(benchmark::kMillisecond)      \
        ->UseRealTime()                      \
        ->Repetitions(5)                     \
        ->ReportAggregatesOnly(true)

BENCHMARK(BM_dense_gemm_baseline)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime()
    ->Repetitions(5)
    ->ReportAggregatesOnly(true);
SKETCH_BENCH(BM_dense, gaussian, subspace::GaussianSketch<double>(kK, kDenseN, 7));
SKETCH_BENCH(BM_dense, rademacher, subspace::RademacherSketch<double>(kK, kDenseN, 7));
SKETCH_BENCH(BM_dense, sparse_sign, subspace::SparseSignSketch<double>(kK, kDenseN, 8, 7));
SKETCH_BENCH(BM_dense, srht, subspace::SrhtSketch<double>(kK, kDenseN, 7));
SKETCH_BENCH(BM_dense, count_sketch, subspace::CountSketch<double>(kK, kDenseN, 7));

BENCHMARK(BM_sparse_gemm_baseline)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime()
    ->Repetitions(5)
    ->ReportAggregatesOnly(true);
SKETCH_BENCH(BM_sparse, gaussian, subspace::GaussianSketch<double>(kK, kSparseN, 7));
SKETCH_BENCH(BM_sparse, rademacher, subspace::RademacherSketch<double>(kK, kSparseN, 7));
SKETCH_BENCH(BM_sparse, sparse_sign, subspace::SparseSignSketch<double>(kK, kSparseN, 8, 7));
SKETCH_BENCH(BM_sparse, srht, subspace::SrhtSketch<double>(kK, kSparseN, 7));
SKETCH_BENCH(BM_sparse, count_sketch, subspace::CountSketch<double>(kK, kSparseN, 7));

}  // namespace

int main(int argc, char** argv) {
    benchmark::Initialize(&argc, argv);
    sketch_bench::MedianReporter reporter;
    benchmark::RunSpecifiedBenchmarks(&reporter);
    benchmark::Shutdown();
    const std::vector<sketch_bench::Ratio> table = {
        {"BM_dense/gaussian", "BM_dense_gemm_baseline", 1.15},
        {"BM_dense/rademacher", "BM_dense_gemm_baseline", 1.15},
        {"BM_dense/sparse_sign", "BM_dense_gemm_baseline", 0.4},
        {"BM_dense/srht", "BM_dense_gemm_baseline", 0.4},
        {"BM_dense/count_sketch", "BM_dense_gemm_baseline", 0.25},
        {"BM_sparse/gaussian", "BM_sparse_gemm_baseline", 1.15},
        {"BM_sparse/rademacher", "BM_sparse_gemm_baseline", 1.15},
        {"BM_sparse/sparse_sign", "BM_sparse_gemm_baseline", 0.4},
        {"BM_sparse/srht", "BM_sparse_gemm_baseline", 0.4},
        {"BM_sparse/count_sketch", "BM_sparse_gemm_baseline", 0.25},
        {"BM_lstsq/sketch_precondition", "BM_lstsq/householder_qr", 1.0 / 3.0},
    };
    reporter.print_ratios(table);
    return 0;
}
