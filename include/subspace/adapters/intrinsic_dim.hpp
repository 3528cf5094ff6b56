/// \file subspace/adapters/intrinsic_dim.hpp
/// \brief The intrinsic dimension of an objective landscape, d_int90 (Li, Farkhoor, Liu &
/// Yosinski 2018, "Measuring the intrinsic dimension of objective landscapes", Section 2):
/// train the same model in random subspaces θ = θ₀ + P z of increasing dimension d
/// (`RandomSubspace`, optionally with SAID's per-layer scales, Aghajanyan et al. 2020) and
/// report the smallest d whose score reaches 90% of the score of training all D parameters.
///
/// The model is a user callable returning the loss and its gradient with respect to θ; the
/// score is a second callable (e.g. test accuracy; higher is better). Optimisation is Adam
/// (Kingma & Ba 2015, Algorithm 1) with an optional linear learning-rate decay, full batch (the
/// callable may sample mini-batches itself).
#pragma once

#include <cmath>
#include <cstdint>
#include <functional>
#include <limits>
#include <vector>

#include <Eigen/Core>

#include "subspace/adapters/random_subspace.hpp"
#include "subspace/core/config.hpp"
#include "subspace/core/error.hpp"

namespace subspace {

/// Adam settings used by intrinsic_dimension and adam_minimize.
struct AdamOptions {
    Index iterations = 500;       ///< gradient steps
    double learning_rate = 1e-2;  ///< step size α
    double beta1 = 0.9;
    double beta2 = 0.999;
    double epsilon = 1e-8;
    bool linear_decay = true;  ///< α_t = α (1 − t / iterations)
};

/// Result of adam_minimize.
template <class Scalar>
struct AdamResult {
    Vector<Scalar> x;       ///< final iterate
    double loss = 0;        ///< loss at the last evaluated iterate
    Index iterations = 0;   ///< steps taken
    bool diverged = false;  ///< a loss or gradient became non-finite (x is the last finite iterate)
};

/// Minimises f with Adam from x0. `f(const Vector<Scalar>& x, Vector<Scalar>& grad) -> loss`
/// must resize/fill grad (same size as x). O(iterations) calls of f plus O(iterations · n).
/// \throws invalid_argument for a non-positive learning rate or a negative iteration count.
template <class Scalar, class F>
AdamResult<Scalar> adam_minimize(const Vector<Scalar>& x0, F&& f, const AdamOptions& opts = {}) {
    const char* fn = "adam_minimize";
    detail::check_positive(fn, "opts.learning_rate", opts.learning_rate);
    detail::check_nonnegative(fn, "opts.iterations", opts.iterations);
    detail::check_in_range(fn, "opts.beta1", opts.beta1, 0.0, 0.999999);
    detail::check_in_range(fn, "opts.beta2", opts.beta2, 0.0, 0.999999999);
    AdamResult<Scalar> r;
    r.x = x0;
    const Index n = x0.size();
    Vector<double> m = Vector<double>::Zero(n), v = Vector<double>::Zero(n);
    Vector<Scalar> g(n);
    double b1t = 1, b2t = 1;
    for (Index t = 0; t < opts.iterations; ++t) {
        g.setZero(n);
        const double loss = static_cast<double>(f(r.x, g));
        if (!std::isfinite(loss) || !g.allFinite() || g.size() != n) {
            r.diverged = true;
            r.loss = loss;
            return r;
        }
        r.loss = loss;
        b1t *= opts.beta1;
        b2t *= opts.beta2;
        const double lr =
            opts.linear_decay
                ? opts.learning_rate *
                      (1.0 - static_cast<double>(t) / static_cast<double>(opts.iterations))
                : opts.learning_rate;
        for (Index i = 0; i < n; ++i) {
            const auto gi = static_cast<double>(g(i));
            m(i) = opts.beta1 * m(i) + (1 - opts.beta1) * gi;
            v(i) = opts.beta2 * v(i) + (1 - opts.beta2) * gi * gi;
            const double mh = m(i) / (1 - b1t), vh = v(i) / (1 - b2t);
            r.x(i) -= static_cast<Scalar>(lr * mh / (std::sqrt(vh) + opts.epsilon));
        }
        r.iterations = t + 1;
    }
    g.setZero(n);
    r.loss = static_cast<double>(f(r.x, g));
    return r;
}

/// Options of intrinsic_dimension.
struct IntrinsicDimOptions {
    /// Subspace dimensions to try, in increasing order.
    std::vector<Index> dims = {10, 20, 50, 100, 200, 500, 1000};
    /// Projection (Fastfood by default), seed and SAID settings of every RandomSubspace.
    RandomSubspaceOptions subspace{};
    /// Adam in the subspace.
    AdamOptions adam{};
    /// Adam in the full space (the baseline); learning_rate 0 means "same as adam".
    AdamOptions full_adam{500, 0.0, 0.9, 0.999, 1e-8, true};
    /// Fraction of the full-space score to reach (0.9 gives d_int90).
    double threshold = 0.9;
    /// Stop the sweep at the first d that reaches the threshold.
    bool stop_when_reached = false;
    /// Called after each d with (d, score); returning false stops the sweep.
    std::function<bool(Index, double)> progress;
};

/// Result of intrinsic_dimension: the curve and d_int.
struct IntrinsicDimResult {
    double full_score = 0;       ///< score after training all D parameters
    double full_loss = 0;        ///< its final loss
    double target_score = 0;     ///< threshold · full_score
    std::vector<Index> dims;     ///< dimensions tried
    std::vector<double> scores;  ///< score at each d
    std::vector<double> losses;  ///< final loss at each d
    Index d_int = -1;  ///< smallest d with score >= target (d_int90 for threshold 0.9); -1 if none
    bool reached = false;  ///< d_int was found
    bool stopped = false;  ///< the progress callback stopped the sweep
};

/// Measures d_int (Li et al. 2018): trains all D parameters from theta0 with Adam (baseline
/// score s_full), then for each d in opts.dims trains z in RandomSubspace(theta0, d, ...) from
/// z₀ (θ = θ₀) and records score(θ(z)); d_int is the smallest d with score ≥ threshold · s_full.
///
/// `loss_grad(const Vector<Scalar>& theta, Vector<Scalar>& grad) -> loss` (grad = ∂L/∂θ, D
/// entries); `score(const Vector<Scalar>& theta) -> double`, higher is better and positive for
/// the ratio to be meaningful. Cost: (1 + |dims|) · iterations loss/gradient evaluations, plus
/// two RandomSubspace products per step (O(D log d) with Fastfood).
/// \throws invalid_argument for an empty theta0, empty or non-increasing dims, a threshold
/// outside (0, 1], or what RandomSubspace/adam_minimize throw.
template <class Scalar, class Derived, class LossGrad, class Score>
IntrinsicDimResult intrinsic_dimension(const Eigen::MatrixBase<Derived>& theta0,
                                       LossGrad&& loss_grad, Score&& score,
                                       const IntrinsicDimOptions& opts = {}) {
    const char* fn = "intrinsic_dimension";
    if (theta0.cols() != 1 || theta0.rows() < 1)
        detail::throw_invalid(fn, "theta0", "a non-empty column vector",
                              detail::shape_text(theta0.rows(), theta0.cols()));
    if (opts.dims.empty()) detail::throw_invalid(fn, "opts.dims", "non-empty", "an empty list");
    for (std::size_t i = 0; i < opts.dims.size(); ++i)
        if (opts.dims[i] < 1 || (i > 0 && opts.dims[i] <= opts.dims[i - 1]))
            detail::throw_invalid(fn, "opts.dims", "positive and increasing",
                                  "entry " + detail::to_text(opts.dims[i]));
    if (!(opts.threshold > 0 && opts.threshold <= 1))
        detail::throw_invalid(fn, "opts.threshold", "in (0, 1]", detail::to_text(opts.threshold));
    const Vector<Scalar> t0 = theta0.template cast<Scalar>();
    IntrinsicDimResult res;
    AdamOptions fa = opts.full_adam;
    if (fa.learning_rate == 0.0) fa.learning_rate = opts.adam.learning_rate;
    const auto full = adam_minimize<Scalar>(t0, loss_grad, fa);
    res.full_loss = full.loss;
    res.full_score = static_cast<double>(score(full.x));
    res.target_score = opts.threshold * res.full_score;
    for (Index d : opts.dims) {
        const RandomSubspace<Scalar> sub(t0, d, opts.subspace);
        Vector<Scalar> th(t0.size()), gth(t0.size());
        const auto fz = [&](const Vector<Scalar>& z, Vector<Scalar>& gz) {
            th = sub.theta(z);
            gth.setZero(t0.size());
            const auto loss = loss_grad(th, gth);
            gz = sub.gradient(z, gth);
            return loss;
        };
        const auto r = adam_minimize<Scalar>(sub.initial_z(), fz, opts.adam);
        const double s = static_cast<double>(score(sub.theta(r.x)));
        res.dims.push_back(d);
        res.scores.push_back(s);
        res.losses.push_back(r.loss);
        if (!res.reached && s >= res.target_score) {
            res.reached = true;
            res.d_int = d;
        }
        if (opts.progress && !opts.progress(d, s)) {
            res.stopped = true;
            break;
        }
        if (res.reached && opts.stop_when_reached) break;
    }
    return res;
}

}  // namespace subspace
