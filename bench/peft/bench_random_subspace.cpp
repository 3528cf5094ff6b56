// RandomSubspace products P z and Pᵀ g: Fastfood (never stored, O(D log d) per product, O(D)
// memory) against a stored dense Gaussian P of the same shape (Eigen GEMV), float.
//
// The size is D = 10^6, d = 1000. A dense float P of that shape is 4 GB; by default the
// dense baseline runs at D = 10^5 and 2 x 10^5 (400 MB / 800 MB) and scales linearly in D (a
// memory-bound GEMV: D d reads), so its D = 10^6 time is 10x the D = 10^5 time. Set
// SUBSPACE_BENCH_DENSE_FULL=1 to also run the dense baseline at D = 10^6 (needs 4 GB).
// Fastfood runs at D = 10^5 and 10^6. Build in Release; every benchmark repeats 5 times and
// reports the median.
#include <cstdlib>
#include <memory>

#include <benchmark/benchmark.h>

#include "subspace/adapters/random_subspace.hpp"

namespace {

using subspace::Index;
using Vec = Eigen::VectorXf;

constexpr Index kD = 1000000, kd = 1000;

std::unique_ptr<subspace::RandomSubspace<float>> make(Index D, subspace::SubspaceProjection kind) {
    subspace::RandomSubspaceOptions o;
    o.kind = kind;
    o.seed = 1;
    return std::make_unique<subspace::RandomSubspace<float>>(Vec::Zero(D), kd, o);
}

void BM_fastfood_apply(benchmark::State& st) {
    const Index D = st.range(0);
    const auto sub = make(D, subspace::SubspaceProjection::fastfood);
    const Vec z = subspace::Rng(2).normal<float>(kd, 1);
    for (auto _ : st) {
        Eigen::MatrixXf out = sub->apply(z);
        benchmark::DoNotOptimize(out.data());
    }
    // Bytes held by the Fastfood factors (signs, Gaussians, scales, permutation), O(D).
    const double bytes = static_cast<double>(sub->fastfood_blocks().size()) *
                         static_cast<double>(sub->fastfood_block_size()) *
                         (3 * sizeof(float) + sizeof(Index));
    st.counters["factor_MB"] = bytes / 1e6;
    st.counters["D"] = static_cast<double>(D);
}

void BM_fastfood_adjoint(benchmark::State& st) {
    const Index D = st.range(0);
    const auto sub = make(D, subspace::SubspaceProjection::fastfood);
    const Vec g = subspace::Rng(3).normal<float>(D, 1);
    for (auto _ : st) {
        Eigen::MatrixXf out = sub->apply_adjoint(g);
        benchmark::DoNotOptimize(out.data());
    }
    st.counters["D"] = static_cast<double>(D);
}

void BM_dense_apply(benchmark::State& st) {
    const Index D = st.range(0);
    const Eigen::MatrixXf P = subspace::Rng(4).normal<float>(D, kd);
    const Vec z = subspace::Rng(2).normal<float>(kd, 1);
    Vec out(D);
    for (auto _ : st) {
        out.noalias() = P * z;
        benchmark::DoNotOptimize(out.data());
    }
    st.counters["P_MB"] = static_cast<double>(D) * kd * sizeof(float) / 1e6;
    st.counters["D"] = static_cast<double>(D);
}

void BM_dense_adjoint(benchmark::State& st) {
    const Index D = st.range(0);
    const Eigen::MatrixXf P = subspace::Rng(4).normal<float>(D, kd);
    const Vec g = subspace::Rng(3).normal<float>(D, 1);
    Vec out(kd);
    for (auto _ : st) {
        out.noalias() = P.transpose() * g;
        benchmark::DoNotOptimize(out.data());
    }
    st.counters["D"] = static_cast<double>(D);
}

void register_all() {
    const bool full = std::getenv("SUBSPACE_BENCH_DENSE_FULL") != nullptr;
    for (auto* b : {benchmark::RegisterBenchmark("fastfood_apply", BM_fastfood_apply),
                    benchmark::RegisterBenchmark("fastfood_adjoint", BM_fastfood_adjoint)})
        b->Arg(100000)->Arg(kD)->Repetitions(5)->ReportAggregatesOnly(true)->Unit(
            benchmark::kMillisecond);
    for (auto* b : {benchmark::RegisterBenchmark("dense_apply", BM_dense_apply),
                    benchmark::RegisterBenchmark("dense_adjoint", BM_dense_adjoint)}) {
        b->Arg(100000)->Arg(200000)->Repetitions(5)->ReportAggregatesOnly(true)->Unit(
            benchmark::kMillisecond);
        if (full) b->Arg(kD);
    }
}

}  // namespace

int main(int argc, char** argv) {
    register_all();
    benchmark::Initialize(&argc, argv);
    benchmark::RunSpecifiedBenchmarks();
    benchmark::Shutdown();
    return 0;
}
