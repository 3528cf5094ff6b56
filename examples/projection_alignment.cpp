// Aligning two representations of the same items.
//
// Two "models" see the same 1000 items: each representation is a different random rotation of a
// shared 16-dimensional latent structure embedded in R^64, plus independent noise. Nearest
// neighbour retrieval across the two spaces (query item i in space 1, is item i the closest point
// in space 2?) fails before alignment, works after an orthogonal Procrustes map fitted on 300
// anchor pairs, and works better in a shared subspace (the top principal subspace of the aligned
// anchors), where part of the isotropic noise is projected away. CCA on the anchors and relative
// representations (cosines to the anchors) need no alignment.
// Linear CKA (rotation invariant) shows that the two spaces were similar all along.
//
//   example_projection_alignment [noise]     (default noise 0.6)
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>

#include <Eigen/Core>

#include "subspace/core.hpp"
#include "subspace/projection.hpp"

namespace {

using Mat = Eigen::MatrixXd;
using Eigen::Index;

// Fraction of queries (columns of Q) whose nearest column of R by cosine similarity is the same
// item.
double retrieval_accuracy(const Mat& Q, const Mat& R) {
    const Mat S = subspace::relative_representation(Q, R);  // R.cols() x Q.cols() cosines
    Index hits = 0;
    for (Index j = 0; j < S.cols(); ++j) {
        Index best = 0;
        S.col(j).maxCoeff(&best);
        if (best == j) ++hits;
    }
    return static_cast<double>(hits) / static_cast<double>(Q.cols());
}

Mat random_rotation(Index d, std::uint64_t seed) {
    return subspace::orthonormalize(subspace::Rng(seed).normal<double>(d, d));
}

}  // namespace

int main(int argc, char** argv) {
    const double noise = argc > 1 ? std::atof(argv[1]) : 0.6;
    const Index d = 64, latent = 16, n = 1000, n_train = 300;
    // Shared structure: points z in R^16 with decaying scales, embedded by a fixed 64 x 16 basis.
    Mat Z = subspace::Rng(1).normal<double>(latent, n);
    for (Index i = 0; i < latent; ++i) Z.row(i) *= 3.0 * std::pow(0.9, static_cast<double>(i));
    const Mat E = subspace::orthonormalize(subspace::Rng(2).normal<double>(d, latent));
    const Mat base = E * Z;
    const Mat X1 = random_rotation(d, 3) * base + noise * subspace::Rng(4).normal<double>(d, n);
    const Mat X2 = random_rotation(d, 5) * base + noise * subspace::Rng(6).normal<double>(d, n);
    const Mat X1tr = X1.leftCols(n_train), X2tr = X2.leftCols(n_train);
    const Mat X1te = X1.rightCols(n - n_train), X2te = X2.rightCols(n - n_train);

    std::printf(
        "two noisy rotated copies: d = %ld, latent dim = %ld, noise = %.2f, "
        "%ld anchor pairs, %ld test items\n",
        static_cast<long>(d), static_cast<long>(latent), noise, static_cast<long>(n_train),
        static_cast<long>(n - n_train));
    std::printf("linear CKA(X1, X2) = %.4f (rotation invariant), debiased %.4f\n",
                subspace::linear_cka(X1te, X2te), subspace::debiased_linear_cka(X1te, X2te));

    const double before = retrieval_accuracy(X1te, X2te);
    // Orthogonal Procrustes on the anchors: R X1 ≈ X2.
    const Mat R = subspace::procrustes(X1tr, X2tr);
    const Mat X1al = R * X1te;
    const double after = retrieval_accuracy(X1al, X2te);
    // Shared subspace: top principal subspace (95% of the variance) of the aligned anchors.
    Mat both(d, 2 * n_train);
    both << R * X1tr, X2tr;
    subspace::Pca<double> pca;
    pca.fit(both, 0.95);
    const double shared = retrieval_accuracy(pca.transform(X1al), pca.transform(X2te));
    // CCA subspace fitted on the anchors (no alignment needed).
    const auto cc = subspace::cca(X1tr, X2tr, latent);
    Mat c1 = cc.x_weights.transpose() * X1te;
    c1.colwise() -= cc.x_weights.transpose() * cc.x_mean;
    Mat c2 = cc.y_weights.transpose() * X2te;
    c2.colwise() -= cc.y_weights.transpose() * cc.y_mean;
    const double in_cca = retrieval_accuracy(c1, c2);
    // Relative representations: cosines to the anchors are rotation invariant.
    const double relative = retrieval_accuracy(subspace::relative_representation(X1te, X1tr),
                                               subspace::relative_representation(X2te, X2tr));

    std::printf("retrieval accuracy (nearest neighbour across spaces):\n");
    std::printf("  before alignment                 %6.1f%%\n", 100 * before);
    std::printf("  after Procrustes (anchors)       %6.1f%%\n", 100 * after);
    std::printf("  shared PCA subspace (%2ld dims)    %6.1f%%\n",
                static_cast<long>(pca.n_components()), 100 * shared);
    std::printf("  CCA subspace (%2ld dims)           %6.1f%%\n", static_cast<long>(latent),
                100 * in_cca);
    std::printf("  relative representations         %6.1f%%\n", 100 * relative);
    std::printf("principal angles between the latent subspaces (deg), after alignment: ");
    const subspace::Subspace<double> S1(Mat(R * random_rotation(d, 3) * E));
    const subspace::Subspace<double> S2(Mat(random_rotation(d, 5) * E));
    const Eigen::VectorXd th = subspace::principal_angles(S1, S2);
    std::printf("max %.2f, geodesic distance %.3f\n", th.maxCoeff() * 57.29577951308232,
                subspace::grassmann_distance_from_angles(th));
    // The example is also a test: alignment must help, and the subspace must help further.
    if (!(after > before + 0.3 && shared >= after)) {
        std::printf("unexpected result\n");
        return 1;
    }
    return 0;
}
