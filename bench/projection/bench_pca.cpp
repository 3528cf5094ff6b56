// PCA of 100000 points in R^500 to 50 components: randomized solver vs full SVD solver (and the
// covariance solver and a plain BDCSVD of the centred data for reference) in the same run, with the
// ratio of their median times and the difference of the explained variance (ratio sums) printed at
// the end.
//
// Data: X = U diag(σ) G + 0.1 N with U a random 500 x 100 orthonormal basis, σ_i = 20 · 0.95^i,
// G and N standard normal (Philox, seed fixed), plus a mean offset. Written to
// $SUBSPACE_BENCH_DIR (default /tmp) as projection_pca.npy (100000 x 500, float64, points are
// rows as scikit-learn expects), with our timings in projection_results.txt, for
// bench/compare/projection_sklearn.py.
//
//   OMP_NUM_THREADS=1 ./bench_projection --benchmark_repetitions=3
//   /usr/bin/python3 bench/compare/projection_sklearn.py
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <map>
#include <string>

#include <Eigen/Core>
#include <benchmark/benchmark.h>

#include "subspace/core.hpp"
#include "subspace/projection.hpp"

namespace {

using Mat = Eigen::MatrixXd;
using Eigen::Index;

constexpr Index kDim = 500, kPoints = 100000, kComponents = 50, kRank = 100;

std::string out_dir() {
    const char* d = std::getenv("SUBSPACE_BENCH_DIR");
    return d ? d : "/tmp";
}

// Column-major d x n is row-major n x d: numpy reads it as (n_samples, n_features).
void write_npy(const std::string& path, const Mat& X) {
    std::ofstream f(path, std::ios::binary);
    std::string header = "{'descr': '<f8', 'fortran_order': False, 'shape': (" +
                         std::to_string(X.cols()) + ", " + std::to_string(X.rows()) + "), }";
    while ((10 + header.size() + 1) % 64 != 0) header += ' ';
    header += '\n';
    const auto hl = static_cast<unsigned short>(header.size());
    f.write("\x93NUMPY\x01\x00", 8);
    f.write(reinterpret_cast<const char*>(&hl), 2);
    f.write(header.data(), static_cast<std::streamsize>(header.size()));
    f.write(reinterpret_cast<const char*>(X.data()),
            static_cast<std::streamsize>(sizeof(double) * static_cast<std::size_t>(X.size())));
}

const Mat& data() {
    static const Mat X = [] {
        const Mat U = subspace::orthonormalize(subspace::Rng(1).normal<double>(kDim, kRank));
        Eigen::VectorXd sigma(kRank);
        for (Index i = 0; i < kRank; ++i) sigma(i) = 20.0 * std::pow(0.95, static_cast<double>(i));
        Mat G = subspace::Rng(2).normal<double>(kRank, kPoints);
        Mat A = 0.1 * subspace::Rng(3).normal<double>(kDim, kPoints);
        A.noalias() += U * sigma.asDiagonal() * G;
        A.colwise() += Eigen::VectorXd::LinSpaced(kDim, -1.0, 1.0);
        write_npy(out_dir() + "/projection_pca.npy", A);
        return A;
    }();
    return X;
}

std::map<std::string, double>& explained() {
    static std::map<std::string, double> m;
    return m;
}

void run_pca(benchmark::State& state, subspace::PcaSolver solver, const char* name,
             Index power_iterations = -1) {
    const Mat& X = data();
    subspace::PcaOptions o;
    o.solver = solver;
    o.power_iterations = power_iterations;
    double ev = 0.0;
    for (auto _ : state) {
        subspace::Pca<double> pca(o);
        pca.fit(X, kComponents);
        ev = pca.explained_variance_ratio().sum();
        benchmark::DoNotOptimize(pca.components().data());
    }
    explained()[name] = ev;
    state.counters["explained_variance_ratio_sum"] = ev;
}

void BM_PcaRandomized(benchmark::State& state) {
    run_pca(state, subspace::PcaSolver::randomized, "randomized");
}
// Two power iterations instead of the automatic four (six passes over X instead of ten).
void BM_PcaRandomizedQ2(benchmark::State& state) {
    run_pca(state, subspace::PcaSolver::randomized, "randomized_q2", 2);
}
// One power iteration (four passes): what the accuracy bar (explained variance within
// 1e-3 of the exact solver) needs on this data; reported beside the default.
void BM_PcaRandomizedQ1(benchmark::State& state) {
    run_pca(state, subspace::PcaSolver::randomized, "randomized_q1", 1);
}
void BM_PcaFull(benchmark::State& state) { run_pca(state, subspace::PcaSolver::full, "full"); }
void BM_PcaCovariance(benchmark::State& state) {
    run_pca(state, subspace::PcaSolver::covariance_eigh, "covariance_eigh");
}

// For context: the plain thin SVD (BDCSVD, both factors) of the centred data, what a naive full
// solver (or scipy.linalg.svd behind scikit-learn's svd_solver="full") computes.
void BM_BdcsvdOfCentredData(benchmark::State& state) {
    const Mat& X = data();
    for (auto _ : state) {
        Mat Xc = X;
        Xc.colwise() -= X.rowwise().mean();
        auto svd = subspace::detail::make_thin_bdcsvd(Xc);
        benchmark::DoNotOptimize(svd.singularValues().data());
    }
}

BENCHMARK(BM_PcaRandomized)->Unit(benchmark::kMillisecond)->Iterations(1)->UseRealTime();
BENCHMARK(BM_PcaRandomizedQ2)->Unit(benchmark::kMillisecond)->Iterations(1)->UseRealTime();
BENCHMARK(BM_PcaRandomizedQ1)->Unit(benchmark::kMillisecond)->Iterations(1)->UseRealTime();
BENCHMARK(BM_PcaFull)->Unit(benchmark::kMillisecond)->Iterations(1)->UseRealTime();
BENCHMARK(BM_PcaCovariance)->Unit(benchmark::kMillisecond)->Iterations(1)->UseRealTime();
BENCHMARK(BM_BdcsvdOfCentredData)->Unit(benchmark::kMillisecond)->Iterations(1)->UseRealTime();

// Console output as usual, plus the median (or single) time of each benchmark.
class RecordingReporter : public benchmark::ConsoleReporter {
public:
    void ReportRuns(const std::vector<Run>& runs) override {
        for (const auto& r : runs) {
            const std::string name = r.run_name.function_name;
            if (r.run_type == Run::RT_Aggregate ? r.aggregate_name == "median"
                                                : medians.find(name) == medians.end())
                medians[name] = r.GetAdjustedRealTime();
        }
        ConsoleReporter::ReportRuns(runs);
    }
    std::map<std::string, double> medians;  // ms
};

}  // namespace

int main(int argc, char** argv) {
    benchmark::Initialize(&argc, argv);
    if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
    RecordingReporter rep;
    benchmark::RunSpecifiedBenchmarks(&rep);
    benchmark::Shutdown();
    const auto& m = rep.medians;
    auto get = [&](const char* k) {
        auto it = m.find(k);
        return it == m.end() ? -1.0 : it->second;
    };
    const double tr = get("BM_PcaRandomized"), tf = get("BM_PcaFull"), tc = get("BM_PcaCovariance"),
                 tb = get("BM_BdcsvdOfCentredData");
    std::printf("\nPCA %ld x %ld -> %ld components (median real time)\n",
                static_cast<long>(kPoints), static_cast<long>(kDim),
                static_cast<long>(kComponents));
    std::printf("  randomized %.1f ms, full %.1f ms, covariance_eigh %.1f ms\n", tr, tf, tc);
    if (tr > 0 && tf > 0) std::printf("  full / randomized = %.2fx\n", tf / tr);
    const double t2 = get("BM_PcaRandomizedQ2");
    if (t2 > 0 && tf > 0) std::printf("  full / randomized (q = 2) = %.2fx\n", tf / t2);
    const double t1 = get("BM_PcaRandomizedQ1");
    if (t1 > 0 && tf > 0) std::printf("  full / randomized (q = 1) = %.2fx\n", tf / t1);
    if (tr > 0 && tc > 0) std::printf("  covariance_eigh / randomized = %.2fx\n", tc / tr);
    if (tr > 0 && tb > 0)
        std::printf("  BDCSVD of the centred data (U and V) %.1f ms = %.2fx randomized\n", tb,
                    tb / tr);
    const auto& ev = explained();
    for (const char* r : {"randomized", "randomized_q2", "randomized_q1"})
        if (ev.count(r) && ev.count("full"))
            std::printf("  explained variance ratio sum: %s %.8f, full %.8f, |diff| = %.3e\n", r,
                        ev.at(r), ev.at("full"), std::abs(ev.at(r) - ev.at("full")));
    std::ofstream f(out_dir() + "/projection_results.txt");
    for (const char* k : {"randomized", "full", "covariance_eigh"}) {
        const std::string bm = k == std::string("randomized") ? "BM_PcaRandomized"
                               : k == std::string("full")     ? "BM_PcaFull"
                                                              : "BM_PcaCovariance";
        if (get(bm.c_str()) > 0 && ev.count(k))
            f << k << ' ' << get(bm.c_str()) / 1000.0 << ' ' << ev.at(k) << '\n';
    }
    return 0;
}
