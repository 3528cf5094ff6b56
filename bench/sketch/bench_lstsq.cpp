// sketched_lstsq against Eigen's Householder QR solve on a dense 20000 x 500 least-squares
// problem (condition number 1e6). Accuracy counters: relative difference of the residual norm
// and ‖A (x − x_qr)‖ / ‖b‖ against the QR solution.
#include <cmath>

#include <Eigen/QR>
#include <benchmark/benchmark.h>

#include "subspace/sketch/lstsq.hpp"

namespace {

using Mat = Eigen::MatrixXd;
using Vec = Eigen::VectorXd;
constexpr Eigen::Index kM = 20000, kD = 500;

struct Problem {
    Mat A;
    Vec b;
    Vec xqr;
    double rqr = 0;
};

const Problem& problem() {
    static const Problem p = [] {
        Problem q;
        q.A = subspace::Rng(21).normal<double>(kM, kD);
        for (Eigen::Index j = 0; j < kD; ++j)
            q.A.col(j) *= std::pow(1e-6, double(j) / double(kD - 1));
        const Vec x = subspace::Rng(22).normal<double>(kD, 1).col(0);
        q.b = q.A * x + 1e-2 * subspace::Rng(23).normal<double>(kM, 1).col(0);
        q.xqr = q.A.householderQr().solve(q.b);
        q.rqr = (q.A * q.xqr - q.b).norm();
        return q;
    }();
    return p;
}

void BM_lstsq_householder(benchmark::State& st) {
    const Problem& p = problem();
    for (auto _ : st) {
        Vec x = p.A.householderQr().solve(p.b);
        benchmark::DoNotOptimize(x.data());
    }
}

void BM_lstsq_sketched(benchmark::State& st, subspace::LstsqMode mode) {
    const Problem& p = problem();
    subspace::LstsqOptions opt;
    opt.mode = mode;
    subspace::LstsqResult<double> res;
    for (auto _ : st) {
        res = subspace::sketched_lstsq(p.A, p.b, opt);
        benchmark::DoNotOptimize(res.x.data());
    }
    st.counters["iterations"] = double(res.iterations);
    st.counters["res_rel_diff"] = std::abs(res.residual_norm - p.rqr) / p.rqr;
    st.counters["fit_diff"] = (p.A * (res.x - p.xqr)).norm() / p.b.norm();
}

}  // namespace

BENCHMARK(BM_lstsq_householder)
    ->Name("BM_lstsq/householder_qr")
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime()
    ->Repetitions(5)
    ->ReportAggregatesOnly(true);
BENCHMARK_CAPTURE(BM_lstsq_sketched, sketch_precondition, subspace::LstsqMode::precondition)
    ->Name("BM_lstsq/sketch_precondition")
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime()
    ->Repetitions(5)
    ->ReportAggregatesOnly(true);
BENCHMARK_CAPTURE(BM_lstsq_sketched, sketch_and_solve, subspace::LstsqMode::sketch_and_solve)
    ->Name("BM_lstsq/sketch_and_solve")
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime()
    ->Repetitions(5)
    ->ReportAggregatesOnly(true);
