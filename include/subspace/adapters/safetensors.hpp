/// \file subspace/adapters/safetensors.hpp
/// \brief Reader and writer for the safetensors format (Hugging Face, 2022), the container of
/// PEFT adapters, with hostile-input validation.
///
/// Layout: an 8-byte little-endian header length N, N bytes of UTF-8 JSON
/// `{"__metadata__": {str: str}, name: {"dtype": "F32", "shape": [...], "data_offsets": [b, e]}}`,
/// then the raw little-endian row-major tensor data; offsets are relative to the first data byte,
/// and the tensors cover the data exactly (contiguous, no overlap, no holes, no trailing bytes).
///
/// The reader (`SafetensorsFile::from_buffer`, `SafetensorsFile::from_file`) validates
/// everything before any tensor is touched: header length against the file size and a limit,
/// strict JSON (detail/json.hpp), the exact keys of each entry, known dtypes, non-negative
/// integer shapes whose element count and byte size are computed with overflow checks and must
/// equal the byte range, offsets in range, contiguous and non-overlapping. Every failure throws
/// `subspace::invalid_argument` naming the tensor and the problem; nothing is read out of bounds.
/// Tensors are converted to Eigen matrices (F64, F32, F16, BF16 and the integer/bool dtypes;
/// row-major to column-major). The writer produces F32, F16, BF16 or F64 tensors, names sorted,
/// header padded with spaces to a multiple of 8 bytes, exactly like the reference writer, so
/// a file read and written again is identical byte for byte.
///
/// Half precision follows IEEE 754-2008 binary16 (round to nearest even on writing, subnormals,
/// infinities and NaN kept); bfloat16 is the top half of a binary32 (round to nearest even).
#pragma once

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <fstream>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include <Eigen/Core>

#include "subspace/adapters/detail/json.hpp"
#include "subspace/core/config.hpp"
#include "subspace/core/error.hpp"

namespace subspace {

/// Element types of a safetensors tensor (those of the format's specification except the 8-bit
/// floats, which are rejected as unknown).
enum class Dtype { f64, f32, f16, bf16, i64, i32, i16, i8, u64, u32, u16, u8, boolean };

/// The name a safetensors header uses for a dtype ("F32", "BF16", "BOOL", ...).
inline const char* dtype_name(Dtype t) {
    switch (t) {
        case Dtype::f64:
            return "F64";
        case Dtype::f32:
            return "F32";
        case Dtype::f16:
            return "F16";
        case Dtype::bf16:
            return "BF16";
        case Dtype::i64:
            return "I64";
        case Dtype::i32:
            return "I32";
        case Dtype::i16:
            return "I16";
        case Dtype::i8:
            return "I8";
        case Dtype::u64:
            return "U64";
        case Dtype::u32:
            return "U32";
        case Dtype::u16:
            return "U16";
        case Dtype::u8:
            return "U8";
        case Dtype::boolean:
            return "BOOL";
    }
    return "?";
}

/// Bytes per element.
inline std::size_t dtype_size(Dtype t) {
    switch (t) {
        case Dtype::f64:
        case Dtype::i64:
        case Dtype::u64:
            return 8;
        case Dtype::f32:
        case Dtype::i32:
        case Dtype::u32:
            return 4;
        case Dtype::f16:
        case Dtype::bf16:
        case Dtype::i16:
        case Dtype::u16:
            return 2;
        case Dtype::i8:
        case Dtype::u8:
        case Dtype::boolean:
            return 1;
    }
    return 1;
}

namespace detail {

/// Dtype for a header name; false if unknown.
inline bool dtype_from_name(const std::string& s, Dtype& out) {
    static const std::pair<const char*, Dtype> table[] = {
        {"F64", Dtype::f64},     {"F32", Dtype::f32}, {"F16", Dtype::f16}, {"BF16", Dtype::bf16},
        {"I64", Dtype::i64},     {"I32", Dtype::i32}, {"I16", Dtype::i16}, {"I8", Dtype::i8},
        {"U64", Dtype::u64},     {"U32", Dtype::u32}, {"U16", Dtype::u16}, {"U8", Dtype::u8},
        {"BOOL", Dtype::boolean}};
    for (const auto& e : table)
        if (s == e.first) {
            out = e.second;
            return true;
        }
    return false;
}

inline std::uint32_t float_bits(float f) {
    std::uint32_t u;
    std::memcpy(&u, &f, 4);
    return u;
}
inline float bits_float(std::uint32_t u) {
    float f;
    std::memcpy(&f, &u, 4);
    return f;
}

/// IEEE binary16 -> binary32 (exact; subnormals, infinities and NaN payloads kept).
inline float half_to_float(std::uint16_t h) {
    const std::uint32_t sign = static_cast<std::uint32_t>(h & 0x8000u) << 16;
    const std::uint32_t exp = (h >> 10) & 0x1Fu;
    const std::uint32_t man = h & 0x3FFu;
    if (exp == 0) {
        // zero or subnormal: man * 2^-24, exact in binary32.
        const float mag = static_cast<float>(man) * 5.9604644775390625e-08f;
        return sign ? -mag : mag;
    }
    if (exp == 31) return bits_float(sign | 0x7F800000u | (man << 13));
    return bits_float(sign | ((exp + 112u) << 23) | (man << 13));
}

/// binary32 -> binary16 with round to nearest, ties to even (overflow to infinity).
inline std::uint16_t float_to_half(float f) {
    const std::uint32_t x = float_bits(f);
    const auto sign = static_cast<std::uint16_t>((x >> 16) & 0x8000u);
    const std::uint32_t ax = x & 0x7FFFFFFFu;
    if (ax >= 0x7F800000u) {  // inf or NaN (keep NaN quiet and non-zero)
        if (ax == 0x7F800000u) return static_cast<std::uint16_t>(sign | 0x7C00u);
        return static_cast<std::uint16_t>(sign | 0x7E00u | ((ax >> 13) & 0x3FFu));
    }
    if (ax >= 0x477FF000u) return static_cast<std::uint16_t>(sign | 0x7C00u);  // >= 65520
    if (ax < 0x38800000u) {                                                    // < 2^-14
        if (ax <= 0x33000000u) return sign;                                    // <= 2^-25
        const std::uint32_t e = ax >> 23;
        const std::uint32_t m = (ax & 0x7FFFFFu) | 0x800000u;
        const std::uint32_t s = 126u - e;  // 14..24
        std::uint32_t q = m >> s;
        const std::uint32_t rem = m & ((1u << s) - 1u);
        const std::uint32_t half = 1u << (s - 1u);
        if (rem > half || (rem == half && (q & 1u))) ++q;
        return static_cast<std::uint16_t>(sign | q);
    }
    const std::uint32_t r = ax + 0xFFFu + ((ax >> 13) & 1u);
    return static_cast<std::uint16_t>(sign | ((r >> 13) - (112u << 10)));
}

/// bfloat16 -> binary32 (exact).
inline float bf16_to_float(std::uint16_t b) {
    return bits_float(static_cast<std::uint32_t>(b) << 16);
}

/// binary32 -> bfloat16 with round to nearest, ties to even (NaN stays NaN).
inline std::uint16_t float_to_bf16(float f) {
    const std::uint32_t x = float_bits(f);
    if ((x & 0x7FFFFFFFu) > 0x7F800000u) return static_cast<std::uint16_t>((x >> 16) | 0x40u);
    return static_cast<std::uint16_t>((x + 0x7FFFu + ((x >> 16) & 1u)) >> 16);
}

inline std::uint64_t load_le(const std::uint8_t* p, int n) {
    std::uint64_t v = 0;
    for (int i = n - 1; i >= 0; --i) v = (v << 8) | p[i];
    return v;
}
inline void store_le(std::vector<std::uint8_t>& out, std::uint64_t v, int n) {
    for (int i = 0; i < n; ++i) out.push_back(static_cast<std::uint8_t>((v >> (8 * i)) & 0xFFu));
}

/// Element k of a little-endian buffer of dtype t, as double.
inline double load_element(const std::uint8_t* p, Dtype t) {
    switch (t) {
        case Dtype::f64: {
            const std::uint64_t u = load_le(p, 8);
            double d;
            std::memcpy(&d, &u, 8);
            return d;
        }
        case Dtype::f32:
            return static_cast<double>(bits_float(static_cast<std::uint32_t>(load_le(p, 4))));
        case Dtype::f16:
            return static_cast<double>(half_to_float(static_cast<std::uint16_t>(load_le(p, 2))));
        case Dtype::bf16:
            return static_cast<double>(bf16_to_float(static_cast<std::uint16_t>(load_le(p, 2))));
        case Dtype::i64:
            return static_cast<double>(static_cast<std::int64_t>(load_le(p, 8)));
        case Dtype::i32:
            return static_cast<double>(
                static_cast<std::int32_t>(static_cast<std::uint32_t>(load_le(p, 4))));
        case Dtype::i16:
            return static_cast<double>(
                static_cast<std::int16_t>(static_cast<std::uint16_t>(load_le(p, 2))));
        case Dtype::i8:
            return static_cast<double>(static_cast<std::int8_t>(p[0]));
        case Dtype::u64:
            return static_cast<double>(load_le(p, 8));
        case Dtype::u32:
            return static_cast<double>(load_le(p, 4));
        case Dtype::u16:
            return static_cast<double>(load_le(p, 2));
        case Dtype::u8:
            return static_cast<double>(p[0]);
        case Dtype::boolean:
            return p[0] != 0 ? 1.0 : 0.0;
    }
    return 0.0;
}

}  // namespace detail

/// Limits the reader enforces before allocating or parsing.
struct SafetensorsLimits {
    /// Largest accepted JSON header (the reference implementation's limit: 100 MiB).
    std::uint64_t max_header_bytes = 100ull * 1024 * 1024;
    /// Deepest accepted JSON nesting (a valid header needs 3).
    int max_json_depth = 16;
    /// Largest accepted tensor rank.
    std::size_t max_rank = 32;
};

/// One tensor of a safetensors file: name, dtype, shape (row-major, outermost first) and byte
/// range [begin, end) relative to the start of the data section.
struct TensorInfo {
    std::string name;
    Dtype dtype = Dtype::f32;
    std::vector<std::int64_t> shape;
    std::uint64_t begin = 0;
    std::uint64_t end = 0;
    /// Number of elements (product of the shape; 1 for a scalar).
    std::uint64_t numel() const {
        std::uint64_t n = 1;
        for (auto s : shape) n *= static_cast<std::uint64_t>(s);
        return n;
    }
};

/// A validated, owned safetensors file (the bytes are copied once into the object).
///
/// \code
/// auto f = subspace::SafetensorsFile::from_file("adapter_model.safetensors");
/// Eigen::MatrixXf A = f.matrix<float>("base_model.model.q_proj.lora_A.weight");   // r x in
/// \endcode
class SafetensorsFile {
public:
    /// Parses and validates a safetensors image in memory ([data, data + size)); copies it.
    /// O(size + header parse). Throws invalid_argument (message names "SafetensorsFile") on any
    /// malformed or hostile content: too short, header length past the end or above
    /// `limits.max_header_bytes`, invalid JSON or UTF-8, wrong entry keys or types, unknown
    /// dtype, negative/non-integer shape or offsets, element count or byte size overflow, shape
    /// not matching the byte range, offsets out of range, overlapping, with holes or trailing
    /// bytes, duplicate names.
    static SafetensorsFile from_buffer(const void* data, std::size_t size,
                                       const SafetensorsLimits& limits = {}) {
        SafetensorsFile f;
        const auto* p = static_cast<const std::uint8_t*>(data);
        if (size > 0 && p == nullptr) fail("null data pointer with a non-zero size");
        f.m_bytes.assign(p, p + size);
        f.parse(limits);
        return f;
    }
    static SafetensorsFile from_buffer(const std::vector<std::uint8_t>& bytes,
                                       const SafetensorsLimits& limits = {}) {
        return from_buffer(bytes.data(), bytes.size(), limits);
    }

    /// Reads and validates the file at `path` (see from_buffer). Throws invalid_argument when
    /// the file cannot be opened or read.
    static SafetensorsFile from_file(const std::string& path,
                                     const SafetensorsLimits& limits = {}) {
        std::ifstream in(path, std::ios::binary | std::ios::ate);
        if (!in)
            detail::throw_invalid("SafetensorsFile::from_file", "path", "a readable file",
                                  "'" + path + "'");
        const std::streamoff n = in.tellg();
        if (n < 0)
            detail::throw_invalid("SafetensorsFile::from_file", "path", "a readable file",
                                  "'" + path + "' (size unknown)");
        std::vector<std::uint8_t> bytes(static_cast<std::size_t>(n));
        in.seekg(0);
        if (n > 0 && !in.read(reinterpret_cast<char*>(bytes.data()), n))
            detail::throw_invalid("SafetensorsFile::from_file", "path", "a readable file",
                                  "'" + path + "' (read failed)");
        SafetensorsFile f;
        f.m_bytes = std::move(bytes);
        f.parse(limits);
        return f;
    }

    /// Tensors in the order of their data (ascending offsets).
    const std::vector<TensorInfo>& tensors() const { return m_tensors; }
    /// Tensor names, sorted.
    std::vector<std::string> names() const {
        std::vector<std::string> n;
        for (const auto& t : m_tensors) n.push_back(t.name);
        std::sort(n.begin(), n.end());
        return n;
    }
    bool contains(const std::string& name) const { return m_index.count(name) != 0; }
    /// The entry for `name`; throws invalid_argument if absent.
    const TensorInfo& info(const std::string& name) const {
        const auto it = m_index.find(name);
        if (it == m_index.end())
            detail::throw_invalid("SafetensorsFile::info", "name",
                                  "the name of a tensor in the file", "'" + name + "'");
        return m_tensors[it->second];
    }
    /// The `__metadata__` string map (empty when absent).
    const std::map<std::string, std::string>& metadata() const { return m_metadata; }
    /// The JSON header length N (bytes 8 .. 8 + N are the header).
    std::uint64_t header_size() const { return m_header_size; }
    /// Pointer to the raw little-endian bytes of `name` (length info(name).end - begin).
    const std::uint8_t* raw(const std::string& name) const {
        const TensorInfo& t = info(name);
        return m_bytes.data() + m_data_start + t.begin;
    }
    /// The whole file image.
    const std::vector<std::uint8_t>& bytes() const { return m_bytes; }

    /// The tensor as a matrix: a 2-D tensor [rows, cols] becomes rows x cols (the row-major
    /// data is transposed into Eigen's column-major storage), a 1-D tensor [n] an n x 1 column,
    /// a scalar 1 x 1. Converts from any dtype (F16/BF16 exactly, F64 rounded for float).
    /// O(numel). Throws invalid_argument for a missing name or a tensor of rank > 2 (use flat).
    template <class Scalar>
    Eigen::Matrix<Scalar, Eigen::Dynamic, Eigen::Dynamic> matrix(const std::string& name) const {
        const TensorInfo& t = info(name);
        if (t.shape.size() > 2)
            detail::throw_invalid("SafetensorsFile::matrix", "name", "a tensor of rank <= 2",
                                  "'" + name + "' of rank " + std::to_string(t.shape.size()));
        const Index rows = t.shape.empty() ? 1 : static_cast<Index>(t.shape[0]);
        const Index cols = t.shape.size() == 2 ? static_cast<Index>(t.shape[1]) : 1;
        Eigen::Matrix<Scalar, Eigen::Dynamic, Eigen::Dynamic> M(rows, cols);
        if (t.numel() == 0) return M;
        const std::uint8_t* p = m_bytes.data() + m_data_start + t.begin;
        const std::size_t es = dtype_size(t.dtype);
        for (Index i = 0; i < rows; ++i)
            for (Index j = 0; j < cols; ++j)
                M(i, j) = static_cast<Scalar>(
                    detail::load_element(p + static_cast<std::size_t>(i * cols + j) * es, t.dtype));
        return M;
    }

    /// The tensor's elements in row-major order as a vector (any rank). O(numel).
    template <class Scalar>
    Eigen::Matrix<Scalar, Eigen::Dynamic, 1> flat(const std::string& name) const {
        const TensorInfo& t = info(name);
        const auto n = static_cast<Index>(t.numel());
        Eigen::Matrix<Scalar, Eigen::Dynamic, 1> v(n);
        const std::uint8_t* p = m_bytes.data() + m_data_start + t.begin;
        const std::size_t es = dtype_size(t.dtype);
        for (Index k = 0; k < n; ++k)
            v(k) = static_cast<Scalar>(
                detail::load_element(p + static_cast<std::size_t>(k) * es, t.dtype));
        return v;
    }

private:
    std::vector<std::uint8_t> m_bytes;
    std::vector<TensorInfo> m_tensors;
    std::map<std::string, std::size_t> m_index;
    std::map<std::string, std::string> m_metadata;
    std::uint64_t m_header_size = 0;
    std::size_t m_data_start = 0;

    [[noreturn]] static void fail(const std::string& what) {
        throw invalid_argument("SafetensorsFile: " + what);
    }

    static std::uint64_t get_nonneg_int(const detail::json::Value& v, const std::string& name,
                                        const char* field) {
        if (!v.is_integer()) fail("tensor '" + name + "': " + field + " entries must be integers");
        if (v.as_int() < 0)
            fail("tensor '" + name + "': " + field + " entries must be non-negative, got " +
                 v.number_text());
        return static_cast<std::uint64_t>(v.as_int());
    }

    void parse(const SafetensorsLimits& limits) {
        const std::size_t size = m_bytes.size();
        if (size < 8)
            fail("file of " + std::to_string(size) +
                 " bytes is shorter than the 8-byte header length");
        const std::uint64_t n = detail::load_le(m_bytes.data(), 8);
        if (n > limits.max_header_bytes)
            fail("header length " + std::to_string(n) + " exceeds the limit of " +
                 std::to_string(limits.max_header_bytes) + " bytes");
        if (n > size - 8)
            fail("header length " + std::to_string(n) + " runs past the end of the file (" +
                 std::to_string(size) + " bytes)");
        m_header_size = n;
        m_data_start = 8 + static_cast<std::size_t>(n);
        const std::uint64_t data_size = size - m_data_start;
        const auto header = detail::json::parse(reinterpret_cast<const char*>(m_bytes.data() + 8),
                                                static_cast<std::size_t>(n),
                                                "SafetensorsFile header", limits.max_json_depth);
        if (!header.is_object()) fail("the header must be a JSON object");
        for (const auto& m : header.members()) {
            const std::string& name = m.first;
            const auto& e = m.second;
            if (name == "__metadata__") {
                if (!e.is_object()) fail("__metadata__ must be an object of strings");
                for (const auto& kv : e.members()) {
                    if (!kv.second.is_string())
                        fail("__metadata__ value for '" + kv.first + "' must be a string");
                    m_metadata[kv.first] = kv.second.as_string();
                }
                continue;
            }
            if (!e.is_object()) fail("tensor '" + name + "': entry must be an object");
            const detail::json::Value* dt = nullptr;
            const detail::json::Value* shape = nullptr;
            const detail::json::Value* offs = nullptr;
            for (const auto& kv : e.members()) {
                if (kv.first == "dtype")
                    dt = &kv.second;
                else if (kv.first == "shape")
                    shape = &kv.second;
                else if (kv.first == "data_offsets")
                    offs = &kv.second;
                else
                    fail("tensor '" + name + "': unknown key '" + kv.first + "'");
            }
            if (!dt || !shape || !offs)
                fail("tensor '" + name + "': needs the keys dtype, shape and data_offsets");
            TensorInfo t;
            t.name = name;
            if (!dt->is_string()) fail("tensor '" + name + "': dtype must be a string");
            if (!detail::dtype_from_name(dt->as_string(), t.dtype))
                fail("tensor '" + name + "': unknown or unsupported dtype '" + dt->as_string() +
                     "' (expected F64, F32, F16, BF16, I64, I32, I16, I8, U64, U32, U16, U8 or "
                     "BOOL)");
            if (!shape->is_array()) fail("tensor '" + name + "': shape must be an array");
            if (shape->items().size() > limits.max_rank)
                fail("tensor '" + name + "': rank " + std::to_string(shape->items().size()) +
                     " exceeds the limit " + std::to_string(limits.max_rank));
            std::uint64_t numel = 1;
            bool overflow = false;
            for (const auto& s : shape->items()) {
                const std::uint64_t k = get_nonneg_int(s, name, "shape");
                t.shape.push_back(static_cast<std::int64_t>(k));
                if (k != 0 && numel > UINT64_MAX / k)
                    overflow = true;
                else
                    numel *= k;
            }
            const std::uint64_t es = dtype_size(t.dtype);
            if (!overflow && numel > UINT64_MAX / es) overflow = true;
            // A zero dimension makes the product 0 whatever the other (possibly huge) extents are.
            bool has_zero = false;
            for (auto s : t.shape) has_zero = has_zero || s == 0;
            if (overflow && !has_zero)
                fail("tensor '" + name + "': the element count of the shape overflows 64 bits");
            if (has_zero) numel = 0;
            const std::uint64_t nbytes = numel * es;
            if (!offs->is_array() || offs->items().size() != 2)
                fail("tensor '" + name + "': data_offsets must be an array [begin, end]");
            t.begin = get_nonneg_int(offs->items()[0], name, "data_offsets");
            t.end = get_nonneg_int(offs->items()[1], name, "data_offsets");
            if (t.end < t.begin)
                fail("tensor '" + name + "': data_offsets end " + std::to_string(t.end) +
                     " is before begin " + std::to_string(t.begin));
            if (t.end > data_size)
                fail("tensor '" + name + "': data_offsets [" + std::to_string(t.begin) + ", " +
                     std::to_string(t.end) + "] out of range of the " + std::to_string(data_size) +
                     "-byte data section");
            if (t.end - t.begin != nbytes)
                fail("tensor '" + name + "': shape and dtype need " + std::to_string(nbytes) +
                     " bytes but data_offsets span " + std::to_string(t.end - t.begin));
            m_tensors.push_back(std::move(t));
        }
        std::stable_sort(m_tensors.begin(), m_tensors.end(),
                         [](const TensorInfo& a, const TensorInfo& b) {
                             return a.begin != b.begin ? a.begin < b.begin : a.end < b.end;
                         });
        std::uint64_t pos = 0;
        for (const auto& t : m_tensors) {
            if (t.begin != pos)
                fail(t.begin < pos
                         ? "tensor '" + t.name + "': data_offsets overlap the previous tensor"
                         : "tensor '" + t.name + "': hole in the data before offset " +
                               std::to_string(t.begin));
            pos = t.end;
        }
        if (pos != data_size)
            fail("the tensors cover " + std::to_string(pos) + " bytes but the data section has " +
                 std::to_string(data_size) + " (trailing bytes)");
        for (std::size_t i = 0; i < m_tensors.size(); ++i) m_index[m_tensors[i].name] = i;
    }
};

/// Builds a safetensors file: tensors are added by name, then `to_bytes()` or `write(path)`.
/// Output matches the reference writer: `__metadata__` first (when non-empty), then the tensors
/// sorted by name with contiguous data in that order, compact JSON, header padded with spaces to
/// a multiple of 8 bytes.
///
/// \code
/// subspace::SafetensorsWriter w;
/// w.set_metadata("format", "pt");
/// w.add("layer.lora_A.weight", A);               // F32, shape [A.rows(), A.cols()]
/// w.add_vector("layer.lora_magnitude_vector", m, subspace::Dtype::f16);
/// w.write("adapter_model.safetensors");
/// \endcode
class SafetensorsWriter {
public:
    /// Sets a `__metadata__` entry.
    void set_metadata(const std::string& key, const std::string& value) { m_metadata[key] = value; }

    /// Adds a 2-D tensor [rows, cols] with the matrix's values (row-major on disk) converted to
    /// `dtype` (F32, F16, BF16 or F64; round to nearest even). Throws invalid_argument for an
    /// empty or duplicate name, "__metadata__", or another dtype. O(rows cols).
    template <class Derived>
    void add(const std::string& name, const Eigen::MatrixBase<Derived>& M,
             Dtype dtype = Dtype::f32) {
        const auto& A = M.derived();
        std::vector<double> v;
        v.reserve(static_cast<std::size_t>(A.size()));
        for (Index i = 0; i < A.rows(); ++i)
            for (Index j = 0; j < A.cols(); ++j) v.push_back(static_cast<double>(A(i, j)));
        add_values(name, {static_cast<std::int64_t>(A.rows()), static_cast<std::int64_t>(A.cols())},
                   v, dtype);
    }

    /// Adds a 1-D tensor [n] from a vector (or any matrix, flattened column by column).
    template <class Derived>
    void add_vector(const std::string& name, const Eigen::MatrixBase<Derived>& v,
                    Dtype dtype = Dtype::f32) {
        const auto& A = v.derived();
        std::vector<double> x;
        x.reserve(static_cast<std::size_t>(A.size()));
        for (Index j = 0; j < A.cols(); ++j)
            for (Index i = 0; i < A.rows(); ++i) x.push_back(static_cast<double>(A(i, j)));
        add_values(name, {static_cast<std::int64_t>(A.size())}, x, dtype);
    }

    /// Adds a tensor of any shape from row-major values.
    void add_values(const std::string& name, const std::vector<std::int64_t>& shape,
                    const std::vector<double>& values, Dtype dtype) {
        check_name(name);
        std::uint64_t n = 1;
        for (auto s : shape) {
            if (s < 0)
                detail::throw_invalid("SafetensorsWriter::add", "shape", "non-negative extents",
                                      std::to_string(s));
            n *= static_cast<std::uint64_t>(s);
        }
        if (n != values.size())
            detail::throw_invalid("SafetensorsWriter::add", "values",
                                  std::to_string(n) + " values for the shape",
                                  std::to_string(values.size()));
        Entry e;
        e.dtype = dtype;
        e.shape = shape;
        for (double x : values) {
            switch (dtype) {
                case Dtype::f64: {
                    std::uint64_t u;
                    std::memcpy(&u, &x, 8);
                    detail::store_le(e.data, u, 8);
                    break;
                }
                case Dtype::f32:
                    detail::store_le(e.data, detail::float_bits(static_cast<float>(x)), 4);
                    break;
                case Dtype::f16:
                    // double -> float -> half; the double rounding is exact for values already
                    // representable in float (the float matrices this writer is used for).
                    detail::store_le(e.data, detail::float_to_half(static_cast<float>(x)), 2);
                    break;
                case Dtype::bf16:
                    detail::store_le(e.data, detail::float_to_bf16(static_cast<float>(x)), 2);
                    break;
                default:
                    detail::throw_invalid("SafetensorsWriter::add", "dtype",
                                          "F64, F32, F16 or BF16", dtype_name(dtype));
            }
        }
        m_entries[name] = std::move(e);
    }

    /// The file image. O(total bytes).
    std::vector<std::uint8_t> to_bytes() const {
        namespace js = detail::json;
        js::Value h = js::Value::object();
        if (!m_metadata.empty()) {
            js::Value md = js::Value::object();
            for (const auto& kv : m_metadata)
                md.members().emplace_back(kv.first, js::Value::string(kv.second));
            h.members().emplace_back("__metadata__", std::move(md));
        }
        std::uint64_t off = 0;
        for (const auto& kv : m_entries) {
            js::Value e = js::Value::object();
            e.members().emplace_back("dtype", js::Value::string(dtype_name(kv.second.dtype)));
            js::Value shape = js::Value::array();
            for (auto s : kv.second.shape) shape.push_back(js::Value::integer(s));
            e.members().emplace_back("shape", std::move(shape));
            js::Value offs = js::Value::array();
            offs.push_back(js::Value::integer(static_cast<std::int64_t>(off)));
            off += kv.second.data.size();
            offs.push_back(js::Value::integer(static_cast<std::int64_t>(off)));
            e.members().emplace_back("data_offsets", std::move(offs));
            h.members().emplace_back(kv.first, std::move(e));
        }
        std::string text = js::dump_compact(h);
        text.append((8 - text.size() % 8) % 8, ' ');
        std::vector<std::uint8_t> out;
        out.reserve(8 + text.size() + off);
        detail::store_le(out, text.size(), 8);
        out.insert(out.end(), text.begin(), text.end());
        for (const auto& kv : m_entries)
            out.insert(out.end(), kv.second.data.begin(), kv.second.data.end());
        return out;
    }

    /// Writes the file image to `path`; throws invalid_argument when the file cannot be written.
    void write(const std::string& path) const {
        const auto b = to_bytes();
        std::ofstream out(path, std::ios::binary | std::ios::trunc);
        if (!out || !out.write(reinterpret_cast<const char*>(b.data()),
                               static_cast<std::streamsize>(b.size())))
            detail::throw_invalid("SafetensorsWriter::write", "path", "a writable file",
                                  "'" + path + "'");
    }

    /// Number of tensors added.
    std::size_t size() const { return m_entries.size(); }

private:
    struct Entry {
        Dtype dtype = Dtype::f32;
        std::vector<std::int64_t> shape;
        std::vector<std::uint8_t> data;
    };
    std::map<std::string, Entry> m_entries;  // sorted by name (byte order = code point order)
    std::map<std::string, std::string> m_metadata;

    void check_name(const std::string& name) const {
        if (name.empty() || name == "__metadata__")
            detail::throw_invalid("SafetensorsWriter::add", "name", "a non-empty tensor name",
                                  "'" + name + "'");
        if (m_entries.count(name))
            detail::throw_invalid("SafetensorsWriter::add", "name", "a name not added before",
                                  "'" + name + "'");
        if (!detail::json::valid_utf8(name))
            detail::throw_invalid("SafetensorsWriter::add", "name", "valid UTF-8", "invalid bytes");
    }
};

}  // namespace subspace
