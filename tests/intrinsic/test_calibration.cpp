// Calibration on uniform balls and the recommended estimator: ball sampling moments, curve
// caching and inversion, accuracy on subspaces of known dimension, errors.
#include <cmath>

#include "intrinsic_test_util.hpp"

using intrinsic_test::Index;

TEST_CASE("uniform_ball draws points uniformly in the unit ball", "[intrinsic][calibration]") {
    // For the uniform d-ball, ‖x‖^d is uniform on (0, 1): mean 1/2, sd 1/sqrt(12 n).
    const Index n = 4000;
    for (Index d : {Index(1), Index(3), Index(12)}) {
        const Eigen::MatrixXd B = subspace::uniform_ball<double>(d, n, 5);
        REQUIRE(B.rows() == d);
        const Eigen::VectorXd r = B.colwise().norm().transpose();
        CHECK(r.maxCoeff() <= 1.0);
        const double m = r.array().pow(static_cast<double>(d)).mean();
        CHECK(std::abs(m - 0.5) < 4.0 / std::sqrt(12.0 * double(n)));
        // Directions are isotropic: the mean point is near 0.
        CHECK(B.rowwise().mean().norm() < 5.0 / std::sqrt(double(n)));
    }
    // Same seed and stream -> same bits; different stream -> different points.
    CHECK(subspace::uniform_ball<double>(4, 50, 9) == subspace::uniform_ball<double>(4, 50, 9));
    CHECK(subspace::uniform_ball<double>(4, 50, 9, 1) !=
          subspace::uniform_ball<double>(4, 50, 9, 2));
    REQUIRE_INVALID(subspace::uniform_ball<double>(0, 5, 1), "subspace::uniform_ball", "'d'");
}

TEST_CASE("IdCalibration curve is cached increasing and inverted exactly at integers",
          "[intrinsic][calibration]") {
    subspace::IdCalibration cal(600);
    double prev = 0.0;
    for (Index d = 1; d <= 6; ++d) {
        const double f = cal.curve(d);
        CHECK(f > prev);
        CHECK(cal.curve(d) == f);  // cached
        CHECK(cal.invert(f, 50) == Approx(double(d)).epsilon(1e-12));
        prev = f;
    }
    // Between integers: linear interpolation.
    const double mid = 0.5 * (cal.curve(3) + cal.curve(4));
    CHECK(cal.invert(mid, 50) == Approx(3.5).epsilon(1e-12));
    // Cap at d_max.
    CHECK(cal.invert(1e6, 5) == 5.0);
    subspace::CalibrationOptions bad;
    bad.repeats = 0;
    REQUIRE_INVALID(subspace::IdCalibration(600, bad), "subspace::IdCalibration", "repeats");
    REQUIRE_INVALID(subspace::IdCalibration(10), "subspace::IdCalibration", "'n'");
}

TEST_CASE("estimate_dimension corrects the downward bias of TwoNN on flat subspaces",
          "[intrinsic][calibration][statistics]") {
    // Uniform cubes of dimension 8 in R^20, n = 800: raw TwoNN underestimates (Facco et al.
    // Fig. 2 shows the bias growing with d); the calibrated estimate must be closer to 8 on
    // average over seeds and within 15% each time.
    double err_raw = 0, err_cal = 0;
    for (std::uint64_t seed = 0; seed < 3; ++seed) {
        const subspace::Rng rng(40 + seed);
        const Eigen::MatrixXd X =
            test_util::random_orthonormal<double>(20, 8, seed) * rng.uniform<double>(8, 800);
        subspace::TwoNnOptions ml;
        ml.method = subspace::TwoNnMethod::maximum_likelihood;
        const double raw = subspace::twonn_dimension(X, ml).dimension;
        const double est = subspace::estimate_dimension(X).dimension;
        CHECK(std::abs(est / 8.0 - 1.0) < 0.15);
        err_raw += std::abs(raw - 8.0);
        err_cal += std::abs(est - 8.0);
    }
    CHECK(err_cal < err_raw);
    // Float input works and gives a nearby value.
    const Eigen::MatrixXd Y =
        test_util::random_orthonormal<double>(10, 3, 1) * subspace::Rng(3).uniform<double>(3, 500);
    const double a = subspace::estimate_dimension(Y).dimension;
    const double b = subspace::estimate_dimension(Eigen::MatrixXf(Y.cast<float>())).dimension;
    CHECK(std::abs(a - 3.0) < 0.45);
    CHECK(std::abs(a - b) < 1e-3);
    REQUIRE_INVALID(subspace::estimate_dimension(Eigen::MatrixXd(3, 0)),
                    "subspace::estimate_dimension", "'X'");
}
