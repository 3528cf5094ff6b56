// Compress a 3-way tensor with Tucker decompositions.
//
//   example_tensor_tucker [d0 d1 d2 rank noise tol]
//
// Builds a d0 x d1 x d2 tensor of multilinear rank (rank, rank, rank) plus Gaussian noise of
// relative size `noise` (defaults 120 100 80, 8, 0.05), then compares ST-HOSVD, HOSVD, HOOI,
// randomized ST-HOSVD and the two-pass sketch at ranks (rank, rank, rank), and ST-HOSVD with ranks
// chosen by the relative tolerance `tol` (default 0.06). Prints the exact relative errors, the
// compression ratios and the times. Fails (exit 1) if an error exceeds the noise level by 5%
// (2.5x the noise for the sketch, the tolerance for the last one).
#include <chrono>
#include <cstdlib>
#include <iostream>
#include <string>

#include <Eigen/QR>

#include <subspace/tensor.hpp>

int main(int argc, char** argv) {
    try {
        using Index = Eigen::Index;
        const Index d0 = argc > 1 ? std::stol(argv[1]) : 120;
        const Index d1 = argc > 2 ? std::stol(argv[2]) : 100;
        const Index d2 = argc > 3 ? std::stol(argv[3]) : 80;
        const Index r = argc > 4 ? std::stol(argv[4]) : 8;
        const double noise = argc > 5 ? std::stod(argv[5]) : 0.05;
        const double tol = argc > 6 ? std::stod(argv[6]) : 0.06;

        // signal: Gaussian core x orthonormal factors, unit norm; plus noise of norm `noise`
        const subspace::Rng rng(2024);
        subspace::Tensor<double, 3> G(r, r, r);
        Eigen::Map<Eigen::VectorXd>(G.data(), G.size()) =
            rng.with_stream(9).normal<double>(G.size(), 1);
        std::array<Eigen::MatrixXd, 3> U;
        const Index dims[3] = {d0, d1, d2};
        for (int k = 0; k < 3; ++k)
            U[static_cast<std::size_t>(k)] = subspace::orthonormalize(
                rng.with_stream(static_cast<std::uint32_t>(k)).normal<double>(dims[k], r));
        subspace::Tensor<double, 3> X = subspace::multi_mode_product(G, U);
        subspace::Tensor<double, 3> E(d0, d1, d2);
        Eigen::Map<Eigen::VectorXd>(E.data(), E.size()) =
            rng.with_stream(7).normal<double>(E.size(), 1);
        const double nx = subspace::frobenius_norm(X), ne = subspace::frobenius_norm(E);
        for (Index i = 0; i < X.size(); ++i)
            X.data()[i] = X.data()[i] / nx + noise * E.data()[i] / ne;
        std::cout << "tensor " << d0 << " x " << d1 << " x " << d2 << ", multilinear rank " << r
                  << ", noise " << noise << " (the best error is about the noise level)\n";

        const std::vector<Index> ranks{r, r, r};
        bool ok = true;
        auto report = [&](const char* name, double bound, auto&& f) {
            const auto t0 = std::chrono::steady_clock::now();
            const auto t = f();
            const double ms =
                std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0)
                    .count();
            const double e = t.relative_error(X);
            const auto rk = t.ranks();
            std::cout << "  " << name << ": ranks (" << rk[0] << ", " << rk[1] << ", " << rk[2]
                      << ")  relative error " << e << "  compression " << t.compression_ratio()
                      << "x  " << ms << " ms\n";
            if (!(e <= bound)) ok = false;
        };
        report("ST-HOSVD         ", 1.05 * noise, [&] { return subspace::st_hosvd(X, ranks); });
        report("HOSVD            ", 1.05 * noise, [&] { return subspace::hosvd(X, ranks); });
        report("HOOI             ", 1.05 * noise, [&] { return subspace::hooi(X, ranks); });
        report("randomized       ", 1.05 * noise,
               [&] { return subspace::randomized_tucker(X, ranks); });
        // The two-pass sketch (Sun et al. 2020, k = 2r) trades accuracy for a single read of
        // the stream: its error is about twice the optimum (numpy reference: 0.200 vs 0.0995).
        report("sketch two-pass  ", 2.5 * noise, [&] {
            subspace::RandomizedTuckerOptions o;
            o.method = subspace::RandomizedTuckerMethod::sketch_two_pass;
            return subspace::randomized_tucker(X, ranks, o);
        });
        report("ST-HOSVD tol     ", tol, [&] { return subspace::st_hosvd(X, tol); });
        std::cout << (ok ? "all errors within their bounds (5% above the noise level; 2.5x for the "
                           "sketch; tol for the last)\n"
                         : "ERROR: an error is too large\n");
        return ok ? 0 : 1;
    } catch (const std::exception& e) {
        std::cerr << "error: " << e.what() << "\n";
        return 1;
    }
}
