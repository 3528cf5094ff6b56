// Spectral clustering and k-means: exact answers on block-diagonal and disconnected graphs,
// the embedding's eigenvalues and eigenvectors against Eigen's dense solver applied to the
// normalised Laplacian formed explicitly here, dense vs Lanczos paths, eigengap estimation,
// k-means optimality conditions and restarts, and argument checks.
#include <cmath>
#include <limits>
#include <vector>

#include <Eigen/Core>
#include <Eigen/Eigenvalues>
#include <Eigen/SparseCore>

#include "subspace/cluster/kmeans.hpp"
#include "subspace/cluster/metrics.hpp"
#include "subspace/cluster/spectral.hpp"
#include "subspace/core/rng.hpp"

#include "support/test_util.hpp"

namespace {

using Eigen::Index;
template <class S>
using Mat = Eigen::Matrix<S, Eigen::Dynamic, Eigen::Dynamic>;

// Sparse graph of k blocks of the given sizes: each node links to `deg` random nodes of its
// block (weight in [0.5, 1]); `cross` random edges of weight `eps` join random nodes of
// different blocks. Symmetrised by max. truth = block of each node.
template <class S>
Eigen::SparseMatrix<S> block_graph(const std::vector<Index>& sizes, Index deg, Index cross,
                                   double eps, std::uint64_t seed, Eigen::VectorXi& truth) {
    Index n = 0;
    for (Index s : sizes) n += s;
    truth.resize(n);
    std::vector<Index> start;
    Index p = 0;
    for (std::size_t b = 0; b < sizes.size(); ++b) {
        start.push_back(p);
        for (Index t = 0; t < sizes[b]; ++t) truth(p++) = static_cast<int>(b);
    }
    subspace::RandomStream rs(seed);
    std::vector<Eigen::Triplet<double>> trip;
    for (Index i = 0; i < n; ++i) {
        const auto b = static_cast<std::size_t>(truth(i));
        for (Index t = 0; t < deg; ++t) {
            const Index j =
                start[b] + static_cast<Index>(rs.next_below(static_cast<std::uint64_t>(sizes[b])));
            if (j == i) continue;
            const double w = 0.5 + 0.5 * rs.next_uniform();
            trip.emplace_back(i, j, w);
            trip.emplace_back(j, i, w);
        }
    }
    for (Index t = 0; t < cross; ++t) {
        const Index i = static_cast<Index>(rs.next_below(static_cast<std::uint64_t>(n)));
        const Index j = static_cast<Index>(rs.next_below(static_cast<std::uint64_t>(n)));
        if (truth(i) == truth(j)) continue;
        trip.emplace_back(i, j, eps);
        trip.emplace_back(j, i, eps);
    }
    Eigen::SparseMatrix<double> W(n, n);
    W.setFromTriplets(trip.begin(), trip.end(), [](double a, double b) { return std::max(a, b); });
    return W.cast<S>();
}

// Reference: eigen-decomposition of L_sym = I - D^-1/2 W D^-1/2 formed explicitly (no
// isolated nodes), ascending.
Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> reference_laplacian(const Eigen::MatrixXd& W) {
    const Eigen::VectorXd d = W.rowwise().sum();
    const Eigen::VectorXd s = d.cwiseSqrt().cwiseInverse();
    Eigen::MatrixXd L = -(s.asDiagonal() * W * s.asDiagonal());
    L.diagonal().array() += 1.0;
    return Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd>(L);
}

// sin of the largest principal angle between the spans of two orthonormal n x m matrices.
double subspace_gap(const Eigen::MatrixXd& A, const Eigen::MatrixXd& B) {
    return (B - A * (A.transpose() * B)).norm();
}

}  // namespace

TEMPLATE_TEST_CASE("spectral_clustering recovers weakly coupled blocks, dense and Lanczos",
                   "[spectral][spectral_clustering]", float, double) {
    using S = TestType;
    Eigen::VectorXi truth;
    const Eigen::SparseMatrix<S> W = block_graph<S>({90, 60, 120, 75}, 8, 40, 0.05, 3, truth);
    const Mat<S> Wd = Mat<S>(W);
    for (auto solver : {subspace::SpectralSolver::dense, subspace::SpectralSolver::lanczos}) {
        subspace::SpectralOptions o;
        o.solver = solver;
        const Eigen::VectorXi ls = subspace::spectral_clustering(W, 4, o);
        const Eigen::VectorXi ld = subspace::spectral_clustering(Wd, 4, o);
        REQUIRE(subspace::clustering_accuracy(ls, truth) == 1.0);
        REQUIRE(subspace::clustering_accuracy(ld, truth) == 1.0);
        REQUIRE(ls.minCoeff() == 0);
        REQUIRE(ls.maxCoeff() == 3);
    }
}

TEST_CASE("spectral embedding equals the explicit Laplacian's eigenpairs on both solvers",
          "[spectral][spectral_clustering]") {
    Eigen::VectorXi truth;
    const Eigen::SparseMatrix<double> W =
        block_graph<double>({150, 200, 100}, 6, 300, 0.2, 7, truth);
    const Eigen::MatrixXd Wd(W);
    const auto ref = reference_laplacian(Wd);
    const Index m = 5;
    for (auto solver : {subspace::SpectralSolver::dense, subspace::SpectralSolver::lanczos}) {
        subspace::SpectralOptions o;
        o.solver = solver;
        const subspace::SpectralEmbedding e = subspace::spectral_embedding(W, m, o);
        REQUIRE(e.converged);
        REQUIRE(e.n_components == 1);
        for (Index t = 0; t < m; ++t)
            REQUIRE(e.eigenvalues(t) == Approx(ref.eigenvalues()(t)).margin(1e-9));
        // The 5th and 6th eigenvalues are separated here, so the span is determined.
        REQUIRE(ref.eigenvalues()(m) - ref.eigenvalues()(m - 1) > 1e-3);
        REQUIRE(subspace_gap(ref.eigenvectors().leftCols(m), e.vectors) < 1e-6);
        REQUIRE((e.vectors.transpose() * e.vectors - Eigen::MatrixXd::Identity(m, m)).norm() <
                1e-8);
        // Dense overload agrees.
        const subspace::SpectralEmbedding e2 = subspace::spectral_embedding(Wd, m, o);
        REQUIRE((e2.eigenvalues - e.eigenvalues).cwiseAbs().maxCoeff() < 1e-9);
    }
}

TEMPLATE_TEST_CASE("disconnected graphs: components are the exact clusters",
                   "[spectral][spectral_clustering]", float, double) {
    using S = TestType;
    Eigen::VectorXi truth;
    // No cross edges: 4 components (each block connected with high probability; checked).
    const Eigen::SparseMatrix<S> W = block_graph<S>({40, 70, 25, 55}, 6, 0, 0.0, 11, truth);
    for (auto solver : {subspace::SpectralSolver::dense, subspace::SpectralSolver::lanczos}) {
        subspace::SpectralOptions o;
        o.solver = solver;
        const subspace::SpectralResult r = subspace::spectral_clustering_result(W, 4, o);
        REQUIRE(r.n_components == 4);
        REQUIRE(subspace::clustering_accuracy(r.labels, truth) == 1.0);
        REQUIRE(r.eigenvalues.cwiseAbs().maxCoeff() < 1e-12);
        // Eigen's dense solver on the explicit Laplacian: 4 zero eigenvalues, then a gap.
        const auto ref = reference_laplacian(Mat<double>(Mat<S>(W).template cast<double>()));
        REQUIRE(ref.eigenvalues()(3) < 1e-5);
        REQUIRE(ref.eigenvalues()(4) > 1e-2);
        // Two more clusters than components cannot be told apart by the graph: 5 clusters
        // must still refine the components (each cluster inside one component).
        const Eigen::VectorXi l5 = subspace::spectral_clustering(W, 5, o);
        REQUIRE(l5.maxCoeff() == 4);
        for (int c = 0; c < 5; ++c) {
            int block = -1;
            for (Index i = 0; i < l5.size(); ++i)
                if (l5(i) == c) {
                    if (block < 0) block = truth(i);
                    REQUIRE(truth(i) == block);
                }
        }
        // Fewer clusters than components, no regularisation: the two largest blocks stay, the
        // rest merge.
        subspace::SpectralOptions o0 = o;
        o0.regularization = 0;
        const Eigen::VectorXi l3 = subspace::spectral_clustering(W, 3, o0);
        Eigen::VectorXi merged = truth;
        for (Index i = 0; i < merged.size(); ++i)
            if (merged(i) == 0 || merged(i) == 2) merged(i) = 0;
        REQUIRE(subspace::clustering_accuracy(l3, merged) == 1.0);
    }
    // Isolated nodes are components of their own.
    Mat<S> D = Mat<S>::Zero(7, 7);
    D(0, 1) = D(1, 0) = S(1);
    D(2, 3) = D(3, 2) = D(3, 4) = D(4, 3) = S(2);
    D(5, 6) = D(6, 5) = S(0.5);
    const Mat<S> Diso = [&] {
        Mat<S> E = Mat<S>::Zero(8, 8);
        E.topLeftCorner(7, 7) = D;
        return E;
    }();
    const subspace::SpectralResult ri = subspace::spectral_clustering_result(Diso, 4);
    REQUIRE(ri.n_components == 4);
    Eigen::VectorXi ti(8);
    ti << 0, 0, 1, 1, 1, 2, 2, 3;
    REQUIRE(subspace::clustering_accuracy(ri.labels, ti) == 1.0);
}

TEST_CASE("regularisation keeps dangling components from taking clusters",
          "[spectral][spectral_clustering]") {
    // Three weakly coupled blocks plus three isolated pairs of nodes (4 components, 3 clusters).
    Eigen::VectorXi truth;
    const Eigen::SparseMatrix<double> B = block_graph<double>({60, 80, 70}, 8, 30, 0.05, 5, truth);
    const Index n = B.rows() + 6;
    std::vector<Eigen::Triplet<double>> trip;
    for (Index o = 0; o < B.outerSize(); ++o)
        for (Eigen::SparseMatrix<double>::InnerIterator it(B, o); it; ++it)
            trip.emplace_back(it.row(), it.col(), it.value());
    for (Index p = B.rows(); p < n; p += 2) {
        trip.emplace_back(p, p + 1, 1.0);
        trip.emplace_back(p + 1, p, 1.0);
    }
    Eigen::SparseMatrix<double> W(n, n);
    W.setFromTriplets(trip.begin(), trip.end());
    for (auto solver : {subspace::SpectralSolver::dense, subspace::SpectralSolver::lanczos}) {
        subspace::SpectralOptions o;
        o.solver = solver;
        const subspace::SpectralResult r = subspace::spectral_clustering_result(W, 3, o);
        REQUIRE(r.n_components == 4);
        REQUIRE(r.regularized);
        // The blocks are recovered (the 6 dangling nodes go wherever).
        const Eigen::VectorXi head = r.labels.head(B.rows());
        REQUIRE(subspace::clustering_accuracy(head, truth) == 1.0);
        // Without regularisation two clusters are taken by the giant block and one pair.
        o.regularization = 0;
        const Eigen::VectorXi l0 = subspace::spectral_clustering(W, 3, o);
        REQUIRE(subspace::clustering_accuracy(Eigen::VectorXi(l0.head(B.rows())), truth) < 0.5);
    }
}

TEST_CASE("dense and sparse, dense and Lanczos paths give the same partition",
          "[spectral][spectral_clustering]") {
    Eigen::VectorXi truth;
    const Eigen::SparseMatrix<double> W =
        block_graph<double>({120, 100, 140, 80, 120}, 10, 800, 0.3, 21, truth);
    const Eigen::SparseMatrix<double, Eigen::RowMajor> Wr = W;
    subspace::SpectralOptions od;
    od.solver = subspace::SpectralSolver::dense;
    subspace::SpectralOptions ol;
    ol.solver = subspace::SpectralSolver::lanczos;
    const subspace::SpectralResult rd = subspace::spectral_clustering_result(W, 5, od);
    const subspace::SpectralResult rl = subspace::spectral_clustering_result(Wr, 5, ol);
    REQUIRE(rl.converged);
    REQUIRE((rd.eigenvalues - rl.eigenvalues).cwiseAbs().maxCoeff() < 1e-9);
    REQUIRE(subspace::adjusted_rand_index(rd.labels, rl.labels) == 1.0);
    REQUIRE(subspace::clustering_accuracy(rl.labels, truth) > 0.99);
    // Same seed, same labels; the automatic choice (n = 560 > 300) is Lanczos.
    const Eigen::VectorXi la = subspace::spectral_clustering(W, 5);
    REQUIRE(la == subspace::spectral_clustering(W, 5));
    // Same labels with 1 and 2 threads.
    Eigen::VectorXi l1, l2;
    {
        test_util::ThreadCount one(1);
        l1 = subspace::spectral_clustering(W, 5);
    }
    {
        test_util::ThreadCount two(2);
        l2 = subspace::spectral_clustering(W, 5);
    }
    REQUIRE(l1 == l2);
    REQUIRE(subspace::adjusted_rand_index(la, rl.labels) == 1.0);
}

TEMPLATE_TEST_CASE("eigengap estimates the number of blocks", "[spectral][spectral_clustering]",
                   float, double) {
    using S = TestType;
    for (Index k = 2; k <= 6; ++k) {
        std::vector<Index> sizes;
        for (Index b = 0; b < k; ++b) sizes.push_back(40 + 13 * b);
        Eigen::VectorXi truth;
        const Eigen::SparseMatrix<S> W =
            block_graph<S>(sizes, 8, 10 * k, 0.05, 100 + static_cast<std::uint64_t>(k), truth);
        CAPTURE(k);
        REQUIRE(subspace::estimate_n_clusters(W, 10) == k);
        REQUIRE(subspace::estimate_n_clusters(Mat<S>(W), 10) == k);
        subspace::SpectralOptions o;
        o.estimate_n_clusters = true;
        o.solver = subspace::SpectralSolver::lanczos;
        const subspace::SpectralResult r = subspace::spectral_clustering_result(W, 10, o);
        REQUIRE(r.n_clusters == k);
        REQUIRE(r.eigenvalues.size() == 11);
        REQUIRE(subspace::clustering_accuracy(r.labels, truth) == 1.0);
    }
}

TEMPLATE_TEST_CASE("kmeans separates blobs and returns a Lloyd fixed point", "[spectral][kmeans]",
                   float, double) {
    using S = TestType;
    const Index d = 5, k = 4, per = 50;
    const subspace::Rng rng(4);
    const Mat<double> means = 10.0 * rng.normal<double>(d, k);
    Mat<double> X = rng.with_stream(1).normal<double>(d, k * per);
    Eigen::VectorXi truth(k * per);
    for (Index i = 0; i < k * per; ++i) {
        truth(i) = static_cast<int>(i % k);
        X.col(i) += means.col(i % k);
    }
    const Mat<S> Xs = X.cast<S>();
    const subspace::KMeansResult<S> r = subspace::kmeans(Xs, k);
    REQUIRE(subspace::clustering_accuracy(r.labels, truth) == 1.0);
    REQUIRE(r.converged);
    // Fixed point: each centre is the mean of its points, each point is nearest its centre,
    // and the inertia is the sum of squared distances.
    double inertia = 0;
    for (Index j = 0; j < k; ++j) {
        Eigen::VectorXd sum = Eigen::VectorXd::Zero(d);
        Index cnt = 0;
        for (Index i = 0; i < X.cols(); ++i)
            if (r.labels(i) == j) {
                sum += Xs.col(i).template cast<double>();
                ++cnt;
            }
        REQUIRE(cnt > 0);
        REQUIRE((sum / static_cast<double>(cnt) - r.centers.col(j).template cast<double>()).norm() <
                1e-4);
    }
    for (Index i = 0; i < X.cols(); ++i) {
        Index best = 0;
        (r.centers.template cast<double>().colwise() - Xs.col(i).template cast<double>())
            .colwise()
            .squaredNorm()
            .minCoeff(&best);
        REQUIRE(best == r.labels(i));
        inertia += (Xs.col(i) - r.centers.col(r.labels(i))).template cast<double>().squaredNorm();
    }
    REQUIRE(r.inertia == Approx(inertia).epsilon(1e-4));
}

TEST_CASE("kmeans inertia never increases with more restarts", "[spectral][kmeans]") {
    // Overlapping blobs: restarts reach different local minima.
    const subspace::Rng rng(8);
    Eigen::MatrixXd X = rng.normal<double>(3, 400);
    const Eigen::MatrixXd means = 2.0 * rng.with_stream(3).normal<double>(3, 8);
    for (Index i = 0; i < X.cols(); ++i) X.col(i) += means.col(i % 8);
    double prev = std::numeric_limits<double>::infinity();
    std::vector<double> single;
    for (int r = 1; r <= 12; ++r) {
        subspace::KMeansOptions o;
        o.n_init = r;
        o.seed = 17;
        o.init = subspace::KMeansInit::random;
        const auto res = subspace::kmeans(X, 8, o);
        REQUIRE(res.inertia <= prev + 1e-9);
        prev = res.inertia;
        single.push_back(res.inertia);
    }
    // Restarts explore: the 12 restarts do strictly better than the first alone here.
    REQUIRE(single.back() < single.front());
    // Same options, same result.
    subspace::KMeansOptions o;
    o.seed = 3;
    REQUIRE(subspace::kmeans(X, 8, o).labels == subspace::kmeans(X, 8, o).labels);
}

TEST_CASE("kmeans with k = n and with duplicate points", "[spectral][kmeans]") {
    Eigen::MatrixXd X(2, 6);
    X << 0, 0, 0, 1, 1, 5, 0, 0, 0, 1, 1, 5;
    const auto r = subspace::kmeans(X, 3);
    REQUIRE(r.inertia == Approx(0.0).margin(1e-12));
    const auto all = subspace::kmeans(X, 6);
    REQUIRE(all.inertia == Approx(0.0).margin(1e-12));
    REQUIRE(all.labels.minCoeff() >= 0);
}

TEMPLATE_TEST_CASE("spectral clustering and kmeans reject bad input", "[spectral][errors]", float,
                   double) {
    using S = TestType;
    Mat<S> W = Mat<S>::Ones(5, 5);
    REQUIRE_INVALID(subspace::spectral_clustering(W, 0), "spectral_clustering", "n_clusters");
    REQUIRE_INVALID(subspace::spectral_clustering(W, 6), "spectral_clustering", "n_clusters");
    Mat<S> A = W;
    A(1, 3) = S(2);
    REQUIRE_INVALID(subspace::spectral_clustering(A, 2), "spectral_clustering", "W", "symmetric");
    Mat<S> N = W;
    N(2, 2) = S(-1);
    REQUIRE_INVALID(subspace::spectral_clustering(N, 2), "spectral_clustering", "W",
                    "non-negative");
    Mat<S> F = W;
    F(0, 4) = F(4, 0) = std::numeric_limits<S>::quiet_NaN();
    REQUIRE_INVALID(subspace::spectral_clustering(F, 2), "spectral_clustering", "W", "finite");
    REQUIRE_INVALID(subspace::spectral_clustering(Mat<S>(Mat<S>::Ones(4, 5)), 2),
                    "spectral_clustering", "W", "square");
    REQUIRE_INVALID(subspace::spectral_clustering(Mat<S>(0, 0), 1), "spectral_clustering", "W");
    const Eigen::SparseMatrix<S> As = A.sparseView();
    REQUIRE_INVALID(subspace::spectral_clustering(As, 2), "spectral_clustering", "W", "symmetric");
    const Eigen::SparseMatrix<S> Ns = N.sparseView();
    REQUIRE_INVALID(subspace::spectral_clustering(Ns, 2), "spectral_clustering", "W",
                    "non-negative");
    REQUIRE_INVALID(subspace::estimate_n_clusters(W, 0), "estimate_n_clusters", "max_clusters");
    REQUIRE_INVALID(subspace::estimate_n_clusters(A, 2), "estimate_n_clusters", "W");
    REQUIRE_INVALID(subspace::spectral_embedding(W, 6), "spectral_embedding", "n_vectors");
    subspace::SpectralOptions bad;
    bad.n_init = 0;
    REQUIRE_INVALID(subspace::spectral_clustering(W, 2, bad), "spectral_clustering", "opts.n_init");
    // A tiny asymmetry within the tolerance is accepted.
    Mat<S> T = W;
    T(0, 1) += S(1e-12);
    REQUIRE_NOTHROW(subspace::spectral_clustering(T, 2));

    const Mat<S> X = Mat<S>::Ones(3, 4);
    REQUIRE_INVALID(subspace::kmeans(X, 0), "kmeans", "n_clusters");
    REQUIRE_INVALID(subspace::kmeans(X, 5), "kmeans", "n_clusters");
    Mat<S> Xn = X;
    Xn(1, 1) = std::numeric_limits<S>::infinity();
    REQUIRE_INVALID(subspace::kmeans(Xn, 2), "kmeans", "X", "finite");
    subspace::KMeansOptions ko;
    ko.max_iterations = 0;
    REQUIRE_INVALID(subspace::kmeans(X, 2, ko), "kmeans", "opts.max_iterations");
}
