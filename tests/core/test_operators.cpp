// LinearOperator adapters against explicit products; orthonormalize; argument checks.
#include <limits>

#include <Eigen/SparseCore>

#include "support/test_util.hpp"

using subspace::Index;
using test_util::Mat;

namespace {

template <class Scalar>
Eigen::SparseMatrix<Scalar> random_sparse(Index m, Index n, double density, std::uint64_t seed) {
    subspace::RandomStream rs(seed);
    std::vector<Eigen::Triplet<Scalar>> t;
    for (Index j = 0; j < n; ++j)
        for (Index i = 0; i < m; ++i)
            if (rs.next_uniform() < density)
                t.emplace_back(int(i), int(j), static_cast<Scalar>(rs.next_normal()));
    Eigen::SparseMatrix<Scalar> S(m, n);
    S.setFromTriplets(t.begin(), t.end());
    return S;
}

// A user type modelling the concept: a diagonal operator.
struct DiagonalOp {
    using Scalar = double;
    Eigen::VectorXd d;
    Index rows() const { return d.size(); }
    Index cols() const { return d.size(); }
    Eigen::MatrixXd apply(const Eigen::MatrixXd& X) const { return d.asDiagonal() * X; }
    Eigen::MatrixXd apply_adjoint(const Eigen::MatrixXd& Y) const { return d.asDiagonal() * Y; }
};

}  // namespace

TEMPLATE_TEST_CASE("make_operator on dense input equals the explicit products", "[operator]", float,
                   double) {
    using S = TestType;
    const subspace::Rng rng(1);
    const Mat<S> A = rng.normal<S>(30, 20);
    const Mat<S> X = rng.with_stream(1).normal<S>(20, 4);
    const Mat<S> Y = rng.with_stream(2).normal<S>(30, 3);
    const S tol = 50 * std::numeric_limits<S>::epsilon();

    auto op = subspace::make_operator(A);
    REQUIRE(op.rows() == 30);
    REQUIRE(op.cols() == 20);
    REQUIRE((op.apply(X) - A * X).norm() <= tol * (A * X).norm());
    REQUIRE((op.apply_adjoint(Y) - A.transpose() * Y).norm() <= tol * (A.transpose() * Y).norm());
    auto opT = op.transposed();
    REQUIRE(opT.rows() == 20);
    REQUIRE((opT.apply(Y) - A.transpose() * Y).norm() <= tol * (A.transpose() * Y).norm());

    SECTION("references the matrix, no copy") {
        Mat<S> B = A;
        auto opB = subspace::make_operator(B);
        B *= S(2);
        REQUIRE((opB.apply(X) - S(2) * (A * X)).norm() <= tol * (A * X).norm() * 2);
    }
    SECTION("a block with an outer stride") {
        auto opb = subspace::make_operator(A.block(3, 2, 10, 7));
        const Mat<S> Xb = X.topRows(7);
        REQUIRE((opb.apply(Xb) - A.block(3, 2, 10, 7) * Xb).norm() <= tol * 10);
    }
    SECTION("a row-major matrix") {
        const Eigen::Matrix<S, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor> Ar = A;
        auto opr = subspace::make_operator(Ar);
        REQUIRE((opr.apply(X) - A * X).norm() <= tol * (A * X).norm());
        REQUIRE((opr.apply_adjoint(Y) - A.transpose() * Y).norm() <=
                tol * (A.transpose() * Y).norm());
    }
    SECTION("an expression is evaluated and owned") {
        auto ope = subspace::make_operator(S(3) * A);
        REQUIRE((ope.apply(X) - S(3) * A * X).norm() <= tol * 3 * (A * X).norm());
    }
    SECTION("an rvalue matrix is owned") {
        auto opo = subspace::make_operator(Mat<S>(A));
        REQUIRE((opo.apply(X) - A * X).norm() <= tol * (A * X).norm());
    }
    SECTION("apply_into writes a preallocated block") {
        Mat<S> out(30, 10);
        out.setZero();
        op.apply_into(X, out.middleCols(2, 4));
        REQUIRE((out.middleCols(2, 4) - A * X).norm() <= tol * (A * X).norm());
        REQUIRE(out.leftCols(2).norm() == S(0));
    }
}

TEMPLATE_TEST_CASE("make_operator on sparse input equals the dense products", "[operator]", float,
                   double) {
    using S = TestType;
    const Eigen::SparseMatrix<S> A = random_sparse<S>(40, 25, 0.1, 3);
    const Mat<S> Ad = Mat<S>(A);
    const Mat<S> X = subspace::Rng(4).normal<S>(25, 3);
    const Mat<S> Y = subspace::Rng(5).normal<S>(40, 2);
    const S tol = 50 * std::numeric_limits<S>::epsilon();
    auto op = subspace::make_operator(A);
    REQUIRE((op.apply(X) - Ad * X).norm() <= tol * (Ad * X).norm());
    REQUIRE((op.apply_adjoint(Y) - Ad.transpose() * Y).norm() <= tol * (Ad.transpose() * Y).norm());
    const Eigen::SparseMatrix<S, Eigen::RowMajor> Ar = A;
    auto opr = subspace::make_operator(Ar);
    REQUIRE((opr.apply(X) - Ad * X).norm() <= tol * (Ad * X).norm());
    auto ope = subspace::make_operator(A * S(2));
    REQUIRE((ope.apply(X) - S(2) * Ad * X).norm() <= tol * 2 * (Ad * X).norm());
    auto opo = subspace::make_operator(Eigen::SparseMatrix<S>(A));
    REQUIRE((opo.apply_adjoint(Y) - Ad.transpose() * Y).norm() <=
            tol * (Ad.transpose() * Y).norm());
}

TEST_CASE("operators from callables and from concept types", "[operator]") {
    const Eigen::MatrixXd A = subspace::Rng(6).normal<double>(8, 5);
    auto op = subspace::make_operator<double>(
        8, 5, [&](const Eigen::MatrixXd& X) -> Eigen::MatrixXd { return A * X; },
        [&](const Eigen::MatrixXd& Y) -> Eigen::MatrixXd { return A.transpose() * Y; });
    const Eigen::MatrixXd X = subspace::Rng(7).normal<double>(5, 2);
    REQUIRE((op.apply(X) - A * X).norm() < 1e-13);
    REQUIRE((op.apply_adjoint(A * X) - A.transpose() * A * X).norm() < 1e-12);

    DiagonalOp d{Eigen::VectorXd::LinSpaced(6, 1.0, 6.0)};
    static_assert(subspace::is_linear_operator<DiagonalOp>::value, "concept");
    static_assert(!subspace::is_linear_operator<Eigen::MatrixXd>::value, "concept");
    auto opd = subspace::as_operator(d);
    const Eigen::MatrixXd Z = Eigen::MatrixXd::Ones(6, 2);
    REQUIRE((opd.apply(Z) - d.d.asDiagonal() * Z).norm() == 0.0);
    auto same = subspace::as_operator(op);
    REQUIRE((same.apply(X) - A * X).norm() < 1e-13);

    SECTION("a callable returning the wrong shape is reported") {
        auto bad = subspace::make_operator<double>(
            8, 5, [](const Eigen::MatrixXd& In) -> Eigen::MatrixXd { return In; },
            [](const Eigen::MatrixXd& Y) -> Eigen::MatrixXd { return Y; });
        REQUIRE_INVALID(bad.apply(X), "LinearOperator::apply", "apply callable", "8 x 2", "5 x 2");
        REQUIRE_INVALID(bad.apply_adjoint(Eigen::MatrixXd::Ones(8, 1)),
                        "LinearOperator::apply_adjoint", "5 x 1", "8 x 1");
    }
    SECTION("blocks of the wrong height are reported") {
        REQUIRE_INVALID(op.apply(Eigen::MatrixXd::Ones(4, 2)), "LinearOperator::apply", "'X'",
                        "5 rows", "4 rows");
        REQUIRE_INVALID(op.apply_adjoint(Eigen::MatrixXd::Ones(5, 2)),
                        "LinearOperator::apply_adjoint", "'Y'", "8 rows", "5 rows");
        Eigen::MatrixXd out(3, 2);
        REQUIRE_INVALID(op.apply_into(X, out), "'out'", "8 x 2", "3 x 2");
    }
    SECTION("construction checks") {
        using Op = subspace::LinearOperator<double>;
        auto k = [](const Op::ConstRef&, Op::OutRef) {};
        REQUIRE_INVALID(Op(-1, 2, k, k), "LinearOperator", "'rows'", "-1");
        REQUIRE_INVALID(Op(1, 2, Op::Kernel(), k), "'apply'", "callable");
        REQUIRE_INVALID(Op(1, 2, k, Op::Kernel()), "'apply_adjoint'");
    }
}

TEMPLATE_TEST_CASE("orthonormalize gives an orthonormal basis of the same range", "[ortho]", float,
                   double) {
    using S = TestType;
    const S eps = std::numeric_limits<S>::epsilon();
    using subspace::OrthoMethod;
    for (OrthoMethod method :
         {OrthoMethod::householder, OrthoMethod::cholesky_qr2, OrthoMethod::automatic}) {
        CAPTURE(int(method));
        for (double cond : {1.0, 1e3, 1e6, 1e12}) {
            CAPTURE(cond);
            // 200 x 12 with singular values log-spaced from 1 to 1/cond.
            Eigen::VectorXd sigma(12);
            for (Index i = 0; i < 12; ++i) sigma(i) = std::pow(cond, -double(i) / 11.0);
            const Mat<S> M = test_util::with_spectrum<S>(200, 12, sigma, 17);
            const Mat<S> Q = subspace::orthonormalize(M, method);
            REQUIRE(Q.rows() == 200);
            REQUIRE(Q.cols() == 12);
            const S ortho = (Q.transpose() * Q - Mat<S>::Identity(12, 12)).norm();
            CHECK(ortho < 100 * eps);
            // Same range: every direction of M above the noise level lies in range(Q).
            // For float and cond 1e12 the input itself is numerically rank deficient.
            if (cond * double(eps) < 1e-2) {
                const S resid = (M - Q * (Q.transpose() * M)).norm() / M.norm();
                CHECK(resid < 100 * eps);
            }
        }
    }
}

TEMPLATE_TEST_CASE("orthonormalize handles rank deficiency and wide input", "[ortho]", float,
                   double) {
    using S = TestType;
    const S eps = std::numeric_limits<S>::epsilon();
    const Mat<S> B = subspace::Rng(8).normal<S>(100, 3);
    Mat<S> M(100, 6);
    M << B, B * Mat<S>::Ones(3, 3);  // rank 3
    for (auto method : {subspace::OrthoMethod::householder, subspace::OrthoMethod::cholesky_qr2}) {
        const Mat<S> Q = subspace::orthonormalize(M, method);
        REQUIRE(Q.cols() == 6);
        CHECK((Q.transpose() * Q - Mat<S>::Identity(6, 6)).norm() < 100 * eps);
        CHECK((M - Q * (Q.transpose() * M)).norm() < 100 * eps * M.norm());
    }
    const Mat<S> W = subspace::Rng(9).normal<S>(5, 40);
    const Mat<S> Qw = subspace::orthonormalize(W, subspace::OrthoMethod::cholesky_qr2);
    REQUIRE(Qw.rows() == 5);
    REQUIRE(Qw.cols() == 5);
    CHECK((Qw.transpose() * Qw - Mat<S>::Identity(5, 5)).norm() < 100 * eps);
    // Zero input: still an orthonormal set (the range {0} is contained in it).
    const Mat<S> Z = Mat<S>::Zero(10, 2);
    const Mat<S> Qz = subspace::orthonormalize(Z, subspace::OrthoMethod::automatic);
    CHECK((Qz.transpose() * Qz - Mat<S>::Identity(2, 2)).norm() < 100 * eps);
}

TEST_CASE("orthonormalize rejects empty and non-finite input", "[ortho][errors]") {
    REQUIRE_INVALID(subspace::orthonormalize(Eigen::MatrixXd(0, 3)), "subspace::orthonormalize",
                    "'M'", "non-empty", "0 x 3");
    Eigen::MatrixXd M = Eigen::MatrixXd::Ones(4, 2);
    M(2, 1) = std::numeric_limits<double>::quiet_NaN();
    REQUIRE_INVALID(subspace::orthonormalize(M), "subspace::orthonormalize", "'M'", "finite",
                    "(2, 1)");
    M(2, 1) = std::numeric_limits<double>::infinity();
    REQUIRE_INVALID(subspace::orthonormalize(M), "inf");
}

TEST_CASE("argument checks name the function, argument, expectation and value", "[errors]") {
    using namespace subspace::detail;
    REQUIRE_INVALID(check_in_range("f", "k", 0, 1, 10),
                    "f: argument 'k' must be in [1, 10], got 0");
    REQUIRE_INVALID(check_in_range("f", "tol", std::nan(""), 0.0, 1.0), "'tol'", "nan");
    REQUIRE_NOTHROW(check_in_range("f", "k", 10, 1, 10));
    REQUIRE_INVALID(check_positive("g", "rank", 0), "g: argument 'rank' must be positive, got 0");
    REQUIRE_INVALID(check_positive("g", "eps", -1.5), "positive and finite", "-1.5");
    REQUIRE_INVALID(check_positive("g", "eps", std::numeric_limits<double>::infinity()), "inf");
    REQUIRE_NOTHROW(check_positive("g", "eps", 1e-300));
    REQUIRE_INVALID(check_nonnegative("h", "oversampling", -1), "'oversampling'", "non-negative",
                    "-1");
    REQUIRE_NOTHROW(check_nonnegative("h", "oversampling", 0));
    REQUIRE_INVALID(check_finite_scalar("h", "alpha", std::nan("")), "'alpha'", "finite");
    REQUIRE_INVALID(check_not_empty("h", "X", 3, 0), "non-empty", "3 x 0");
    REQUIRE_INVALID(check_rows("h", "b", 4, 5, "rows of A"), "5 rows (rows of A)", "got 4 rows");
    REQUIRE_INVALID(check_cols("h", "Y", 4, 5, "points in X"), "5 columns (points in X)",
                    "4 columns");
    REQUIRE_INVALID(check_shape("h", "W", 2, 3, 3, 2), "of shape 3 x 2", "got 2 x 3");
    Eigen::SparseMatrix<double> S(3, 3);
    S.insert(1, 2) = std::numeric_limits<double>::infinity();
    REQUIRE_INVALID(check_finite("h", "S", S), "'S'", "(1, 2)");
    // It is a std::invalid_argument too.
    REQUIRE_THROWS_AS(check_positive("g", "rank", 0), std::invalid_argument);
}
