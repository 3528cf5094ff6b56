// Core benchmarks: counter-based Gaussian generation against std::normal_distribution, and
// CholeskyQR2 against Householder QR for tall-skinny orthonormalization.
//   bench_core --benchmark_repetitions=5 --benchmark_report_aggregates_only=true
#include <random>

#include <benchmark/benchmark.h>

#include <subspace/core.hpp>

namespace {

void rng_normal_philox(benchmark::State& state) {
    const auto n = state.range(0);
    Eigen::MatrixXd M(n, n);
    const subspace::Rng rng(1);
    for (auto _ : state) {
        rng.fill_normal(M);
        benchmark::DoNotOptimize(M.data());
    }
    state.SetItemsProcessed(state.iterations() * n * n);
}

// Baseline: the usual sequential generator (not reproducible across standard libraries).
void rng_normal_std_mt19937(benchmark::State& state) {
    const auto n = state.range(0);
    Eigen::MatrixXd M(n, n);
    std::mt19937_64 gen(1);
    std::normal_distribution<double> dist;
    for (auto _ : state) {
        for (Eigen::Index i = 0; i < M.size(); ++i) M.data()[i] = dist(gen);
        benchmark::DoNotOptimize(M.data());
    }
    state.SetItemsProcessed(state.iterations() * n * n);
}

void ortho(benchmark::State& state, subspace::OrthoMethod method) {
    const Eigen::Index m = state.range(0);
    const Eigen::Index k = state.range(1);
    const Eigen::MatrixXd A = subspace::Rng(2).normal<double>(m, k);
    for (auto _ : state) {
        Eigen::MatrixXd Q = subspace::orthonormalize(A, method);
        benchmark::DoNotOptimize(Q.data());
    }
    state.counters["flops"] =
        benchmark::Counter(2.0 * double(m) * double(k) * double(k) * double(state.iterations()),
                           benchmark::Counter::kIsRate);
}
void ortho_householder(benchmark::State& s) { ortho(s, subspace::OrthoMethod::householder); }
void ortho_cholesky_qr2(benchmark::State& s) { ortho(s, subspace::OrthoMethod::cholesky_qr2); }

}  // namespace

BENCHMARK(rng_normal_philox)->Arg(1000)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(rng_normal_std_mt19937)->Arg(1000)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(ortho_householder)->Args({20000, 100})->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(ortho_cholesky_qr2)->Args({20000, 100})->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK_MAIN();
