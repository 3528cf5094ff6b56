// Low-rank matrix completion by alternating minimization.
//
//   example_lowrank_completion [m] [n] [rank] [fraction] [noise] [seed]
//   example_lowrank_completion entries.txt rows cols rank
//
// Default: a rank-5 1000 x 1000 matrix M = U Vᵀ (Gaussian factors) observed on 10% of its
// entries; prints the training / held-out RMSE per step and the relative error of the
// completion on all entries. With a file: lines "i j value" (0-based), completed at the given
// rank with 10% of the entries held out. Returns non-zero if the noiseless default does not
// reach a relative error below 1e-6.
#include <chrono>
#include <cmath>
#include <fstream>
#include <iostream>
#include <string>
#include <vector>

#include <subspace/lowrank.hpp>

int main(int argc, char** argv) {
    try {
        const bool from_file =
            argc > 1 && std::string(argv[1]).find_first_not_of("0123456789") != std::string::npos;
        std::vector<Eigen::Triplet<double>> obs;
        Eigen::MatrixXd M;
        Eigen::Index m = 1000;
        Eigen::Index n = 1000;
        Eigen::Index r = 5;
        double noise = 0.0;
        subspace::CompletionOptions o;
        if (from_file) {
            if (argc < 5) throw std::runtime_error("usage: entries.txt rows cols rank");
            std::ifstream f(argv[1]);
            if (!f) throw std::runtime_error(std::string("cannot open ") + argv[1]);
            m = std::stol(argv[2]);
            n = std::stol(argv[3]);
            r = std::stol(argv[4]);
            long i, j;
            double v;
            while (f >> i >> j >> v) obs.emplace_back(int(i), int(j), v);
            o.holdout_fraction = 0.1;
        } else {
            m = argc > 1 ? std::stol(argv[1]) : 1000;
            n = argc > 2 ? std::stol(argv[2]) : 1000;
            r = argc > 3 ? std::stol(argv[3]) : 5;
            const double p = argc > 4 ? std::stod(argv[4]) : 0.10;
            noise = argc > 5 ? std::stod(argv[5]) : 0.0;
            const std::uint64_t seed = argc > 6 ? std::stoull(argv[6]) : 3;
            const subspace::Rng rng(seed);
            M = rng.normal<double>(m, r) * rng.with_stream(1).normal<double>(n, r).transpose();
            subspace::RandomStream rs(seed, 2);
            for (Eigen::Index j = 0; j < n; ++j)
                for (Eigen::Index i = 0; i < m; ++i)
                    if (rs.next_uniform() < p)
                        obs.emplace_back(int(i), int(j), M(i, j) + noise * rs.next_normal());
            std::cout << "rank-" << r << " " << m << " x " << n << " matrix, " << obs.size()
                      << " observed entries (" << 100.0 * p << "%), noise " << noise << "\n";
        }
        o.callback = [](Eigen::Index it, double rmse) {
            std::cout << "  step " << it << "  training RMSE " << rmse << "\n";
            return true;
        };
        const auto t0 = std::chrono::steady_clock::now();
        const auto res = subspace::complete_matrix<double>(m, n, obs, r, o);
        const double ms =
            std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0)
                .count();
        std::cout << "stopped: " << subspace::to_string(res.stop_reason) << " after "
                  << res.iterations << " steps, " << ms << " ms; training RMSE " << res.train_rmse;
        if (o.holdout_fraction > 0) std::cout << ", held-out RMSE " << res.holdout_rmse;
        std::cout << "\nsingular values of the completion: " << res.S.transpose() << "\n";
        if (!from_file) {
            const double rel = (res.U * res.V.transpose() - M).norm() / M.norm();
            std::cout << "relative error on all entries: " << rel << "\n";
            if (noise == 0.0 && !(rel < 1e-6)) {
                std::cout << "FAILED: expected relative error below 1e-6\n";
                return 1;
            }
        }
        return 0;
    } catch (const std::exception& e) {
        std::cerr << "error: " << e.what() << "\n";
        return 1;
    }
}
