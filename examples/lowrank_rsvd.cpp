// Randomized SVD against the exact SVD on a matrix with a known spectrum.
//
//   example_lowrank_rsvd [m] [n] [rank] [decay] [seed]
//   example_lowrank_rsvd matrix.txt [rank]
//
// Builds A = U diag(σ) Vᵀ with σ_i = decay^i (default 1000 x 600, rank 20, decay 0.9) or reads
// a whitespace-separated dense matrix from a file, then compares the randomized SVD (subspace
// iteration and block Krylov), the single-pass SVD and the exact BDCSVD: singular values,
// spectral and Frobenius errors relative to the optimal rank-k error, and times. Returns
// non-zero if the randomized SVD is not within 5% of the optimal spectral error.
#include <chrono>
#include <cmath>
#include <fstream>
#include <iomanip>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

#include <subspace/lowrank.hpp>

namespace {

Eigen::MatrixXd read_matrix(const std::string& path) {
    std::ifstream f(path);
    if (!f) throw std::runtime_error("cannot open " + path);
    std::vector<std::vector<double>> rows;
    std::string line;
    while (std::getline(f, line)) {
        std::istringstream is(line);
        std::vector<double> r;
        double v;
        while (is >> v) r.push_back(v);
        if (!r.empty()) rows.push_back(r);
    }
    if (rows.empty()) throw std::runtime_error("empty matrix file " + path);
    Eigen::MatrixXd A(static_cast<Eigen::Index>(rows.size()),
                      static_cast<Eigen::Index>(rows[0].size()));
    for (std::size_t i = 0; i < rows.size(); ++i) {
        if (rows[i].size() != rows[0].size()) throw std::runtime_error("ragged matrix file");
        for (std::size_t j = 0; j < rows[i].size(); ++j)
            A(static_cast<Eigen::Index>(i), static_cast<Eigen::Index>(j)) = rows[i][j];
    }
    return A;
}

double ms_since(std::chrono::steady_clock::time_point t0) {
    return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
}

}  // namespace

int main(int argc, char** argv) {
    try {
        Eigen::MatrixXd A;
        Eigen::Index k = 20;
        const bool from_file =
            argc > 1 && std::string(argv[1]).find_first_not_of("0123456789") != std::string::npos;
        if (from_file) {
            A = read_matrix(argv[1]);
            if (argc > 2) k = std::stol(argv[2]);
        } else {
            const Eigen::Index m = argc > 1 ? std::stol(argv[1]) : 1000;
            const Eigen::Index n = argc > 2 ? std::stol(argv[2]) : 600;
            k = argc > 3 ? std::stol(argv[3]) : 20;
            const double decay = argc > 4 ? std::stod(argv[4]) : 0.9;
            const std::uint64_t seed = argc > 5 ? std::stoull(argv[5]) : 1;
            const subspace::Rng rng(seed);
            const Eigen::Index r = std::min(m, n);
            const Eigen::MatrixXd U = subspace::orthonormalize(rng.normal<double>(m, r));
            const Eigen::MatrixXd V =
                subspace::orthonormalize(rng.with_stream(1).normal<double>(n, r));
            Eigen::VectorXd s(r);
            for (Eigen::Index i = 0; i < r; ++i) s(i) = std::pow(decay, double(i));
            A = U * s.asDiagonal() * V.transpose();
            std::cout << "A = U diag(" << decay << "^i) V^T, " << m << " x " << n << "\n";
        }
        std::cout << "rank k = " << k << "\n";

        auto t0 = std::chrono::steady_clock::now();
        const auto exact = subspace::detail::make_thin_bdcsvd(A);
        const double t_exact = ms_since(t0);
        const Eigen::VectorXd sigma = exact.singularValues();
        const double opt_spec = k < sigma.size() ? sigma(k) : 0.0;
        const double opt_fro = k < sigma.size() ? sigma.tail(sigma.size() - k).norm() : 0.0;

        struct Row {
            std::string name;
            subspace::SvdResult<double> r;
            double ms;
        };
        std::vector<Row> rows;
        subspace::RsvdOptions o;
        t0 = std::chrono::steady_clock::now();
        rows.push_back({"rsvd subspace iteration (auto q)", subspace::randomized_svd(A, k, o), 0});
        rows.back().ms = ms_since(t0);
        o.method = subspace::RsvdMethod::block_krylov;
        t0 = std::chrono::steady_clock::now();
        rows.push_back({"rsvd block Krylov (auto q)", subspace::randomized_svd(A, k, o), 0});
        rows.back().ms = ms_since(t0);
        t0 = std::chrono::steady_clock::now();
        rows.push_back({"single-pass (TYUC17)", subspace::single_pass_svd(A, k), 0});
        rows.back().ms = ms_since(t0);

        std::cout << std::setprecision(4) << "exact BDCSVD: " << t_exact << " ms\n";
        std::cout << "i   exact sigma_i   " << rows[0].name << "   " << rows[1].name << "\n";
        for (Eigen::Index i = 0; i < std::min<Eigen::Index>(k, 5); ++i)
            std::cout << i << "   " << sigma(i) << "   " << rows[0].r.S(i) << "   "
                      << rows[1].r.S(i) << "\n";
        bool ok = true;
        for (const auto& row : rows) {
            const Eigen::MatrixXd E = A - row.r.U * row.r.S.asDiagonal() * row.r.V.transpose();
            const double spec = subspace::detail::singular_values(E)(0);
            const double fro = E.norm();
            const auto est = subspace::estimate_svd_error(A, row.r);
            std::cout << row.name << ": " << row.ms << " ms, spectral error / optimal = "
                      << (opt_spec > 0 ? spec / opt_spec : spec)
                      << ", Frobenius / optimal = " << (opt_fro > 0 ? fro / opt_fro : fro)
                      << ", a posteriori Frobenius estimate / true = "
                      << (fro > 0 ? est.frobenius_estimate / fro : 0.0) << "\n";
            if (row.name.rfind("rsvd", 0) == 0 && spec > 1.05 * opt_spec + 1e-12 * sigma(0))
                ok = false;
        }
        std::cout << "energy rank for 99%: " << subspace::rank_for_energy(sigma, 0.99) << "\n";
        std::cout << (ok ? "OK" : "FAILED: randomized SVD not within 5% of optimal") << "\n";
        return ok ? 0 : 1;
    } catch (const std::exception& e) {
        std::cerr << "error: " << e.what() << "\n";
        return 1;
    }
}
