// Gradient descent with sketched (compressed) gradients: each step sends k numbers R_t g
// instead of the n entries of the gradient g, and the update uses R_tᵀ R_t g, an unbiased
// estimate of g (Song et al. 2023). On a least-squares problem the compressed run converges
// to the same optimum as plain gradient descent, with a step size scaled by k / n.
//
// Usage: example_sketch_gradient_compression [M N K STEPS]   (default 1000 400 80 1500)
#include <cmath>
#include <cstdio>
#include <cstdlib>

#include <Eigen/QR>

#include "subspace/sketch.hpp"

int main(int argc, char** argv) {
    using Mat = Eigen::MatrixXd;
    using Vec = Eigen::VectorXd;
    const Eigen::Index m = argc >= 5 ? std::atol(argv[1]) : 1000;
    const Eigen::Index n = argc >= 5 ? std::atol(argv[2]) : 400;
    const Eigen::Index k = argc >= 5 ? std::atol(argv[3]) : 80;
    const Eigen::Index steps = argc >= 5 ? std::atol(argv[4]) : 1500;
    if (m < n || k < 1 || k > n || steps < 1) {
        std::fprintf(stderr, "need M >= N >= K >= 1 and STEPS >= 1\n");
        return 2;
    }
    // A = U diag(s) Vᵀ with singular values from 1 down to 0.5 (L = 1, condition 4 of AᵀA).
    Eigen::HouseholderQR<Mat> qu(subspace::Rng(1).normal<double>(m, n));
    Eigen::HouseholderQR<Mat> qv(subspace::Rng(2).normal<double>(n, n));
    const Mat U = qu.householderQ() * Mat::Identity(m, n);
    const Mat V = qv.householderQ() * Mat::Identity(n, n);
    const Vec s = Vec::LinSpaced(n, 1.0, 0.5);
    const Mat A = U * s.asDiagonal() * V.transpose();
    const Vec b = subspace::Rng(3).normal<double>(m, 1).col(0);
    const Vec xs = A.householderQr().solve(b);
    auto loss = [&](const Vec& x) { return 0.5 * (A * x - b).squaredNorm(); };
    const double fstar = loss(xs);

    const subspace::GradientCompressor<double> gc(n, k, subspace::SketchKind::srht, 42);
    const double eta_full = 1.0, eta_sketch = 0.5 * double(k) / double(n);
    Vec x = Vec::Zero(n), xf = Vec::Zero(n);
    const double gap0 = loss(x) - fstar;
    std::printf(
        "least squares %ld x %ld; gradients of %ld entries sent as %ld numbers (%.1fx less)\n",
        long(m), long(n), long(n), long(k), double(n) / double(k));
    std::printf("%8s %22s %22s\n", "step", "gap (compressed)", "gap (full gradient)");
    for (Eigen::Index t = 0; t < steps; ++t) {
        const Vec g = A.transpose() * (A * x - b);
        const Vec msg = gc.compress(g, t);  // what travels: k numbers
        x -= eta_sketch * gc.decompress(msg, t);
        xf -= eta_full * (A.transpose() * (A * xf - b));
        if ((t + 1) % (steps / 10 > 0 ? steps / 10 : 1) == 0)
            std::printf("%8ld %22.6e %22.6e\n", long(t + 1), (loss(x) - fstar) / gap0,
                        (loss(xf) - fstar) / gap0);
    }
    const double rel = (loss(x) - fstar) / gap0;
    std::printf(
        "relative optimality gap after %ld compressed steps: %.3e (%.1fx fewer numbers "
        "sent per step)\n",
        long(steps), rel, double(n) / double(k));
    if (!(rel < 1e-6)) {
        std::fprintf(stderr, "FAILED: compressed gradient descent did not converge\n");
        return 1;
    }
    return 0;
}
