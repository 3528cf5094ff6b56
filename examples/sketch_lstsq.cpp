// Sketched least squares: solve an overdetermined, ill-conditioned least-squares problem to full
// precision with sketch-and-precondition (LSQR on A R⁻¹) and approximately with sketch-and-solve,
// and compare with Eigen's Householder QR.
//
// Usage: example_sketch_lstsq                 (a 20000 x 200 problem of condition 1e8)
//        example_sketch_lstsq M D COND        (an M x D problem of condition COND)
//        example_sketch_lstsq FILE            (text file, one row per line: a_1 ... a_D b)
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <Eigen/QR>

#include "subspace/sketch.hpp"

namespace {

using Mat = Eigen::MatrixXd;
using Vec = Eigen::VectorXd;

double seconds_since(std::chrono::steady_clock::time_point t0) {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

bool read_file(const char* path, Mat& A, Vec& b) {
    std::ifstream in(path);
    if (!in) return false;
    std::vector<std::vector<double>> rows;
    std::string line;
    while (std::getline(in, line)) {
        std::istringstream ss(line);
        std::vector<double> r;
        double v;
        while (ss >> v) r.push_back(v);
        if (!r.empty()) rows.push_back(r);
    }
    if (rows.empty() || rows[0].size() < 2) return false;
    const auto m = static_cast<Eigen::Index>(rows.size());
    const auto d = static_cast<Eigen::Index>(rows[0].size()) - 1;
    A.resize(m, d);
    b.resize(m);
    for (Eigen::Index i = 0; i < m; ++i) {
        if (static_cast<Eigen::Index>(rows[std::size_t(i)].size()) != d + 1) return false;
        for (Eigen::Index j = 0; j < d; ++j) A(i, j) = rows[std::size_t(i)][std::size_t(j)];
        b(i) = rows[std::size_t(i)][std::size_t(d)];
    }
    return true;
}

}  // namespace

int main(int argc, char** argv) {
    Mat A;
    Vec b;
    if (argc == 2) {
        if (!read_file(argv[1], A, b)) {
            std::fprintf(stderr, "cannot read a matrix [A b] from %s\n", argv[1]);
            return 2;
        }
    } else {
        const Eigen::Index m = argc >= 3 ? std::atol(argv[1]) : 20000;
        const Eigen::Index d = argc >= 3 ? std::atol(argv[2]) : 200;
        const double cond = argc >= 4 ? std::atof(argv[3]) : 1e8;
        if (m < d || d < 1 || !(cond >= 1)) {
            std::fprintf(stderr, "need M >= D >= 1 and COND >= 1\n");
            return 2;
        }
        // Gaussian A with columns scaled geometrically from 1 to 1/cond, b = A x + noise.
        A = subspace::Rng(1).normal<double>(m, d);
        for (Eigen::Index j = 0; j < d; ++j)
            A.col(j) *= std::pow(1.0 / cond, d > 1 ? double(j) / double(d - 1) : 0.0);
        b = A * subspace::Rng(2).normal<double>(d, 1).col(0) +
            1e-3 * subspace::Rng(3).normal<double>(m, 1).col(0);
    }
    std::printf("least squares: A is %ld x %ld\n", long(A.rows()), long(A.cols()));

    auto t0 = std::chrono::steady_clock::now();
    const Vec xqr = A.householderQr().solve(b);
    const double tqr = seconds_since(t0);
    const double rqr = (A * xqr - b).norm();

    t0 = std::chrono::steady_clock::now();
    const auto res = subspace::sketched_lstsq(A, b);
    const double tsp = seconds_since(t0);

    subspace::LstsqOptions sas;
    sas.mode = subspace::LstsqMode::sketch_and_solve;
    t0 = std::chrono::steady_clock::now();
    const auto fast = subspace::sketched_lstsq(A, b, sas);
    const double tss = seconds_since(t0);

    const double agree = std::abs(res.residual_norm - rqr) / rqr;
    std::printf("%-28s %10s %14s %12s\n", "method", "time [s]", "||Ax - b||", "iterations");
    std::printf("%-28s %10.3f %14.8e %12s\n", "Householder QR (Eigen)", tqr, rqr, "-");
    std::printf("%-28s %10.3f %14.8e %12ld\n", "sketch-and-precondition", tsp, res.residual_norm,
                long(res.iterations));
    std::printf("%-28s %10.3f %14.8e %12s\n", "sketch-and-solve", tss, fast.residual_norm, "-");
    std::printf("sketch size k = %ld, stop: %s, residual agrees with QR to %.2e (relative)\n",
                long(res.sketch_size), subspace::to_string(res.stop_reason), agree);
    std::printf("sketch-and-solve residual is %.4f x the optimum\n", fast.residual_norm / rqr);
    std::printf("speed-up of sketch-and-precondition over Householder QR: %.2fx\n", tqr / tsp);
    if (!res.converged || agree > 1e-8) {
        std::fprintf(stderr, "FAILED: the sketched solution does not match QR\n");
        return 1;
    }
    return 0;
}
