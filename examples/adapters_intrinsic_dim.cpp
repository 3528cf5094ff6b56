// The intrinsic dimension d_int90 of a small classification problem (Li et al. 2018).
//
//   example_adapters_intrinsic_dim [file.csv] [--said] [--sparse|--dense]
//
// Trains a one-hidden-layer network (tanh, softmax cross-entropy) on all D parameters, then in
// random Fastfood subspaces theta = theta0 + P z of increasing dimension d, and prints the test
// accuracy against d and d_int90, the smallest d reaching 90% of the full-space accuracy.
// Default data: a synthetic 4-class problem labelled by a random teacher network (16 features,
// 1000 training and 1000 test points). A CSV file (numeric features, integer class label in the
// last column, no header) is split in half into training and test sets instead.
// --said adds SAID's trainable per-layer scales (Aghajanyan et al. 2020).
#include <chrono>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

#include <Eigen/Core>

#include <subspace/adapters/intrinsic_dim.hpp>
#include <subspace/core.hpp>

namespace {

using Mat = Eigen::MatrixXd;
using Vec = Eigen::VectorXd;
using Eigen::Index;

struct Data {
    Mat X;               // features x n (columns are points)
    std::vector<int> y;  // labels 0..C-1
};

/// Synthetic problem: x ~ N(0, I_16), label = argmax of a random tanh teacher (16 -> 8 -> 4).
void make_synthetic(Data& train, Data& test) {
    const subspace::Rng rng(2018);
    const Index p = 16, n = 2000;
    const Mat X = rng.normal<double>(p, n);
    const Mat W1 = rng.with_stream(1).normal<double>(8, p);
    const Mat W2 = rng.with_stream(2).normal<double>(4, 8);
    const Mat logits = W2 * (W1 * X).array().tanh().matrix();
    std::vector<int> y(static_cast<std::size_t>(n));
    for (Index j = 0; j < n; ++j) {
        Index c;
        logits.col(j).maxCoeff(&c);
        y[static_cast<std::size_t>(j)] = static_cast<int>(c);
    }
    train.X = X.leftCols(n / 2);
    test.X = X.rightCols(n - n / 2);
    train.y.assign(y.begin(), y.begin() + n / 2);
    test.y.assign(y.begin() + n / 2, y.end());
}

bool read_csv(const std::string& path, Data& train, Data& test) {
    std::ifstream in(path);
    if (!in) return false;
    std::vector<std::vector<double>> rows;
    std::string line;
    while (std::getline(in, line)) {
        std::stringstream ss(line);
        std::string tok;
        std::vector<double> r;
        while (std::getline(ss, tok, ',')) r.push_back(std::stod(tok));
        if (!r.empty()) rows.push_back(r);
    }
    if (rows.size() < 4 || rows[0].size() < 2) return false;
    const auto p = static_cast<Index>(rows[0].size() - 1), n = static_cast<Index>(rows.size());
    Mat X(p, n);
    std::vector<int> y(static_cast<std::size_t>(n));
    for (Index j = 0; j < n; ++j) {
        for (Index i = 0; i < p; ++i)
            X(i, j) = rows[static_cast<std::size_t>(j)][static_cast<std::size_t>(i)];
        y[static_cast<std::size_t>(j)] = static_cast<int>(rows[static_cast<std::size_t>(j)].back());
    }
    // Standardise the features, then split even/odd rows.
    const Vec mu = X.rowwise().mean();
    X.colwise() -= mu;
    const Vec sd = (X.array().square().rowwise().mean().sqrt() + 1e-12).matrix();
    X = sd.cwiseInverse().asDiagonal() * X;
    for (Index j = 0; j < n; ++j) {
        Data& d = (j % 2 == 0) ? train : test;
        d.X.conservativeResize(p, d.X.cols() + 1);
        d.X.col(d.X.cols() - 1) = X.col(j);
        d.y.push_back(y[static_cast<std::size_t>(j)]);
    }
    return true;
}

/// One-hidden-layer network p -> h -> C; theta = [vec(W1); b1; vec(W2); b2] (column-major).
struct Mlp {
    Index p, h, C;
    Index size() const { return h * p + h + C * h + C; }
    std::vector<Index> layer_sizes() const { return {h * p, h, C * h, C}; }

    /// Mean cross-entropy and its gradient.
    double loss_grad(const Vec& th, Vec& g, const Data& d) const {
        const Eigen::Map<const Mat> W1(th.data(), h, p);
        const Eigen::Map<const Vec> b1(th.data() + h * p, h);
        const Eigen::Map<const Mat> W2(th.data() + h * p + h, C, h);
        const Eigen::Map<const Vec> b2(th.data() + h * p + h + C * h, C);
        const auto n = d.X.cols();
        const Mat H = ((W1 * d.X).colwise() + b1).array().tanh().matrix();
        Mat Z = (W2 * H).colwise() + b2;
        double loss = 0;
        for (Index j = 0; j < n; ++j) {  // softmax, Z becomes dL/dlogits
            const double m = Z.col(j).maxCoeff();
            Z.col(j) = (Z.col(j).array() - m).exp().matrix();
            const double s = Z.col(j).sum();
            Z.col(j) /= s;
            loss -= std::log(std::max(Z(d.y[static_cast<std::size_t>(j)], j), 1e-300));
            Z(d.y[static_cast<std::size_t>(j)], j) -= 1.0;
        }
        Z /= static_cast<double>(n);
        g.resize(size());
        Eigen::Map<Mat>(g.data() + h * p + h, C, h) = Z * H.transpose();
        Eigen::Map<Vec>(g.data() + h * p + h + C * h, C) = Z.rowwise().sum();
        const Mat dA = ((W2.transpose() * Z).array() * (1.0 - H.array().square())).matrix();
        Eigen::Map<Mat>(g.data(), h, p) = dA * d.X.transpose();
        Eigen::Map<Vec>(g.data() + h * p, h) = dA.rowwise().sum();
        return loss / static_cast<double>(n);
    }

    double accuracy(const Vec& th, const Data& d) const {
        const Eigen::Map<const Mat> W1(th.data(), h, p);
        const Eigen::Map<const Vec> b1(th.data() + h * p, h);
        const Eigen::Map<const Mat> W2(th.data() + h * p + h, C, h);
        const Eigen::Map<const Vec> b2(th.data() + h * p + h + C * h, C);
        const Mat Z = (W2 * ((W1 * d.X).colwise() + b1).array().tanh().matrix()).colwise() + b2;
        Index ok = 0;
        for (Index j = 0; j < d.X.cols(); ++j) {
            Index c;
            Z.col(j).maxCoeff(&c);
            ok += (c == d.y[static_cast<std::size_t>(j)]);
        }
        return static_cast<double>(ok) / static_cast<double>(d.X.cols());
    }
};

}  // namespace

int main(int argc, char** argv) {
    try {
        Data train, test;
        bool said = false;
        subspace::SubspaceProjection kind = subspace::SubspaceProjection::fastfood;
        std::string file;
        for (int i = 1; i < argc; ++i) {
            const std::string a = argv[i];
            if (a == "--said")
                said = true;
            else if (a == "--sparse")
                kind = subspace::SubspaceProjection::sparse;
            else if (a == "--dense")
                kind = subspace::SubspaceProjection::dense;
            else
                file = a;
        }
        if (!file.empty()) {
            if (!read_csv(file, train, test)) {
                std::cerr << "cannot read " << file << " (numeric CSV, label in the last column)\n";
                return 2;
            }
        } else {
            make_synthetic(train, test);
        }
        int classes = 0;
        for (int c : train.y) classes = std::max(classes, c + 1);
        for (int c : test.y) classes = std::max(classes, c + 1);
        const Mlp net{train.X.rows(), 32, classes};
        // theta0: N(0, 1/fan_in) weights, zero biases.
        Vec theta0 = Vec::Zero(net.size());
        const subspace::Rng rng(7);
        theta0.head(net.h * net.p) =
            rng.normal<double>(net.h * net.p, 1) / std::sqrt(static_cast<double>(net.p));
        theta0.segment(net.h * net.p + net.h, net.C * net.h) =
            rng.with_stream(1).normal<double>(net.C * net.h, 1) /
            std::sqrt(static_cast<double>(net.h));

        std::printf(
            "data: %lld features, %d classes, %lld train / %lld test points; network "
            "%lld-%lld-%lld, D = %lld\n",
            static_cast<long long>(net.p), classes, static_cast<long long>(train.X.cols()),
            static_cast<long long>(test.X.cols()), static_cast<long long>(net.p),
            static_cast<long long>(net.h), static_cast<long long>(net.C),
            static_cast<long long>(net.size()));
        subspace::IntrinsicDimOptions o;
        o.dims = {2, 5, 10, 20, 50, 100, 200, 400};
        o.subspace.kind = kind;
        o.subspace.seed = 1;
        o.subspace.said = said;
        o.subspace.layer_sizes = net.layer_sizes();
        if (said)
            o.dims = {6, 9, 14, 24, 54, 104, 204, 404};  // 4 of the d coordinates are layer scales
        o.adam.iterations = 300;
        o.adam.learning_rate = 0.05;
        o.full_adam.iterations = 300;
        o.full_adam.learning_rate = 0.02;
        const auto t0 = std::chrono::steady_clock::now();
        std::printf("%8s %10s %10s\n", "d", "train loss", "test acc");
        o.progress = [&](Index, double) { return true; };
        const auto res = subspace::intrinsic_dimension<double>(
            theta0, [&](const Vec& th, Vec& g) { return net.loss_grad(th, g, train); },
            [&](const Vec& th) { return net.accuracy(th, test); }, o);
        const double secs =
            std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
        for (std::size_t i = 0; i < res.dims.size(); ++i)
            std::printf("%8lld %10.4f %10.4f%s\n", static_cast<long long>(res.dims[i]),
                        res.losses[i], res.scores[i],
                        res.scores[i] >= res.target_score ? "  >= 90%" : "");
        std::printf("%8s %10.4f %10.4f  (all D = %lld parameters)\n", "full", res.full_loss,
                    res.full_score, static_cast<long long>(net.size()));
        const double chance = 1.0 / classes;
        if (res.reached)
            std::printf(
                "d_int90 = %lld (90%% of the full-space accuracy %.4f is %.4f; chance %.3f), %.1f "
                "s\n",
                static_cast<long long>(res.d_int), res.full_score, res.target_score, chance, secs);
        else
            std::printf("d_int90 > %lld: no tested d reached %.4f, %.1f s\n",
                        static_cast<long long>(o.dims.back()), res.target_score, secs);
        // Sanity for CI: the full network learns well above chance, and the curve is found.
        return (res.full_score > 1.5 * chance && res.reached) ? 0 : 1;
    } catch (const std::exception& e) {
        std::cerr << "error: " << e.what() << "\n";
        return 1;
    }
}
