/// \file subspace/adapters/svd_adapters.hpp
/// \brief Adapters built on the SVD of the frozen weight: `PissaAdapter` (principal singular
/// values and vectors as the LoRA initialisation, frozen residual, export to a plain rank-2r
/// LoRA), `SvfitAdapter` (train the top-r singular values only), `SvftAdapter` (a sparse
/// trainable M in W + U M Vᵀ with plain, banded, random or top-k patterns) and `LamdaAdapter`
/// (frozen SVD projection, trainable r x r core, second projection frozen on a schedule), with
/// `lamda_rank_allocation()` (LaMDA++'s ranks from the normalised spectra).
///
/// Papers:
/// - F. Meng, Z. Wang, M. Zhang, "PiSSA: Principal singular values and singular vectors
///   adaptation of large language models", NeurIPS 2024 (arXiv 2404.02948), eqs. (2)–(4):
///   A = S_r^{1/2} V_rᵀ, B = U_r S_r^{1/2}, W_res = W − B A frozen; PEFT divides S_r by the
///   scale s so that s B A = U_r S_r V_rᵀ, as here. Conversion to LoRA: ΔW = s(B A − B₀ A₀)
///   = s [B, −B₀] [A; A₀] (PEFT's `path_initial_model_for_weight_conversion`).
/// - C. Sun, J. Wei, Y. Wu, Y. Shi, S. He, Z. Ma, N. Xie, Y. Yang, "SVFit: Parameter-efficient
///   fine-tuning of large pre-trained models using singular values", 2024 (arXiv 2409.05926),
///   §3: W = U_r Σ_r V_rᵀ + W_e, only Σ_r trained.
/// - V. Lingam, A. Tejaswi, A. Vavre, A. Shetty, G. K. Gudur, J. Ghosh, A. Dimakis, E. Choi,
///   A. Bojchevski, S. Sanghavi, "SVFT: Parameter-efficient fine-tuning with singular vectors",
///   NeurIPS 2024 (arXiv 2405.19597), eq. (1): W' = W + U M Vᵀ with a sparse trainable M
///   (patterns plain, banded, random, top-k; M = 0 at the start).
/// - S. Azizi, S. Kundu, M. Pedram, "LaMDA: Large model fine-tuning via spectrally decomposed
///   low-dimensional adaptation", EMNLP Findings 2024 (arXiv 2406.12832), §3: ΔW = B S A with
///   A (PMA) frozen and initialised from the SVD of W, S (LDA) an r x r trainable core, B
///   (PMB) trained early and then frozen; LaMDA++ allocates per-layer ranks from the
///   normalised energy of each weight's spectrum.
///
/// Layout: W is out x in, X is in x n (columns are samples), Y = W X + ΔW X is out x n.
/// The SVD is exact (BDCSVD) when min(out, in) <= AdapterSvdOptions::exact_max_dim, otherwise
/// the randomized SVD of the lowrank module.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <numeric>
#include <utility>
#include <vector>

#include <Eigen/Core>
#include <Eigen/SparseCore>

#include "subspace/adapters/common.hpp"
#include "subspace/adapters/lora.hpp"
#include "subspace/core/config.hpp"
#include "subspace/core/error.hpp"
#include "subspace/core/rng.hpp"

namespace subspace {

// ============================================================================================
// PiSSA

/// Options of PissaAdapter.
struct PissaOptions {
    /// rsLoRA scale α/√r instead of α/r.
    bool use_rslora = false;
    /// How the top-r SVD of W is computed (exact for small W, randomized for large).
    AdapterSvdOptions svd = {};
};

/// PiSSA: a LoRA whose factors start at the principal singular triplets of W,
/// A₀ = diag(√(σ/s)) V_rᵀ (r x in), B₀ = U_r diag(√(σ/s)) (out x r), on the frozen residual
/// W_res = W − s B₀ A₀ (so the layer starts exactly at W). Training updates A and B as in LoRA
/// (same gradients); to_lora() exports a plain rank-2r LoRA on the original W with the same
/// function.
template <class Scalar_>
class PissaAdapter {
public:
    using Scalar = Scalar_;
    using Mat = Matrix<Scalar>;
    using Gradient = LoraGradient<Scalar>;

    /// PiSSA on W (out x in): top-r SVD of W (exact or randomized per opts.svd), residual and
    /// factors as above. Cost: the SVD (O(out in min(out, in)) exact, O(out in (r + p) q)
    /// randomized) plus O(out in r); stores W_res, A, B, A₀, B₀.
    /// \throws invalid_argument if W is empty or non-finite, rank not in [1, min(out, in)], or
    ///         alpha not positive and finite.
    template <class Derived>
    PissaAdapter(const Eigen::MatrixBase<Derived>& W, Index rank, double alpha,
                 const PissaOptions& opts = {})
        : m_lora(init(W, rank, alpha, opts)) {
        m_A0 = m_lora.A();
        m_B0 = m_lora.B();
    }

    Mat& A() noexcept { return m_lora.A(); }
    const Mat& A() const noexcept { return m_lora.A(); }
    Mat& B() noexcept { return m_lora.B(); }
    const Mat& B() const noexcept { return m_lora.B(); }
    /// Initial factors A₀ (r x in) and B₀ (out x r).
    const Mat& initial_A() const noexcept { return m_A0; }
    const Mat& initial_B() const noexcept { return m_B0; }
    /// The frozen residual W_res = W − s B₀ A₀ (out x in).
    const Mat& residual() const noexcept { return m_lora.W(); }
    /// The LoRA on W_res that this adapter trains.
    const LoraAdapter<Scalar>& lora() const noexcept { return m_lora; }
    Index rank() const noexcept { return m_lora.rank(); }
    double alpha() const noexcept { return m_lora.alpha(); }
    double scale() const noexcept { return m_lora.scale(); }
    Index in_features() const noexcept { return m_lora.in_features(); }
    Index out_features() const noexcept { return m_lora.out_features(); }
    /// r (in + out).
    Index trainable_parameter_count() const noexcept { return m_lora.trainable_parameter_count(); }

    /// Y = W_res X + s B (A X). Same cost and errors as LoraAdapter::forward().
    template <class Derived>
    Mat forward(const Eigen::MatrixBase<Derived>& X) const {
        return m_lora.forward(X);
    }
    /// LoRA's gradients on W_res (∂L/∂A, ∂L/∂B, ∂L/∂X). Same errors as LoraAdapter::backward().
    template <class DX, class DG>
    Gradient backward(const Eigen::MatrixBase<DX>& X, const Eigen::MatrixBase<DG>& dY) const {
        return m_lora.backward(X, dY);
    }
    /// W_res + s B A (out x in).
    Mat merged() const { return m_lora.merged(); }
    /// The change from the original W: s (B A − B₀ A₀) (out x in, rank <= 2r).
    Mat delta() const { return m_lora.delta() - Scalar(scale()) * (m_B0 * m_A0); }
    /// W += s (B A − B₀ A₀) on the caller's copy of the ORIGINAL weight W.
    /// \throws invalid_argument if W is not out x in.
    template <class Derived>
    void merge_into(Eigen::MatrixBase<Derived>& W) const {
        detail::check_target("subspace::PissaAdapter::merge_into", W, out_features(),
                             in_features());
        W.derived() += delta();
    }
    /// W −= s (B A − B₀ A₀): undoes merge_into().
    template <class Derived>
    void unmerge(Eigen::MatrixBase<Derived>& W) const {
        detail::check_target("subspace::PissaAdapter::unmerge", W, out_features(), in_features());
        W.derived() -= delta();
    }

    /// A plain LoRA on the original weight W = W_res + s B₀ A₀ with rank 2r,
    /// A' = [A; A₀] (2r x in), B' = [B, −B₀] (out x 2r) and α' chosen so the scale is
    /// unchanged (α' = 2α, or √2 α with rsLoRA): it computes the same function as this adapter
    /// (up to rounding). O(out in r).
    /// \throws invalid_argument if 2r > min(out, in) (a LoRA's rank limit).
    LoraAdapter<Scalar> to_lora() const {
        const Index r = rank();
        if (2 * r > std::min(in_features(), out_features()))
            detail::throw_invalid("subspace::PissaAdapter::to_lora", "rank",
                                  "at most min(out, in) / 2 for a rank-2r export",
                                  detail::to_text(r));
        Mat A2(2 * r, in_features());
        A2 << A(), m_A0;
        Mat B2(out_features(), 2 * r);
        B2 << B(), -m_B0;
        const bool rs = m_lora.use_rslora();
        const double alpha2 = rs ? alpha() * std::sqrt(2.0) : 2.0 * alpha();
        Mat W0 = residual();
        W0.noalias() += Scalar(scale()) * (m_B0 * m_A0);
        return LoraAdapter<Scalar>(W0, A2, B2, alpha2, LoraOptions{rs});
    }

private:
    template <class Derived>
    static LoraAdapter<Scalar> init(const Eigen::MatrixBase<Derived>& Win, Index rank, double alpha,
                                    const PissaOptions& opts) {
        const char* fn = "subspace::PissaAdapter";
        detail::check_weight(fn, "W", Win);
        detail::check_adapter_rank(fn, rank, Win.rows(), Win.cols());
        detail::check_positive(fn, "alpha", alpha);
        Mat W = Win;
        const auto svd = detail::top_svd<Scalar>(W, rank, opts.svd);
        const double s = detail::lora_scale(alpha, rank, opts.use_rslora);
        const Vector<Scalar> root = (svd.S.array() / Scalar(s)).sqrt().matrix();
        Mat A = root.asDiagonal() * svd.V.transpose();
        Mat B = svd.U * root.asDiagonal();
        W.noalias() -= Scalar(s) * (B * A);
        return LoraAdapter<Scalar>(W, A, B, alpha, LoraOptions{opts.use_rslora});
    }

    LoraAdapter<Scalar> m_lora;
    Mat m_A0, m_B0;
};

// ============================================================================================
// SVFit

/// Gradients returned by SvfitAdapter::backward().
template <class Scalar>
struct SvfitGradient {
    Vector<Scalar> sigma;  ///< r: ∂L/∂σ
    Matrix<Scalar> X;      ///< in x n: ∂L/∂X
};

/// SVFit: W = U_r diag(σ) V_rᵀ + W_e with the top-r singular vectors U_r (out x r),
/// V_r (in x r) and the remainder W_e frozen; only the r singular values σ are trained
/// (initialised to those of W, so the layer starts at W).
template <class Scalar_>
class SvfitAdapter {
public:
    using Scalar = Scalar_;
    using Mat = Matrix<Scalar>;
    using Vec = Vector<Scalar>;
    using Gradient = SvfitGradient<Scalar>;

    /// SVFit on W (out x in): top-r SVD (exact or randomized per svd), W_e = W − U_r Σ_r V_rᵀ.
    /// Stores W_e, U_r, V_r. Cost: the SVD plus O(out in r).
    /// \throws invalid_argument if W is empty or non-finite, or rank not in [1, min(out, in)].
    template <class Derived>
    SvfitAdapter(const Eigen::MatrixBase<Derived>& W, Index rank,
                 const AdapterSvdOptions& svd = {}) {
        const char* fn = "subspace::SvfitAdapter";
        detail::check_weight(fn, "W", W);
        detail::check_adapter_rank(fn, rank, W.rows(), W.cols());
        m_We = W;
        auto res = detail::top_svd<Scalar>(m_We, rank, svd);
        m_U = std::move(res.U);
        m_V = std::move(res.V);
        m_sigma0 = res.S;
        m_sigma = res.S;
        m_We.noalias() -= m_U * m_sigma.asDiagonal() * m_V.transpose();
    }

    /// Trainable singular values σ (r), mutable.
    Vec& sigma() noexcept { return m_sigma; }
    const Vec& sigma() const noexcept { return m_sigma; }
    /// The singular values of W at construction.
    const Vec& initial_sigma() const noexcept { return m_sigma0; }
    /// Frozen left (out x r) and right (in x r) singular vectors.
    const Mat& U() const noexcept { return m_U; }
    const Mat& V() const noexcept { return m_V; }
    /// Frozen remainder W_e (out x in).
    const Mat& remainder() const noexcept { return m_We; }
    Index rank() const noexcept { return m_U.cols(); }
    Index in_features() const noexcept { return m_We.cols(); }
    Index out_features() const noexcept { return m_We.rows(); }
    /// r.
    Index trainable_parameter_count() const noexcept { return rank(); }

    /// Y = W_e X + U_r (σ ⊙ (V_rᵀ X)) (out x n). O(out in n).
    /// \throws invalid_argument on a bad X (rows, empty, non-finite) or σ of the wrong size.
    template <class Derived>
    Mat forward(const Eigen::MatrixBase<Derived>& X) const {
        const char* fn = "subspace::SvfitAdapter::forward";
        check_sigma(fn);
        detail::check_batch(fn, X, in_features());
        Mat Y(out_features(), X.cols());
        Y.noalias() = m_We * X;
        const Mat VX = m_sigma.asDiagonal() * (m_V.transpose() * X);
        Y.noalias() += m_U * VX;
        return Y;
    }

    /// ∂L/∂σ_i = Σ_n (U_rᵀ dY)_i ⊙ (V_rᵀ X)_i, ∂L/∂X = W_eᵀ dY + V_r diag(σ) U_rᵀ dY.
    /// O(out in n).
    /// \throws invalid_argument on bad X or dY.
    template <class DX, class DG>
    Gradient backward(const Eigen::MatrixBase<DX>& X, const Eigen::MatrixBase<DG>& dY) const {
        const char* fn = "subspace::SvfitAdapter::backward";
        check_sigma(fn);
        detail::check_batch(fn, X, in_features());
        detail::check_upstream(fn, dY, out_features(), X.cols());
        const Mat UG = m_U.transpose() * dY;
        const Mat VX = m_V.transpose() * X;
        Gradient g;
        g.sigma = UG.cwiseProduct(VX).rowwise().sum();
        g.X.noalias() = m_We.transpose() * dY;
        g.X.noalias() += m_V * (m_sigma.asDiagonal() * UG);
        return g;
    }

    /// W_e + U_r diag(σ) V_rᵀ (out x in).
    Mat merged() const {
        Mat M = m_We;
        M.noalias() += m_U * m_sigma.asDiagonal() * m_V.transpose();
        return M;
    }
    /// The change from W: U_r diag(σ − σ₀) V_rᵀ.
    Mat delta() const { return m_U * (m_sigma - m_sigma0).asDiagonal() * m_V.transpose(); }
    /// W += U_r diag(σ − σ₀) V_rᵀ on the caller's copy of the original weight.
    /// \throws invalid_argument if W is not out x in.
    template <class Derived>
    void merge_into(Eigen::MatrixBase<Derived>& W) const {
        detail::check_target("subspace::SvfitAdapter::merge_into", W, out_features(),
                             in_features());
        W.derived() += delta();
    }
    /// Undoes merge_into().
    template <class Derived>
    void unmerge(Eigen::MatrixBase<Derived>& W) const {
        detail::check_target("subspace::SvfitAdapter::unmerge", W, out_features(), in_features());
        W.derived() -= delta();
    }

private:
    void check_sigma(const char* fn) const {
        detail::check_shape(fn, "sigma", m_sigma.rows(), m_sigma.cols(), rank(), 1);
    }
    Mat m_We, m_U, m_V;
    Vec m_sigma, m_sigma0;
};

// ============================================================================================
// SVFT

/// Sparsity pattern of SVFT's trainable M (k x k, k = number of singular vectors used).
enum class SvftPattern {
    plain,   ///< the diagonal only (k parameters)
    banded,  ///< |i − j| <= bandwidth
    random,  ///< the diagonal plus `off_diagonal` random entries per row (from seed)
    top_k,   ///< the diagonal plus the `off_diagonal` · k off-diagonal (i, j) of largest
             ///< |⟨u_i, v_j⟩| (over the first min(out, in) coordinates)
};

/// Options of SvftAdapter.
struct SvftOptions {
    SvftPattern pattern = SvftPattern::plain;
    /// Half-width of the band for SvftPattern::banded (default 1: tri-diagonal).
    Index bandwidth = 1;
    /// Off-diagonal entries per row (random), or per row on average (top_k). Default 1.
    Index off_diagonal = 1;
    /// Number k of singular vectors used; 0 (default) = all, min(out, in).
    Index rank = 0;
    /// Seed of the random pattern.
    std::uint64_t seed = 0x5f7;
    /// SVD options when rank > 0 (exact for small W, randomized for large).
    AdapterSvdOptions svd = {};
};

/// Gradients returned by SvftAdapter::backward().
template <class Scalar>
struct SvftGradient {
    Vector<Scalar> M;  ///< nnz: ∂L/∂M at the pattern entries (same order as pattern())
    Matrix<Scalar> X;  ///< in x n: ∂L/∂X
};

/// SVFT: W' = W + U M Vᵀ with the frozen singular vectors U (out x k), V (in x k) of W and a
/// trainable M (k x k) restricted to a fixed sparsity pattern, initialised to 0.
template <class Scalar_>
class SvftAdapter {
public:
    using Scalar = Scalar_;
    using Mat = Matrix<Scalar>;
    using Vec = Vector<Scalar>;
    using Gradient = SvftGradient<Scalar>;
    using Entry = std::pair<Index, Index>;

    /// SVFT on W (out x in). Cost: the SVD of W (full exact BDCSVD when opts.rank = 0) plus the
    /// pattern (O(k² min(out, in)) for top_k). Stores W, U, V and the nnz pattern entries.
    /// \throws invalid_argument if W is empty or non-finite, opts.rank not in [0, min(out, in)],
    ///         bandwidth < 0, or off_diagonal < 0 (random/top_k) or >= k (random).
    template <class Derived>
    SvftAdapter(const Eigen::MatrixBase<Derived>& W, const SvftOptions& opts = {}) {
        const char* fn = "subspace::SvftAdapter";
        detail::check_weight(fn, "W", W);
        detail::check_in_range(fn, "opts.rank", opts.rank, Index(0), std::min(W.rows(), W.cols()));
        detail::check_nonnegative(fn, "opts.bandwidth", opts.bandwidth);
        detail::check_nonnegative(fn, "opts.off_diagonal", opts.off_diagonal);
        m_W = W;
        auto svd = opts.rank == 0 ? detail::full_svd<Scalar>(m_W)
                                  : detail::top_svd<Scalar>(m_W, opts.rank, opts.svd);
        m_U = std::move(svd.U);
        m_V = std::move(svd.V);
        const Index k = m_U.cols();
        if (opts.pattern == SvftPattern::random && opts.off_diagonal >= k)
            detail::check_in_range(fn, "opts.off_diagonal", opts.off_diagonal, Index(0), k - 1);
        make_pattern(opts);
        m_M = Vec::Zero(static_cast<Index>(m_pattern.size()));
    }

    /// Trainable values of M at the pattern entries (nnz), mutable.
    Vec& M() noexcept { return m_M; }
    const Vec& M() const noexcept { return m_M; }
    /// The (row, column) of each trainable entry, sorted by column then row.
    const std::vector<Entry>& pattern() const noexcept { return m_pattern; }
    /// M as a k x k sparse matrix.
    Eigen::SparseMatrix<Scalar> sparse_M() const {
        std::vector<Eigen::Triplet<Scalar>> t;
        t.reserve(m_pattern.size());
        for (std::size_t e = 0; e < m_pattern.size(); ++e)
            t.emplace_back(m_pattern[e].first, m_pattern[e].second, m_M(static_cast<Index>(e)));
        Eigen::SparseMatrix<Scalar> S(k(), k());
        S.setFromTriplets(t.begin(), t.end());
        return S;
    }
    const Mat& U() const noexcept { return m_U; }
    const Mat& V() const noexcept { return m_V; }
    const Mat& W() const noexcept { return m_W; }
    /// Number k of singular vectors used.
    Index k() const noexcept { return m_U.cols(); }
    Index in_features() const noexcept { return m_W.cols(); }
    Index out_features() const noexcept { return m_W.rows(); }
    /// nnz of the pattern.
    Index trainable_parameter_count() const noexcept {
        return static_cast<Index>(m_pattern.size());
    }

    /// Y = W X + U (M (Vᵀ X)) (out x n). O((out + in) (in + k) n + nnz n).
    /// \throws invalid_argument on a bad X or M of the wrong size.
    template <class Derived>
    Mat forward(const Eigen::MatrixBase<Derived>& X) const {
        const char* fn = "subspace::SvftAdapter::forward";
        check_M(fn);
        detail::check_batch(fn, X, in_features());
        Mat Y(out_features(), X.cols());
        Y.noalias() = m_W * X;
        const Mat VX = m_V.transpose() * X;
        const Mat MVX = sparse_M() * VX;
        Y.noalias() += m_U * MVX;
        return Y;
    }

    /// ∂L/∂M_ij = ⟨(Uᵀ dY)_i, (Vᵀ X)_j⟩ on the pattern, ∂L/∂X = Wᵀ dY + V Mᵀ Uᵀ dY.
    /// \throws invalid_argument on bad X or dY.
    template <class DX, class DG>
    Gradient backward(const Eigen::MatrixBase<DX>& X, const Eigen::MatrixBase<DG>& dY) const {
        const char* fn = "subspace::SvftAdapter::backward";
        check_M(fn);
        detail::check_batch(fn, X, in_features());
        detail::check_upstream(fn, dY, out_features(), X.cols());
        const Mat UG = m_U.transpose() * dY;
        const Mat VX = m_V.transpose() * X;
        Gradient g;
        g.M.resize(m_M.size());
        for (std::size_t e = 0; e < m_pattern.size(); ++e)
            g.M(static_cast<Index>(e)) =
                UG.row(m_pattern[e].first).dot(VX.row(m_pattern[e].second));
        g.X.noalias() = m_W.transpose() * dY;
        const Mat MtUG = sparse_M().transpose() * UG;
        g.X.noalias() += m_V * MtUG;
        return g;
    }

    /// ΔW = U M Vᵀ (out x in).
    Mat delta() const {
        check_M("subspace::SvftAdapter::delta");
        const Mat MVt = sparse_M() * m_V.transpose();
        return m_U * MVt;
    }
    /// W + U M Vᵀ.
    Mat merged() const { return m_W + delta(); }
    /// W += U M Vᵀ on a caller-owned weight.
    template <class Derived>
    void merge_into(Eigen::MatrixBase<Derived>& W) const {
        detail::check_target("subspace::SvftAdapter::merge_into", W, out_features(), in_features());
        W.derived() += delta();
    }
    /// W −= U M Vᵀ.
    template <class Derived>
    void unmerge(Eigen::MatrixBase<Derived>& W) const {
        detail::check_target("subspace::SvftAdapter::unmerge", W, out_features(), in_features());
        W.derived() -= delta();
    }

private:
    void check_M(const char* fn) const {
        detail::check_shape(fn, "M", m_M.rows(), m_M.cols(), static_cast<Index>(m_pattern.size()),
                            1);
    }
    void make_pattern(const SvftOptions& opts) {
        const Index kk = k();
        std::vector<std::vector<bool>> on(static_cast<std::size_t>(kk),
                                          std::vector<bool>(static_cast<std::size_t>(kk), false));
        auto set = [&](Index i, Index j) {
            on[static_cast<std::size_t>(i)][static_cast<std::size_t>(j)] = true;
        };
        for (Index i = 0; i < kk; ++i) set(i, i);
        if (opts.pattern == SvftPattern::banded) {
            for (Index i = 0; i < kk; ++i)
                for (Index j = std::max<Index>(0, i - opts.bandwidth);
                     j <= std::min<Index>(kk - 1, i + opts.bandwidth); ++j)
                    set(i, j);
        } else if (opts.pattern == SvftPattern::random) {
            // Per row, a uniformly random set of `off_diagonal` columns other than i: a partial
            // Fisher–Yates shuffle driven by Philox words of (seed, row).
            const Rng rng(opts.seed, 0x5f7);
            for (Index i = 0; i < kk; ++i) {
                std::vector<Index> cols;
                for (Index j = 0; j < kk; ++j)
                    if (j != i) cols.push_back(j);
                for (Index t = 0; t < opts.off_diagonal; ++t) {
                    const auto w =
                        rng.block(static_cast<std::uint32_t>(t), static_cast<std::uint64_t>(i));
                    const std::uint64_t word = (static_cast<std::uint64_t>(w[1]) << 32) | w[0];
                    const auto left =
                        static_cast<std::uint64_t>(cols.size()) - static_cast<std::uint64_t>(t);
                    const auto pick = static_cast<Index>(word % left) + t;
                    std::swap(cols[static_cast<std::size_t>(t)],
                              cols[static_cast<std::size_t>(pick)]);
                    set(i, cols[static_cast<std::size_t>(t)]);
                }
            }
        } else if (opts.pattern == SvftPattern::top_k) {
            const Index m = std::min(out_features(), in_features());
            const Mat score = (m_U.topRows(m).transpose() * m_V.topRows(m)).cwiseAbs();
            std::vector<std::pair<Scalar, Entry>> cand;
            for (Index j = 0; j < kk; ++j)
                for (Index i = 0; i < kk; ++i)
                    if (i != j) cand.push_back({score(i, j), Entry(i, j)});
            const auto want = static_cast<std::size_t>(
                std::min<Index>(opts.off_diagonal * kk, static_cast<Index>(cand.size())));
            std::stable_sort(cand.begin(), cand.end(),
                             [](const auto& a, const auto& b) { return a.first > b.first; });
            for (std::size_t e = 0; e < want; ++e) set(cand[e].second.first, cand[e].second.second);
        }
        for (Index j = 0; j < kk; ++j)
            for (Index i = 0; i < kk; ++i)
                if (on[static_cast<std::size_t>(i)][static_cast<std::size_t>(j)])
                    m_pattern.emplace_back(i, j);
    }

    Mat m_W, m_U, m_V;
    Vec m_M;
    std::vector<Entry> m_pattern;
};

// ============================================================================================
// LaMDA

/// Options of LamdaAdapter.
struct LamdaOptions {
    /// rsLoRA scale α/√r instead of α/r.
    bool use_rslora = false;
    /// Step at which freezing of B (PMB) starts: before it every column of B is trained.
    Index freeze_start = 0;
    /// Step at which all of B is frozen. Between the two, the first
    /// ⌊r (t − start) / (end − start)⌋ columns of B (those of the largest singular values) are
    /// frozen. Default freeze_start = freeze_end = 0: B frozen from the start (LaMDA's
    /// most frugal setting); set both large to train B throughout.
    Index freeze_end = 0;
    /// How the top-r SVD of W is computed.
    AdapterSvdOptions svd = {};
};

/// Gradients returned by LamdaAdapter::backward().
template <class Scalar>
struct LamdaGradient {
    Matrix<Scalar> S;  ///< r x r: ∂L/∂S
    Matrix<Scalar> B;  ///< out x r: ∂L/∂B, zero in the frozen columns
    Matrix<Scalar> X;  ///< in x n: ∂L/∂X
};

/// LaMDA: Y = W X + s B S (A X) with A = V_rᵀ (r x in, frozen, the top right singular vectors
/// of W), S (r x r, trainable, initialised to 0 so the layer starts at W) and B = U_r
/// (out x r, trained early and frozen column by column on the schedule of LamdaOptions).
template <class Scalar_>
class LamdaAdapter {
public:
    using Scalar = Scalar_;
    using Mat = Matrix<Scalar>;
    using Gradient = LamdaGradient<Scalar>;

    /// LaMDA on W (out x in). Cost: the top-r SVD plus O(out in) to copy W.
    /// \throws invalid_argument if W is empty or non-finite, rank not in [1, min(out, in)],
    ///         alpha not finite, or the freeze steps are negative or out of order.
    template <class Derived>
    LamdaAdapter(const Eigen::MatrixBase<Derived>& W, Index rank, double alpha,
                 const LamdaOptions& opts = {})
        : m_opts(opts) {
        const char* fn = "subspace::LamdaAdapter";
        detail::check_weight(fn, "W", W);
        detail::check_adapter_rank(fn, rank, W.rows(), W.cols());
        detail::check_finite_scalar(fn, "alpha", alpha);
        detail::check_nonnegative(fn, "opts.freeze_start", opts.freeze_start);
        if (opts.freeze_end < opts.freeze_start)
            detail::throw_invalid(fn, "opts.freeze_end", "at least opts.freeze_start",
                                  detail::to_text(opts.freeze_end));
        m_W = W;
        const auto svd = detail::top_svd<Scalar>(m_W, rank, opts.svd);
        m_A = svd.V.transpose();
        m_B = svd.U;
        m_S = Mat::Zero(rank, rank);
        m_alpha = alpha;
        m_scale = detail::lora_scale(alpha, rank, opts.use_rslora);
    }

    /// Trainable core S (r x r), mutable.
    Mat& S() noexcept { return m_S; }
    const Mat& S() const noexcept { return m_S; }
    /// B (out x r), mutable (update only the trainable columns, see trainable_B_columns()).
    Mat& B() noexcept { return m_B; }
    const Mat& B() const noexcept { return m_B; }
    /// The frozen projection A (r x in).
    const Mat& A() const noexcept { return m_A; }
    const Mat& W() const noexcept { return m_W; }
    Index rank() const noexcept { return m_S.rows(); }
    double alpha() const noexcept { return m_alpha; }
    double scale() const noexcept { return m_scale; }
    Index in_features() const noexcept { return m_W.cols(); }
    Index out_features() const noexcept { return m_W.rows(); }

    /// The training step t of the freeze schedule (call set_step once per optimizer step).
    void set_step(Index t) {
        detail::check_nonnegative("subspace::LamdaAdapter::set_step", "t", t);
        m_step = t;
    }
    Index step() const noexcept { return m_step; }
    /// Number of frozen columns of B at the current step.
    Index frozen_B_columns() const noexcept {
        const Index r = rank();
        if (m_step >= m_opts.freeze_end) return r;
        if (m_step < m_opts.freeze_start) return 0;
        return r * (m_step - m_opts.freeze_start) / (m_opts.freeze_end - m_opts.freeze_start);
    }
    /// Number of trainable columns of B at the current step.
    Index trainable_B_columns() const noexcept { return rank() - frozen_B_columns(); }
    /// r² + out · (trainable columns of B) at the current step.
    Index trainable_parameter_count() const noexcept {
        return rank() * rank() + out_features() * trainable_B_columns();
    }

    /// Y = W X + s B (S (A X)) (out x n). O(out in n + r (in + out + r) n).
    /// \throws invalid_argument on a bad X, or S or B of the wrong shape.
    template <class Derived>
    Mat forward(const Eigen::MatrixBase<Derived>& X) const {
        const char* fn = "subspace::LamdaAdapter::forward";
        check_params(fn);
        detail::check_batch(fn, X, in_features());
        Mat Y(out_features(), X.cols());
        Y.noalias() = m_W * X;
        const Mat SAX = Scalar(m_scale) * (m_S * (m_A * X));
        Y.noalias() += m_B * SAX;
        return Y;
    }

    /// ∂L/∂S = s (Bᵀ dY)(A X)ᵀ, ∂L/∂B = s dY (S A X)ᵀ on the trainable columns (0 elsewhere),
    /// ∂L/∂X = Wᵀ dY + s Aᵀ Sᵀ Bᵀ dY. O(out in n + r (in + out + r) n).
    /// \throws invalid_argument on bad X or dY.
    template <class DX, class DG>
    Gradient backward(const Eigen::MatrixBase<DX>& X, const Eigen::MatrixBase<DG>& dY) const {
        const char* fn = "subspace::LamdaAdapter::backward";
        check_params(fn);
        detail::check_batch(fn, X, in_features());
        detail::check_upstream(fn, dY, out_features(), X.cols());
        const Scalar s = static_cast<Scalar>(m_scale);
        const Mat AX = m_A * X;
        const Mat BtG = s * (m_B.transpose() * dY);
        Gradient g;
        g.S.noalias() = BtG * AX.transpose();
        g.B.noalias() = (s * dY) * (m_S * AX).transpose();
        g.B.leftCols(frozen_B_columns()).setZero();
        g.X.noalias() = m_W.transpose() * dY;
        g.X.noalias() += m_A.transpose() * (m_S.transpose() * BtG);
        return g;
    }

    /// ΔW = s B S A (out x in).
    Mat delta() const {
        check_params("subspace::LamdaAdapter::delta");
        return Scalar(m_scale) * (m_B * m_S * m_A);
    }
    /// W + s B S A.
    Mat merged() const { return m_W + delta(); }
    template <class Derived>
    void merge_into(Eigen::MatrixBase<Derived>& W) const {
        detail::check_target("subspace::LamdaAdapter::merge_into", W, out_features(),
                             in_features());
        W.derived() += delta();
    }
    template <class Derived>
    void unmerge(Eigen::MatrixBase<Derived>& W) const {
        detail::check_target("subspace::LamdaAdapter::unmerge", W, out_features(), in_features());
        W.derived() -= delta();
    }

private:
    void check_params(const char* fn) const {
        detail::check_shape(fn, "S", m_S.rows(), m_S.cols(), m_A.rows(), m_A.rows());
        detail::check_shape(fn, "B", m_B.rows(), m_B.cols(), out_features(), m_A.rows());
    }
    LamdaOptions m_opts;
    Mat m_W, m_A, m_B, m_S;
    double m_alpha = 1, m_scale = 1;
    Index m_step = 0;
};

/// LaMDA++ rank allocation: given the singular values of each layer's weight (one vector per
/// layer, any order) and a total rank budget, returns the per-layer ranks r_ℓ (each >= min_rank,
/// at most the spectrum length, Σ r_ℓ = budget) that maximise the total normalised energy
/// Σ_ℓ Σ_{i < r_ℓ} σ_{ℓ,i}² / Σ_i σ_{ℓ,i}² captured. Since each layer's cumulative normalised
/// energy is concave in r, the greedy choice of the largest normalised values σ²/Σσ² across
/// layers is optimal. O(L k log(L k)) for L layers of k values.
/// \throws invalid_argument if there is no layer, a spectrum is empty, non-finite, negative or
///         all zero, min_rank < 1, or budget outside [L min_rank, Σ_ℓ k_ℓ].
template <class Scalar>
std::vector<Index> lamda_rank_allocation(const std::vector<Vector<Scalar>>& spectra, Index budget,
                                         Index min_rank = 1) {
    const char* fn = "subspace::lamda_rank_allocation";
    if (spectra.empty()) detail::throw_invalid(fn, "spectra", "at least one layer", "none");
    detail::check_positive(fn, "min_rank", min_rank);
    Index total = 0;
    std::vector<std::vector<double>> p(spectra.size());
    for (std::size_t l = 0; l < spectra.size(); ++l) {
        const auto& s = spectra[l];
        if (s.size() < min_rank)
            detail::throw_invalid(fn, "spectra", "at least min_rank values per layer",
                                  detail::to_text(s.size()) + " in layer " + detail::to_text(l));
        detail::check_finite(fn, "spectra", s);
        std::vector<double> v(static_cast<std::size_t>(s.size()));
        double sum = 0;
        for (Index i = 0; i < s.size(); ++i) {
            if (s(i) < Scalar(0))
                detail::throw_invalid(fn, "spectra", "non-negative singular values",
                                      detail::to_text(s(i)));
            v[static_cast<std::size_t>(i)] = static_cast<double>(s(i)) * static_cast<double>(s(i));
            sum += v[static_cast<std::size_t>(i)];
        }
        if (!(sum > 0))
            detail::throw_invalid(fn, "spectra", "a nonzero spectrum per layer",
                                  "all zeros in layer " + detail::to_text(l));
        std::sort(v.begin(), v.end(), [](double a, double b) { return a > b; });
        for (auto& x : v) x /= sum;
        p[l] = std::move(v);
        total += s.size();
    }
    const auto L = static_cast<Index>(spectra.size());
    detail::check_in_range(fn, "budget", budget, L * min_rank, total);
    std::vector<Index> rank(spectra.size(), min_rank);
    // Remaining candidates: (value, layer) for i >= min_rank; take the largest.
    std::vector<std::pair<double, std::size_t>> cand;
    for (std::size_t l = 0; l < p.size(); ++l)
        for (std::size_t i = static_cast<std::size_t>(min_rank); i < p[l].size(); ++i)
            cand.push_back({p[l][i], l});
    std::stable_sort(cand.begin(), cand.end(),
                     [](const auto& a, const auto& b) { return a.first > b.first; });
    const auto extra = static_cast<std::size_t>(budget - L * min_rank);
    for (std::size_t e = 0; e < extra; ++e) ++rank[cand[e].second];
    return rank;
}

}  // namespace subspace
