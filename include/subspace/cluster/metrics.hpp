/// \file subspace/cluster/metrics.hpp
/// \brief Clustering quality against ground truth: accuracy after the best one-to-one matching
/// of labels (Hungarian algorithm, our own O(k³) implementation), normalised mutual information
/// and the adjusted Rand index; plus the linear assignment solver and the contingency table.
///
/// Papers:
/// - H. W. Kuhn, "The Hungarian method for the assignment problem", Naval Res. Logist. Q. 2
///   (1955); J. Munkres, "Algorithms for the assignment and transportation problems", J. SIAM 5
///   (1957). Implemented as the O(n² m) shortest-augmenting-path form with row/column potentials
///   (R. Jonker, A. Volgenant, "A shortest augmenting path algorithm for dense and sparse linear
///   assignment problems", Computing 38, 1987): one Dijkstra-like search per row.
/// - A. Strehl, J. Ghosh, "Cluster ensembles", JMLR 3 (2002), eq. 2 (NMI); N. X. Vinh, J. Epps,
///   J. Bailey, "Information theoretic measures for clusterings comparison", JMLR 11 (2010),
///   Table 2 (the normalisations: arithmetic mean — scikit-learn's default —, geometric, min,
///   max).
/// - L. Hubert, P. Arabie, "Comparing partitions", J. Classification 2 (1985): the adjusted Rand
///   index (the pair-counting form, as scikit-learn computes it).
///
/// Labels are arbitrary ints (negative allowed); the two labellings may have different numbers
/// of clusters. The accuracy is the fraction of points whose predicted cluster is matched to
/// their true class by the matching maximising that fraction.
#pragma once

#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

#include <Eigen/Core>

#include "subspace/core/config.hpp"
#include "subspace/core/error.hpp"

namespace subspace {

/// Solves the linear assignment problem min Σ_i cost(i, σ(i)) over injective σ for a dense
/// rows x cols cost matrix (Hungarian method with potentials, O(r² c) for r = min(rows, cols)).
/// Returns, for every row, its assigned column, or −1 for the rows left over when
/// rows > cols.
/// \throws subspace::invalid_argument if cost is empty or has a non-finite entry.
inline Eigen::VectorXi linear_assignment(const Eigen::MatrixXd& cost) {
    constexpr const char* fn = "linear_assignment";
    detail::check_not_empty(fn, "cost", cost.rows(), cost.cols());
    detail::check_finite(fn, "cost", cost);
    const bool transposed = cost.rows() > cost.cols();
    const Eigen::MatrixXd a = transposed ? Eigen::MatrixXd(cost.transpose()) : cost;
    const Index n = a.rows();  // n <= m
    const Index m = a.cols();
    const double inf = std::numeric_limits<double>::infinity();
    // 1-based: row/column 0 is the virtual start of each augmenting path.
    std::vector<double> u(static_cast<std::size_t>(n + 1), 0.0);
    std::vector<double> v(static_cast<std::size_t>(m + 1), 0.0);
    std::vector<Index> match(static_cast<std::size_t>(m + 1), 0);  // row matched to column j
    std::vector<Index> prev(static_cast<std::size_t>(m + 1), 0);
    std::vector<double> slack(static_cast<std::size_t>(m + 1));
    std::vector<char> done(static_cast<std::size_t>(m + 1));
    auto at = [](auto& vec, Index i) -> auto& { return vec[static_cast<std::size_t>(i)]; };
    for (Index row = 1; row <= n; ++row) {
        at(match, 0) = row;
        Index col = 0;
        std::fill(slack.begin(), slack.end(), inf);
        std::fill(done.begin(), done.end(), 0);
        do {
            at(done, col) = 1;
            const Index r = at(match, col);
            double delta = inf;
            Index next = 0;
            for (Index j = 1; j <= m; ++j) {
                if (at(done, j)) continue;
                const double reduced = a(r - 1, j - 1) - at(u, r) - at(v, j);
                if (reduced < at(slack, j)) {
                    at(slack, j) = reduced;
                    at(prev, j) = col;
                }
                if (at(slack, j) < delta) {
                    delta = at(slack, j);
                    next = j;
                }
            }
            for (Index j = 0; j <= m; ++j) {
                if (at(done, j)) {
                    at(u, at(match, j)) += delta;
                    at(v, j) -= delta;
                } else {
                    at(slack, j) -= delta;
                }
            }
            col = next;
        } while (at(match, col) != 0);
        // Flip the augmenting path back to the start.
        do {
            const Index p = at(prev, col);
            at(match, col) = at(match, p);
            col = p;
        } while (col != 0);
    }
    Eigen::VectorXi assign = Eigen::VectorXi::Constant(cost.rows(), -1);
    for (Index j = 1; j <= m; ++j) {
        const Index r = at(match, j);
        if (r == 0) continue;
        if (transposed)
            assign(j - 1) = static_cast<int>(r - 1);
        else
            assign(r - 1) = static_cast<int>(j - 1);
    }
    return assign;
}

/// Contingency table of two labellings: entry (i, j) counts the points whose prediction is the
/// i-th smallest distinct value of pred and whose truth is the j-th smallest of truth.
struct Contingency {
    Eigen::MatrixXd table;          ///< r x s counts (as doubles)
    std::vector<int> pred_values;   ///< the r distinct predicted labels, ascending
    std::vector<int> truth_values;  ///< the s distinct true labels, ascending
};

namespace detail {

inline void check_labellings(const char* fn, const Eigen::VectorXi& pred,
                             const Eigen::VectorXi& truth) {
    if (pred.size() == 0) throw_invalid(fn, "pred", "non-empty", "0 labels");
    if (truth.size() != pred.size())
        throw_invalid(fn, "truth", "the same length as pred (" + to_text(pred.size()) + ")",
                      to_text(truth.size()));
}

inline std::vector<int> compress_labels(const Eigen::VectorXi& l, std::vector<int>& values) {
    values.assign(l.data(), l.data() + l.size());
    std::sort(values.begin(), values.end());
    values.erase(std::unique(values.begin(), values.end()), values.end());
    std::vector<int> idx(static_cast<std::size_t>(l.size()));
    for (Index i = 0; i < l.size(); ++i)
        idx[static_cast<std::size_t>(i)] =
            static_cast<int>(std::lower_bound(values.begin(), values.end(), l(i)) - values.begin());
    return idx;
}

inline Contingency contingency_impl(const Eigen::VectorXi& pred, const Eigen::VectorXi& truth) {
    Contingency c;
    const std::vector<int> p = compress_labels(pred, c.pred_values);
    const std::vector<int> t = compress_labels(truth, c.truth_values);
    c.table = Eigen::MatrixXd::Zero(static_cast<Index>(c.pred_values.size()),
                                    static_cast<Index>(c.truth_values.size()));
    for (std::size_t i = 0; i < p.size(); ++i) c.table(p[i], t[i]) += 1.0;
    return c;
}

inline double xlogx_sum(const Eigen::VectorXd& counts, double n) {
    double h = 0;
    for (Index i = 0; i < counts.size(); ++i)
        if (counts(i) > 0) h -= counts(i) / n * std::log(counts(i) / n);
    return h;
}

}  // namespace detail

/// The contingency table of pred against truth (same length n >= 1). O(n log n).
/// \throws subspace::invalid_argument if the lengths differ or are zero.
inline Contingency contingency_table(const Eigen::VectorXi& pred, const Eigen::VectorXi& truth) {
    detail::check_labellings("contingency_table", pred, truth);
    return detail::contingency_impl(pred, truth);
}

/// Relabels pred so that each predicted cluster carries the true label it is matched to by the
/// accuracy-maximising one-to-one matching (Hungarian on the contingency table). Predicted
/// clusters left unmatched (more clusters than classes) get labels max(truth) + 1, + 2, ...
/// \throws subspace::invalid_argument if the lengths differ or are zero.
inline Eigen::VectorXi match_labels(const Eigen::VectorXi& pred, const Eigen::VectorXi& truth) {
    detail::check_labellings("match_labels", pred, truth);
    const Contingency c = detail::contingency_impl(pred, truth);
    const Eigen::VectorXi assign = linear_assignment(-c.table);
    std::vector<int> map(c.pred_values.size());
    int extra = c.truth_values.back();
    for (std::size_t i = 0; i < map.size(); ++i) {
        const int a = assign(static_cast<Index>(i));
        map[i] = a >= 0 ? c.truth_values[static_cast<std::size_t>(a)] : ++extra;
    }
    Eigen::VectorXi out(pred.size());
    for (Index i = 0; i < pred.size(); ++i) {
        const auto pos = std::lower_bound(c.pred_values.begin(), c.pred_values.end(), pred(i)) -
                         c.pred_values.begin();
        out(i) = map[static_cast<std::size_t>(pos)];
    }
    return out;
}

/// Clustering accuracy: max over one-to-one matchings σ of predicted clusters to true classes
/// of (1/n) #{i : σ(pred_i) = truth_i}, by the Hungarian method on the contingency table:
/// O(n log n + k³) for k clusters. 1 − accuracy is the "clustering error" of the subspace
/// clustering literature. The label sets and their sizes may differ.
/// \throws subspace::invalid_argument if pred is empty or the lengths differ.
inline double clustering_accuracy(const Eigen::VectorXi& pred, const Eigen::VectorXi& truth) {
    detail::check_labellings("clustering_accuracy", pred, truth);
    const Contingency c = detail::contingency_impl(pred, truth);
    const Eigen::VectorXi assign = linear_assignment(-c.table);
    double matched = 0;
    for (Index i = 0; i < assign.size(); ++i)
        if (assign(i) >= 0) matched += c.table(i, assign(i));
    return matched / static_cast<double>(pred.size());
}

/// The normaliser of nmi(): NMI = I(U; V) / f(H(U), H(V)).
enum class NmiNormalization {
    arithmetic,  ///< (H(U) + H(V)) / 2 (default, as scikit-learn)
    geometric,   ///< sqrt(H(U) H(V)) (Strehl & Ghosh 2002)
    min,         ///< min(H(U), H(V))
    max          ///< max(H(U), H(V))
};

/// Normalised mutual information of two labellings (natural logarithms; the result does not
/// depend on the base). As in scikit-learn: 1 when both labellings have a single cluster,
/// 0 when the mutual information is 0. O(n log n + r s).
/// \throws subspace::invalid_argument if pred is empty or the lengths differ.
inline double nmi(const Eigen::VectorXi& pred, const Eigen::VectorXi& truth,
                  NmiNormalization normalization = NmiNormalization::arithmetic) {
    detail::check_labellings("nmi", pred, truth);
    const Contingency c = detail::contingency_impl(pred, truth);
    if (c.table.rows() == 1 && c.table.cols() == 1) return 1.0;
    const double n = static_cast<double>(pred.size());
    const Eigen::VectorXd a = c.table.rowwise().sum();
    const Eigen::VectorXd b = c.table.colwise().sum().transpose();
    double mi = 0;
    for (Index j = 0; j < c.table.cols(); ++j)
        for (Index i = 0; i < c.table.rows(); ++i) {
            const double nij = c.table(i, j);
            if (nij > 0) mi += nij / n * std::log(n * nij / (a(i) * b(j)));
        }
    mi = std::max(mi, 0.0);
    if (mi <= 0) return 0.0;
    const double hu = detail::xlogx_sum(a, n);
    const double hv = detail::xlogx_sum(b, n);
    double norm = 0;
    switch (normalization) {
        case NmiNormalization::arithmetic:
            norm = 0.5 * (hu + hv);
            break;
        case NmiNormalization::geometric:
            norm = std::sqrt(hu * hv);
            break;
        case NmiNormalization::min:
            norm = std::min(hu, hv);
            break;
        case NmiNormalization::max:
            norm = std::max(hu, hv);
            break;
    }
    norm = std::max(norm, std::numeric_limits<double>::epsilon());
    return std::min(1.0, mi / norm);
}

/// Adjusted Rand index (Hubert & Arabie 1985) from the pair counts: with tp, fp, fn, tn the
/// numbers of point pairs together/apart in pred and truth,
/// ARI = 2 (tp·tn − fn·fp) / ((tp + fn)(fn + tn) + (tp + fp)(fp + tn)); 1 when the two
/// partitions are identical up to relabelling (including both trivial), about 0 for random
/// labels, may be negative. O(n log n + r s).
/// \throws subspace::invalid_argument if pred is empty or the lengths differ.
inline double adjusted_rand_index(const Eigen::VectorXi& pred, const Eigen::VectorXi& truth) {
    detail::check_labellings("adjusted_rand_index", pred, truth);
    const Contingency c = detail::contingency_impl(pred, truth);
    const double n = static_cast<double>(pred.size());
    const double sum_sq = c.table.squaredNorm();
    const double a_sq = c.table.rowwise().sum().squaredNorm();
    const double b_sq = c.table.colwise().sum().squaredNorm();
    // Ordered pairs i != j, as in scikit-learn's pair_confusion_matrix.
    const double tp = sum_sq - n;
    const double fp = a_sq - sum_sq;
    const double fn = b_sq - sum_sq;
    const double tn = n * n - fp - fn - sum_sq;
    if (fn == 0 && fp == 0) return 1.0;
    return 2.0 * (tp * tn - fn * fp) / ((tp + fn) * (fn + tn) + (tp + fp) * (fp + tn));
}

}  // namespace subspace
