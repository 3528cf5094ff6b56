// Fits a rank-4 LoRA to a rank-4 perturbation of a random layer with Adam, and prints the loss
// falling to the noise level.
//
// Layer: W (64 x 48, frozen). Teacher: W* = W + U Vᵀ with a random rank-4 U Vᵀ. Data: a batch of
// 512 inputs X (48 x 512, columns are samples) and targets T = W* X + noise (σ = 0.01). The LoRA
// minimises L = ||W X + s B A X − T||²_F / (2 n); at the optimum the residual is the noise, so
// L → σ² · 64 / 2 = 3.2e-3 (a little less: the fit absorbs part of the noise).
//
// Usage: example_adapters_lora_training [steps]   (default 300 steps, about a second)
#include <cmath>
#include <cstdio>
#include <cstdlib>

#include <Eigen/Core>

#include <subspace/adapters/lora.hpp>

int main(int argc, char** argv) {
    const long steps = argc > 1 ? std::strtol(argv[1], nullptr, 10) : 300;
    if (steps <= 0) {
        std::fprintf(stderr, "usage: %s [steps > 0]\n", argv[0]);
        return 1;
    }
    const Eigen::Index out = 64, in = 48, n = 512, r = 4;
    const double sigma = 0.01;
    const subspace::Rng rng(2024);
    const Eigen::MatrixXd W = rng.with_stream(1).normal<double>(out, in) / std::sqrt(double(in));
    const Eigen::MatrixXd U = rng.with_stream(2).normal<double>(out, r) / std::sqrt(double(out));
    const Eigen::MatrixXd V = rng.with_stream(3).normal<double>(in, r);
    const Eigen::MatrixXd dW_true = U * V.transpose();
    const Eigen::MatrixXd X = rng.with_stream(4).normal<double>(in, n);
    const Eigen::MatrixXd T = (W + dW_true) * X + sigma * rng.with_stream(5).normal<double>(out, n);
    const double noise_floor = 0.5 * sigma * sigma * double(out);

    subspace::LoraAdapter<double> lora(W, r, /*alpha=*/4.0, /*seed=*/7);  // scale α/r = 1
    // Adam (Kingma & Ba 2015) on A and B.
    const double lr = 0.02, b1 = 0.9, b2 = 0.999, eps = 1e-8;
    Eigen::MatrixXd mA = Eigen::MatrixXd::Zero(r, in), vA = mA;
    Eigen::MatrixXd mB = Eigen::MatrixXd::Zero(out, r), vB = mB;
    auto adam = [&](Eigen::MatrixXd& P, const Eigen::MatrixXd& g, Eigen::MatrixXd& m,
                    Eigen::MatrixXd& v, long t) {
        m = b1 * m + (1 - b1) * g;
        v = b2 * v + (1 - b2) * g.cwiseAbs2();
        const double c1 = 1 - std::pow(b1, double(t)), c2 = 1 - std::pow(b2, double(t));
        P.array() -= lr * (m.array() / c1) / ((v.array() / c2).sqrt() + eps);
    };
    std::printf("LoRA r = %ld on a %ld x %ld layer, batch %ld, noise sigma = %.3g\n", long(r),
                long(out), long(in), long(n), sigma);
    std::printf("trainable parameters: %ld (the full layer has %ld)\n",
                long(lora.trainable_parameter_count()), long(out * in));
    std::printf("noise level of the loss: %.4e\n\n%6s %14s %14s\n", noise_floor, "step", "loss",
                "||dW-dW*||/||dW*||");
    double loss = 0;
    for (long t = 1; t <= steps; ++t) {
        const Eigen::MatrixXd R = lora.forward(X) - T;
        loss = 0.5 * R.squaredNorm() / double(n);
        const auto g = lora.backward(X, R / double(n));
        adam(lora.A(), g.A, mA, vA, t);
        adam(lora.B(), g.B, mB, vB, t);
        if (t == 1 || t % 50 == 0 || t == steps) {
            const double rel = (lora.delta() - dW_true).norm() / dW_true.norm();
            std::printf("%6ld %14.6e %14.3e\n", t, loss, rel);
        }
    }
    const bool ok = loss < 1.1 * noise_floor;
    std::printf("\nfinal loss %.4e vs noise level %.4e: %s\n", loss, noise_floor,
                ok ? "reached the noise level" : "NOT at the noise level (more steps?)");
    return ok ? 0 : 1;
}
