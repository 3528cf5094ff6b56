// Clustering metrics: the Hungarian assignment against brute force over all permutations, and
// NMI / ARI / accuracy against scikit-learn and scipy values stored in
// tests/data/spectral/metrics_reference.txt (made by make_metrics.py there).
#include <algorithm>
#include <fstream>
#include <limits>
#include <numeric>
#include <string>
#include <vector>

#include <Eigen/Core>

#include "subspace/cluster/metrics.hpp"
#include "subspace/core/rng.hpp"

#include "support/test_util.hpp"

namespace {

using Eigen::Index;

// Minimum assignment cost by enumerating all injective maps of the smaller side.
double brute_force_min(const Eigen::MatrixXd& C) {
    const bool tr = C.rows() > C.cols();
    const Eigen::MatrixXd A = tr ? Eigen::MatrixXd(C.transpose()) : C;
    std::vector<int> cols(static_cast<std::size_t>(A.cols()));
    std::iota(cols.begin(), cols.end(), 0);
    double best = std::numeric_limits<double>::infinity();
    // Every permutation of the columns; the first rows() entries give the assignment.
    do {
        double s = 0;
        for (Index i = 0; i < A.rows(); ++i) s += A(i, cols[static_cast<std::size_t>(i)]);
        best = std::min(best, s);
    } while (std::next_permutation(cols.begin(), cols.end()));
    return best;
}

// Accuracy by brute force over all one-to-one maps from predicted clusters to true classes.
double brute_force_accuracy(const Eigen::VectorXi& pred, const Eigen::VectorXi& truth) {
    const int kp = pred.maxCoeff() + 1;
    const int kt = truth.maxCoeff() + 1;
    Eigen::MatrixXd C = Eigen::MatrixXd::Zero(kp, kt);
    for (Index i = 0; i < pred.size(); ++i) C(pred(i), truth(i)) += 1;
    return -brute_force_min(-C) / static_cast<double>(pred.size());
}

struct RefCase {
    Eigen::VectorXi pred, truth;
    double nmi_a, nmi_g, nmi_min, nmi_max, ari, acc;
};

std::vector<RefCase> load_reference() {
    std::ifstream f(test_util::test_data_dir() + "/spectral/metrics_reference.txt");
    REQUIRE(f.good());
    int count = 0;
    f >> count;
    std::vector<RefCase> cases;
    for (int c = 0; c < count; ++c) {
        Index n = 0;
        f >> n;
        RefCase rc;
        rc.pred.resize(n);
        rc.truth.resize(n);
        for (Index i = 0; i < n; ++i) f >> rc.pred(i);
        for (Index i = 0; i < n; ++i) f >> rc.truth(i);
        f >> rc.nmi_a >> rc.nmi_g >> rc.nmi_min >> rc.nmi_max >> rc.ari >> rc.acc;
        REQUIRE(f.good());
        cases.push_back(rc);
    }
    return cases;
}

}  // namespace

TEST_CASE("linear_assignment equals brute force on random rectangular costs",
          "[spectral][metrics]") {
    subspace::RandomStream rs(5);
    for (int trial = 0; trial < 60; ++trial) {
        const Index r = 1 + static_cast<Index>(rs.next_below(6));
        const Index c = 1 + static_cast<Index>(rs.next_below(6));
        Eigen::MatrixXd C(r, c);
        for (Index j = 0; j < c; ++j)
            for (Index i = 0; i < r; ++i)
                // Integer costs with ties in half of the trials, reals otherwise.
                C(i, j) =
                    trial % 2 ? static_cast<double>(rs.next_below(4)) : rs.next_normal() * 10.0;
        const Eigen::VectorXi a = subspace::linear_assignment(C);
        REQUIRE(a.size() == r);
        double cost = 0;
        std::vector<int> used(static_cast<std::size_t>(c), 0);
        Index assigned = 0;
        for (Index i = 0; i < r; ++i) {
            if (a(i) < 0) continue;
            REQUIRE(a(i) < c);
            REQUIRE(used[static_cast<std::size_t>(a(i))] == 0);
            used[static_cast<std::size_t>(a(i))] = 1;
            cost += C(i, a(i));
            ++assigned;
        }
        REQUIRE(assigned == std::min(r, c));
        CAPTURE(trial, r, c);
        REQUIRE(cost == Approx(brute_force_min(C)).margin(1e-9));
    }
}

TEST_CASE("clustering_accuracy equals brute force over all label permutations",
          "[spectral][metrics]") {
    subspace::RandomStream rs(9);
    for (int trial = 0; trial < 40; ++trial) {
        const int kp = 1 + static_cast<int>(rs.next_below(6));
        const int kt = 1 + static_cast<int>(rs.next_below(6));
        const Index n = 20 + static_cast<Index>(rs.next_below(40));
        Eigen::VectorXi pred(n), truth(n);
        for (Index i = 0; i < n; ++i) {
            truth(i) = static_cast<int>(rs.next_below(static_cast<std::uint64_t>(kt)));
            // Agree with a permuted truth most of the time, so the optimum is informative.
            pred(i) = rs.next_uniform() < 0.6
                          ? (truth(i) * 7 + 3) % kp
                          : static_cast<int>(rs.next_below(static_cast<std::uint64_t>(kp)));
        }
        // Make the label values dense 0..k-1 for the brute force (compress).
        std::vector<int> pv(pred.data(), pred.data() + n), tv(truth.data(), truth.data() + n);
        auto compress = [](std::vector<int>& v, Eigen::VectorXi& out) {
            std::vector<int> u = v;
            std::sort(u.begin(), u.end());
            u.erase(std::unique(u.begin(), u.end()), u.end());
            for (std::size_t i = 0; i < v.size(); ++i)
                out(static_cast<Index>(i)) =
                    static_cast<int>(std::lower_bound(u.begin(), u.end(), v[i]) - u.begin());
        };
        Eigen::VectorXi pc(n), tc(n);
        compress(pv, pc);
        compress(tv, tc);
        const double ref = brute_force_accuracy(pc, tc);
        CAPTURE(trial, kp, kt, n);
        REQUIRE(subspace::clustering_accuracy(pred, truth) == Approx(ref).margin(1e-12));
        // Shifting and negating label values changes nothing.
        const Eigen::VectorXi shifted = (-3 * pred.array() - 5).matrix();
        REQUIRE(subspace::clustering_accuracy(shifted, truth) == Approx(ref).margin(1e-12));
        // match_labels realises the accuracy.
        const Eigen::VectorXi m = subspace::match_labels(pred, truth);
        REQUIRE(static_cast<double>((m.array() == truth.array()).count()) /
                    static_cast<double>(n) ==
                Approx(ref).margin(1e-12));
    }
}

TEST_CASE("nmi, adjusted_rand_index and accuracy match scikit-learn / scipy",
          "[spectral][metrics]") {
    const std::vector<RefCase> cases = load_reference();
    REQUIRE(cases.size() >= 10);
    for (std::size_t c = 0; c < cases.size(); ++c) {
        const RefCase& rc = cases[c];
        CAPTURE(c);
        using subspace::NmiNormalization;
        REQUIRE(subspace::nmi(rc.pred, rc.truth) == Approx(rc.nmi_a).margin(1e-12));
        REQUIRE(subspace::nmi(rc.pred, rc.truth, NmiNormalization::geometric) ==
                Approx(rc.nmi_g).margin(1e-12));
        REQUIRE(subspace::nmi(rc.pred, rc.truth, NmiNormalization::min) ==
                Approx(rc.nmi_min).margin(1e-12));
        REQUIRE(subspace::nmi(rc.pred, rc.truth, NmiNormalization::max) ==
                Approx(rc.nmi_max).margin(1e-12));
        REQUIRE(subspace::adjusted_rand_index(rc.pred, rc.truth) == Approx(rc.ari).margin(1e-12));
        REQUIRE(subspace::clustering_accuracy(rc.pred, rc.truth) == Approx(rc.acc).margin(1e-12));
        // NMI and ARI are symmetric in their arguments.
        REQUIRE(subspace::nmi(rc.truth, rc.pred) == Approx(rc.nmi_a).margin(1e-12));
        REQUIRE(subspace::adjusted_rand_index(rc.truth, rc.pred) == Approx(rc.ari).margin(1e-12));
    }
}

TEST_CASE("contingency_table counts pairs of labels", "[spectral][metrics]") {
    Eigen::VectorXi p(6), t(6);
    p << 5, 5, -1, -1, 5, 2;
    t << 0, 1, 1, 1, 0, 0;
    const subspace::Contingency c = subspace::contingency_table(p, t);
    REQUIRE(c.pred_values == std::vector<int>{-1, 2, 5});
    REQUIRE(c.truth_values == std::vector<int>{0, 1});
    Eigen::MatrixXd ref(3, 2);
    ref << 0, 2, 1, 0, 2, 1;
    REQUIRE(c.table == ref);
}

TEST_CASE("metrics reject empty or mismatched labellings", "[spectral][metrics]") {
    const Eigen::VectorXi a = Eigen::VectorXi::Zero(4);
    const Eigen::VectorXi b = Eigen::VectorXi::Zero(5);
    const Eigen::VectorXi e(0);
    REQUIRE_INVALID(subspace::clustering_accuracy(a, b), "clustering_accuracy", "truth");
    REQUIRE_INVALID(subspace::nmi(e, e), "nmi", "pred");
    REQUIRE_INVALID(subspace::adjusted_rand_index(a, b), "adjusted_rand_index", "truth");
    REQUIRE_INVALID(subspace::match_labels(a, b), "match_labels", "truth");
    Eigen::MatrixXd C = Eigen::MatrixXd::Ones(2, 2);
    C(0, 1) = std::numeric_limits<double>::quiet_NaN();
    REQUIRE_INVALID(subspace::linear_assignment(C), "linear_assignment", "cost");
}
