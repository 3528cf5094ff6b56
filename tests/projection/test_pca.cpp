// Pca against an independent SVD of the centred data (JacobiSVD in double), sparse == dense,
// incremental == batch, whitening, reconstruction error, PPCA log-likelihood, errors.
#include <cmath>
#include <limits>
#include <vector>

#include <Eigen/Cholesky>
#include <Eigen/Core>
#include <Eigen/SVD>
#include <Eigen/SparseCore>

#include "subspace/projection.hpp"

#include "support/test_util.hpp"

namespace {

using Eigen::Index;
template <class S>
using Mat = Eigen::Matrix<S, Eigen::Dynamic, Eigen::Dynamic>;
template <class S>
using Vec = Eigen::Matrix<S, Eigen::Dynamic, 1>;

template <class S>
double tol_of(double factor) {
    return factor * static_cast<double>(std::numeric_limits<S>::epsilon());
}

// d x n data with singular values of the centred part `sigma` and a mean offset.
template <class S>
Mat<S> pca_data(Index d, Index n, const Vec<double>& sigma, std::uint64_t seed) {
    const Index r = sigma.size();
    const Mat<double> U = test_util::random_orthonormal<double>(d, r, seed);
    Mat<double> V = subspace::Rng(seed + 1).normal<double>(n, r);
    V.rowwise() -= V.colwise().mean();
    Eigen::HouseholderQR<Mat<double>> qr(V);
    Mat<double> Q = Mat<double>::Identity(n, r);
    Q.applyOnTheLeft(qr.householderQ());
    Mat<double> X = U * sigma.asDiagonal() * Q.transpose();
    X.colwise() += Vec<double>::LinSpaced(d, -3.0, 5.0);
    return X.cast<S>();
}

struct Reference {
    Mat<double> U;
    Vec<double> var;
    Vec<double> ratio;
};

template <class S>
Reference reference_pca(const Mat<S>& X) {
    Mat<double> Xc = X.template cast<double>();
    Xc.colwise() -= Xc.rowwise().mean();
    Eigen::JacobiSVD<Mat<double>> svd(Xc, Eigen::ComputeThinU);
    Reference r;
    r.U = svd.matrixU();
    r.var = svd.singularValues().array().square() / static_cast<double>(X.cols() - 1);
    r.ratio = r.var / r.var.sum();
    return r;
}

template <class S>
void require_matches(const subspace::Pca<S>& pca, const Reference& ref, Index k, double tol) {
    REQUIRE(pca.n_components() == k);
    for (Index i = 0; i < k; ++i) {
        CAPTURE(i);
        REQUIRE(std::abs(static_cast<double>(pca.explained_variance()(i)) - ref.var(i)) <=
                tol * ref.var(0));
        REQUIRE(std::abs(static_cast<double>(pca.explained_variance_ratio()(i)) - ref.ratio(i)) <=
                tol);
        // Components up to sign.
        const double dot = pca.components().col(i).template cast<double>().dot(ref.U.col(i));
        REQUIRE(std::abs(std::abs(dot) - 1.0) <= tol * 10);
    }
}

}  // namespace

TEMPLATE_TEST_CASE("Pca solvers match the SVD of the centred data", "[projection][pca]", float,
                   double) {
    using S = TestType;
    Vec<double> sigma(8);
    sigma << 40, 30, 20, 12, 8, 5, 3, 2;
    const Mat<S> X = pca_data<S>(12, 150, sigma, 3);
    const Reference ref = reference_pca<S>(X);
    const double tol = tol_of<S>(3000);
    for (auto solver : {subspace::PcaSolver::full, subspace::PcaSolver::covariance_eigh,
                        subspace::PcaSolver::randomized}) {
        CAPTURE(static_cast<int>(solver));
        subspace::PcaOptions o;
        o.solver = solver;
        subspace::Pca<S> pca(o);
        pca.fit(X, 5);
        REQUIRE(pca.solver_used() == solver);
        require_matches(pca, ref, 5, tol);
        REQUIRE((pca.mean().template cast<double>() - X.template cast<double>().rowwise().mean())
                    .cwiseAbs()
                    .maxCoeff() <= tol * 10);
        // Noise variance: mean of the discarded variances over min(d, n) − k = 7.
        REQUIRE(std::abs(pca.noise_variance() - ref.var.tail(7).sum() / 7.0) <= tol * ref.var(0));
    }
    // Variance fraction: the smallest k whose ratios reach 0.9.
    subspace::Pca<S> pf;
    pf.fit(X, 0.9);
    Index kref = 0;
    double acc = 0;
    while (acc < 0.9) acc += ref.ratio(kref++);
    REQUIRE(pf.n_components() == kref);
    // Automatic: n >= 10 d picks the covariance solver.
    subspace::Pca<S> pa;
    pa.fit(X, 2);
    REQUIRE(pa.solver_used() == subspace::PcaSolver::covariance_eigh);
}

TEMPLATE_TEST_CASE("Pca transform, inverse_transform, whitening, reconstruction error, PPCA",
                   "[projection][pca]", float, double) {
    using S = TestType;
    Vec<double> sigma(4);
    sigma << 10, 6, 3, 1;
    const Mat<S> X = pca_data<S>(6, 60, sigma, 7);
    const double tol = tol_of<S>(2000);
    subspace::Pca<S> full;
    full.fit(X, 4);  // rank 4: exact reconstruction
    const Mat<S> Z = full.transform(X);
    REQUIRE(Z.rows() == 4);
    REQUIRE((full.inverse_transform(Z) - X).cwiseAbs().maxCoeff() <= S(tol * 10));
    REQUIRE(full.reconstruction_error(X).maxCoeff() <= S(tol * 10));
    // Scores have the explained variances as variances and are uncorrelated.
    const Mat<double> Zd = Z.template cast<double>();
    const Mat<double> cov = Zd * Zd.transpose() / 59.0;
    REQUIRE((cov - Mat<double>(full.explained_variance().template cast<double>().asDiagonal()))
                .cwiseAbs()
                .maxCoeff() <= tol * 100);
    subspace::PcaOptions wo;
    wo.whiten = true;
    subspace::Pca<S> wh(wo);
    wh.fit(X, 3);
    const Mat<double> W = wh.transform(X).template cast<double>();
    REQUIRE((W * W.transpose() / 59.0 - Mat<double>::Identity(3, 3)).cwiseAbs().maxCoeff() <=
            tol * 100);
    REQUIRE((wh.inverse_transform(wh.transform(X)) - X).cwiseAbs().maxCoeff() <=
            S(1.0 + tol * 100));  // rank-3 reconstruction: loses the σ=1 direction
    // Reconstruction error = ‖x − inverse_transform(transform(x))‖².
    subspace::Pca<S> p2;
    p2.fit(X, 2);
    const Mat<S> Xn = subspace::Rng(3).normal<S>(6, 5);
    const Vec<S> err = p2.reconstruction_error(Xn);
    const Mat<S> back = p2.inverse_transform(p2.transform(Xn));
    for (Index j = 0; j < 5; ++j)
        REQUIRE(std::abs(static_cast<double>(err(j)) -
                         static_cast<double>((Xn.col(j) - back.col(j)).squaredNorm())) <=
                tol * 100 * static_cast<double>(Xn.col(j).squaredNorm() + 1));
    // PPCA log-likelihood against an explicit Gaussian density.
    const double s2 = p2.noise_variance();
    REQUIRE(s2 > 0);
    const Mat<double> Wc = p2.components().template cast<double>();
    const Vec<double> lam = p2.explained_variance().template cast<double>();
    const Mat<double> C = Wc * (lam.array() - s2).matrix().asDiagonal() * Wc.transpose() +
                          s2 * Mat<double>::Identity(6, 6);
    Eigen::LLT<Mat<double>> llt(C);
    const double logdet = 2.0 * Mat<double>(llt.matrixL()).diagonal().array().log().sum();
    const Vec<S> ll = p2.score_samples(Xn);
    for (Index j = 0; j < 5; ++j) {
        const Vec<double> r = Xn.col(j).template cast<double>() - p2.mean().template cast<double>();
        const double ref =
            -0.5 * (r.dot(llt.solve(r)) + logdet + 6 * std::log(2 * 3.141592653589793));
        REQUIRE(std::abs(static_cast<double>(ll(j)) - ref) <= 1e-4 * std::abs(ref) + tol * 1e3);
    }
}

TEMPLATE_TEST_CASE("Pca on sparse input equals Pca on the dense copy", "[projection][pca]", float,
                   double) {
    using S = TestType;
    const Index d = 25, n = 300;
    const Mat<S> U = subspace::Rng(31).uniform<S>(d, n);
    const Mat<S> G = subspace::Rng(32).normal<S>(d, n);
    Mat<S> Xd = Mat<S>::Zero(d, n);
    std::vector<Eigen::Triplet<S>> trip;
    for (Index j = 0; j < n; ++j)
        for (Index i = 0; i < d; ++i)
            if (U(i, j) < S(0.15)) {
                const S v = G(i, j) + S(i % 3 == 0 ? 2 : 0);
                Xd(i, j) = v;
                trip.emplace_back(static_cast<int>(i), static_cast<int>(j), v);
            }
    Eigen::SparseMatrix<S> Xs(d, n);
    Xs.setFromTriplets(trip.begin(), trip.end());
    const double tol = tol_of<S>(2000);
    for (auto solver : {subspace::PcaSolver::full, subspace::PcaSolver::covariance_eigh,
                        subspace::PcaSolver::randomized}) {
        CAPTURE(static_cast<int>(solver));
        subspace::PcaOptions o;
        o.solver = solver;
        subspace::Pca<S> a(o), b(o);
        a.fit(Xd, 4);
        b.fit(Xs, 4);
        REQUIRE((a.mean() - b.mean()).cwiseAbs().maxCoeff() <= S(tol));
        REQUIRE((a.explained_variance() - b.explained_variance()).cwiseAbs().maxCoeff() <=
                S(tol) * a.explained_variance()(0));
        REQUIRE(std::abs(a.total_variance() - b.total_variance()) <= tol * a.total_variance());
        const Mat<S> cdot = a.components().transpose() * b.components();
        REQUIRE((cdot.diagonal().cwiseAbs().array() - S(1)).abs().maxCoeff() <= S(tol * 100));
        REQUIRE((a.transform(Xd) - b.transform(Xs)).cwiseAbs().maxCoeff() <= S(tol * 100));
    }
    // Against the independent reference too.
    subspace::Pca<S> c;
    c.fit(Xs, 3);
    require_matches(c, reference_pca<S>(Xd), 3, tol_of<S>(20000));
}

TEMPLATE_TEST_CASE("incremental Pca equals batch Pca", "[projection][pca]", float, double) {
    using S = TestType;
    Vec<double> sigma(3);
    sigma << 30, 10, 4;
    const Mat<S> X = pca_data<S>(10, 240, sigma, 41);  // rank 3 after centring
    subspace::PcaOptions o;
    o.solver = subspace::PcaSolver::full;
    subspace::Pca<S> batch(o), inc;
    batch.fit(X, 3);
    for (Index j0 = 0; j0 < 240; j0 += 40) inc.partial_fit(X.middleCols(j0, 40), 3);
    REQUIRE(inc.n_samples() == 240);
    const double tol = tol_of<S>(3000);
    REQUIRE((inc.mean() - batch.mean()).cwiseAbs().maxCoeff() <= S(tol * 10));
    REQUIRE(std::abs(inc.total_variance() - batch.total_variance()) <=
            tol * batch.total_variance());
    REQUIRE((inc.explained_variance() - batch.explained_variance()).cwiseAbs().maxCoeff() <=
            S(tol) * batch.explained_variance()(0));
    REQUIRE(
        (inc.explained_variance_ratio() - batch.explained_variance_ratio()).cwiseAbs().maxCoeff() <=
        S(tol));
    REQUIRE((inc.components() - batch.components()).cwiseAbs().maxCoeff() <= S(tol * 100));
    // With noise (rank 10 data, k = 3): close to the batch answer.
    Mat<S> Xn = X + S(0.05) * subspace::Rng(42).normal<S>(10, 240);
    subspace::Pca<S> b2(o), i2;
    b2.fit(Xn, 3);
    for (Index j0 = 0; j0 < 240; j0 += 60) i2.partial_fit(Xn.middleCols(j0, 60), 3);
    REQUIRE((i2.explained_variance() - b2.explained_variance()).cwiseAbs().maxCoeff() <=
            S(1e-3) * b2.explained_variance()(0));
    // partial_fit continues a fit: fit on the first half, add the second half.
    subspace::Pca<S> cont(o);
    cont.fit(X.leftCols(120), 3);
    cont.partial_fit(X.rightCols(120), 3);
    REQUIRE((cont.explained_variance() - batch.explained_variance()).cwiseAbs().maxCoeff() <=
            S(tol) * batch.explained_variance()(0));
}

TEST_CASE("Pca rejects bad input", "[projection][pca][errors]") {
    const Mat<double> X = subspace::Rng(1).normal<double>(5, 20);
    subspace::Pca<double> pca;
    REQUIRE_INVALID(pca.transform(X), "Pca::transform", "fitted");
    REQUIRE_INVALID(pca.inverse_transform(X), "Pca::inverse_transform", "fitted");
    REQUIRE_INVALID(pca.fit(X, 0), "Pca::fit", "n_components");
    REQUIRE_INVALID(pca.fit(X, 6), "Pca::fit", "n_components", "[1, 5]");
    REQUIRE_INVALID(pca.fit(X, 1.5), "Pca::fit", "n_components", "fraction");
    REQUIRE_INVALID(pca.fit(X.leftCols(1), 1), "Pca::fit", "X", "2 points");
    REQUIRE_INVALID(pca.fit(Mat<double>(0, 3), 1), "Pca::fit", "X", "non-empty");
    Mat<double> nan = X;
    nan(2, 3) = std::numeric_limits<double>::infinity();
    REQUIRE_INVALID(pca.fit(nan, 2), "Pca::fit", "X", "finite");
    subspace::PcaOptions ro;
    ro.solver = subspace::PcaSolver::randomized;
    subspace::Pca<double> rp(ro);
    REQUIRE_INVALID(rp.fit(X, 0.5), "Pca::fit", "n_components", "randomized");
    ro.oversampling = -1;
    REQUIRE_INVALID(subspace::Pca<double>(ro).fit(X, 2), "Pca::fit", "oversampling");
    pca.fit(X, 2);
    REQUIRE_INVALID(pca.transform(Mat<double>::Ones(4, 3)), "Pca::transform", "X", "5 rows");
    REQUIRE_INVALID(pca.transform(nan), "Pca::transform", "X", "finite");
    REQUIRE_INVALID(pca.inverse_transform(Mat<double>::Ones(3, 3)), "Pca::inverse_transform", "Z");
    REQUIRE_INVALID(pca.reconstruction_error(Mat<double>::Ones(4, 3)), "reconstruction_error");
    REQUIRE_INVALID(pca.score_samples(Mat<double>::Ones(4, 3)), "score_samples", "X");
    REQUIRE_INVALID(pca.partial_fit(X, 3), "Pca::partial_fit", "n_components", "2");
    REQUIRE_INVALID(pca.partial_fit(Mat<double>::Ones(4, 3), 2), "Pca::partial_fit", "X");
    subspace::Pca<double> fresh;
    REQUIRE_INVALID(fresh.partial_fit(X.leftCols(2), 3), "Pca::partial_fit", "X", "first batch");
    REQUIRE_INVALID(fresh.partial_fit(X, 6), "Pca::partial_fit", "n_components");
}
