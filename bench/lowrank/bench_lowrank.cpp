// Benchmarks of the lowrank module on the reference matrix of issue 4: A = U diag(σ) Vᵀ,
// 4000 x 3000 double, random orthogonal U, V, σ_i = 0.9^i ("geo") or 1/√i ("slow"); rank 50,
// oversampling 10. Baselines measured in the same run: Eigen's GEMM rate (3000³ product), the
// full BDCSVD, Spectra's partial SVD (Lanczos on AᵀA). Counters: effective GFLOP/s
// (12 m n (k + p) flops for q = 2), spectral error / optimal, max relative singular value error,
// peak extra bytes allocated during the call (malloc hook below).
//
// The matrices are written to $SUBSPACE_BENCH_DIR (default /tmp) as lowrank_geo.npy and
// lowrank_slow.npy with our timings in lowrank_results.txt, for bench/compare/lowrank_sklearn.py.
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <malloc.h>
#include <map>
#include <string>
#include <vector>

#include <Eigen/Core>
#include <Spectra/contrib/PartialSVDSolver.h>
#include <benchmark/benchmark.h>

#include <subspace/lowrank.hpp>

// ---- peak-extra-bytes counter: glibc malloc hooks (benchmarks only) --------------------------
extern "C" {
void* __libc_malloc(size_t);
void __libc_free(void*);
void* __libc_calloc(size_t, size_t);
void* __libc_realloc(void*, size_t);
void* __libc_memalign(size_t, size_t);
}

namespace {
std::atomic<long long> g_current{0};
std::atomic<long long> g_peak{0};
void note_alloc(void* p) {
    if (!p) return;
    const long long s = static_cast<long long>(malloc_usable_size(p));
    const long long c = g_current.fetch_add(s) + s;
    long long pk = g_peak.load();
    while (c > pk && !g_peak.compare_exchange_weak(pk, c)) {
    }
}
void note_free(void* p) {
    if (p) g_current.fetch_sub(static_cast<long long>(malloc_usable_size(p)));
}
}  // namespace

extern "C" {
void* malloc(size_t n) {
    void* p = __libc_malloc(n);
    note_alloc(p);
    return p;
}
void free(void* p) {
    note_free(p);
    __libc_free(p);
}
void* calloc(size_t a, size_t b) {
    void* p = __libc_calloc(a, b);
    note_alloc(p);
    return p;
}
void* realloc(void* p, size_t n) {
    note_free(p);
    void* q = __libc_realloc(p, n);
    note_alloc(q ? q : (n == 0 ? nullptr : p));
    return q;
}
void* memalign(size_t a, size_t n) {
    void* p = __libc_memalign(a, n);
    note_alloc(p);
    return p;
}
void* aligned_alloc(size_t a, size_t n) { return memalign(a, n); }
int posix_memalign(void** out, size_t a, size_t n) {
    void* p = memalign(a, n);
    if (!p) return 12;
    *out = p;
    return 0;
}
}

namespace {

using Mat = Eigen::MatrixXd;
using Vec = Eigen::VectorXd;
constexpr Eigen::Index kM = 4000;
constexpr Eigen::Index kN = 3000;
constexpr Eigen::Index kRank = 50;
constexpr Eigen::Index kOver = 10;

struct Reference {
    Mat A;
    Vec sigma;
};

std::string out_dir() {
    const char* d = std::getenv("SUBSPACE_BENCH_DIR");
    return d ? d : "/tmp";
}

void write_npy(const std::string& path, const Mat& A) {
    std::ofstream f(path, std::ios::binary);
    std::string header = "{'descr': '<f8', 'fortran_order': True, 'shape': (" +
                         std::to_string(A.rows()) + ", " + std::to_string(A.cols()) + "), }";
    while ((10 + header.size() + 1) % 64 != 0) header += ' ';
    header += '\n';
    const unsigned short hl = static_cast<unsigned short>(header.size());
    f.write("\x93NUMPY\x01\x00", 8);
    f.write(reinterpret_cast<const char*>(&hl), 2);
    f.write(header.data(), static_cast<std::streamsize>(header.size()));
    f.write(reinterpret_cast<const char*>(A.data()),
            static_cast<std::streamsize>(sizeof(double) * static_cast<std::size_t>(A.size())));
}

const Reference& reference(const std::string& kind) {
    static std::map<std::string, Reference> cache;
    auto it = cache.find(kind);
    if (it != cache.end()) return it->second;
    static Mat U;
    static Mat V;
    if (U.size() == 0) {
        const subspace::Rng rng(2024);
        U = subspace::detail::householder_q<double>(rng.normal<double>(kM, kN));
        V = subspace::detail::householder_q<double>(rng.with_stream(1).normal<double>(kN, kN));
    }
    Reference r;
    r.sigma.resize(kN);
    for (Eigen::Index i = 0; i < kN; ++i)
        r.sigma(i) = kind == "geo" ? std::pow(0.9, double(i)) : 1.0 / std::sqrt(double(i + 1));
    r.A.noalias() = U * r.sigma.asDiagonal() * V.transpose();
    write_npy(out_dir() + "/lowrank_" + kind + ".npy", r.A);
    return cache.emplace(kind, std::move(r)).first->second;
}

// ‖A − U S Vᵀ‖₂ by 40 steps of the power method on EᵀE (E never formed).
double spectral_error(const Mat& A, const subspace::SvdResult<double>& r) {
    Vec x = subspace::Rng(7).normal<double>(A.cols(), 1).col(0);
    double s = 0;
    for (int it = 0; it < 40; ++it) {
        x.normalize();
        const Vec y = A * x - r.U * (r.S.asDiagonal() * (r.V.transpose() * x));
        const Vec z = A.transpose() * y - r.V * (r.S.asDiagonal() * (r.U.transpose() * y));
        s = std::sqrt(z.norm());
        x = z;
    }
    return s;
}

double max_sv_error(const Vec& S, const Vec& sigma) {
    double e = 0;
    for (Eigen::Index i = 0; i < S.size(); ++i)
        e = std::max(e, std::abs(S(i) - sigma(i)) / sigma(i));
    return e;
}

void record(const std::string& line) {
    static bool first = true;
    std::ofstream f(out_dir() + "/lowrank_results.txt", first ? std::ios::trunc : std::ios::app);
    first = false;
    f << line << "\n";
}

void BM_EigenGemm3000(benchmark::State& state) {
    const subspace::Rng rng(1);
    const Mat X = rng.normal<double>(3000, 3000);
    const Mat Y = rng.with_stream(1).normal<double>(3000, 3000);
    Mat Z(3000, 3000);
    for (auto _ : state) {
        Z.noalias() = X * Y;
        benchmark::DoNotOptimize(Z.data());
    }
    state.counters["GFLOPs"] = benchmark::Counter(2.0 * 27e9 * double(state.iterations()) / 1e9,
                                                  benchmark::Counter::kIsRate);
}

void run_rsvd(benchmark::State& state, const std::string& kind, subspace::RsvdMethod method,
              Eigen::Index q, Eigen::Index over = kOver) {
    const Reference& ref = reference(kind);
    subspace::RsvdOptions o;
    o.oversampling = over;
    o.power_iterations = q;
    o.method = method;
    subspace::SvdResult<double> r;
    long long peak = 0;
    std::vector<double> ms;
    for (auto _ : state) {
        const long long base = g_current.load();
        g_peak.store(base);
        const auto t0 = std::chrono::steady_clock::now();
        r = subspace::randomized_svd(ref.A, kRank, o);
        ms.push_back(
            std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0)
                .count());
        peak = std::max(peak, g_peak.load() - base);
        benchmark::DoNotOptimize(r.S.data());
    }
    std::sort(ms.begin(), ms.end());
    const double passes = double(2 * q + 2);
    state.counters["GFLOPs_eff"] =
        benchmark::Counter(passes * 2.0 * double(kM) * double(kN) * double(kRank + over) *
                               double(state.iterations()) / 1e9,
                           benchmark::Counter::kIsRate);
    const double err = spectral_error(ref.A, r) / ref.sigma(kRank);
    state.counters["spec_err_ratio"] = err;
    state.counters["max_sv_rel_err"] = max_sv_error(r.S, ref.sigma);
    state.counters["peak_extra_MB"] = double(peak) / 1e6;
    state.counters["O((m+n)l)_MB"] = double((kM + kN) * (kRank + kOver)) * 8.0 / 1e6;
    const std::string name =
        std::string(method == subspace::RsvdMethod::block_krylov ? "block_krylov"
                                                                 : "subspace_iteration") +
        "_q" + std::to_string(q) + (over != kOver ? "_p" + std::to_string(over) : "");
    record(kind + ":" + name + " " + std::to_string(ms[ms.size() / 2]) + " " + std::to_string(err) +
           " " + std::to_string(max_sv_error(r.S, ref.sigma)));
}

void BM_Rsvd_geo_q2(benchmark::State& s) {
    run_rsvd(s, "geo", subspace::RsvdMethod::subspace_iteration, 2);
}
void BM_Rsvd_slow_q2(benchmark::State& s) {
    run_rsvd(s, "slow", subspace::RsvdMethod::subspace_iteration, 2);
}
void BM_Rsvd_slow_q7(benchmark::State& s) {
    run_rsvd(s, "slow", subspace::RsvdMethod::subspace_iteration, 7);
}
void BM_Krylov_slow_q2(benchmark::State& s) {
    run_rsvd(s, "slow", subspace::RsvdMethod::block_krylov, 2);
}
void BM_Krylov_slow_q3(benchmark::State& s) {
    run_rsvd(s, "slow", subspace::RsvdMethod::block_krylov, 3);
}
// Musco & Musco's block size (Algorithm 2 uses Π with k columns, no oversampling): the Krylov
// space of dimension (q + 1) k already holds the oversampling.
void BM_Krylov_slow_q3_p0(benchmark::State& s) {
    run_rsvd(s, "slow", subspace::RsvdMethod::block_krylov, 3, 0);
}
void BM_Krylov_slow_q3_p5(benchmark::State& s) {
    run_rsvd(s, "slow", subspace::RsvdMethod::block_krylov, 3, 5);
}
void BM_Krylov_slow_q2_p30(benchmark::State& s) {
    run_rsvd(s, "slow", subspace::RsvdMethod::block_krylov, 2, 30);
}
// High accuracy (singular values to 1e-10) on geo: block Krylov with q = 6.
void BM_Krylov_geo_q6_highacc(benchmark::State& s) {
    run_rsvd(s, "geo", subspace::RsvdMethod::block_krylov, 6);
}

// The same accuracy by subspace iteration with a wider sketch: with l = k + 30 the gap
// σ_{l+1} / σ_k = 0.9^30 ≈ 0.04 makes q = 3 ample (Halko et al. 2011, §9.2; Gu 2015, Thm 5.7).
void BM_Rsvd_geo_q3_p30_highacc(benchmark::State& s) {
    run_rsvd(s, "geo", subspace::RsvdMethod::subspace_iteration, 3, 30);
}

void BM_Spectra_geo_highacc(benchmark::State& state) {
    const Reference& ref = reference("geo");
    Vec S;
    for (auto _ : state) {
        Spectra::PartialSVDSolver<Mat> svds(ref.A, kRank, 2 * kRank + 1);
        svds.compute(1000, 1e-10);
        S = svds.singular_values();
        benchmark::DoNotOptimize(S.data());
    }
    state.counters["max_sv_rel_err"] = max_sv_error(S, ref.sigma);
}

void BM_SinglePass_geo(benchmark::State& state) {
    const Reference& ref = reference("geo");
    subspace::SvdResult<double> r;
    for (auto _ : state) {
        r = subspace::single_pass_svd(ref.A, kRank);
        benchmark::DoNotOptimize(r.S.data());
    }
    state.counters["spec_err_ratio"] = spectral_error(ref.A, r) / ref.sigma(kRank);
}

void BM_FullBdcsvd_geo(benchmark::State& state) {
    const Reference& ref = reference("geo");
    for (auto _ : state) {
        auto svd = subspace::detail::make_thin_bdcsvd(ref.A);
        benchmark::DoNotOptimize(svd.singularValues().data());
    }
}

}  // namespace

BENCHMARK(BM_EigenGemm3000)
    ->Unit(benchmark::kMillisecond)
    ->Repetitions(3)
    ->ReportAggregatesOnly(true);
BENCHMARK(BM_Rsvd_geo_q2)
    ->Unit(benchmark::kMillisecond)
    ->Repetitions(5)
    ->ReportAggregatesOnly(true);
BENCHMARK(BM_Rsvd_slow_q2)
    ->Unit(benchmark::kMillisecond)
    ->Repetitions(3)
    ->ReportAggregatesOnly(true);
BENCHMARK(BM_Rsvd_slow_q7)
    ->Unit(benchmark::kMillisecond)
    ->Repetitions(3)
    ->ReportAggregatesOnly(true);
BENCHMARK(BM_Krylov_slow_q2)
    ->Unit(benchmark::kMillisecond)
    ->Repetitions(3)
    ->ReportAggregatesOnly(true);
BENCHMARK(BM_Krylov_slow_q3)
    ->Unit(benchmark::kMillisecond)
    ->Repetitions(3)
    ->ReportAggregatesOnly(true);
BENCHMARK(BM_Krylov_slow_q3_p0)
    ->Unit(benchmark::kMillisecond)
    ->Repetitions(3)
    ->ReportAggregatesOnly(true);
BENCHMARK(BM_Krylov_slow_q3_p5)
    ->Unit(benchmark::kMillisecond)
    ->Repetitions(3)
    ->ReportAggregatesOnly(true);
BENCHMARK(BM_Krylov_slow_q2_p30)
    ->Unit(benchmark::kMillisecond)
    ->Repetitions(3)
    ->ReportAggregatesOnly(true);
BENCHMARK(BM_Krylov_geo_q6_highacc)
    ->Unit(benchmark::kMillisecond)
    ->Repetitions(3)
    ->ReportAggregatesOnly(true);
BENCHMARK(BM_Rsvd_geo_q3_p30_highacc)
    ->Unit(benchmark::kMillisecond)
    ->Repetitions(3)
    ->ReportAggregatesOnly(true);
BENCHMARK(BM_Spectra_geo_highacc)
    ->Unit(benchmark::kMillisecond)
    ->Iterations(1)
    ->Repetitions(3)
    ->ReportAggregatesOnly(true);
BENCHMARK(BM_SinglePass_geo)
    ->Unit(benchmark::kMillisecond)
    ->Repetitions(3)
    ->ReportAggregatesOnly(true);
BENCHMARK(BM_FullBdcsvd_geo)->Unit(benchmark::kMillisecond)->Iterations(1);

BENCHMARK_MAIN();
