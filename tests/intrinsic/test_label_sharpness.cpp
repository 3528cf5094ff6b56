// Label sharpness K_F (Konz & Mazurowski 2024, Eq. 1): equality with a naive double loop over
// all pairs (tiled, projected and unprojected frames; integer, multi-class and real labels),
// closed forms, duplicates, invariances, sampling modes, thread invariance and error paths.
#include <cmath>
#include <cstdint>
#include <limits>
#include <vector>

#include <Eigen/Core>

#include "subspace/core/rng.hpp"
#include "subspace/intrinsic/label_sharpness.hpp"

#include "support/test_util.hpp"

namespace {

using Index = Eigen::Index;
template <class Scalar>
using Mat = Eigen::Matrix<Scalar, Eigen::Dynamic, Eigen::Dynamic>;

struct Naive {
    double value = 0;
    Index a = -1;
    Index b = -1;
};

/// The definition, literally: max over j < k with different labels of gap / distance (distance
/// in double, as the library computes it), smallest (j, k) on ties, 1/0 = inf, 0/0 skipped.
template <class Scalar>
Naive naive_sharpness(const Mat<Scalar>& X, const Eigen::VectorXd& y, bool indicator,
                      bool skip_dup) {
    Naive r;
    for (Index j = 0; j < X.cols(); ++j)
        for (Index k = j + 1; k < X.cols(); ++k) {
            const double gap = indicator ? (y(j) != y(k) ? 1.0 : 0.0) : std::abs(y(j) - y(k));
            if (gap == 0) continue;
            const double dist =
                (X.col(j).template cast<double>() - X.col(k).template cast<double>()).norm();
            if (dist == 0 && skip_dup) continue;
            const double v = dist > 0 ? gap / dist : std::numeric_limits<double>::infinity();
            if (v > r.value) {
                r.value = v;
                r.a = j;
                r.b = k;
            }
        }
    return r;
}

template <class Scalar>
Mat<Scalar> gaussian(Index d, Index n, std::uint64_t seed) {
    return subspace::Rng(seed).normal<double>(d, n).template cast<Scalar>();
}

Eigen::VectorXd int_labels(Index n, int classes, std::uint64_t seed) {
    subspace::RandomStream rs(seed, 3);
    Eigen::VectorXd y(n);
    for (Index i = 0; i < n; ++i)
        y(i) = static_cast<double>(rs.next_below(static_cast<std::uint64_t>(classes)));
    return y;
}

Eigen::VectorXd real_labels(Index n, std::uint64_t seed) {
    subspace::RandomStream rs(seed, 4);
    Eigen::VectorXd y(n);
    for (Index i = 0; i < n; ++i) y(i) = rs.next_normal();
    return y;
}

}  // namespace

TEMPLATE_TEST_CASE("label_sharpness equals the naive double loop over all pairs",
                   "[intrinsic][label_sharpness]", float, double) {
    using Scalar = TestType;
    struct Case {
        Index d, n;
        bool low_rank;
    };
    // n > 256 crosses tiles (and odd tile counts); the low-rank case uses the projected frame.
    const Case cases[] = {{3, 40, false}, {7, 300, false}, {20, 600, false}, {40, 530, true}};
    for (const Case& c : cases) {
        CAPTURE(c.d, c.n, c.low_rank);
        Mat<Scalar> X = gaussian<Scalar>(c.d, c.n, 11 + static_cast<std::uint64_t>(c.n));
        if (c.low_rank) {
            const Mat<double> B = test_util::random_orthonormal<double>(c.d, 3, 5);
            X = (B * gaussian<double>(3, c.n, 6) + Mat<double>::Constant(c.d, c.n, 2.5))
                    .template cast<Scalar>();
        }
        // Binary labels, 4 integer classes (absolute and indicator), real labels; Eigen int
        // vectors and std::vector both accepted.
        const Eigen::VectorXd yb = int_labels(c.n, 2, 1);
        const Eigen::VectorXd y4 = int_labels(c.n, 4, 2);
        const Eigen::VectorXd yr = real_labels(c.n, 3);
        const Eigen::VectorXi yb_int = yb.cast<int>();
        std::vector<int> y4_std(static_cast<std::size_t>(c.n));
        for (Index i = 0; i < c.n; ++i)
            y4_std[static_cast<std::size_t>(i)] = static_cast<int>(y4(i));

        const auto check = [&](const subspace::LabelSharpness& got, const Naive& want) {
            REQUIRE(got.first == want.a);
            REQUIRE(got.second == want.b);
            CHECK(got.value == want.value);
            CHECK(got.pairs == c.n * (c.n - 1) / 2);
            CHECK(got.points == c.n);
            CHECK(got.label_difference / got.distance == got.value);
        };
        check(subspace::label_sharpness(X, yb_int), naive_sharpness<Scalar>(X, yb, false, false));
        check(subspace::label_sharpness(X, y4_std), naive_sharpness<Scalar>(X, y4, false, false));
        subspace::LabelSharpnessOptions ind;
        ind.difference = subspace::LabelDifference::indicator;
        check(subspace::label_sharpness(X, y4, ind), naive_sharpness<Scalar>(X, y4, true, false));
        check(subspace::label_sharpness(X, yr), naive_sharpness<Scalar>(X, yr, false, false));
        // Binary labels: indicator and absolute agree.
        CHECK(subspace::label_sharpness(X, yb, ind).value ==
              subspace::label_sharpness(X, yb).value);
        // Row-vector labels and an expression for X.
        const Eigen::RowVectorXd yrow = yr.transpose();
        check(subspace::label_sharpness(X.leftCols(c.n), yrow),
              naive_sharpness<Scalar>(X, yr, false, false));
    }
}

TEST_CASE("label_sharpness closed forms on tiny sets", "[intrinsic][label_sharpness]") {
    // Points 0, 1, 3 on a line.
    Eigen::MatrixXd X(1, 3);
    X << 0, 1, 3;
    {
        Eigen::VectorXd y(3);
        y << 0, 1, 1;  // pairs: 1/1, 1/3, 0
        const auto r = subspace::label_sharpness(X, y);
        CHECK(r.value == 1.0);
        CHECK(r.first == 0);
        CHECK(r.second == 1);
        CHECK(r.pairs == 3);
    }
    {
        Eigen::VectorXd y(3);
        y << 0, 0.5, 4.5;  // pairs: 0.5/1, 4.5/3 = 1.5, 4/2 = 2
        const auto r = subspace::label_sharpness(X, y);
        CHECK(r.value == Approx(2.0).epsilon(1e-15));
        CHECK(r.first == 1);
        CHECK(r.second == 2);
        CHECK(r.label_difference == 4.0);
        CHECK(r.distance == 2.0);
    }
    {
        // Unit square, XOR labels: every differing pair is an edge of length 1; ties go to the
        // smallest pair (0, 1).
        Eigen::MatrixXd S(2, 4);
        S << 0, 1, 0, 1, 0, 0, 1, 1;
        Eigen::VectorXi y(4);
        y << 0, 1, 1, 0;
        const auto r = subspace::label_sharpness(S, y);
        CHECK(r.value == 1.0);
        CHECK(r.first == 0);
        CHECK(r.second == 1);
        // Two points: K_F = |Δy| / ‖Δx‖ = 3 / 5.
        Eigen::MatrixXd P(2, 2);
        P << 0, 3, 0, 4;
        Eigen::Vector2d yy(2, -1);
        CHECK(subspace::label_sharpness(P, yy).value == Approx(0.6).epsilon(1e-15));
    }
    {
        // All labels equal: K_F = 0, no pair (0 / inf).
        Eigen::VectorXd y = Eigen::VectorXd::Constant(3, 7.0);
        const auto r = subspace::label_sharpness(X, y);
        CHECK(r.value == 0.0);
        CHECK(r.first == -1);
        CHECK(r.second == -1);
        CHECK(std::isinf(r.distance));
    }
}

TEMPLATE_TEST_CASE("label_sharpness duplicates: +inf, never NaN; skip option",
                   "[intrinsic][label_sharpness]", float, double) {
    using Scalar = TestType;
    Mat<Scalar> X = gaussian<Scalar>(5, 300, 21);
    Eigen::VectorXd y = int_labels(300, 2, 4);
    // Duplicates with equal labels (0/0) are ignored: the value is finite.
    X.col(7) = X.col(250);
    y(7) = y(250);
    X.col(8) = X.col(9);
    y(8) = y(9);
    const auto base = subspace::label_sharpness(X, y);
    CHECK(std::isfinite(base.value));
    CHECK(base.value == naive_sharpness<Scalar>(X, y, false, false).value);
    // A duplicate with a different label: +inf, reported pair; the smallest such pair wins.
    X.col(260) = X.col(100);
    y(260) = 1 - y(100);
    X.col(280) = X.col(30);
    y(280) = 1 - y(30);
    const auto inf = subspace::label_sharpness(X, y);
    CHECK(std::isinf(inf.value));
    CHECK(inf.value > 0);
    CHECK(inf.first == 30);
    CHECK(inf.second == 280);
    CHECK(inf.distance == 0.0);
    // skip_duplicates: all zero-distance pairs dropped, equals the naive loop that skips them.
    subspace::LabelSharpnessOptions o;
    o.skip_duplicates = true;
    const auto sk = subspace::label_sharpness(X, y, o);
    const Naive want = naive_sharpness<Scalar>(X, y, false, true);
    CHECK(std::isfinite(sk.value));
    CHECK(sk.value == want.value);
    CHECK(sk.first == want.a);
    CHECK(sk.second == want.b);
    // Every point identical: inf, or 0 with skip.
    const Mat<Scalar> same = Mat<Scalar>::Ones(3, 10);
    Eigen::VectorXd ys = int_labels(10, 2, 1);
    ys(0) = 0;
    ys(1) = 1;
    CHECK(std::isinf(subspace::label_sharpness(same, ys).value));
    const auto none = subspace::label_sharpness(same, ys, o);
    CHECK(none.value == 0.0);
    CHECK(none.first == -1);
}

TEMPLATE_TEST_CASE("label_sharpness invariances: permutation, translation, scaling",
                   "[intrinsic][label_sharpness]", float, double) {
    using Scalar = TestType;
    const double tol = sizeof(Scalar) == 4 ? 2e-5 : 1e-12;
    const Index n = 400;
    const Mat<Scalar> X = gaussian<Scalar>(6, n, 31);
    const Eigen::VectorXd y = real_labels(n, 8);
    const auto r = subspace::label_sharpness(X, y);
    // Reverse the points: same value, pair mapped.
    Mat<Scalar> Xp(6, n);
    Eigen::VectorXd yp(n);
    for (Index i = 0; i < n; ++i) {
        Xp.col(i) = X.col(n - 1 - i);
        yp(i) = y(n - 1 - i);
    }
    const auto rp = subspace::label_sharpness(Xp, yp);
    CHECK(rp.value == r.value);
    CHECK(rp.first == n - 1 - r.second);
    CHECK(rp.second == n - 1 - r.first);
    // Translation (a power of two keeps float rounding small): same pair, value to rounding.
    const Mat<Scalar> Xt = (X.array() + Scalar(3)).matrix();
    const auto rt = subspace::label_sharpness(Xt, y);
    CHECK(rt.value == Approx(r.value).epsilon(tol * 10));
    // Scaling X by c divides K_F by c; shifting labels changes nothing, scaling them by c
    // multiplies K_F by c.
    const Mat<Scalar> Xs = X * Scalar(2.5);
    CHECK(subspace::label_sharpness(Xs, y).value == Approx(r.value / 2.5).epsilon(tol));
    const Eigen::VectorXd y2 = (3.0 * y.array() - 1.0).matrix();
    CHECK(subspace::label_sharpness(X, y2).value == Approx(3.0 * r.value).epsilon(tol));
}

TEST_CASE("label_sharpness sampling modes", "[intrinsic][label_sharpness]") {
    const Index n = 700;
    const Eigen::MatrixXd X = gaussian<double>(8, n, 41);
    const Eigen::VectorXd y = int_labels(n, 2, 9);
    const auto all = subspace::label_sharpness(X, y);  // automatic: n <= 1000 -> all pairs
    CHECK(all.pairs == n * (n - 1) / 2);
    subspace::LabelSharpnessOptions o;
    o.pairs = subspace::LabelSharpnessPairs::all;
    CHECK(subspace::label_sharpness(X, y, o).value == all.value);

    // Subsample of M points: the exact all-pairs K_F of those points (columns of X reported).
    o.pairs = subspace::LabelSharpnessPairs::subsample_points;
    o.sample_points = 150;
    o.seed = 5;
    const auto sub = subspace::label_sharpness(X, y, o);
    CHECK(sub.points == 150);
    CHECK(sub.pairs == 150 * 149 / 2);
    CHECK(sub.value <= all.value);
    REQUIRE(sub.first >= 0);
    CHECK(sub.first < sub.second);
    CHECK(std::abs(y(sub.first) - y(sub.second)) / (X.col(sub.first) - X.col(sub.second)).norm() ==
          sub.value);
    // automatic with n > M subsamples the same way.
    subspace::LabelSharpnessOptions oa;
    oa.sample_points = 150;
    oa.seed = 5;
    const auto aut = subspace::label_sharpness(X, y, oa);
    CHECK(aut.value == sub.value);
    CHECK(aut.first == sub.first);
    // M >= n means all pairs.
    o.sample_points = n;
    CHECK(subspace::label_sharpness(X, y, o).pairs == n * (n - 1) / 2);

    // Random pairs: a lower bound of the all-pairs value; on a tiny set many pairs find the max.
    subspace::LabelSharpnessOptions orp;
    orp.pairs = subspace::LabelSharpnessPairs::random_pairs;
    orp.sample_pairs = 20000;
    const auto rp = subspace::label_sharpness(X, y, orp);
    CHECK(rp.pairs == 20000);
    CHECK(rp.value <= all.value);
    CHECK(rp.value > 0);
    const Eigen::MatrixXd Xs = X.leftCols(6);
    const Eigen::VectorXd ys = y.head(6);
    const auto small_all = subspace::label_sharpness(Xs, ys);
    const auto small_rp = subspace::label_sharpness(Xs, ys, orp);
    CHECK(small_rp.value == small_all.value);
    CHECK(small_rp.first == small_all.first);
    CHECK(small_rp.second == small_all.second);
}

TEMPLATE_TEST_CASE("label_sharpness does not depend on the thread count",
                   "[intrinsic][label_sharpness]", float, double) {
    using Scalar = TestType;
    const Mat<Scalar> X = gaussian<Scalar>(12, 900, 51);
    const Eigen::VectorXd y = real_labels(900, 10);
    for (auto mode :
         {subspace::LabelSharpnessPairs::all, subspace::LabelSharpnessPairs::subsample_points,
          subspace::LabelSharpnessPairs::random_pairs}) {
        subspace::LabelSharpnessOptions o;
        o.pairs = mode;
        o.sample_points = 500;
        o.sample_pairs = 30000;
        o.seed = 77;
        subspace::LabelSharpness one, two;
        {
            test_util::ThreadCount t(1);
            one = subspace::label_sharpness(X, y, o);
        }
        {
            test_util::ThreadCount t(2);
            two = subspace::label_sharpness(X, y, o);
        }
        CHECK(one.value == two.value);
        CHECK(one.first == two.first);
        CHECK(one.second == two.second);
    }
}

TEST_CASE("label_sharpness errors", "[intrinsic][label_sharpness]") {
    const Eigen::MatrixXd X = gaussian<double>(3, 10, 1);
    const Eigen::VectorXd y = int_labels(10, 2, 1);
    REQUIRE_INVALID(subspace::label_sharpness(Eigen::MatrixXd(3, 0), Eigen::VectorXd()),
                    "subspace::label_sharpness", "'X'", "non-empty");
    REQUIRE_INVALID(subspace::label_sharpness(Eigen::MatrixXd(0, 4), Eigen::VectorXd(4)), "'X'");
    REQUIRE_INVALID(subspace::label_sharpness(X.leftCols(1), y.head(1)), "'X'", "at least 2");
    Eigen::MatrixXd Xn = X;
    Xn(1, 4) = std::numeric_limits<double>::quiet_NaN();
    REQUIRE_INVALID(subspace::label_sharpness(Xn, y), "'X'", "finite");
    REQUIRE_INVALID(subspace::label_sharpness(X, y.head(9)), "'y'", "size n = 10");
    REQUIRE_INVALID(subspace::label_sharpness(X, Eigen::MatrixXd::Zero(2, 5)), "'y'", "a vector");
    Eigen::VectorXd yi = y;
    yi(3) = std::numeric_limits<double>::infinity();
    REQUIRE_INVALID(subspace::label_sharpness(X, yi), "'y'", "finite");
    subspace::LabelSharpnessOptions o;
    o.sample_points = 1;
    REQUIRE_INVALID(subspace::label_sharpness(X, y, o), "opts.sample_points");
    o = {};
    o.pairs = subspace::LabelSharpnessPairs::random_pairs;
    o.sample_pairs = 0;
    REQUIRE_INVALID(subspace::label_sharpness(X, y, o), "opts.sample_pairs", "positive");
}
