// The Gram kernel of detail/syrk.hpp (packed AVX + FMA, lower triangle) against Eigen's symmetric
// rank update on the same matrix, in the same run. Shapes: the mode-0 Gram of the Tucker
// benchmark tensors (200 x 40000 from 200³, 100 x 200000 from 100³ x 20) and a square-ish
// 1000 x 3000. Counter GFLOPs = n² K / time (the flops of the triangle). numpy's dsyrk
// (OpenBLAS, one thread) on this machine: 48 ms (200 x 40000) and 71 ms (100 x 200000).
#include <Eigen/Core>
#include <benchmark/benchmark.h>

#include <subspace/detail/syrk.hpp>

namespace {

template <class Scalar>
void gram(benchmark::State& state, bool ours) {
    using Mat = Eigen::Matrix<Scalar, Eigen::Dynamic, Eigen::Dynamic>;
    const Eigen::Index n = state.range(0);
    const Eigen::Index K = state.range(1);
    std::srand(1);
    const Mat A = Mat::Random(n, K);
    Mat C(n, n);
    for (auto _ : state) {
        C.setZero();
        if (ours)
            subspace::detail::syrk_lower(
                subspace::detail::StridedMatrix<Scalar>{A.data(), n, K, 1, n}, C.data(), n);
        else
            C.template selfadjointView<Eigen::Lower>().rankUpdate(A);
        benchmark::DoNotOptimize(C.data());
    }
    state.counters["GFLOPs"] = benchmark::Counter(
        static_cast<double>(n) * static_cast<double>(n) * static_cast<double>(K),
        benchmark::Counter::kIsIterationInvariantRate, benchmark::Counter::kIs1000);
}

void gram_ours_double(benchmark::State& s) { gram<double>(s, true); }
void gram_eigen_double(benchmark::State& s) { gram<double>(s, false); }
void gram_ours_float(benchmark::State& s) { gram<float>(s, true); }
void gram_eigen_float(benchmark::State& s) { gram<float>(s, false); }

}  // namespace

BENCHMARK(gram_ours_double)
    ->Args({200, 40000})
    ->Args({100, 200000})
    ->Args({1000, 3000})
    ->Unit(benchmark::kMillisecond);
BENCHMARK(gram_eigen_double)
    ->Args({200, 40000})
    ->Args({100, 200000})
    ->Args({1000, 3000})
    ->Unit(benchmark::kMillisecond);
BENCHMARK(gram_ours_float)->Args({200, 40000})->Unit(benchmark::kMillisecond);
BENCHMARK(gram_eigen_float)->Args({200, 40000})->Unit(benchmark::kMillisecond);
