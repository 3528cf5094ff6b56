// Sketching operators: agreement of every application path with the explicit matrix, the SRHT
// against an explicitly built Hadamard matrix, E[SᵀS] = I, subspace embedding over many seeds,
// thread-count independence, the JL bound against scikit-learn, and every error path.
#include <limits>
#include <vector>

#include <Eigen/QR>
#include <Eigen/SVD>
#include <Eigen/SparseCore>

#include "subspace/sketch/dense_sketch.hpp"
#include "subspace/sketch/jl.hpp"
#include "subspace/sketch/sparse_sketch.hpp"
#include "subspace/sketch/srht.hpp"

#include "support/test_util.hpp"

using subspace::Index;
using test_util::Mat;

namespace {

template <class Scalar>
Eigen::SparseMatrix<Scalar> random_sparse(Index m, Index n, double density, std::uint64_t seed) {
    subspace::RandomStream rs(seed, 5);
    std::vector<Eigen::Triplet<Scalar>> t;
    for (Index j = 0; j < n; ++j)
        for (Index i = 0; i < m; ++i)
            if (rs.next_uniform() < density)
                t.emplace_back(int(i), int(j), static_cast<Scalar>(rs.next_normal()));
    Eigen::SparseMatrix<Scalar> S(m, n);
    S.setFromTriplets(t.begin(), t.end());
    return S;
}

// Every application path of op equals the product with op.to_dense().
template <class Op>
void check_paths(const Op& op) {
    using S = typename Op::Scalar;
    const Index k = op.rows(), n = op.cols();
    const Mat<S> D = op.to_dense();
    REQUIRE(D.rows() == k);
    REQUIRE(D.cols() == n);
    const subspace::Rng rng(11);
    const Mat<S> A = rng.normal<S>(n, 37);
    const Mat<S> R = rng.with_stream(1).normal<S>(23, n);
    const Mat<S> B = rng.with_stream(2).normal<S>(k, 9);
    const auto As = random_sparse<S>(n, 41, 0.1, 3);
    const Eigen::SparseMatrix<S, Eigen::RowMajor> Asr = As;
    const auto Rs = random_sparse<S>(19, n, 0.1, 4);
    const Eigen::SparseMatrix<S, Eigen::RowMajor> Rsr = Rs;
    const S tol = 200 * std::numeric_limits<S>::epsilon();
    auto close = [&](const Mat<S>& X, const Mat<S>& Y) {
        return (X - Y).norm() <= tol * (Y.norm() + 1);
    };
    REQUIRE(close(op.apply(A), D * A));
    REQUIRE(close(op.apply(A.block(0, 1, n, 5)), D * A.block(0, 1, n, 5)));  // expression
    REQUIRE(close(op.apply(As), D * Mat<S>(As)));
    REQUIRE(close(op.apply(Asr), D * Mat<S>(As)));
    REQUIRE(close(op.apply_right(R), R * D.transpose()));
    REQUIRE(close(op.apply_right(Rs), Mat<S>(Rs) * D.transpose()));
    REQUIRE(close(op.apply_right(Rsr), Mat<S>(Rs) * D.transpose()));
    REQUIRE(close(op.apply_transpose(B), D.transpose() * B));
    REQUIRE(close(op.apply_adjoint(B), D.transpose() * B));
    // Dense and sparse input give the same sketch.
    REQUIRE(close(op.apply(Mat<S>(As)), op.apply(As)));
    // Empty blocks.
    REQUIRE(op.apply(Mat<S>(n, 0)).cols() == 0);
    // Usable as a LinearOperator.
    auto lin = subspace::as_operator(op);
    REQUIRE(close(lin.apply(A), D * A));
}

// Sylvester Hadamard matrix of order N (+-1).
Mat<double> hadamard(Index N) {
    Mat<double> H(1, 1);
    H(0, 0) = 1;
    while (H.rows() < N) {
        const Index h = H.rows();
        Mat<double> G(2 * h, 2 * h);
        G << H, H, H, -H;
        H = G;
    }
    return H;
}

}  // namespace

TEMPLATE_TEST_CASE("every sketch application path agrees with the dense matrix", "[sketch]", float,
                   double) {
    using S = TestType;
    for (const Index n : {Index(1), Index(7), Index(64), Index(100)}) {
        const Index k = std::min<Index>(n, 12);
        CAPTURE(n, k);
        check_paths(subspace::GaussianSketch<S>(k, n, 1));
        check_paths(subspace::RademacherSketch<S>(k, n, 2));
        check_paths(subspace::SparseSignSketch<S>(k, n, 8, 3));
        check_paths(subspace::SparseSignSketch<S>(k, n, 3, 3));
        check_paths(subspace::CountSketch<S>(k, n, 4));
        check_paths(subspace::SrhtSketch<S>(k, n, 5));
    }
}

TEMPLATE_TEST_CASE("dense sketches equal the Rng matrix scaled by one over root k", "[sketch]",
                   float, double) {
    using S = TestType;
    const subspace::GaussianSketch<S> G(6, 50, 9);
    const Mat<S> ref = subspace::Rng(9).normal<S>(6, 50) / std::sqrt(S(6));
    REQUIRE((G.to_dense() - ref).norm() <= 10 * std::numeric_limits<S>::epsilon() * ref.norm());
    const Mat<S> R = subspace::RademacherSketch<S>(6, 50, 9).to_dense() * std::sqrt(S(6));
    REQUIRE((R.array().abs() - 1).abs().maxCoeff() <= 10 * std::numeric_limits<S>::epsilon());
}

TEST_CASE("sparse sign and count sketches have the promised structure", "[sketch]") {
    const subspace::SparseSignSketch<double> S(30, 200, 8, 7);
    REQUIRE(S.nnz_per_column() == 8);
    const Mat<double> D = S.to_dense();
    for (Index j = 0; j < 200; ++j) {
        REQUIRE((D.col(j).array() != 0).count() == 8);
        REQUIRE(D.col(j).squaredNorm() == Approx(1.0).epsilon(1e-14));
        for (Index i = 0; i < 30; ++i)
            if (D(i, j) != 0) REQUIRE(std::abs(D(i, j)) == Approx(1 / std::sqrt(8.0)));
    }
    REQUIRE((Mat<double>(S.to_sparse()) - D).norm() == 0);
    // k < s: every row is used.
    REQUIRE(subspace::SparseSignSketch<double>(3, 10, 8, 1).nnz_per_column() == 3);
    const Mat<double> C = subspace::CountSketch<double>(5, 300, 2).to_dense();
    for (Index j = 0; j < 300; ++j) {
        REQUIRE((C.col(j).array() != 0).count() == 1);
        REQUIRE(C.col(j).cwiseAbs().sum() == 1.0);
    }
    // Rows are spread uniformly: each of 5 rows gets about 60 of 300 columns.
    const Eigen::VectorXd counts = (C.array() != 0).cast<double>().rowwise().sum();
    REQUIRE(counts.minCoeff() > 30);
    REQUIRE(counts.maxCoeff() < 90);
}

TEMPLATE_TEST_CASE("SRHT of sparse columns: the bit-field sign tables equal the fast transform",
                   "[sketch]", float, double) {
    using S = TestType;
    // n = 5000 (N = 2^13: two fields of sign tables) with one column dense enough for the fast
    // transform next to sparse ones; n = 300000 (N = 2^19: three fields), sparse columns only.
    for (const Index n : {Index(5000), Index(300000)}) {
        const Index k = n == 5000 ? 64 : 16;
        CAPTURE(n, k);
        const subspace::SrhtSketch<S> T(k, n, 33);
        Eigen::SparseMatrix<S> As = random_sparse<S>(n, 4, 30.0 / static_cast<double>(n), 8);
        if (n == 5000) {
            const auto dense_col = random_sparse<S>(n, 1, 0.6, 9);
            As.col(3) = dense_col.col(0);
            REQUIRE(As.col(3).nonZeros() * k > T.padded_size() * 13);  // takes the transform
        }
        const Mat<S> ref = T.apply(Mat<S>(As));  // fast Walsh–Hadamard transform of each column
        const Mat<S> got = T.apply(As);
        const S tol = 200 * std::numeric_limits<S>::epsilon();
        REQUIRE((got - ref).norm() <= tol * (ref.norm() + 1));
        // The sampled rows of the explicit Hadamard matrix, entry by entry, on a few columns.
        for (Index j = 0; j < 3; ++j)
            for (Index r = 0; r < k; r += 5) {
                double e = 0;
                for (typename Eigen::SparseMatrix<S>::InnerIterator it(As, j); it; ++it) {
                    const auto x = static_cast<std::uint64_t>(
                        T.sampled_rows()[static_cast<std::size_t>(r)] & it.index());
                    const double h = (__builtin_popcountll(x) & 1) ? -1.0 : 1.0;
                    e += h * static_cast<double>(T.signs()(it.index())) *
                         static_cast<double>(it.value());
                }
                e /= std::sqrt(static_cast<double>(k));
                REQUIRE(static_cast<double>(got(r, j)) ==
                        Approx(e).margin(100 * std::numeric_limits<S>::epsilon()));
            }
    }
}

TEMPLATE_TEST_CASE("SRHT equals the explicitly built subsampled Hadamard product", "[sketch]",
                   float, double) {
    using S = TestType;
    for (const Index n : {Index(5), Index(64), Index(100)}) {
        const Index k = std::min<Index>(9, n);
        const subspace::SrhtSketch<S> T(k, n, 21);
        const Index N = T.padded_size();
        REQUIRE(N >= n);
        REQUIRE(N < 2 * n + 1);
        const Mat<double> H = hadamard(N);
        Mat<double> ref(k, n);
        for (Index r = 0; r < k; ++r)
            for (Index i = 0; i < n; ++i)
                ref(r, i) = H(T.sampled_rows()[static_cast<std::size_t>(r)], i) *
                            static_cast<double>(T.signs()(i)) / std::sqrt(static_cast<double>(k));
        REQUIRE((T.to_dense().template cast<double>() - ref).norm() <=
                100 * std::numeric_limits<S>::epsilon() * ref.norm());
        // Rows distinct.
        for (std::size_t r = 1; r < static_cast<std::size_t>(k); ++r)
            REQUIRE(T.sampled_rows()[r] > T.sampled_rows()[r - 1]);
    }
}

TEST_CASE("fwht is the Hadamard product and rejects non powers of two", "[sketch]") {
    Mat<double> X = subspace::Rng(3).normal<double>(32, 3);
    const Mat<double> ref = hadamard(32) * X;
    subspace::fwht(X);
    REQUIRE((X - ref).norm() <= 1e-12 * ref.norm());
    Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor> Xr =
        subspace::Rng(3).normal<double>(16, 2);
    const Mat<double> refr = hadamard(16) * Xr;
    subspace::fwht(Xr);
    REQUIRE((Mat<double>(Xr) - refr).norm() <= 1e-12 * refr.norm());
    Mat<double> Y(12, 2);
    Y.setOnes();
    REQUIRE_INVALID(subspace::fwht(Y), "subspace::fwht", "'X'", "power of two", "12 rows");
}

TEST_CASE("E of StS is the identity for every operator", "[sketch][statistics]") {
    // Average of SᵀS over T seeds; each entry has standard deviation about 1/sqrt(k T) (or
    // less), so the max deviation over n² entries stays below 5/sqrt(k T).
    const Index n = 24, k = 8, T = 400;
    auto mean_sts = [&](auto make) {
        Mat<double> M = Mat<double>::Zero(n, n);
        for (Index t = 0; t < T; ++t) {
            const Mat<double> D = make(static_cast<std::uint64_t>(t)).to_dense();
            M += D.transpose() * D;
        }
        return Mat<double>(M / static_cast<double>(T));
    };
    const double bound = 5.0 / std::sqrt(static_cast<double>(k * T));
    const Mat<double> I = Mat<double>::Identity(n, n);
    CHECK((mean_sts([&](std::uint64_t s) { return subspace::GaussianSketch<double>(k, n, s); }) - I)
              .cwiseAbs()
              .maxCoeff() < bound * 1.5);
    CHECK(
        (mean_sts([&](std::uint64_t s) { return subspace::RademacherSketch<double>(k, n, s); }) - I)
            .cwiseAbs()
            .maxCoeff() < bound);
    CHECK(
        (mean_sts([&](std::uint64_t s) { return subspace::SparseSignSketch<double>(k, n, 4, s); }) -
         I)
            .cwiseAbs()
            .maxCoeff() < bound);
    CHECK((mean_sts([&](std::uint64_t s) { return subspace::CountSketch<double>(k, n, s); }) - I)
              .cwiseAbs()
              .maxCoeff() < bound);
    CHECK((mean_sts([&](std::uint64_t s) { return subspace::SrhtSketch<double>(k, n, s); }) - I)
              .cwiseAbs()
              .maxCoeff() < bound);
}

TEST_CASE("every operator is a subspace embedding at its theoretical size",
          "[sketch][statistics]") {
    // For Q (n x d) orthonormal, all singular values of S Q must lie in [1 - eps, 1 + eps] with
    // probability >= 1 - delta. Sizes: Gaussian/Rademacher k = (sqrt(d) + sqrt(2 ln(2/delta)))² /
    // eps² (Gordon's inequality, Vershynin 2018 Thm 4.6.1 constants); SRHT and sparse sign the
    // same with a log factor; CountSketch k = d² / (delta eps²) (Nelson & Nguyen 2013, Thm 1).
    const double eps = 0.5, delta = 0.1;
    const Index n = 2048, d = 6, trials = 40;
    const Mat<double> Q = test_util::random_orthonormal<double>(n, d, 5);
    auto failures = [&](auto make) {
        Index bad = 0;
        for (Index t = 0; t < trials; ++t) {
            const auto op = make(static_cast<std::uint64_t>(1000 + t));
            const Eigen::VectorXd sv = subspace::detail::singular_values(Mat<double>(op.apply(Q)));
            if (sv.maxCoeff() > 1 + eps || sv.minCoeff() < 1 - eps) ++bad;
        }
        return bad;
    };
    const double gk =
        std::pow(std::sqrt(double(d)) + std::sqrt(2 * std::log(2 / delta)), 2) / (eps * eps);
    const auto kg = static_cast<Index>(std::ceil(gk));
    const auto kl = static_cast<Index>(std::ceil(gk * std::log(double(d))));
    const auto kc = static_cast<Index>(std::ceil(double(d * d) / (delta * eps * eps)));
    CAPTURE(kg, kl, kc);
    // Allowed failures: delta trials in expectation, plus 3 standard deviations.
    const Index allowed = static_cast<Index>(delta * trials + 3 * std::sqrt(delta * trials));
    CHECK(failures([&](std::uint64_t s) { return subspace::GaussianSketch<double>(kg, n, s); }) <=
          allowed);
    CHECK(failures([&](std::uint64_t s) { return subspace::RademacherSketch<double>(kg, n, s); }) <=
          allowed);
    CHECK(failures([&](std::uint64_t s) {
              return subspace::SparseSignSketch<double>(kl, n, 8, s);
          }) <= allowed);
    CHECK(failures([&](std::uint64_t s) { return subspace::SrhtSketch<double>(kl, n, s); }) <=
          allowed);
    CHECK(failures([&](std::uint64_t s) { return subspace::CountSketch<double>(kc, n, s); }) <=
          allowed);
}

TEST_CASE("sketches have the same bits with one or two threads", "[sketch][threads]") {
    const Index n = 3000, m = 700;
    const Mat<double> A = subspace::Rng(1).normal<double>(n, m);
    const Mat<double> At = A.transpose();
    const auto As = random_sparse<double>(n, 300, 0.02, 9);
    auto run = [&](auto op) {
        std::vector<Mat<double>> r;
        r.push_back(op.apply(A));
        r.push_back(op.apply(As));
        r.push_back(op.apply_right(At));
        r.push_back(op.apply_transpose(r[0]));
        r.push_back(op.to_dense());
        return r;
    };
    auto same = [&](auto make) {
        std::vector<Mat<double>> one, two;
        {
            test_util::ThreadCount tc(1);
            one = run(make());
        }
        {
            test_util::ThreadCount tc(2);
            two = run(make());
        }
        for (std::size_t q = 0; q < one.size(); ++q)
            if (!(one[q].array() == two[q].array()).all()) return false;
        return true;
    };
    CHECK(same([] { return subspace::GaussianSketch<double>(150, 3000, 3); }));
    CHECK(same([] { return subspace::RademacherSketch<double>(150, 3000, 3); }));
    CHECK(same([] { return subspace::SparseSignSketch<double>(150, 3000, 8, 3); }));
    CHECK(same([] { return subspace::CountSketch<double>(150, 3000, 3); }));
    CHECK(same([] { return subspace::SrhtSketch<double>(150, 3000, 3); }));
    // Different seeds give different operators.
    CHECK((subspace::SparseSignSketch<double>(10, 50, 8, 1).to_dense() -
           subspace::SparseSignSketch<double>(10, 50, 8, 2).to_dense())
              .norm() > 0);
}

TEST_CASE("jl_min_dim matches scikit-learn", "[sketch]") {
    // sklearn.random_projection.johnson_lindenstrauss_min_dim (scikit-learn 1.2.1).
    REQUIRE(subspace::jl_min_dim(1000000, 0.5) == 663);
    REQUIRE(subspace::jl_min_dim(1000000, 0.1) == 11841);
    REQUIRE(subspace::jl_min_dim(1000000, 0.01) == 1112658);
    REQUIRE(subspace::jl_min_dim(100, 0.3) == 511);
    REQUIRE(subspace::jl_min_dim(20000, 0.2) == 2285);
    REQUIRE(subspace::jl_min_dim(1, 0.5) == 0);
    REQUIRE_INVALID(subspace::jl_min_dim(0, 0.5), "subspace::jl_min_dim", "'n_points'");
    REQUIRE_INVALID(subspace::jl_min_dim(10, 0.0), "subspace::jl_min_dim", "'eps'", "(0, 1)");
    REQUIRE_INVALID(subspace::jl_min_dim(10, 1.0), "'eps'");
    REQUIRE_INVALID(subspace::jl_min_dim(10, std::nan("")), "'eps'");
}

TEMPLATE_TEST_CASE("sketch operators reject bad input", "[sketch][errors]", float, double) {
    using S = TestType;
    REQUIRE_INVALID(subspace::GaussianSketch<S>(0, 10), "subspace::GaussianSketch", "'k'",
                    "[1, 10]", "got 0");
    REQUIRE_INVALID(subspace::GaussianSketch<S>(11, 10), "subspace::GaussianSketch", "'k'",
                    "got 11");
    REQUIRE_INVALID(subspace::RademacherSketch<S>(3, 0), "subspace::RademacherSketch", "'n'");
    REQUIRE_INVALID(subspace::SparseSignSketch<S>(3, 10, 0), "subspace::SparseSignSketch",
                    "'nnz_per_column'");
    REQUIRE_INVALID(subspace::SparseSignSketch<S>(20, 10), "subspace::SparseSignSketch", "'k'");
    REQUIRE_INVALID(subspace::CountSketch<S>(-1, 10), "subspace::CountSketch", "'k'");
    REQUIRE_INVALID(subspace::SrhtSketch<S>(11, 10), "subspace::SrhtSketch", "'k'");

    const subspace::SparseSignSketch<S> op(4, 10, 2, 1);
    const Mat<S> A = Mat<S>::Ones(9, 3);
    REQUIRE_INVALID(op.apply(A), "subspace::SparseSignSketch::apply", "'A'", "10 rows", "9 rows");
    REQUIRE_INVALID(op.apply_right(A), "subspace::SparseSignSketch::apply_right", "'A'",
                    "10 columns", "3 columns");
    REQUIRE_INVALID(op.apply_transpose(A), "subspace::SparseSignSketch::apply_transpose", "'B'",
                    "4 rows");
    Eigen::SparseMatrix<S> As(9, 3);
    REQUIRE_INVALID(op.apply(As), "subspace::SparseSignSketch::apply", "'A'", "9 rows");
    REQUIRE_INVALID(op.apply_right(As), "apply_right", "'A'");

    // Non-finite entries are named, for every operator and path.
    Mat<S> Bad = Mat<S>::Ones(10, 3);
    Bad(4, 1) = std::numeric_limits<S>::quiet_NaN();
    Eigen::SparseMatrix<S> BadS = Bad.sparseView();
    Mat<S> BadK = Mat<S>::Ones(4, 2);
    BadK(1, 1) = std::numeric_limits<S>::infinity();
    auto all = [&](const auto& o) {
        REQUIRE_INVALID(o.apply(Bad), "::apply", "'A'", "finite", "(4, 1)");
        REQUIRE_INVALID(o.apply(BadS), "::apply", "'A'", "finite", "(4, 1)");
        REQUIRE_INVALID(o.apply_right(Mat<S>(Bad.transpose())), "::apply_right", "'A'", "(1, 4)");
        REQUIRE_INVALID(o.apply_right(Eigen::SparseMatrix<S>(BadS.transpose())), "'A'", "(1, 4)");
        REQUIRE_INVALID(o.apply_transpose(BadK), "::apply_transpose", "'B'", "(1, 1)");
    };
    all(subspace::GaussianSketch<S>(4, 10, 1));
    all(subspace::RademacherSketch<S>(4, 10, 1));
    all(subspace::SparseSignSketch<S>(4, 10, 2, 1));
    all(subspace::CountSketch<S>(4, 10, 1));
    all(subspace::SrhtSketch<S>(4, 10, 1));
}
