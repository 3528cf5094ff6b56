/// \file subspace/cluster/spectral.hpp
/// \brief Spectral clustering of a symmetric non-negative affinity W (dense or sparse): the
/// eigenvectors of the normalised symmetric Laplacian, Ng–Jordan–Weiss row normalisation,
/// k-means++ with seeded restarts; estimation of the number of clusters from the eigengap.
///
/// Papers:
/// - A. Y. Ng, M. I. Jordan, Y. Weiss, "On spectral clustering: analysis and an algorithm",
///   NIPS 2001, Algorithm 1: L = D^{-1/2} W D^{-1/2}, the k largest eigenvectors as columns of
///   X, rows renormalised to unit length (Y_ij = X_ij / (Σ_j X_ij²)^{1/2}), k-means on the rows.
///   The largest eigenvectors of D^{-1/2} W D^{-1/2} are the smallest of the normalised
///   symmetric Laplacian L_sym = I − D^{-1/2} W D^{-1/2} (von Luxburg 2007, §3.2).
/// - U. von Luxburg, "A tutorial on spectral clustering", Stat. Comput. 17 (2007): the
///   multiplicity of the eigenvalue 0 of L_sym is the number of connected components, with
///   eigenvectors D^{1/2} 1_{A_i} (Proposition 4); the eigengap heuristic (§8.3).
/// - Large graphs: the k largest eigenpairs by the implicitly restarted Lanczos method of
///   Spectra (Y. Qiu, Debian's libspectra-dev, SymEigsSolver), on a matrix-free operator.
///
/// Connected components are found first (breadth-first search over the positive entries) and
/// their known eigenvectors D^{1/2} 1_C / ‖·‖ are deflated (moved to eigenvalue −1), so the
/// iterative solver never has to resolve the multiple eigenvalue 1 of a disconnected graph,
/// where a Krylov method from a single start vector cannot find more than one eigenvector.
/// An isolated node (zero degree) is a component of its own with eigenvector e_i.
/// Eigenvectors are computed in double whatever the scalar of W.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <string>
#include <type_traits>
#include <vector>

#include <Eigen/Core>
#include <Eigen/Eigenvalues>
#include <Eigen/SparseCore>
#include <Spectra/SymEigsSolver.h>

#include "subspace/cluster/kmeans.hpp"
#include "subspace/core/config.hpp"
#include "subspace/core/error.hpp"
#include "subspace/detail/parallel.hpp"

namespace subspace {

/// Which eigensolver spectral clustering uses.
enum class SpectralSolver {
    automatic,  ///< dense when n <= dense_threshold, Lanczos (Spectra) otherwise (default)
    dense,  ///< Eigen::SelfAdjointEigenSolver on the dense n x n matrix: O(n³) time, O(n²) memory
    lanczos  ///< Spectra's implicitly restarted Lanczos on W (sparse or dense), matrix-free
};

/// Options of spectral_clustering() and its relatives.
struct SpectralOptions {
    int n_init = 10;         ///< k-means restarts on the embedding (>= 1)
    std::uint64_t seed = 0;  ///< seed of the k-means restarts
    SpectralSolver solver = SpectralSolver::automatic;  ///< eigensolver choice
    Index dense_threshold = 300;  ///< automatic: dense eigensolver when n <= this (O(n³))
    /// If true, the `n_clusters` argument is a maximum and the number of clusters is the k in
    /// 1..n_clusters maximising the eigengap λ_{k+1} − λ_k of L_sym (see estimate_n_clusters()).
    bool estimate_n_clusters = false;
    bool normalize_rows = true;         ///< Ng–Jordan–Weiss row normalisation of the embedding
    int kmeans_max_iterations = 300;    ///< Lloyd iterations per k-means restart
    double kmeans_tolerance = 1e-4;     ///< k-means tolerance (see KMeansOptions)
    double eigen_tolerance = 1e-10;     ///< Lanczos relative tolerance on the Ritz values
    int max_lanczos_iterations = 1000;  ///< Lanczos restarts
    Index lanczos_ncv = 0;  ///< Lanczos basis size (0: max(2m + 1, m + 20), capped at n)
    /// W is accepted as symmetric when max |W_ij − W_ji| <= this · max |W_ij| (the tolerance
    /// used is at least 10 ε of the scalar of W).
    double symmetry_tolerance = 1e-10;
    /// Used only when W has more connected components than clusters: the clustering then runs
    /// on the regularised graph W_τ = W + (τ/n) 1 1ᵀ with τ = regularization · mean degree
    /// (Qin & Rohe 2013; Zhang & Rohe 2018), which stops tiny components ("dangling sets")
    /// from taking whole clusters. 0: no regularisation; the k − 1 largest components are then
    /// clusters and the others are merged into the last one.
    double regularization = 1.0;
};

/// Result of spectral_embedding(): the eigenvectors of L_sym belonging to its smallest
/// eigenvalues (equivalently, the largest of D^{-1/2} W D^{-1/2}).
struct SpectralEmbedding {
    Eigen::MatrixXd vectors;      ///< n x m orthonormal eigenvectors (not row-normalised)
    Eigen::VectorXd eigenvalues;  ///< the m smallest eigenvalues of L_sym, ascending
    Index n_components = 0;       ///< number of connected components of the graph
    Eigen::VectorXi components;   ///< component label (0..n_components-1) of every node
    bool converged = true;        ///< false if the Lanczos solver did not converge
    Index operations = 0;         ///< products with W (0 for the dense solver)
    bool regularized = false;     ///< computed on the regularised graph (see SpectralOptions)
};

/// Result of spectral_clustering_result().
struct SpectralResult {
    Eigen::VectorXi labels;       ///< n labels in 0..n_clusters-1
    Index n_clusters = 0;         ///< number of clusters used (estimated or given)
    Eigen::VectorXd eigenvalues;  ///< smallest eigenvalues of L_sym, ascending (k, or max + 1)
    Eigen::MatrixXd embedding;    ///< n x k embedding k-means ran on (row-normalised if asked)
    Index n_components = 0;       ///< connected components of the graph
    bool regularized = false;     ///< clustered on the regularised graph (more components than k)
    double inertia = 0;           ///< k-means inertia on the embedding
    bool converged = true;        ///< eigensolver converged
};

namespace detail {

// Symmetric non-negative graph, viewed through the neighbour lists of each node.
struct GraphInfo {
    Eigen::VectorXd degree;
    Eigen::VectorXi comp;
    Index n_comp = 0;
    Eigen::VectorXd comp_vec;  // entry i of the deflation vector of node i's component
    double reg = 0;            // τ/n added to every entry of W (regularised graph), else 0
};

// Deflation vectors: D^{1/2} 1_C / sqrt(vol C), or e_i for a node of zero degree.
inline void component_vectors(GraphInfo& g) {
    const Index n = g.comp.size();
    Eigen::VectorXd vol = Eigen::VectorXd::Zero(g.n_comp);
    for (Index i = 0; i < n; ++i) vol(g.comp(i)) += g.degree(i);
    g.comp_vec.resize(n);
    for (Index i = 0; i < n; ++i) {
        const double v = vol(g.comp(i));
        g.comp_vec(i) = v > 0 ? std::sqrt(g.degree(i) / v) : 1.0;
    }
}

// Switches to the regularised graph W + (tau/n) 1 1ᵀ: degrees + tau, a single component.
inline void regularize_graph(GraphInfo& g, double tau) {
    const Index n = g.degree.size();
    g.reg = tau / static_cast<double>(n);
    g.degree.array() += tau;
    g.comp.setZero();
    g.n_comp = 1;
    component_vectors(g);
}

// Connected components by BFS; neighbours(i, f) calls f(j) for every j with W_ij > 0.
template <class Neigh>
void graph_components(Index n, Neigh&& neighbours, GraphInfo& g) {
    g.comp = Eigen::VectorXi::Constant(n, -1);
    std::vector<Index> queue;
    queue.reserve(static_cast<std::size_t>(n));
    int c = 0;
    for (Index s = 0; s < n; ++s) {
        if (g.comp(s) >= 0) continue;
        queue.clear();
        queue.push_back(s);
        g.comp(s) = c;
        for (std::size_t h = 0; h < queue.size(); ++h) {
            neighbours(queue[h], [&](Index j) {
                if (g.comp(j) < 0) {
                    g.comp(j) = c;
                    queue.push_back(j);
                }
            });
        }
        ++c;
    }
    g.n_comp = c;
    component_vectors(g);
}

inline double dinv_sqrt(double d) { return d > 0 ? 1.0 / std::sqrt(d) : 0.0; }

// y -= 2 Σ_c v_c v_cᵀ x (moves the component eigenvectors from eigenvalue 1 to -1).
inline void deflate_components(const GraphInfo& g, const double* x, double* y) {
    const Index n = g.comp.size();
    Eigen::VectorXd s = Eigen::VectorXd::Zero(g.n_comp);
    for (Index i = 0; i < n; ++i) s(g.comp(i)) += g.comp_vec(i) * x[i];
    for (Index i = 0; i < n; ++i) y[i] -= 2.0 * g.comp_vec(i) * s(g.comp(i));
}

// Matrix-free M = D^{-1/2} W D^{-1/2} − 2 V Vᵀ for Spectra (double precision).
// Works for any storage because W is symmetric: y_j = Σ_i W_ij x_i runs down column/row j.
template <class MatrixType>
class NormalizedAffinityOp {
public:
    using Scalar = double;
    NormalizedAffinityOp(const MatrixType& W, const GraphInfo& g) : m_W(W), m_g(g) {
        const Index n = m_g.degree.size();
        m_dis.resize(n);
        for (Index i = 0; i < n; ++i) m_dis(i) = dinv_sqrt(m_g.degree(i));
        m_tmp.resize(n);
    }
    Index rows() const { return m_dis.size(); }
    Index cols() const { return m_dis.size(); }
    void perform_op(const double* x_in, double* y_out) const {
        const Index n = rows();
        Eigen::Map<const Eigen::VectorXd> x(x_in, n);
        m_tmp = m_dis.cwiseProduct(x);
        apply(y_out);
        if (m_g.reg > 0) {
            const double s = m_g.reg * m_tmp.sum();
            for (Index i = 0; i < n; ++i) y_out[i] += s;
        }
        for (Index i = 0; i < n; ++i) y_out[i] *= m_dis(i);
        deflate_components(m_g, x_in, y_out);
    }

private:
    void apply(double* y) const {
        const Index n = rows();
        if constexpr (std::is_same<typename Eigen::internal::traits<MatrixType>::StorageKind,
                                   Eigen::Sparse>::value) {
            parallel_for(
                n,
                [&](Index j) {
                    double s = 0;
                    for (typename MatrixType::InnerIterator it(m_W, j); it; ++it)
                        s += static_cast<double>(it.value()) * m_tmp(it.index());
                    y[j] = s;
                },
                static_cast<double>(m_W.nonZeros()) * 2.0);
        } else {
            parallel_for(
                n, [&](Index j) { y[j] = m_W.col(j).template cast<double>().dot(m_tmp); },
                static_cast<double>(n) * static_cast<double>(n) * 2.0);
        }
    }
    const MatrixType& m_W;
    const GraphInfo& m_g;
    Eigen::VectorXd m_dis;
    mutable Eigen::VectorXd m_tmp;
};

// Validation shared by the dense and sparse front ends.
template <class Scalar>
double symmetry_tol(const SpectralOptions& opts, double max_abs) {
    const double eps = static_cast<double>(Eigen::NumTraits<Scalar>::epsilon());
    return std::max(opts.symmetry_tolerance, 10.0 * eps) * max_abs;
}

inline void check_spectral_options(const char* fn, const SpectralOptions& opts) {
    check_positive(fn, "opts.n_init", opts.n_init);
    check_positive(fn, "opts.kmeans_max_iterations", opts.kmeans_max_iterations);
    check_nonnegative(fn, "opts.kmeans_tolerance", opts.kmeans_tolerance);
    check_positive(fn, "opts.eigen_tolerance", opts.eigen_tolerance);
    check_positive(fn, "opts.max_lanczos_iterations", opts.max_lanczos_iterations);
    check_nonnegative(fn, "opts.symmetry_tolerance", opts.symmetry_tolerance);
    check_nonnegative(fn, "opts.dense_threshold", opts.dense_threshold);
    check_nonnegative(fn, "opts.lanczos_ncv", opts.lanczos_ncv);
    check_nonnegative(fn, "opts.regularization", opts.regularization);
}

template <class Derived>
GraphInfo check_dense_affinity(const char* fn, const Eigen::MatrixBase<Derived>& W,
                               const SpectralOptions& opts) {
    using Scalar = typename Derived::Scalar;
    check_not_empty(fn, "W", W.rows(), W.cols());
    if (W.rows() != W.cols())
        throw_invalid(fn, "W", "a square matrix", shape_text(W.rows(), W.cols()));
    check_finite(fn, "W", W);
    const Index n = W.rows();
    double max_abs = 0;
    for (Index j = 0; j < n; ++j)
        for (Index i = 0; i < n; ++i) {
            const double v = static_cast<double>(W.coeff(i, j));
            if (v < 0)
                throw_invalid(fn, "W", "non-negative in every entry",
                              to_text(v) + " at (" + to_text(i) + ", " + to_text(j) + ")");
            max_abs = std::max(max_abs, v);
        }
    const double tol = symmetry_tol<Scalar>(opts, max_abs);
    for (Index j = 0; j < n; ++j)
        for (Index i = j + 1; i < n; ++i) {
            const double a = static_cast<double>(W.coeff(i, j));
            const double b = static_cast<double>(W.coeff(j, i));
            if (std::abs(a - b) > tol)
                throw_invalid(fn, "W", "symmetric",
                              "W(" + to_text(i) + ", " + to_text(j) + ") = " + to_text(a) +
                                  " but W(" + to_text(j) + ", " + to_text(i) + ") = " + to_text(b));
        }
    GraphInfo g;
    g.degree.resize(n);
    for (Index j = 0; j < n; ++j) g.degree(j) = W.col(j).template cast<double>().sum();
    graph_components(
        n,
        [&](Index i, auto&& f) {
            for (Index j = 0; j < n; ++j)
                if (W.coeff(j, i) > Scalar(0)) f(j);
        },
        g);
    return g;
}

template <class Scalar, int Options, class StorageIndex>
GraphInfo check_sparse_affinity(const char* fn,
                                const Eigen::SparseMatrix<Scalar, Options, StorageIndex>& W,
                                const SpectralOptions& opts) {
    using Sp = Eigen::SparseMatrix<Scalar, Options, StorageIndex>;
    check_not_empty(fn, "W", W.rows(), W.cols());
    if (W.rows() != W.cols())
        throw_invalid(fn, "W", "a square matrix", shape_text(W.rows(), W.cols()));
    check_finite(fn, "W", W);
    const Index n = W.rows();
    double max_abs = 0;
    for (Index o = 0; o < W.outerSize(); ++o)
        for (typename Sp::InnerIterator it(W, o); it; ++it) {
            const double v = static_cast<double>(it.value());
            if (v < 0)
                throw_invalid(
                    fn, "W", "non-negative in every entry",
                    to_text(v) + " at (" + to_text(it.row()) + ", " + to_text(it.col()) + ")");
            max_abs = std::max(max_abs, v);
        }
    const double tol = symmetry_tol<Scalar>(opts, max_abs);
    {
        const Sp Wt = W.transpose();
        const Sp Dm = W - Wt;
        for (Index o = 0; o < Dm.outerSize(); ++o)
            for (typename Sp::InnerIterator it(Dm, o); it; ++it)
                if (std::abs(static_cast<double>(it.value())) > tol) {
                    const Index i = it.row();
                    const Index j = it.col();
                    throw_invalid(fn, "W", "symmetric",
                                  "W(" + to_text(i) + ", " + to_text(j) +
                                      ") = " + to_text(W.coeff(i, j)) + " but W(" + to_text(j) +
                                      ", " + to_text(i) + ") = " + to_text(W.coeff(j, i)));
                }
    }
    GraphInfo g;
    g.degree = Eigen::VectorXd::Zero(n);
    for (Index o = 0; o < W.outerSize(); ++o)
        for (typename Sp::InnerIterator it(W, o); it; ++it)
            g.degree(o) += static_cast<double>(it.value());
    graph_components(
        n,
        [&](Index i, auto&& f) {
            for (typename Sp::InnerIterator it(W, i); it; ++it)
                if (it.value() > Scalar(0)) f(it.index());
        },
        g);
    return g;
}

// The m_total smallest eigenpairs of L_sym (largest of N), with the component eigenvectors
// first. dense_n: callable filling the dense N (double) for the dense solver.
template <class MatrixType, class DenseFill>
SpectralEmbedding embedding_impl(const MatrixType& W, GraphInfo&& g, Index m_total,
                                 const SpectralOptions& opts, DenseFill&& dense_fill,
                                 Index regularize_above) {
    const Index n = g.degree.size();
    SpectralEmbedding emb;
    emb.n_components = g.n_comp;
    emb.components = g.comp;
    if (g.n_comp > regularize_above && opts.regularization > 0 && n > 1) {
        const double mean_degree = g.degree.mean();
        // A graph without edges: any positive τ gives the complete graph.
        regularize_graph(g, mean_degree > 0 ? opts.regularization * mean_degree : 1.0);
        emb.regularized = true;
    }
    const Index c = std::min<Index>(g.n_comp, m_total);
    const Index m = m_total - c;  // eigenvectors beyond the component ones
    emb.vectors.setZero(n, m_total);
    emb.eigenvalues.setZero(m_total);
    // Component eigenvectors (eigenvalue 0 of L_sym).
    for (Index i = 0; i < n; ++i)
        if (g.comp(i) < c) emb.vectors(i, g.comp(i)) = g.comp_vec(i);
    if (m > 0) {
        bool use_dense = opts.solver == SpectralSolver::dense ||
                         (opts.solver == SpectralSolver::automatic && n <= opts.dense_threshold);
        // Spectra needs nev < ncv <= n; tiny problems go to the dense solver.
        if (m + 1 >= n) use_dense = true;
        if (use_dense) {
            Eigen::MatrixXd M(n, n);
            dense_fill(M);
            if (g.reg > 0) M.array() += g.reg;
            for (Index j = 0; j < n; ++j) {
                const double dj = dinv_sqrt(g.degree(j));
                for (Index i = 0; i < n; ++i) {
                    M(i, j) *= dinv_sqrt(g.degree(i)) * dj;
                    if (g.comp(i) == g.comp(j)) M(i, j) -= 2.0 * g.comp_vec(i) * g.comp_vec(j);
                }
            }
            Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> es(M);
            for (Index t = 0; t < m; ++t) {
                emb.vectors.col(c + t) = es.eigenvectors().col(n - 1 - t);
                emb.eigenvalues(c + t) = 1.0 - es.eigenvalues()(n - 1 - t);
            }
        } else {
            NormalizedAffinityOp<MatrixType> op(W, g);
            Index ncv = opts.lanczos_ncv > 0 ? opts.lanczos_ncv : std::max(2 * m + 1, m + 20);
            ncv = std::min(std::max(ncv, m + 1), n);
            Eigen::VectorXd ev;
            Eigen::MatrixXd V;
            // Tightly clustered eigenvalues may need a larger basis: one retry with 2 ncv.
            for (int attempt = 0; attempt < 2; ++attempt) {
                Spectra::SymEigsSolver<NormalizedAffinityOp<MatrixType>> solver(op, m, ncv);
                solver.init();
                solver.compute(Spectra::SortRule::LargestAlge, opts.max_lanczos_iterations,
                               opts.eigen_tolerance, Spectra::SortRule::LargestAlge);
                emb.converged = solver.info() == Spectra::CompInfo::Successful;
                emb.operations += solver.num_operations();
                ev = solver.eigenvalues();
                V = solver.eigenvectors();
                if ((emb.converged && ev.size() >= m) || ncv >= n) break;
                ncv = std::min(2 * ncv, n);
            }
            const Index got = std::min<Index>(ev.size(), m);
            for (Index t = 0; t < got; ++t) {
                emb.vectors.col(c + t) = V.col(t);
                emb.eigenvalues(c + t) = 1.0 - ev(t);
            }
            if (got < m) emb.converged = false;
        }
    }
    return emb;
}

// Index k in 1..kmax maximising eigenvalues(k) - eigenvalues(k-1) (eigenvalues ascending).
inline Index eigengap_argmax(const Eigen::VectorXd& ev, Index kmax) {
    Index best = 1;
    double best_gap = -std::numeric_limits<double>::infinity();
    for (Index k = 1; k <= kmax && k < ev.size(); ++k) {
        const double gap = ev(k) - ev(k - 1);
        if (gap > best_gap + 1e-12) {
            best_gap = gap;
            best = k;
        }
    }
    return best;
}

inline SpectralResult cluster_embedding(SpectralEmbedding&& emb, Index n_clusters,
                                        const SpectralOptions& opts) {
    SpectralResult res;
    res.n_components = emb.n_components;
    res.regularized = emb.regularized;
    res.converged = emb.converged;
    Index k = n_clusters;
    if (opts.estimate_n_clusters)
        k = emb.n_components >= n_clusters && !emb.regularized
                ? n_clusters
                : eigengap_argmax(emb.eigenvalues, n_clusters);
    res.n_clusters = k;
    res.eigenvalues = emb.eigenvalues;
    const Index n = emb.vectors.rows();
    Eigen::MatrixXd E = emb.vectors.leftCols(k);
    if (opts.normalize_rows) {
        for (Index i = 0; i < n; ++i) {
            const double r = E.row(i).norm();
            if (r > 0) E.row(i) /= r;
        }
    }
    if (emb.n_components >= k && !emb.regularized) {
        // The clusters are whole components: the k - 1 largest (ties: first node first) are
        // clusters 0..k-2, all the others form cluster k - 1 (exact when there are k components).
        const Index c = emb.n_components;
        std::vector<Index> size(static_cast<std::size_t>(c), 0);
        for (Index i = 0; i < n; ++i) ++size[static_cast<std::size_t>(emb.components(i))];
        std::vector<Index> order(static_cast<std::size_t>(c));
        for (Index t = 0; t < c; ++t) order[static_cast<std::size_t>(t)] = t;
        std::stable_sort(order.begin(), order.end(), [&](Index a, Index b) {
            return size[static_cast<std::size_t>(a)] > size[static_cast<std::size_t>(b)];
        });
        std::vector<int> rank(static_cast<std::size_t>(c));
        for (Index t = 0; t < c; ++t)
            rank[static_cast<std::size_t>(order[static_cast<std::size_t>(t)])] =
                static_cast<int>(std::min(t, k - 1));
        res.labels.resize(n);
        for (Index i = 0; i < n; ++i)
            res.labels(i) = rank[static_cast<std::size_t>(emb.components(i))];
        res.inertia = 0;
        res.embedding = std::move(E);
        return res;
    }
    KMeansOptions ko;
    ko.n_init = opts.n_init;
    ko.seed = opts.seed;
    ko.max_iterations = opts.kmeans_max_iterations;
    ko.tolerance = opts.kmeans_tolerance;
    const Eigen::MatrixXd Et = E.transpose();
    KMeansResult<double> km = kmeans(Et, k, ko);
    res.labels = std::move(km.labels);
    res.inertia = km.inertia;
    res.embedding = std::move(E);
    return res;
}

inline Index spectral_vector_count(const char* fn, Index n, Index n_clusters,
                                   const SpectralOptions& opts) {
    check_in_range(fn, "n_clusters", n_clusters, Index(1), n);
    if (opts.estimate_n_clusters) return std::min(n_clusters + 1, n);
    return n_clusters;
}

template <class Scalar>
SpectralEmbedding dense_embedding(const char* fn, const Eigen::Ref<const Matrix<Scalar>>& Wr,
                                  Index m, const SpectralOptions& opts,
                                  Index regularize_above = std::numeric_limits<Index>::max()) {
    check_spectral_options(fn, opts);
    GraphInfo g = check_dense_affinity(fn, Wr, opts);
    return embedding_impl(
        Wr, std::move(g), m, opts, [&](Eigen::MatrixXd& M) { M = Wr.template cast<double>(); },
        regularize_above);
}

template <class Scalar, int Options, class StorageIndex>
SpectralEmbedding sparse_embedding(const char* fn,
                                   const Eigen::SparseMatrix<Scalar, Options, StorageIndex>& W,
                                   Index m, const SpectralOptions& opts,
                                   Index regularize_above = std::numeric_limits<Index>::max()) {
    check_spectral_options(fn, opts);
    GraphInfo g = check_sparse_affinity(fn, W, opts);
    return embedding_impl(
        W, std::move(g), m, opts,
        [&](Eigen::MatrixXd& M) { M = Eigen::MatrixXd(W.template cast<double>()); },
        regularize_above);
}

}  // namespace detail

/// The m eigenvectors of the normalised symmetric Laplacian L_sym = I − D^{-1/2} W D^{-1/2}
/// with the smallest eigenvalues (von Luxburg 2007, §3.2), for a dense symmetric non-negative
/// affinity W (n x n). The first min(m, #components) vectors are the exact component
/// eigenvectors D^{1/2} 1_C / ‖D^{1/2} 1_C‖ (eigenvalue 0); the others come from the dense
/// solver (n <= opts.dense_threshold, O(n³) time, O(n²) memory) or Spectra's Lanczos on W
/// (O(n²) per product, O(n · ncv) memory).
/// \throws subspace::invalid_argument if W is empty, not square, non-finite, negative somewhere
///         or not symmetric (within opts.symmetry_tolerance), or n_vectors is not in 1..n.
template <class Derived>
SpectralEmbedding spectral_embedding(const Eigen::MatrixBase<Derived>& W, Index n_vectors,
                                     const SpectralOptions& opts = {}) {
    using Scalar = typename Derived::Scalar;
    constexpr const char* fn = "spectral_embedding";
    detail::check_not_empty(fn, "W", W.rows(), W.cols());
    detail::check_in_range(fn, "n_vectors", n_vectors, Index(1), W.rows());
    const Eigen::Ref<const Matrix<Scalar>> Wr(W.derived());
    return detail::dense_embedding<Scalar>(fn, Wr, n_vectors, opts);
}

/// Sparse overload of spectral_embedding(): W is an n x n Eigen::SparseMatrix (either storage
/// order). The Lanczos path costs O(nnz(W)) per product and O(n · ncv) memory; the dense path
/// forms an n x n double matrix.
template <class Scalar, int Options, class StorageIndex>
SpectralEmbedding spectral_embedding(const Eigen::SparseMatrix<Scalar, Options, StorageIndex>& W,
                                     Index n_vectors, const SpectralOptions& opts = {}) {
    constexpr const char* fn = "spectral_embedding";
    detail::check_not_empty(fn, "W", W.rows(), W.cols());
    detail::check_in_range(fn, "n_vectors", n_vectors, Index(1), W.rows());
    return detail::sparse_embedding(fn, W, n_vectors, opts);
}

/// Spectral clustering (Ng, Jordan & Weiss 2001) of a dense symmetric non-negative affinity W
/// (n x n) into n_clusters groups, with the by-products (eigenvalues, embedding, inertia).
///
/// Steps: the k smallest eigenvectors of L_sym (see spectral_embedding()), rows scaled to unit
/// length (opts.normalize_rows), k-means++ with opts.n_init restarts seeded by opts.seed. With
/// opts.estimate_n_clusters the argument n_clusters is a maximum K, min(K + 1, n) eigenpairs
/// are computed and k maximises the eigengap λ_{k+1} − λ_k (k <= K).
///
/// Disconnected graphs: if W has exactly k connected components they are the clusters (exact,
/// no k-means). With more than k components every grouping of whole components has normalised
/// cut 0, so the graph alone cannot decide; then the clustering runs on the regularised graph
/// W + (τ/n) 1 1ᵀ, τ = opts.regularization · mean degree (T. Qin, K. Rohe, "Regularized
/// spectral clustering under the degree-corrected stochastic blockmodel", NIPS 2013; Y. Zhang,
/// K. Rohe, "Understanding regularized spectral clustering via graph conductance", NeurIPS
/// 2018), which keeps tiny components from taking whole clusters; with opts.regularization = 0
/// the k − 1 largest components are clusters and the others are merged into the last one.
///
/// Complexity: eigenvectors as in spectral_embedding(), then O(n_init · iterations · n k²).
/// \throws subspace::invalid_argument as spectral_embedding(), or if n_clusters is not in 1..n.
template <class Derived>
SpectralResult spectral_clustering_result(const Eigen::MatrixBase<Derived>& W, Index n_clusters,
                                          const SpectralOptions& opts = {}) {
    using Scalar = typename Derived::Scalar;
    constexpr const char* fn = "spectral_clustering";
    detail::check_not_empty(fn, "W", W.rows(), W.cols());
    const Index m = detail::spectral_vector_count(fn, W.rows(), n_clusters, opts);
    const Eigen::Ref<const Matrix<Scalar>> Wr(W.derived());
    return detail::cluster_embedding(detail::dense_embedding<Scalar>(fn, Wr, m, opts, n_clusters),
                                     n_clusters, opts);
}

/// Sparse overload of spectral_clustering_result() (either storage order). For large n the
/// Lanczos solver works on W directly: O(nnz(W)) per product, no dense n x n matrix.
template <class Scalar, int Options, class StorageIndex>
SpectralResult spectral_clustering_result(
    const Eigen::SparseMatrix<Scalar, Options, StorageIndex>& W, Index n_clusters,
    const SpectralOptions& opts = {}) {
    constexpr const char* fn = "spectral_clustering";
    detail::check_not_empty(fn, "W", W.rows(), W.cols());
    const Index m = detail::spectral_vector_count(fn, W.rows(), n_clusters, opts);
    return detail::cluster_embedding(detail::sparse_embedding(fn, W, m, opts, n_clusters),
                                     n_clusters, opts);
}

/// Spectral clustering labels (0..n_clusters-1) of a dense affinity W (n x n, symmetric,
/// non-negative); see spectral_clustering_result() for the algorithm and the options.
/// \throws subspace::invalid_argument for a bad W or n_clusters not in 1..n.
template <class Derived>
Eigen::VectorXi spectral_clustering(const Eigen::MatrixBase<Derived>& W, Index n_clusters,
                                    const SpectralOptions& opts = {}) {
    return spectral_clustering_result(W, n_clusters, opts).labels;
}

/// Spectral clustering labels of a sparse affinity (Eigen::SparseMatrix, either storage order).
template <class Scalar, int Options, class StorageIndex>
Eigen::VectorXi spectral_clustering(const Eigen::SparseMatrix<Scalar, Options, StorageIndex>& W,
                                    Index n_clusters, const SpectralOptions& opts = {}) {
    return spectral_clustering_result(W, n_clusters, opts).labels;
}

/// Number of clusters by the eigengap heuristic (von Luxburg 2007, §8.3): with λ_1 <= λ_2 <= ...
/// the eigenvalues of L_sym, the k in 1..max_clusters maximising λ_{k+1} − λ_k (max_clusters if
/// the graph has at least that many connected components). A graph of c <= max_clusters
/// well-separated blocks gives c. Cost: min(max_clusters + 1, n) eigenpairs (spectral_embedding()).
/// \throws subspace::invalid_argument as spectral_embedding(), or max_clusters not in 1..n.
template <class Derived>
Index estimate_n_clusters(const Eigen::MatrixBase<Derived>& W, Index max_clusters,
                          const SpectralOptions& opts = {}) {
    using Scalar = typename Derived::Scalar;
    constexpr const char* fn = "estimate_n_clusters";
    detail::check_not_empty(fn, "W", W.rows(), W.cols());
    detail::check_in_range(fn, "max_clusters", max_clusters, Index(1), W.rows());
    const Eigen::Ref<const Matrix<Scalar>> Wr(W.derived());
    const SpectralEmbedding emb =
        detail::dense_embedding<Scalar>(fn, Wr, std::min(max_clusters + 1, W.rows()), opts);
    if (emb.n_components >= max_clusters) return max_clusters;
    return detail::eigengap_argmax(emb.eigenvalues, max_clusters);
}

/// Sparse overload of estimate_n_clusters().
template <class Scalar, int Options, class StorageIndex>
Index estimate_n_clusters(const Eigen::SparseMatrix<Scalar, Options, StorageIndex>& W,
                          Index max_clusters, const SpectralOptions& opts = {}) {
    constexpr const char* fn = "estimate_n_clusters";
    detail::check_not_empty(fn, "W", W.rows(), W.cols());
    detail::check_in_range(fn, "max_clusters", max_clusters, Index(1), W.rows());
    const SpectralEmbedding emb =
        detail::sparse_embedding(fn, W, std::min(max_clusters + 1, W.rows()), opts);
    if (emb.n_components >= max_clusters) return max_clusters;
    return detail::eigengap_argmax(emb.eigenvalues, max_clusters);
}

}  // namespace subspace
