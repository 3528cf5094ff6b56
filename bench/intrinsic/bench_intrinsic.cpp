// Intrinsic-dimension benchmarks, single thread, on the two n = 20000 timing sets of the issue
// generated in-program (same shapes as skdim's timing files): a 10-sphere in R^11 ("M1") and a
// uniform 10-ball linearly embedded in R^100 ("S10_R100").
// Baselines in the same run: a naive O(n² d) k-NN loop (exact distances, full sort per point)
// at n = 5000; skdim's CPU seconds at n = 20000 are quoted in the README of bench/compare.
#include <algorithm>
#include <cmath>
#include <utility>
#include <vector>

#include <benchmark/benchmark.h>

#include <subspace/intrinsic.hpp>

#if defined(_OPENMP)
#include <omp.h>
#endif

namespace {

using subspace::Index;

void single_thread() {
#if defined(_OPENMP)
    omp_set_num_threads(1);
#endif
    Eigen::setNbThreads(1);
}

/// id 0: 10-sphere in R^11; id 1: uniform 10-ball in R^100 through a random 100 x 10 map.
const Eigen::MatrixXd& data(int id, Index n) {
    static std::vector<std::pair<std::pair<int, Index>, Eigen::MatrixXd>> cache;
    for (const auto& c : cache)
        if (c.first.first == id && c.first.second == n) return c.second;
    const subspace::Rng rng(2026, static_cast<std::uint32_t>(id));
    Eigen::MatrixXd X;
    if (id == 0) {
        X = rng.normal<double>(11, n);
        X.array().rowwise() /= X.colwise().norm().array();
    } else {
        X = rng.with_stream(7).normal<double>(100, 10) * subspace::uniform_ball<double>(10, n, 3);
    }
    cache.emplace_back(std::make_pair(id, n), X);
    return cache.back().second;
}

void naive_knn(const Eigen::MatrixXd& X, Index k, Eigen::MatrixXd& dist) {
    const Index n = X.cols();
    std::vector<std::pair<double, Index>> row(static_cast<std::size_t>(n - 1));
    for (Index i = 0; i < n; ++i) {
        std::size_t t = 0;
        for (Index j = 0; j < n; ++j)
            if (j != i) row[t++] = {(X.col(i) - X.col(j)).squaredNorm(), j};
        std::partial_sort(row.begin(), row.begin() + k, row.end());
        for (Index s = 0; s < k; ++s)
            dist(s, i) = std::sqrt(row[static_cast<std::size_t>(s)].first);
    }
}

void BM_knn_naive(benchmark::State& st) {
    single_thread();
    const Eigen::MatrixXd& X = data(static_cast<int>(st.range(0)), st.range(1));
    Eigen::MatrixXd dist(20, X.cols());
    for (auto _ : st) {
        naive_knn(X, 20, dist);
        benchmark::DoNotOptimize(dist.data());
    }
}

void BM_knn_engine(benchmark::State& st) {
    single_thread();
    const Eigen::MatrixXd& X = data(static_cast<int>(st.range(0)), st.range(1));
    subspace::KnnOptions o;
    o.method = st.range(2) == 0 ? subspace::KnnMethod::brute_force : subspace::KnnMethod::kd_tree;
    for (auto _ : st) benchmark::DoNotOptimize(subspace::knn(X, 20, o).distances.data());
}

void BM_mle_k20(benchmark::State& st) {
    single_thread();
    const Eigen::MatrixXd& X = data(static_cast<int>(st.range(0)), 20000);
    for (auto _ : st) benchmark::DoNotOptimize(subspace::mle_dimension(X).dimension);
}

void BM_twonn(benchmark::State& st) {
    single_thread();
    const Eigen::MatrixXd& X = data(static_cast<int>(st.range(0)), 20000);
    for (auto _ : st) benchmark::DoNotOptimize(subspace::twonn_dimension(X).dimension);
}

void BM_corrint(benchmark::State& st) {
    single_thread();
    const Eigen::MatrixXd& X = data(static_cast<int>(st.range(0)), 20000);
    for (auto _ : st) benchmark::DoNotOptimize(subspace::corrint_dimension(X).dimension);
}

void BM_estimate_dimension(benchmark::State& st) {
    single_thread();
    const Eigen::MatrixXd& X = data(static_cast<int>(st.range(0)), 20000);
    for (auto _ : st) benchmark::DoNotOptimize(subspace::estimate_dimension(X).dimension);
}

/// DANCo (k = 10) with its calibration cached: the first call (outside the timing) draws the
/// uniform-ball calibration for this (n, k); the timed calls reuse it, as repeated calls do.
void BM_danco_cached(benchmark::State& st) {
    single_thread();
    const Eigen::MatrixXd& X = data(static_cast<int>(st.range(0)), 20000);
    benchmark::DoNotOptimize(subspace::danco_dimension(X).dimension);
    for (auto _ : st) benchmark::DoNotOptimize(subspace::danco_dimension(X).dimension);
}

/// ESS (k = 100, skdim's default).
void BM_ess(benchmark::State& st) {
    single_thread();
    const Eigen::MatrixXd& X = data(static_cast<int>(st.range(0)), 20000);
    for (auto _ : st) benchmark::DoNotOptimize(subspace::ess_dimension(X).dimension);
}

/// The whole battery on one shared k = 100 graph: MLE, TwoNN (both), GRIDE scaling, MOM, MADA,
/// MiND_ML, TLE (k = 20).
void BM_battery_k100(benchmark::State& st) {
    single_thread();
    const Eigen::MatrixXd& X = data(static_cast<int>(st.range(0)), 20000);
    for (auto _ : st) {
        subspace::KnnOptions o;
        o.skip_duplicates = true;
        const auto g = subspace::knn(X, 100, o);
        double s = subspace::mle_dimension(g).dimension + subspace::twonn_dimension(g).dimension;
        subspace::TwoNnOptions ml;
        ml.method = subspace::TwoNnMethod::maximum_likelihood;
        s += subspace::twonn_dimension(g, ml).dimension;
        s += subspace::gride_scaling(g, 6).back().dimension;
        s += subspace::mom_dimension(g).dimension + subspace::mada_dimension(g).dimension;
        s += subspace::mind_ml_dimension(g).dimension + subspace::tle_dimension(X, g).dimension;
        benchmark::DoNotOptimize(s);
    }
}

}  // namespace

BENCHMARK(BM_knn_naive)
    ->Args({0, 5000})
    ->Args({1, 5000})
    ->Unit(benchmark::kMillisecond)
    ->Iterations(1);
BENCHMARK(BM_knn_engine)
    ->Args({0, 5000, 0})
    ->Args({1, 5000, 0})
    ->Args({0, 5000, 1})
    ->Args({0, 20000, 0})
    ->Args({1, 20000, 0})
    ->Args({0, 20000, 1})
    ->Unit(benchmark::kMillisecond)
    ->Iterations(1);
BENCHMARK(BM_mle_k20)->Arg(0)->Arg(1)->Unit(benchmark::kMillisecond)->Iterations(1);
BENCHMARK(BM_twonn)->Arg(1)->Unit(benchmark::kMillisecond)->Iterations(1);
BENCHMARK(BM_corrint)->Arg(0)->Arg(1)->Unit(benchmark::kMillisecond)->Iterations(1);
BENCHMARK(BM_estimate_dimension)->Arg(0)->Arg(1)->Unit(benchmark::kMillisecond)->Iterations(1);
BENCHMARK(BM_danco_cached)->Arg(0)->Arg(1)->Unit(benchmark::kMillisecond)->Iterations(1);
BENCHMARK(BM_ess)->Arg(0)->Arg(1)->Unit(benchmark::kMillisecond)->Iterations(1);
BENCHMARK(BM_battery_k100)->Arg(0)->Arg(1)->Unit(benchmark::kMillisecond)->Iterations(1);

BENCHMARK_MAIN();
