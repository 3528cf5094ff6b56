/// \file subspace/core/rng.hpp
/// \brief Counter-based random numbers: Philox4x32-10 and reproducible fills of Eigen blocks.
///
/// Implements the Philox4x32-10 generator of J. K. Salmon, M. A. Moraes, R. O. Dror and
/// D. E. Shaw, "Parallel random numbers: as easy as 1, 2, 3", SC 2011 (Section 4.2, with the
/// multipliers 0xD2511F53 / 0xCD9E8D57 and the Weyl key increments 0x9E3779B9 / 0xBB67AE85),
/// checked against the paper's published known-answer vectors.
///
/// Entry (i, j) of a random matrix is a pure function of (seed, stream, i, j): the 128-bit
/// counter is (row group, stream, column low word, column high word) and the 64-bit key is the
/// seed. A matrix therefore has the same bits whether it is generated whole, by row or column
/// blocks, or by several threads, and a block of a huge random matrix can be generated on
/// demand without storing the rest. Normal deviates use the Box–Muller transform on two
/// 53-bit uniforms (Box & Muller 1958); `float` fills round the same double values, so a float
/// matrix is the rounded double matrix. No std:: distribution is used: their output differs
/// between standard libraries.
#pragma once

#include <array>
#include <cmath>
#include <cstdint>

#include <Eigen/Core>

#include "subspace/detail/parallel.hpp"

namespace subspace {

/// The raw Philox4x32-10 bijection: 4 x 32-bit counter and 2 x 32-bit key to 4 x 32-bit output.
inline std::array<std::uint32_t, 4> philox4x32_10(std::array<std::uint32_t, 4> ctr,
                                                  std::array<std::uint32_t, 2> key) noexcept {
    constexpr std::uint64_t m0 = 0xD2511F53u;
    constexpr std::uint64_t m1 = 0xCD9E8D57u;
    for (int round = 0; round < 10; ++round) {
        if (round > 0) {
            key[0] += 0x9E3779B9u;
            key[1] += 0xBB67AE85u;
        }
        const std::uint64_t p0 = m0 * ctr[0];
        const std::uint64_t p1 = m1 * ctr[2];
        const auto hi0 = static_cast<std::uint32_t>(p0 >> 32);
        const auto lo0 = static_cast<std::uint32_t>(p0);
        const auto hi1 = static_cast<std::uint32_t>(p1 >> 32);
        const auto lo1 = static_cast<std::uint32_t>(p1);
        ctr = {hi1 ^ ctr[1] ^ key[0], lo1, hi0 ^ ctr[3] ^ key[1], lo0};
    }
    return ctr;
}

/// A counter-based random source: a seed (the Philox key) and a 32-bit stream id.
///
/// `Rng` itself holds no state that changes: every fill is a pure function of
/// (seed, stream, row, column), so it may be shared freely between threads.
/// Use `RandomStream` for sequential draws (sampling, shuffling).
///
/// \code
/// subspace::Rng rng(42);
/// Eigen::MatrixXd G(100, 20);
/// rng.fill_normal(G);                       // whole
/// Eigen::MatrixXd H(100, 5);
/// rng.fill_normal(H, 0, 10);                // columns 10..14 of the same matrix: equals
/// G.middleCols(10, 5) \endcode
class Rng {
public:
    /// Random source with key `seed` and stream `stream` (distinct streams are independent).
    explicit Rng(std::uint64_t seed = 0, std::uint32_t stream = 0) noexcept
        : m_seed(seed), m_stream(stream) {}

    std::uint64_t seed() const noexcept { return m_seed; }
    std::uint32_t stream() const noexcept { return m_stream; }
    /// The same seed on another stream.
    Rng with_stream(std::uint32_t stream) const noexcept { return Rng(m_seed, stream); }

    /// The 128 random bits of cell (row group g, column j): Philox of counter (g, stream, j).
    std::array<std::uint32_t, 4> block(std::uint32_t row_group, std::uint64_t col) const noexcept {
        return philox4x32_10(
            {row_group, m_stream, static_cast<std::uint32_t>(col),
             static_cast<std::uint32_t>(col >> 32)},
            {static_cast<std::uint32_t>(m_seed), static_cast<std::uint32_t>(m_seed >> 32)});
    }

    /// 53-bit uniform in the open interval (0, 1) from a 64-bit word.
    static double to_unit_double(std::uint64_t w) noexcept {
        return (static_cast<double>(w >> 11) + 0.5) * 0x1.0p-53;
    }

    /// Fills `out` with uniform deviates on (0, 1): out(i, j) is entry (row0 + i, col0 + j).
    /// float entries use the top 24 bits of the same word, so they also lie in (0, 1).
    template <class Derived>
    void fill_uniform(const Eigen::DenseBase<Derived>& out, Eigen::Index row0 = 0,
                      Eigen::Index col0 = 0) const {
        using Scalar = typename Derived::Scalar;
        fill_cells(out, row0, col0, 2, [](const std::array<std::uint32_t, 4>& w, int lane) {
            const std::uint64_t word =
                (static_cast<std::uint64_t>(w[2 * lane + 1]) << 32) | w[2 * lane];
            if constexpr (sizeof(Scalar) <= 4)
                return static_cast<Scalar>((static_cast<double>(word >> 40) + 0.5) * 0x1.0p-24);
            else
                return static_cast<Scalar>(to_unit_double(word));
        });
    }

    /// Fills `out` with standard normal deviates (Box–Muller): out(i, j) is entry
    /// (row0 + i, col0 + j). A float fill is the rounded double fill.
    template <class Derived>
    void fill_normal(const Eigen::DenseBase<Derived>& out, Eigen::Index row0 = 0,
                     Eigen::Index col0 = 0) const {
        using Scalar = typename Derived::Scalar;
        auto& dst = const_cast<Eigen::DenseBase<Derived>&>(out);
        const Eigen::Index rows = dst.rows();
        const Eigen::Index cols = dst.cols();
        if (rows == 0 || cols == 0) return;
        constexpr double two_pi = 6.283185307179586476925286766559;
        // Box–Muller pairs for the row groups this block touches, computed with Eigen's array
        // functions. The buffers are padded to a multiple of 8 so that every element takes the
        // same (packet) code path wherever it sits: a block is then bitwise the whole matrix.
        const Eigen::Index g0 = row0 >> 1;
        const Eigen::Index g1 = (row0 + rows - 1) >> 1;
        const Eigen::Index ng = g1 - g0 + 1;
        const Eigen::Index padded = (ng + 7) / 8 * 8;
        detail::parallel_for(
            cols,
            [&](Eigen::Index j) {
                const auto col = static_cast<std::uint64_t>(col0 + j);
                Eigen::ArrayXd u1 = Eigen::ArrayXd::Constant(padded, 0.5);
                Eigen::ArrayXd u2 = Eigen::ArrayXd::Constant(padded, 0.5);
                for (Eigen::Index g = 0; g < ng; ++g) {
                    const auto w = block(static_cast<std::uint32_t>(g0 + g), col);
                    u1(g) = to_unit_double((static_cast<std::uint64_t>(w[1]) << 32) | w[0]);
                    u2(g) = to_unit_double((static_cast<std::uint64_t>(w[3]) << 32) | w[2]);
                }
                const Eigen::ArrayXd r = (-2.0 * u1.log()).sqrt();
                const Eigen::ArrayXd t = two_pi * u2;
                const Eigen::ArrayXd c = r * t.cos();
                const Eigen::ArrayXd s = r * t.sin();
                for (Eigen::Index i = 0; i < rows; ++i) {
                    const Eigen::Index gi = row0 + i;
                    const Eigen::Index g = (gi >> 1) - g0;
                    dst.coeffRef(i, j) = static_cast<Scalar>((gi & 1) == 0 ? c(g) : s(g));
                }
            },
            static_cast<double>(rows) * static_cast<double>(cols) * 40.0);
    }

    /// Fills `out` with Rademacher deviates (+1 or -1, each with probability 1/2):
    /// out(i, j) is entry (row0 + i, col0 + j); 128 entries per Philox call.
    template <class Derived>
    void fill_rademacher(const Eigen::DenseBase<Derived>& out, Eigen::Index row0 = 0,
                         Eigen::Index col0 = 0) const {
        using Scalar = typename Derived::Scalar;
        fill_cells(out, row0, col0, 128, [](const std::array<std::uint32_t, 4>& w, int lane) {
            const std::uint32_t bit = (w[lane >> 5] >> (lane & 31)) & 1u;
            return bit ? Scalar(1) : Scalar(-1);
        });
    }

    /// A rows x cols standard normal matrix (entry (i, j) as in fill_normal).
    template <class Scalar>
    Eigen::Matrix<Scalar, Eigen::Dynamic, Eigen::Dynamic> normal(Eigen::Index rows,
                                                                 Eigen::Index cols) const {
        Eigen::Matrix<Scalar, Eigen::Dynamic, Eigen::Dynamic> M(rows, cols);
        fill_normal(M);
        return M;
    }
    /// A rows x cols uniform (0, 1) matrix.
    template <class Scalar>
    Eigen::Matrix<Scalar, Eigen::Dynamic, Eigen::Dynamic> uniform(Eigen::Index rows,
                                                                  Eigen::Index cols) const {
        Eigen::Matrix<Scalar, Eigen::Dynamic, Eigen::Dynamic> M(rows, cols);
        fill_uniform(M);
        return M;
    }
    /// A rows x cols Rademacher matrix.
    template <class Scalar>
    Eigen::Matrix<Scalar, Eigen::Dynamic, Eigen::Dynamic> rademacher(Eigen::Index rows,
                                                                     Eigen::Index cols) const {
        Eigen::Matrix<Scalar, Eigen::Dynamic, Eigen::Dynamic> M(rows, cols);
        fill_rademacher(M);
        return M;
    }

private:
    // Each Philox call yields `per_group` consecutive entries of one column; lane = row %
    // per_group.
    template <class Derived, class Lane>
    void fill_cells(const Eigen::DenseBase<Derived>& out, Eigen::Index row0, Eigen::Index col0,
                    int per_group, Lane lane_value) const {
        auto& dst = const_cast<Eigen::DenseBase<Derived>&>(out);
        const Eigen::Index rows = dst.rows();
        const Eigen::Index cols = dst.cols();
        detail::parallel_for(
            cols,
            [&](Eigen::Index j) {
                const auto col = static_cast<std::uint64_t>(col0 + j);
                Eigen::Index i = 0;
                while (i < rows) {
                    const Eigen::Index gi = row0 + i;
                    const auto group = static_cast<std::uint32_t>(gi / per_group);
                    const auto w = block(group, col);
                    int lane = static_cast<int>(gi % per_group);
                    for (; lane < per_group && i < rows; ++lane, ++i)
                        dst.coeffRef(i, j) = lane_value(w, lane);
                }
            },
            static_cast<double>(rows) * static_cast<double>(cols) * 10.0);
    }

    std::uint64_t m_seed;
    std::uint32_t m_stream;
};

/// Sequential counter-based draws for algorithms that consume random numbers one at a time
/// (row sampling, shuffles, k-means++). Draw number p is a pure function of (seed, stream, p),
/// taken from a counter space (row group 0xFFFFFFFF) that matrix fills of fewer than 2^33
/// rows never touch.
class RandomStream {
public:
    explicit RandomStream(std::uint64_t seed = 0, std::uint32_t stream = 0) noexcept
        : m_rng(seed, stream) {}

    /// The next 64 random bits.
    std::uint64_t next_u64() noexcept {
        if (m_pos % 2 == 0) m_buf = m_rng.block(0xFFFFFFFFu, m_pos / 2);
        const int lane = static_cast<int>(m_pos % 2);
        ++m_pos;
        return (static_cast<std::uint64_t>(m_buf[2 * lane + 1]) << 32) | m_buf[2 * lane];
    }
    /// Uniform on (0, 1) with 53 random bits.
    double next_uniform() noexcept { return Rng::to_unit_double(next_u64()); }
    /// Standard normal (Box–Muller, the cosine branch of a fresh pair of uniforms).
    double next_normal() noexcept {
        const double u1 = next_uniform();
        const double u2 = next_uniform();
        return std::sqrt(-2.0 * std::log(u1)) * std::cos(6.283185307179586476925286766559 * u2);
    }
    /// Uniform integer in [0, n), unbiased (Lemire's multiply-and-reject). n must be positive.
    std::uint64_t next_below(std::uint64_t n) noexcept {
        std::uint64_t hi = 0;
        std::uint64_t lo = mul_64x64(next_u64(), n, hi);
        if (lo < n) {
            const std::uint64_t threshold = (0 - n) % n;
            while (lo < threshold) lo = mul_64x64(next_u64(), n, hi);
        }
        return hi;
    }
    /// Number of 64-bit draws taken so far.
    std::uint64_t position() const noexcept { return m_pos; }

    // UniformRandomBitGenerator interface.
    using result_type = std::uint64_t;
    static constexpr result_type min() { return 0; }
    static constexpr result_type max() { return ~result_type(0); }
    result_type operator()() noexcept { return next_u64(); }

private:
    // Full 64 x 64 -> 128-bit product: returns the low word, stores the high word.
    static std::uint64_t mul_64x64(std::uint64_t a, std::uint64_t b, std::uint64_t& hi) noexcept {
        const std::uint64_t a0 = a & 0xFFFFFFFFu, a1 = a >> 32;
        const std::uint64_t b0 = b & 0xFFFFFFFFu, b1 = b >> 32;
        const std::uint64_t p00 = a0 * b0, p01 = a0 * b1, p10 = a1 * b0, p11 = a1 * b1;
        const std::uint64_t mid = (p00 >> 32) + (p01 & 0xFFFFFFFFu) + (p10 & 0xFFFFFFFFu);
        hi = p11 + (p01 >> 32) + (p10 >> 32) + (mid >> 32);
        return (mid << 32) | (p00 & 0xFFFFFFFFu);
    }

    Rng m_rng;
    std::uint64_t m_pos = 0;
    std::array<std::uint32_t, 4> m_buf{};
};

/// Fisher–Yates shuffle of [first, last) with a RandomStream (same result on every platform,
/// unlike std::shuffle).
template <class It>
void shuffle(It first, It last, RandomStream& rs) {
    const auto n = static_cast<std::uint64_t>(last - first);
    for (std::uint64_t i = n; i > 1; --i) {
        const auto j = rs.next_below(i);
        using std::swap;
        swap(first[static_cast<std::ptrdiff_t>(i - 1)], first[static_cast<std::ptrdiff_t>(j)]);
    }
}

}  // namespace subspace
