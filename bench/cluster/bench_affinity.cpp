// Self-expressive affinities: SSC-ADMM on every Hopkins155 sequence (the directory in
// $SUBSPACE_HOPKINS_DIR; skipped when unset), and SSC-OMP, EnSC and TSC on 20000 points drawn
// from 20 random 6-dimensional subspaces of R^100 (1000 unit-norm points each, seed fixed).
// Compare with bench/compare/cluster_python.py (numpy / scikit-learn reference implementations):
//
//   OMP_NUM_THREADS=1 SUBSPACE_HOPKINS_DIR=../shared/data/hopkins155 ./bench_cluster
//   /usr/bin/python3 bench/compare/cluster_python.py --hopkins ../shared/data/hopkins155
#include <cstdint>
#include <cstdlib>
#include <fstream>
#include <string>
#include <vector>

#include <Eigen/Core>
#include <benchmark/benchmark.h>

#include "subspace/cluster/ensc.hpp"
#include "subspace/cluster/ssc.hpp"
#include "subspace/cluster/ssc_omp.hpp"
#include "subspace/cluster/tsc.hpp"
#include "subspace/core/rng.hpp"

namespace {

using Mat = Eigen::MatrixXd;
using Eigen::Index;

const Mat& union_data() {
    static const Mat X = [] {
        const Index d = 100, k = 20, r = 6, per = 1000;
        Mat Y(d, k * per);
        for (Index s = 0; s < k; ++s) {
            const Mat B = subspace::Rng(1000 + static_cast<std::uint64_t>(s)).normal<double>(d, r);
            const Mat A =
                subspace::Rng(2000 + static_cast<std::uint64_t>(s)).normal<double>(r, per);
            Y.middleCols(s * per, per) = B * A;
        }
        for (Index j = 0; j < Y.cols(); ++j) Y.col(j).normalize();
        return Y;
    }();
    return X;
}

std::vector<Mat> hopkins() {
    std::vector<Mat> out;
    const char* dir = std::getenv("SUBSPACE_HOPKINS_DIR");
    if (!dir) return out;
    std::ifstream idx(std::string(dir) + "/index.json");
    std::string line;
    while (std::getline(idx, line)) {
        const auto k = line.find("\"name\":");
        if (k == std::string::npos) continue;
        const auto a = line.find('"', k + 7);
        const auto b = line.find('"', a + 1);
        const std::string name = line.substr(a + 1, b - a - 1);
        std::ifstream fx(std::string(dir) + "/" + name + ".X.f64",
                         std::ios::binary | std::ios::ate);
        std::ifstream fs(std::string(dir) + "/" + name + ".s.i32",
                         std::ios::binary | std::ios::ate);
        const auto nx = static_cast<Index>(fx.tellg()) / 8, P = static_cast<Index>(fs.tellg()) / 4;
        if (P <= 0) continue;
        Mat X(nx / P, P);
        fx.seekg(0);
        fx.read(reinterpret_cast<char*>(X.data()), static_cast<std::streamsize>(nx * 8));
        out.push_back(X);
    }
    return out;
}

void BM_ssc_admm_hopkins155(benchmark::State& st) {
    static const std::vector<Mat> seqs = hopkins();
    if (seqs.empty()) {
        st.SkipWithError("SUBSPACE_HOPKINS_DIR not set");
        return;
    }
    subspace::SscOptions o;
    o.alpha = 800;
    o.affine = true;
    for (auto _ : st)
        for (const auto& X : seqs) benchmark::DoNotOptimize(subspace::ssc_admm(X, o).C.data());
}
BENCHMARK(BM_ssc_admm_hopkins155)->Unit(benchmark::kSecond)->Iterations(1);

void BM_ssc_omp_20000(benchmark::State& st) {
    const Mat& X = union_data();
    for (auto _ : st) benchmark::DoNotOptimize(subspace::ssc_omp(X).C.nonZeros());
}
BENCHMARK(BM_ssc_omp_20000)->Unit(benchmark::kSecond)->Iterations(1);

void BM_ensc_20000(benchmark::State& st) {
    const Mat& X = union_data();
    for (auto _ : st) benchmark::DoNotOptimize(subspace::ensc(X).C.nonZeros());
}
BENCHMARK(BM_ensc_20000)->Unit(benchmark::kSecond)->Iterations(1);

void BM_tsc_20000(benchmark::State& st) {
    const Mat& X = union_data();
    for (auto _ : st) benchmark::DoNotOptimize(subspace::tsc(X).C.nonZeros());
}
BENCHMARK(BM_tsc_20000)->Unit(benchmark::kSecond)->Iterations(1);

}  // namespace

BENCHMARK_MAIN();
