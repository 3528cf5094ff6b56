// The general product of detail/gemm.hpp (packed AVX + FMA) against Eigen's product on the same
// operands, in the same run. Shapes: a square 2000³ product, the two products of a randomized SVD
// of a 4000 x 3000 matrix at rank 50 + 10 (A Ω and Aᵀ Y, the second through a transposed view),
// and a k-NN distance tile Xᵀ Y (1024 x 1024 points in R^100). Counter GFLOPs = 2 m n K / time.
#include <Eigen/Core>
#include <benchmark/benchmark.h>

#include <subspace/detail/gemm.hpp>

namespace {

// args: m, n, K, transpose_a (A stored K x m and used transposed).
template <class Scalar>
void product(benchmark::State& state, bool ours) {
    using Mat = Eigen::Matrix<Scalar, Eigen::Dynamic, Eigen::Dynamic>;
    const Eigen::Index m = state.range(0), n = state.range(1), K = state.range(2);
    const bool ta = state.range(3) != 0;
    std::srand(1);
    const Mat A = ta ? Mat(Mat::Random(K, m)) : Mat(Mat::Random(m, K));
    const Mat B = Mat::Random(K, n);
    Mat C(m, n);
    for (auto _ : state) {
        if (ours) {
            auto va = subspace::detail::strided_view(A);
            if (ta) va = subspace::detail::transposed(va);
            subspace::detail::gemm(va, subspace::detail::strided_view(B), C.data(), m, false);
        } else if (ta) {
            C.noalias() = A.transpose() * B;
        } else {
            C.noalias() = A * B;
        }
        benchmark::DoNotOptimize(C.data());
    }
    state.counters["GFLOPs"] = benchmark::Counter(
        2.0 * static_cast<double>(m) * static_cast<double>(n) * static_cast<double>(K),
        benchmark::Counter::kIsIterationInvariantRate, benchmark::Counter::kIs1000);
}

void gemm_ours_double(benchmark::State& s) { product<double>(s, true); }
void gemm_eigen_double(benchmark::State& s) { product<double>(s, false); }
void gemm_ours_float(benchmark::State& s) { product<float>(s, true); }
void gemm_eigen_float(benchmark::State& s) { product<float>(s, false); }

void shapes(benchmark::internal::Benchmark* b) {
    b->Args({2000, 2000, 2000, 0})
        ->Args({4000, 60, 3000, 0})
        ->Args({3000, 60, 4000, 1})
        ->Args({1024, 1024, 100, 1})
        ->Unit(benchmark::kMillisecond);
}

}  // namespace

BENCHMARK(gemm_ours_double)->Apply(shapes);
BENCHMARK(gemm_eigen_double)->Apply(shapes);
BENCHMARK(gemm_ours_float)->Args({2000, 2000, 2000, 0})->Unit(benchmark::kMillisecond);
BENCHMARK(gemm_eigen_float)->Args({2000, 2000, 2000, 0})->Unit(benchmark::kMillisecond);
