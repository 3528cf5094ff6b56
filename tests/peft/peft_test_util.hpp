// Helpers shared by the tests/peft test files: file loading, a minimal .npy reader (float64,
// C order) and a builder for hand-made safetensors images.
#pragma once

#include <cstdint>
#include <cstring>
#include <fstream>
#include <iterator>
#include <stdexcept>
#include <string>
#include <vector>

#include <Eigen/Core>

#include "support/test_util.hpp"

namespace peft_test {

inline std::string data_path(const std::string& rel) {
    return test_util::test_data_dir() + "/peft/" + rel;
}

inline std::vector<std::uint8_t> read_bytes(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw std::runtime_error("cannot open " + path);
    return std::vector<std::uint8_t>(std::istreambuf_iterator<char>(in),
                                     std::istreambuf_iterator<char>());
}

inline std::string read_text(const std::string& path) {
    const auto b = read_bytes(path);
    return std::string(b.begin(), b.end());
}

/// A .npy file with dtype '<f8', fortran_order False and a 2-D shape, as numpy.save writes it.
inline Eigen::MatrixXd read_npy_f64(const std::string& path) {
    const auto b = read_bytes(path);
    if (b.size() < 10 || std::memcmp(b.data(), "\x93NUMPY", 6) != 0)
        throw std::runtime_error("not npy");
    const std::size_t hlen = b[8] | (static_cast<std::size_t>(b[9]) << 8);
    const std::string h(b.begin() + 10, b.begin() + 10 + static_cast<std::ptrdiff_t>(hlen));
    if (h.find("'<f8'") == std::string::npos || h.find("False") == std::string::npos)
        throw std::runtime_error("unexpected npy header " + h);
    const auto l = h.find("'shape': (");
    long r = 0, c = 0;
    if (std::sscanf(h.c_str() + l + 10, "%ld, %ld", &r, &c) != 2)
        throw std::runtime_error("npy shape");
    Eigen::MatrixXd M(r, c);
    const std::uint8_t* p = b.data() + 10 + hlen;
    for (long i = 0; i < r; ++i)
        for (long j = 0; j < c; ++j) std::memcpy(&M(i, j), p + 8 * (i * c + j), 8);
    return M;
}

/// 8-byte little-endian length + header text + data.
inline std::vector<std::uint8_t> make_image(const std::string& header,
                                            const std::vector<std::uint8_t>& data,
                                            std::uint64_t length_override = UINT64_MAX) {
    std::vector<std::uint8_t> out;
    const std::uint64_t n = length_override == UINT64_MAX ? header.size() : length_override;
    for (int i = 0; i < 8; ++i) out.push_back(static_cast<std::uint8_t>((n >> (8 * i)) & 0xFF));
    out.insert(out.end(), header.begin(), header.end());
    out.insert(out.end(), data.begin(), data.end());
    return out;
}

}  // namespace peft_test
