/// \file subspace/adapters/random_subspace.hpp
/// \brief `RandomSubspace<Scalar>`: training in a random d-dimensional affine subspace of a
/// D-dimensional parameter space, θ = θ₀ + P z (Li, Farkhoor, Liu & Yosinski 2018, "Measuring
/// the intrinsic dimension of objective landscapes", Eq. 1), with the per-layer scales of SAID
/// (Aghajanyan, Zettlemoyer & Gupta 2020, "Intrinsic dimensionality explains the effectiveness
/// of language model fine-tuning", Eq. 3: θᵢ = θ₀ᵢ + λᵢ (P z)ᵢ for layer i).
///
/// Three projections P (D x d, columns of unit expected norm, as Li et al. normalise them):
/// - dense: i.i.d. N(0, 1) entries, each column scaled to unit norm (memory D d);
/// - sparse: each column has k = max(1, round(ρ D)) non-zeros ±1/√k at distinct random rows
///   (ρ = 1/√D by default, the "very sparse random projections" of Li, Hastie & Church 2006 used
///   by Li et al.), unit norm exactly (memory k d);
/// - fastfood: P is never stored. With n = 2^⌈log₂ d⌉ and ⌈D / n⌉ blocks,
///   P = c [V₁; V₂; …] (first D rows), V_b = S_b H G_b Π_b H B_b (Le, Sarlós & Smola 2013,
///   "Fastfood — approximating kernel expansions in loglinear time", Eq. 7), H the n x n ±1
///   Walsh–Hadamard matrix, B_b random signs, Π_b a random permutation, G_b Gaussian diagonal,
///   S_b = diag(s_i / ‖G_b‖) with s_i ~ χ_n (so each row of V_b/√n has the norm of a Gaussian
///   row), c = 1/√(n D) (E‖P e_j‖² = 1). Products P z and Pᵀ g cost O(D log d) (two fast
///   Walsh–Hadamard transforms per block) and the factors take O(D) memory.
///
/// The gradient of a loss L with respect to z is Pᵀ ∂L/∂θ (and, with SAID, ∂L/∂λᵢ =
/// ⟨(P z)ᵢ, (∂L/∂θ)ᵢ⟩). Same seed, same bits, whatever the thread count.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <numeric>
#include <unordered_set>
#include <vector>

#include <Eigen/Core>
#include <Eigen/SparseCore>

#include "subspace/core/config.hpp"
#include "subspace/core/error.hpp"
#include "subspace/core/rng.hpp"
#include "subspace/detail/parallel.hpp"
#include "subspace/sketch/srht.hpp"

namespace subspace {

/// The random projection behind a RandomSubspace.
enum class SubspaceProjection { dense, sparse, fastfood };

/// Options of RandomSubspace.
struct RandomSubspaceOptions {
    SubspaceProjection kind = SubspaceProjection::fastfood;  ///< projection type
    std::uint64_t seed = 0;                                  ///< same seed, same P
    /// Fraction of non-zeros per column of the sparse projection (0: 1/√D).
    double sparse_density = 0.0;
    /// SAID: one trainable scale per layer; the last `layer_sizes.size()` entries of z are the
    /// scales λ (initial value 1), the first d − m drive P.
    bool said = false;
    /// Sizes of the layers of θ in order (sum D) for SAID; empty: one layer.
    std::vector<Index> layer_sizes;
};

/// θ = θ₀ + P z (or SAID's per-layer θᵢ = θ₀ᵢ + λᵢ (P z)ᵢ); see the file comment.
///
/// Also a LinearOperator for P (D x (d − m)): `rows()`, `cols()`, `apply(Z)`, `apply_adjoint(G)`.
///
/// \code
/// subspace::RandomSubspace<float> sub(theta0, 1000);        // Fastfood, d = 1000
/// Eigen::VectorXf z = sub.initial_z();
/// for (...) { Eigen::VectorXf theta = sub.theta(z);  g = dLoss(theta);  z -= lr * sub.gradient(z,
/// g); } \endcode \tparam Scalar float or double.
template <class Scalar>
class RandomSubspace {
public:
    using Mat = Matrix<Scalar>;
    using Vec = Vector<Scalar>;

    /// Fastfood factors of one block (exposed for tests and for users who want to inspect P).
    struct FastfoodBlock {
        Vec sign;                 ///< B: ±1 (n)
        std::vector<Index> perm;  ///< Π: (Π x)_i = x_{perm[i]} (n)
        Vec gauss;                ///< G (n)
        Vec scale;                ///< S: s_i / ‖G‖ (n)
    };

    /// A random subspace of dimension `d` through `theta0` (D x 1).
    /// Costs: dense O(D d) time and memory; sparse O(k d) (k = ρ D); Fastfood O(D) time and
    /// memory. \throws invalid_argument if theta0 is empty or not a column, has non-finite
    /// entries, d < 1 (or d <= m with SAID), d > D for dense/sparse, sparse_density not in
    /// (0, 1], or layer_sizes do not sum to D or contain a non-positive size.
    template <class Derived>
    RandomSubspace(const Eigen::MatrixBase<Derived>& theta0, Index d,
                   const RandomSubspaceOptions& opts = {})
        : m_opts(opts) {
        const char* fn = "RandomSubspace";
        if (theta0.cols() != 1 || theta0.rows() < 1)
            detail::throw_invalid(fn, "theta0", "a non-empty column vector",
                                  detail::shape_text(theta0.rows(), theta0.cols()));
        m_theta0 = theta0.template cast<Scalar>();
        detail::check_finite(fn, "theta0", m_theta0);
        m_D = m_theta0.size();
        if (opts.said) {
            if (opts.layer_sizes.empty()) {
                m_layers = {m_D};
            } else {
                Index sum = 0;
                for (Index s : opts.layer_sizes) {
                    if (s <= 0)
                        detail::throw_invalid(fn, "opts.layer_sizes", "positive sizes",
                                              detail::to_text(s));
                    sum += s;
                }
                if (sum != m_D)
                    detail::throw_invalid(fn, "opts.layer_sizes",
                                          "sizes summing to D = " + detail::to_text(m_D),
                                          "a sum of " + detail::to_text(sum));
                m_layers = opts.layer_sizes;
            }
        }
        const auto m = static_cast<Index>(m_layers.size());
        if (d <= m)
            detail::throw_invalid(
                fn, "d", "greater than the number of SAID scales (" + detail::to_text(m) + ")",
                detail::to_text(d));
        m_d = d;
        m_p = d - m;
        if (opts.kind != SubspaceProjection::fastfood && m_p > m_D)
            detail::throw_invalid(fn, "d",
                                  "at most D = " + detail::to_text(m_D) + " projection directions",
                                  detail::to_text(m_p));
        switch (opts.kind) {
            case SubspaceProjection::dense:
                build_dense();
                break;
            case SubspaceProjection::sparse:
                build_sparse(fn);
                break;
            case SubspaceProjection::fastfood:
                build_fastfood();
                break;
        }
    }

    /// D, the number of parameters.
    Index ambient_dim() const { return m_D; }
    /// d, the number of trainable coordinates (including the SAID scales).
    Index dim() const { return m_d; }
    /// d − m, the number of columns of P.
    Index projection_dim() const { return m_p; }
    /// m, the number of SAID scales (0 without SAID).
    Index layer_count() const { return static_cast<Index>(m_layers.size()); }
    /// θ₀.
    const Vec& theta0() const { return m_theta0; }
    SubspaceProjection kind() const { return m_opts.kind; }
    /// LinearOperator interface for P.
    Index rows() const { return m_D; }
    Index cols() const { return m_p; }

    /// The starting point z₀: zeros, and ones for the SAID scales (so θ(z₀) = θ₀).
    Vec initial_z() const {
        Vec z = Vec::Zero(m_d);
        z.tail(layer_count()).setOnes();
        return z;
    }

    /// P Z for Z of (d − m) x k: O(k D log d) (Fastfood), O(k D d) (dense), O(k nnz) (sparse).
    /// \throws invalid_argument if Z does not have d − m rows.
    template <class Derived>
    Mat apply(const Eigen::MatrixBase<Derived>& Z) const {
        detail::check_rows("RandomSubspace::apply", "Z", Z.rows(), m_p, "d - m, the columns of P");
        const Mat Zs = Z.template cast<Scalar>();
        if (m_opts.kind == SubspaceProjection::dense) return m_dense * Zs;
        if (m_opts.kind == SubspaceProjection::sparse) return m_sparse * Zs;
        Mat out(m_D, Zs.cols());
        for (Index j = 0; j < Zs.cols(); ++j) fastfood_apply(Zs.col(j), out.col(j));
        return out;
    }

    /// Pᵀ G for G of D x k. Same costs as apply. \throws invalid_argument if G does not have D
    /// rows.
    template <class Derived>
    Mat apply_adjoint(const Eigen::MatrixBase<Derived>& G) const {
        detail::check_rows("RandomSubspace::apply_adjoint", "G", G.rows(), m_D, "D, the rows of P");
        const Mat Gs = G.template cast<Scalar>();
        if (m_opts.kind == SubspaceProjection::dense) return m_dense.transpose() * Gs;
        if (m_opts.kind == SubspaceProjection::sparse) return m_sparse.transpose() * Gs;
        Mat out(m_p, Gs.cols());
        for (Index j = 0; j < Gs.cols(); ++j) fastfood_adjoint(Gs.col(j), out.col(j));
        return out;
    }

    /// θ(z) = θ₀ + P z (SAID: θᵢ = θ₀ᵢ + λᵢ (P z_P)ᵢ per layer). O(one apply).
    /// \throws invalid_argument unless z has d entries.
    template <class Derived>
    Vec theta(const Eigen::MatrixBase<Derived>& z) const {
        check_z("RandomSubspace::theta", z);
        Vec pz = apply(z.head(m_p));
        scale_layers(pz, z);
        return m_theta0 + pz;
    }

    /// ∂L/∂z from g = ∂L/∂θ at θ(z): Pᵀ g, and with SAID Pᵀ (λ ⊙ g) and ∂L/∂λᵢ = ⟨(P z_P)ᵢ, gᵢ⟩
    /// (one more apply). \throws invalid_argument unless z has d and g has D entries.
    template <class DerivedZ, class DerivedG>
    Vec gradient(const Eigen::MatrixBase<DerivedZ>& z, const Eigen::MatrixBase<DerivedG>& g) const {
        check_z("RandomSubspace::gradient", z);
        if (g.rows() != m_D || g.cols() != 1)
            detail::throw_invalid("RandomSubspace::gradient", "g",
                                  "a vector of D = " + detail::to_text(m_D) + " entries",
                                  detail::shape_text(g.rows(), g.cols()));
        Vec out(m_d);
        if (m_layers.empty()) {
            out = apply_adjoint(g);
            return out;
        }
        const Vec gs = g.template cast<Scalar>();
        const Vec pz = apply(z.head(m_p));
        Vec lg = gs;
        Index off = 0;
        for (std::size_t l = 0; l < m_layers.size(); ++l) {
            const Index n = m_layers[l];
            const auto li = static_cast<Index>(l);
            lg.segment(off, n) *= static_cast<Scalar>(z(m_p + li));
            out(m_p + li) = pz.segment(off, n).dot(gs.segment(off, n));
            off += n;
        }
        out.head(m_p) = apply_adjoint(lg);
        return out;
    }

    /// The adapter interface of the module (DESIGN.md), for code written against every
    /// adapter alike: the trainable parameters are z (d entries).
    /// forward(z) = theta(z); backward(z, g) = gradient(z, g); merged(z) = theta(z);
    /// merge_into(θ, z) adds θ(z) − θ₀ to a D-vector θ in place; trainable_parameter_count() = d.
    /// \throws invalid_argument as theta() / gradient(), and merge_into() unless θ has D entries.
    template <class Derived>
    Vec forward(const Eigen::MatrixBase<Derived>& z) const {
        return theta(z);
    }
    /// See forward(): ∂L/∂z from g = ∂L/∂θ.
    template <class DerivedZ, class DerivedG>
    Vec backward(const Eigen::MatrixBase<DerivedZ>& z, const Eigen::MatrixBase<DerivedG>& g) const {
        return gradient(z, g);
    }
    /// See forward(): θ₀ + P z.
    template <class Derived>
    Vec merged(const Eigen::MatrixBase<Derived>& z) const {
        return theta(z);
    }
    /// See forward(): θ += θ(z) − θ₀.
    template <class DerivedZ>
    void merge_into(Eigen::Ref<Vec> theta_out, const Eigen::MatrixBase<DerivedZ>& z) const {
        if (theta_out.size() != m_D)
            detail::throw_invalid("RandomSubspace::merge_into", "theta",
                                  "a vector of D = " + detail::to_text(m_D) + " entries",
                                  detail::to_text(theta_out.size()) + " entries");
        theta_out += theta(z) - m_theta0;
    }
    /// See forward(): d.
    Index trainable_parameter_count() const { return m_d; }

    /// P as a dense D x (d − m) matrix (for tests and small D): O(D d log d) for Fastfood.
    Mat matrix() const {
        if (m_opts.kind == SubspaceProjection::dense) return m_dense;
        if (m_opts.kind == SubspaceProjection::sparse) return Mat(m_sparse);
        return apply(Mat::Identity(m_p, m_p));
    }

    /// Fastfood: the block size n (a power of two >= d − m), the overall factor c = 1/√(n D) and
    /// the blocks; empty for the other kinds.
    Index fastfood_block_size() const { return m_n; }
    Scalar fastfood_factor() const { return m_c; }
    const std::vector<FastfoodBlock>& fastfood_blocks() const { return m_blocks; }

private:
    Vec m_theta0;
    RandomSubspaceOptions m_opts;
    Index m_D = 0, m_d = 0, m_p = 0;
    std::vector<Index> m_layers;
    Mat m_dense;
    Eigen::SparseMatrix<Scalar> m_sparse;
    Index m_n = 0;
    Scalar m_c = 0;
    std::vector<FastfoodBlock> m_blocks;

    template <class Derived>
    void check_z(const char* fn, const Eigen::MatrixBase<Derived>& z) const {
        if (z.rows() != m_d || z.cols() != 1)
            detail::throw_invalid(fn, "z", "a vector of d = " + detail::to_text(m_d) + " entries",
                                  detail::shape_text(z.rows(), z.cols()));
    }

    template <class Derived>
    void scale_layers(Vec& pz, const Eigen::MatrixBase<Derived>& z) const {
        Index off = 0;
        for (std::size_t l = 0; l < m_layers.size(); ++l) {
            pz.segment(off, m_layers[l]) *= static_cast<Scalar>(z(m_p + static_cast<Index>(l)));
            off += m_layers[l];
        }
    }

    void build_dense() {
        m_dense = Rng(m_opts.seed, 0x52534430u).normal<Scalar>(m_D, m_p);
        // Normalise in double for the same bits in float and double up to the final rounding.
        for (Index j = 0; j < m_p; ++j) {
            const double nrm = m_dense.col(j).template cast<double>().norm();
            m_dense.col(j) /= static_cast<Scalar>(nrm);
        }
    }

    void build_sparse(const char* fn) {
        double rho = m_opts.sparse_density;
        if (rho == 0.0) rho = 1.0 / std::sqrt(static_cast<double>(m_D));
        if (!(rho > 0.0 && rho <= 1.0))
            detail::throw_invalid(fn, "opts.sparse_density", "in (0, 1] (0: 1/sqrt(D))",
                                  detail::to_text(m_opts.sparse_density));
        const auto k =
            std::max<Index>(1, static_cast<Index>(std::llround(rho * static_cast<double>(m_D))));
        const Scalar v = Scalar(1) / std::sqrt(static_cast<Scalar>(k));
        std::vector<Eigen::Triplet<Scalar>> trips;
        trips.reserve(static_cast<std::size_t>(k * m_p));
        std::vector<Index> rows;
        std::unordered_set<Index> seen;
        for (Index j = 0; j < m_p; ++j) {
            RandomStream rs(m_opts.seed ^ 0x5350415253450000ull, static_cast<std::uint32_t>(j));
            // Floyd's algorithm: k distinct rows of [0, D) in O(k), then sorted.
            rows.clear();
            seen.clear();
            for (Index t = m_D - k; t < m_D; ++t) {
                const auto r = static_cast<Index>(rs.next_below(static_cast<std::uint64_t>(t + 1)));
                const Index pick = seen.insert(r).second ? r : t;
                if (pick == t) seen.insert(t);
                rows.push_back(pick);
            }
            std::sort(rows.begin(), rows.end());
            for (Index r : rows) trips.emplace_back(r, j, (rs.next_u64() & 1u) ? v : -v);
        }
        m_sparse.resize(m_D, m_p);
        m_sparse.setFromTriplets(trips.begin(), trips.end());
    }

    /// χ_n deviate: √(2 Γ(n/2)) by Marsaglia & Tsang (2000) for n > 32, else the norm of n normals.
    static double chi(RandomStream& rs, Index n) {
        if (n <= 32) {
            double s = 0;
            for (Index i = 0; i < n; ++i) {
                const double x = rs.next_normal();
                s += x * x;
            }
            return std::sqrt(s);
        }
        const double a = 0.5 * static_cast<double>(n);
        const double dd = a - 1.0 / 3.0, cc = 1.0 / std::sqrt(9.0 * dd);
        for (;;) {
            const double x = rs.next_normal();
            double v = 1.0 + cc * x;
            if (v <= 0) continue;
            v = v * v * v;
            const double u = rs.next_uniform();
            if (std::log(u) < 0.5 * x * x + dd - dd * v + dd * std::log(v))
                return std::sqrt(2.0 * dd * v);
        }
    }

    void build_fastfood() {
        m_n = detail::next_pow2(m_p);
        const Index nblk = (m_D + m_n - 1) / m_n;
        m_c = static_cast<Scalar>(1.0 /
                                  std::sqrt(static_cast<double>(m_n) * static_cast<double>(m_D)));
        m_blocks.resize(static_cast<std::size_t>(nblk));
        const Index n = m_n;
        const std::uint64_t seed = m_opts.seed;
        detail::parallel_for(
            nblk,
            [&](Index b) {
                FastfoodBlock& fb = m_blocks[static_cast<std::size_t>(b)];
                RandomStream rs(seed ^ 0x46415354464F4F44ull, static_cast<std::uint32_t>(b));
                fb.sign.resize(n);
                fb.gauss.resize(n);
                fb.scale.resize(n);
                fb.perm.resize(static_cast<std::size_t>(n));
                for (Index i = 0; i < n; ++i)
                    fb.sign(i) = (rs.next_u64() & 1u) ? Scalar(1) : Scalar(-1);
                double g2 = 0;
                for (Index i = 0; i < n; ++i) {
                    const double g = rs.next_normal();
                    fb.gauss(i) = static_cast<Scalar>(g);
                    g2 += g * g;
                }
                std::iota(fb.perm.begin(), fb.perm.end(), Index(0));
                subspace::shuffle(fb.perm.begin(), fb.perm.end(), rs);
                const double gn = std::sqrt(g2);
                for (Index i = 0; i < n; ++i) fb.scale(i) = static_cast<Scalar>(chi(rs, n) / gn);
            },
            static_cast<double>(m_D) * 50.0);
    }

    /// out = P z (one column).
    template <class In, class Out>
    void fastfood_apply(const In& z, Out&& out) const {
        const Index n = m_n, D = m_D;
        const auto nblk = static_cast<Index>(m_blocks.size());
        Vec zp = Vec::Zero(n);
        zp.head(m_p) = z;
        const int nt = detail::max_threads();
        std::vector<Vec> bufs(static_cast<std::size_t>(nt), Vec(n)),
            bufs2(static_cast<std::size_t>(nt), Vec(n));
        Scalar* od = &out.coeffRef(0);
        detail::parallel_for(
            nblk,
            [&](Index b) {
#if defined(_OPENMP)
                const auto tid = static_cast<std::size_t>(omp_get_thread_num());
#else
                const std::size_t tid = 0;
#endif
                const FastfoodBlock& fb = m_blocks[static_cast<std::size_t>(b)];
                Vec& t = bufs[tid];
                Vec& u = bufs2[tid];
                t = fb.sign.cwiseProduct(zp);
                detail::fwht_inplace(t.data(), n);
                for (Index i = 0; i < n; ++i)
                    u(i) = t(fb.perm[static_cast<std::size_t>(i)]) * fb.gauss(i);
                detail::fwht_inplace(u.data(), n);
                const Index r0 = b * n, len = std::min(n, D - r0);
                for (Index i = 0; i < len; ++i) od[r0 + i] = m_c * fb.scale(i) * u(i);
            },
            static_cast<double>(D) * std::log2(static_cast<double>(n) + 1.0) * 2.0);
    }

    /// out = Pᵀ g (one column). Blocks are summed in fixed chunks then in chunk order, so the
    /// result does not depend on the thread count.
    template <class In, class Out>
    void fastfood_adjoint(const In& g, Out&& out) const {
        const Index n = m_n, D = m_D;
        const auto nblk = static_cast<Index>(m_blocks.size());
        const Index nchunk = std::min<Index>(nblk, 64);
        std::vector<Vec> acc(static_cast<std::size_t>(nchunk), Vec::Zero(n));
        detail::parallel_for(
            nchunk,
            [&](Index ch) {
                Vec t(n), u(n);
                Vec& a = acc[static_cast<std::size_t>(ch)];
                const Index b0 = nblk * ch / nchunk, b1 = nblk * (ch + 1) / nchunk;
                for (Index b = b0; b < b1; ++b) {
                    const FastfoodBlock& fb = m_blocks[static_cast<std::size_t>(b)];
                    const Index r0 = b * n, len = std::min(n, D - r0);
                    for (Index i = 0; i < len; ++i)
                        t(i) = m_c * fb.scale(i) * static_cast<Scalar>(g(r0 + i));
                    for (Index i = len; i < n; ++i) t(i) = Scalar(0);
                    detail::fwht_inplace(t.data(), n);
                    for (Index i = 0; i < n; ++i)
                        u(fb.perm[static_cast<std::size_t>(i)]) = t(i) * fb.gauss(i);
                    detail::fwht_inplace(u.data(), n);
                    a += fb.sign.cwiseProduct(u);
                }
            },
            static_cast<double>(D) * std::log2(static_cast<double>(n) + 1.0) * 2.0);
        for (Index ch = 1; ch < nchunk; ++ch) acc[0] += acc[static_cast<std::size_t>(ch)];
        out = acc[0].head(m_p);
    }
};

}  // namespace subspace
