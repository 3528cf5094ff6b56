// Reproducible random matrices and orthonormal bases with the core module.
//
//   example_random_basis [d] [r] [seed]
//
// Draws a d x r Gaussian matrix from a counter-based generator, builds an orthonormal basis of
// its range two ways (Householder QR, CholeskyQR2), shows that a column block drawn on its own
// equals the same block of the whole matrix, and checks orthogonality. Defaults: d = 2000, r = 40.
#include <chrono>
#include <cstdlib>
#include <iostream>
#include <string>

#include <subspace/core.hpp>

int main(int argc, char** argv) {
    try {
        const Eigen::Index d = argc > 1 ? std::stol(argv[1]) : 2000;
        const Eigen::Index r = argc > 2 ? std::stol(argv[2]) : 40;
        const std::uint64_t seed = argc > 3 ? std::stoull(argv[3]) : 42;
        const subspace::Rng rng(seed);

        const Eigen::MatrixXd G = rng.normal<double>(d, r);
        Eigen::MatrixXd block(d, 5);
        rng.fill_normal(block, 0, r / 2);  // columns r/2 .. r/2+4, drawn on their own
        std::cout << "Gaussian " << d << " x " << r << " from seed " << seed
                  << "; a column block drawn alone equals the same block of the whole: "
                  << (block == G.middleCols(r / 2, 5) ? "yes" : "NO") << "\n";

        for (auto method :
             {subspace::OrthoMethod::householder, subspace::OrthoMethod::cholesky_qr2}) {
            const auto t0 = std::chrono::steady_clock::now();
            const Eigen::MatrixXd Q = subspace::orthonormalize(G, method);
            const auto t1 = std::chrono::steady_clock::now();
            const double ortho = (Q.transpose() * Q - Eigen::MatrixXd::Identity(r, r)).norm();
            const double range = (G - Q * (Q.transpose() * G)).norm() / G.norm();
            std::cout << (method == subspace::OrthoMethod::householder ? "householder "
                                                                       : "cholesky_qr2")
                      << "  ||QtQ - I|| = " << ortho << "  range residual = " << range << "  time "
                      << std::chrono::duration<double, std::milli>(t1 - t0).count() << " ms\n";
            if (!(ortho < 1e-12 && range < 1e-12)) return 1;
        }
        return 0;
    } catch (const std::exception& e) {
        std::cerr << "error: " << e.what() << "\n";
        return 1;
    }
}
