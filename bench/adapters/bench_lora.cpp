// LoRA forward + backward on the reference layer: W 4096 x 4096 float, r = 16, batch
// 512 (X is 4096 x 512, columns are samples), next to the plain frozen layer in the same run.
//
//   plain/WX          Y = W X                                 (the product the issue names)
//   plain/fwd_bwd     Y = W X, dX = Wᵀ dY                     (a frozen layer's forward + backward)
//   lora/fwd_bwd      LoraAdapter::forward + backward         (W X, Wᵀ dY and the small products,
//                                                              ordered B (A X), plus ∂A, ∂B)
//   lora/interleaved  plain fwd_bwd and LoRA fwd_bwd timed alternately in each iteration; the
//                     counters give the median ratio LoRA / plain (extra cost = ratio − 1) and
//                     the median ratio of the LoRA pass to the W X product alone.
// Target (issue 7): extra cost of the adapter <= 10% over the plain layer.
// Build in Release with -O3 -march=native (the `bench` preset).
#include <algorithm>
#include <chrono>
#include <vector>

#include <Eigen/Core>
#include <benchmark/benchmark.h>

#include <subspace/adapters/lora.hpp>

namespace {

using Mat = Eigen::MatrixXf;
constexpr Eigen::Index kD = 4096, kN = 512, kR = 16;

struct Data {
    Mat W, X, dY;
    subspace::LoraAdapter<float> lora;
    Data()
        : W(subspace::Rng(1).normal<float>(kD, kD) * (1.0f / 64.0f)),
          X(subspace::Rng(2).normal<float>(kD, kN)),
          dY(subspace::Rng(3).normal<float>(kD, kN)),
          lora(W, kR, 32.0, 4) {
        lora.B() = subspace::Rng(5).normal<float>(kD, kR) * 0.01f;
    }
};

Data& data() {
    static Data d;
    return d;
}

void plain_wx(Mat& Y) {
    const Data& d = data();
    Y.noalias() = d.W * d.X;
}
void plain_fwd_bwd(Mat& Y, Mat& dX) {
    const Data& d = data();
    Y.noalias() = d.W * d.X;
    dX.noalias() = d.W.transpose() * d.dY;
}
float lora_fwd_bwd() {
    const Data& d = data();
    const Mat Y = d.lora.forward(d.X);
    const auto g = d.lora.backward(d.X, d.dY);
    return Y(0, 0) + g.X(0, 0) + g.A(0, 0) + g.B(0, 0);
}

void BM_plain_WX(benchmark::State& state) {
    Mat Y(kD, kN);
    for (auto _ : state) {
        plain_wx(Y);
        benchmark::DoNotOptimize(Y.data());
    }
}
void BM_plain_fwd_bwd(benchmark::State& state) {
    Mat Y(kD, kN), dX(kD, kN);
    for (auto _ : state) {
        plain_fwd_bwd(Y, dX);
        benchmark::DoNotOptimize(Y.data());
        benchmark::DoNotOptimize(dX.data());
    }
}
void BM_lora_fwd_bwd(benchmark::State& state) {
    for (auto _ : state) benchmark::DoNotOptimize(lora_fwd_bwd());
}
void BM_lora_interleaved(benchmark::State& state) {
    using clock = std::chrono::steady_clock;
    Mat Y(kD, kN), dX(kD, kN);
    std::vector<double> ratio, ratio_wx;
    for (auto _ : state) {
        const auto t0 = clock::now();
        plain_wx(Y);
        const auto t1 = clock::now();
        plain_fwd_bwd(Y, dX);
        const auto t2 = clock::now();
        benchmark::DoNotOptimize(lora_fwd_bwd());
        const auto t3 = clock::now();
        benchmark::DoNotOptimize(Y.data());
        const double wx = std::chrono::duration<double>(t1 - t0).count();
        const double plain = std::chrono::duration<double>(t2 - t1).count();
        const double lora = std::chrono::duration<double>(t3 - t2).count();
        ratio.push_back(lora / plain);
        ratio_wx.push_back(lora / wx);
    }
    auto median = [](std::vector<double> v) {
        std::sort(v.begin(), v.end());
        return v.empty() ? 0.0 : v[v.size() / 2];
    };
    state.counters["lora_over_plain_fwd_bwd"] = median(ratio);
    state.counters["extra_cost_pct"] = 100.0 * (median(ratio) - 1.0);
    state.counters["lora_over_WX"] = median(ratio_wx);
}

}  // namespace

BENCHMARK(BM_plain_WX)->Name("plain/WX")->Unit(benchmark::kMillisecond)->MinTime(2.0);
BENCHMARK(BM_plain_fwd_bwd)->Name("plain/fwd_bwd")->Unit(benchmark::kMillisecond)->MinTime(2.0);
BENCHMARK(BM_lora_fwd_bwd)->Name("lora/fwd_bwd")->Unit(benchmark::kMillisecond)->MinTime(2.0);
BENCHMARK(BM_lora_interleaved)
    ->Name("lora/interleaved")
    ->Unit(benchmark::kMillisecond)
    ->Iterations(15);

BENCHMARK_MAIN();
