/// \file subspace/sketch/gradient.hpp
/// \brief Sketched gradient compression for first-order methods.
///
/// Song, Wang, Yang, Yang & Zhou 2023, "Sketching for first order method: efficient algorithm
/// for low-bandwidth channel and vulnerability" (Algorithm 1): a worker sends the sketch R_t g
/// (k numbers) of its gradient g ∈ R^n instead of g; the server de-sketches R_tᵀ R_t g, an
/// unbiased estimate of g since E[R_tᵀ R_t] = I. Both sides draw R_t from the shared
/// (seed, step), so only k numbers travel. Gradient descent with the de-sketched gradients
/// converges for a step size reduced by about the factor k / n (Section 4 of the paper).
#pragma once

#include <cstdint>

#include <Eigen/Core>

#include "subspace/core/config.hpp"
#include "subspace/core/error.hpp"
#include "subspace/sketch/sketch_kind.hpp"

namespace subspace {

/// Compresses gradients of dimension n to k numbers with a sketch R_t (k x n,
/// E[R_tᵀ R_t] = I) drawn afresh for every step t from (seed, t), and de-sketches them.
/// Memory: that of one operator (O(n) for SRHT/CountSketch/sparse sign, none for the dense
/// ones). Costs per call: one application of R_t or R_tᵀ (O(n log n) for SRHT).
/// \tparam Scalar float or double.
template <class Scalar>
class GradientCompressor {
public:
    /// Gradients of dimension n, compressed to k numbers with operators of the given kind.
    /// \throws invalid_argument unless 1 <= k <= n.
    GradientCompressor(Index n, Index k, SketchKind kind = SketchKind::srht, std::uint64_t seed = 0)
        : m_n(n), m_k(k), m_kind(kind), m_seed(seed) {
        detail::check_positive("subspace::GradientCompressor", "n", n);
        detail::check_in_range("subspace::GradientCompressor", "k", k, Index(1), n);
    }
    Index dim() const noexcept { return m_n; }
    Index compressed_dim() const noexcept { return m_k; }

    /// The message of step t: R_t g (k numbers) for a gradient g of n entries.
    /// \throws invalid_argument if g has not n entries, is not a vector, or is not finite.
    template <class Derived>
    Vector<Scalar> compress(const Eigen::MatrixBase<Derived>& g, Index step) const {
        const char* fn = "subspace::GradientCompressor::compress";
        if (g.cols() != 1)
            detail::throw_invalid(fn, "g", "a column vector",
                                  detail::shape_text(g.rows(), g.cols()));
        detail::check_rows(fn, "g", g.rows(), m_n, "the gradient dimension n");
        detail::check_nonnegative(fn, "step", step);
        const Vector<Scalar> gv = g;
        return detail::with_sketch<Scalar>(
            m_kind, m_k, m_n, step_seed(step),
            [&](const auto& R) -> Vector<Scalar> { return R.apply(gv).col(0); });
    }
    /// The de-sketched gradient R_tᵀ c (n entries) of a message c of step t.
    /// \throws invalid_argument if c has not k entries or is not finite.
    template <class Derived>
    Vector<Scalar> decompress(const Eigen::MatrixBase<Derived>& c, Index step) const {
        const char* fn = "subspace::GradientCompressor::decompress";
        if (c.cols() != 1)
            detail::throw_invalid(fn, "c", "a column vector",
                                  detail::shape_text(c.rows(), c.cols()));
        detail::check_rows(fn, "c", c.rows(), m_k, "the compressed dimension k");
        detail::check_nonnegative(fn, "step", step);
        const Vector<Scalar> cv = c;
        return detail::with_sketch<Scalar>(
            m_kind, m_k, m_n, step_seed(step),
            [&](const auto& R) -> Vector<Scalar> { return R.apply_transpose(cv).col(0); });
    }
    /// R_tᵀ R_t g: what the server recovers from the gradient g at step t (unbiased).
    template <class Derived>
    Vector<Scalar> roundtrip(const Eigen::MatrixBase<Derived>& g, Index step) const {
        return decompress(compress(g, step), step);
    }

private:
    std::uint64_t step_seed(Index step) const {
        return m_seed ^ (0x9E3779B97F4A7C15ULL * (static_cast<std::uint64_t>(step) + 1));
    }
    Index m_n, m_k;
    SketchKind m_kind;
    std::uint64_t m_seed;
};

}  // namespace subspace
