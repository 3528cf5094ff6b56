// safetensors reader/writer: the golden PEFT file from ../shared/reference/peft_io_ref.py
// (byte-for-byte round trip, values against numpy's merged deltas), F16/BF16/F64 conversion against
// numpy, the strict JSON parser, and every malformed-input path of the reader.
#include <cmath>
#include <cstdint>
#include <fstream>
#include <limits>
#include <sstream>
#include <string>
#include <vector>

#include <Eigen/Core>

#include "subspace/adapters/safetensors.hpp"

#include "catch_compat.hpp"
#include "peft/peft_test_util.hpp"

namespace {

using subspace::Dtype;
using subspace::SafetensorsFile;
using subspace::SafetensorsWriter;
namespace js = subspace::detail::json;

const char* const kGolden = "toy_lora_adapter/adapter_model.safetensors";
const std::string kDown = "base_model.model.model.layers.0.mlp.down_proj";
const std::string kQ = "base_model.model.model.layers.0.self_attn.q_proj";

std::string reader_error(const std::vector<std::uint8_t>& img) {
    try {
        (void)SafetensorsFile::from_buffer(img);
    } catch (const subspace::invalid_argument& e) {
        return e.what();
    }
    return "";
}

std::vector<std::uint8_t> zeros(std::size_t n) { return std::vector<std::uint8_t>(n, 0); }

}  // namespace

TEST_CASE("golden PEFT safetensors: contents match numpy and rewrite is byte-identical",
          "[peft][safetensors]") {
    const auto bytes = peft_test::read_bytes(peft_test::data_path(kGolden));
    const auto f = SafetensorsFile::from_file(peft_test::data_path(kGolden));
    REQUIRE(f.bytes() == bytes);
    REQUIRE(f.metadata().size() == 1);
    REQUIRE(f.metadata().at("format") == "pt");
    REQUIRE(f.tensors().size() == 4);
    REQUIRE(f.header_size() % 8 == 0);
    const auto& ia = f.info(kDown + ".lora_A.weight");
    REQUIRE(ia.dtype == Dtype::f32);
    REQUIRE(ia.shape == std::vector<std::int64_t>{4, 32});
    REQUIRE(ia.begin == 0);
    REQUIRE(ia.end == 512);
    // numpy's merged delta (alpha / r) B A in float64 from the float32 factors: exact up to the
    // float64 rounding of a length-4 dot product.
    for (const auto& mod : {std::string("model_layers_0_mlp_down_proj"),
                            std::string("model_layers_0_self_attn_q_proj")}) {
        const std::string key = mod == "model_layers_0_mlp_down_proj" ? kDown : kQ;
        const Eigen::MatrixXd A = f.matrix<double>(key + ".lora_A.weight");
        const Eigen::MatrixXd B = f.matrix<double>(key + ".lora_B.weight");
        REQUIRE(A.rows() == 4);
        REQUIRE(B.cols() == 4);
        const Eigen::MatrixXd ref = peft_test::read_npy_f64(
            peft_test::data_path("toy_lora_adapter/" + mod + "_deltaW_f64.npy"));
        const Eigen::MatrixXd dW = 2.0 * B * A;
        REQUIRE(ref.rows() == dW.rows());
        REQUIRE(ref.cols() == dW.cols());
        REQUIRE((dW - ref).cwiseAbs().maxCoeff() <= 1e-14 * (1.0 + ref.cwiseAbs().maxCoeff()));
        // float read is the same bits as the double read.
        REQUIRE(
            (f.matrix<float>(key + ".lora_A.weight").cast<double>() - A).cwiseAbs().maxCoeff() ==
            0.0);
    }
    // Row-major on disk: element (i, j) of lora_A [4, 32] is float number i*32+j of the data.
    const Eigen::VectorXf flat = f.flat<float>(kDown + ".lora_A.weight");
    const Eigen::MatrixXf A = f.matrix<float>(kDown + ".lora_A.weight");
    REQUIRE(flat(1 * 32 + 5) == A(1, 5));
    float first;
    std::memcpy(&first, bytes.data() + 8 + f.header_size(), 4);
    REQUIRE(A(0, 0) == first);

    SafetensorsWriter w;
    for (const auto& kv : f.metadata()) w.set_metadata(kv.first, kv.second);
    // Added in reverse order on purpose: the writer sorts by name.
    const auto names = f.names();
    for (auto it = names.rbegin(); it != names.rend(); ++it) w.add(*it, f.matrix<float>(*it));
    REQUIRE(w.to_bytes() == bytes);
    // Through double, too.
    SafetensorsWriter w2;
    w2.set_metadata("format", "pt");
    for (const auto& n : names) w2.add(n, f.matrix<double>(n));
    REQUIRE(w2.to_bytes() == bytes);
}

TEST_CASE("F16, BF16 and F64 tensors convert exactly as numpy does", "[peft][safetensors]") {
    const auto f = SafetensorsFile::from_file(peft_test::data_path("dtype_cases.safetensors"));
    REQUIRE(f.metadata().at("note") == "dtype cases");
    std::istringstream in(peft_test::read_text(peft_test::data_path("dtype_cases_expected.txt")));
    std::string name;
    int checked = 0;
    while (in >> name) {
        long r = 0, c = 0;
        in >> r >> c;
        Eigen::MatrixXd E(r, c);
        for (long i = 0; i < r; ++i)
            for (long j = 0; j < c; ++j) {
                std::string tok;
                in >> tok;
                E(i, j) = std::strtod(tok.c_str(), nullptr);
            }
        INFO(name);
        const Eigen::MatrixXd M = f.matrix<double>(name);
        REQUIRE(M.rows() == r);
        REQUIRE(M.cols() == c);
        for (long i = 0; i < r; ++i)
            for (long j = 0; j < c; ++j) {
                CAPTURE(i, j, E(i, j), M(i, j));
                REQUIRE((M(i, j) == E(i, j) && std::signbit(M(i, j)) == std::signbit(E(i, j))));
            }
        ++checked;
    }
    REQUIRE(checked == 5);
    REQUIRE(f.info("bf16_vec").dtype == Dtype::bf16);
    REQUIRE(f.info("m_f16").shape == std::vector<std::int64_t>{3, 5});

    // Writer: float32 -> float16 rounding equals numpy's astype(float16) bit for bit
    // (overflow to inf, subnormals, ties to even).
    const Eigen::VectorXf src = f.flat<float>("src_f32");
    SafetensorsWriter w;
    w.add_vector("x", src, Dtype::f16);
    const auto img = w.to_bytes();
    const auto back = SafetensorsFile::from_buffer(img);
    const auto n = static_cast<std::size_t>(src.size()) * 2;
    REQUIRE(f.info("src_f16").end - f.info("src_f16").begin == n);
    REQUIRE(std::memcmp(back.raw("x"), f.raw("src_f16"), n) == 0);
    // BF16 bits survive a read/write round trip exactly.
    SafetensorsWriter wb;
    wb.add_vector("b", f.flat<float>("bf16_vec"), Dtype::bf16);
    const auto bimg = wb.to_bytes();
    const auto bback = SafetensorsFile::from_buffer(bimg);
    REQUIRE(std::memcmp(
                bback.raw("b"), f.raw("bf16_vec"),
                static_cast<std::size_t>(f.info("bf16_vec").end - f.info("bf16_vec").begin)) == 0);
    // F64 matrix round trip (column-major conversion both ways).
    SafetensorsWriter wd;
    wd.add("m", f.matrix<double>("m_f64"), Dtype::f64);
    const auto dimg = wd.to_bytes();
    REQUIRE(std::memcmp(SafetensorsFile::from_buffer(dimg).raw("m"), f.raw("m_f64"), 48) == 0);
}

TEST_CASE("half and bfloat16 conversions: known bit patterns and rounding", "[peft][safetensors]") {
    using subspace::detail::float_to_bf16;
    using subspace::detail::float_to_half;
    using subspace::detail::half_to_float;
    REQUIRE(float_to_half(1.0f) == 0x3C00);
    REQUIRE(float_to_half(-2.0f) == 0xC000);
    REQUIRE(float_to_half(65504.0f) == 0x7BFF);
    REQUIRE(float_to_half(65520.0f) == 0x7C00);
    REQUIRE(float_to_half(std::ldexp(1.0f, -24)) == 0x0001);
    REQUIRE(float_to_half(std::ldexp(1.0f, -25)) == 0x0000);             // tie -> even (0)
    REQUIRE(float_to_half(std::ldexp(3.0f, -25)) == 0x0002);             // tie -> even (2)
    REQUIRE(float_to_half(1.0f + std::ldexp(1.0f, -11)) == 0x3C00);      // tie -> even
    REQUIRE(float_to_half(1.0f + 3 * std::ldexp(1.0f, -11)) == 0x3C02);  // tie -> even
    REQUIRE(std::isnan(half_to_float(float_to_half(std::numeric_limits<float>::quiet_NaN()))));
    REQUIRE(half_to_float(0x0001) == std::ldexp(1.0f, -24));
    REQUIRE(half_to_float(0x7C00) == std::numeric_limits<float>::infinity());
    REQUIRE(half_to_float(0x3555) == Approx(0.333251953125).epsilon(0));
    // Every finite half survives half -> float -> half.
    for (std::uint32_t h = 0; h < 0x10000; ++h) {
        if ((h & 0x7C00) == 0x7C00 && (h & 0x3FF) != 0) continue;  // NaN
        REQUIRE(float_to_half(half_to_float(static_cast<std::uint16_t>(h))) == h);
    }
    REQUIRE(float_to_bf16(1.0f) == 0x3F80);
    REQUIRE(float_to_bf16(subspace::detail::bits_float(0x3F808000u)) == 0x3F80);  // tie -> even
    REQUIRE(float_to_bf16(subspace::detail::bits_float(0x3F818000u)) == 0x3F82);  // tie -> even
    REQUIRE(float_to_bf16(subspace::detail::bits_float(0x3F808001u)) == 0x3F81);
}

TEST_CASE("strict JSON parser and Python-compatible writers", "[peft][json]") {
    const std::string doc =
        R"( {"a": [1, -2, 3.5e-3, true, false, null], "s": "x\"\\\/\b\f\n\r\t\u00e9\ud83d\ude00", "o": {}} )";
    const auto v = js::parse(doc, "test");
    REQUIRE(v.is_object());
    REQUIRE(v.find("a")->items().size() == 6);
    REQUIRE(v.find("a")->items()[1].as_int() == -2);
    REQUIRE(v.find("a")->items()[2].as_double() == 3.5e-3);
    REQUIRE(v.find("s")->as_string() == "x\"\\/\b\f\n\r\t\xc3\xa9\xf0\x9f\x98\x80");
    // Python: json.dumps(json.loads(doc), separators=(",", ":"))
    REQUIRE(
        js::dump_compact(v) ==
        R"({"a":[1,-2,3.5e-3,true,false,null],"s":"x\"\\/\b\f\n\r\t\u00e9\ud83d\ude00","o":{}})");
    REQUIRE(js::dump_pretty(js::parse(R"({"k": [1, "a"], "e": [], "n": {"x": null}})", "t")) ==
            "{\n  \"k\": [\n    1,\n    \"a\"\n  ],\n  \"e\": [],\n  \"n\": {\n    \"x\": null\n  "
            "}\n}");
    REQUIRE(js::parse("9223372036854775807", "t").as_int() == INT64_MAX);
    REQUIRE(js::parse("-9223372036854775808", "t").as_int() == INT64_MIN);
    // Python repr of floats.
    REQUIRE(js::Value::python_float_repr(0.1) == "0.1");
    REQUIRE(js::Value::python_float_repr(8.0) == "8.0");
    REQUIRE(js::Value::python_float_repr(1e16) == "1e+16");
    REQUIRE(js::Value::python_float_repr(1e15) == "1000000000000000.0");
    REQUIRE(js::Value::python_float_repr(1e-5) == "1e-05");
    REQUIRE(js::Value::python_float_repr(0.0001) == "0.0001");
    REQUIRE(js::Value::python_float_repr(-1.5e-7) == "-1.5e-07");
    REQUIRE(js::Value::python_float_repr(123.456) == "123.456");
    REQUIRE(js::Value::python_float_repr(2.0 / 3.0) == "0.6666666666666666");

    const char* bad[] = {"",
                         " ",
                         "{",
                         "}",
                         "[1,]",
                         "{\"a\":1,}",
                         "{\"a\" 1}",
                         "{a:1}",
                         "01",
                         "-",
                         "1.",
                         "1e",
                         ".5",
                         "+1",
                         "tru",
                         "nul",
                         "NaN",
                         "Infinity",
                         "\"abc",
                         "\"\\x\"",
                         "\"\\u12\"",
                         "\"\\ud800\"",
                         "\"\\udc00\"",
                         "\"\\ud800\\u0041\"",
                         "\"a\tb\"",
                         "\"\xc0\xaf\"",
                         "\"\xed\xa0\x80\"",
                         "\"\xf5\x80\x80\x80\"",
                         "\"\xe2\x82\"",
                         "{\"a\":1,\"a\":2}",
                         "[1] 2",
                         "18446744073709551616",
                         "9223372036854775808",
                         "[1 2]",
                         "{\"a\":1 \"b\":2}"};
    for (const char* b : bad) {
        CAPTURE(b);
        REQUIRE_THROWS_AS(js::parse(b, "test"), subspace::invalid_argument);
    }
    // Depth limit.
    REQUIRE_NOTHROW(js::parse(std::string(10, '[') + std::string(10, ']'), "t", 10));
    REQUIRE_THROWS_AS(js::parse(std::string(11, '[') + std::string(11, ']'), "t", 10),
                      subspace::invalid_argument);
    REQUIRE_THROWS_AS(js::parse(std::string(100000, '['), "t"), subspace::invalid_argument);
    REQUIRE_THROWS_WITH(js::parse("[1,]", "fn"), ContainsSubstring("fn: invalid JSON at byte 3"));
}

TEST_CASE("safetensors reader rejects malformed and hostile files with clear errors",
          "[peft][safetensors]") {
    const auto f32 = [](const std::string& shape, const std::string& offs) {
        return "{\"t\":{\"dtype\":\"F32\",\"shape\":" + shape + ",\"data_offsets\":" + offs + "}}";
    };
    // A valid baseline.
    REQUIRE(reader_error(peft_test::make_image(f32("[2,3]", "[0,24]"), zeros(24))).empty());
    REQUIRE(reader_error(peft_test::make_image("{}", {})).empty());
    REQUIRE(reader_error(peft_test::make_image(f32("[0,3]", "[0,0]"), {})).empty());
    REQUIRE(reader_error(peft_test::make_image(f32("[]", "[0,4]"), zeros(4))).empty());
    REQUIRE(SafetensorsFile::from_buffer(peft_test::make_image(f32("[]", "[0,4]"), zeros(4)))
                .matrix<float>("t")
                .size() == 1);

    struct Case {
        std::vector<std::uint8_t> img;
        const char* expect;
    };
    const std::string two =
        "{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
        "\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[4,12]}}";
    const std::string hole =
        "{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},"
        "\"b\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[8,12]}}";
    std::string rank33 = "[1";
    for (int i = 0; i < 32; ++i) rank33 += ",1";
    rank33 += "]";
    const std::vector<Case> cases = {
        {std::vector<std::uint8_t>{1, 0, 0}, "shorter than the 8-byte header length"},
        {peft_test::make_image("{}", {}, 3), "runs past the end of the file"},
        {peft_test::make_image("{}", {}, 1ull << 62), "exceeds the limit"},
        {peft_test::make_image("{}", {}, UINT64_MAX - 1), "exceeds the limit"},
        {peft_test::make_image("{\"t\":", {}), "invalid JSON"},
        {peft_test::make_image("[]", {}), "must be a JSON object"},
        {peft_test::make_image(f32("[2,3]", "[0,24]"), zeros(20)), "out of range"},
        {peft_test::make_image(f32("[2,3]", "[0,24]"), zeros(28)), "trailing bytes"},
        {peft_test::make_image(f32("[2,3]", "[0,20]"), zeros(20)),
         "need 24 bytes but data_offsets span 20"},
        {peft_test::make_image(f32("[2,3]", "[4,0]"), zeros(24)), "is before begin"},
        {peft_test::make_image(f32("[2,-3]", "[0,24]"), zeros(24)), "must be non-negative"},
        {peft_test::make_image(f32("[2,3.0]", "[0,24]"), zeros(24)), "must be integers"},
        {peft_test::make_image(f32("[2,3]", "[0,24,1]"), zeros(24)),
         "must be an array [begin, end]"},
        {peft_test::make_image(f32("\"x\"", "[0,24]"), zeros(24)), "shape must be an array"},
        {peft_test::make_image(f32("[4294967296,4294967296]", "[0,0]"), {}), "overflows 64 bits"},
        {peft_test::make_image(f32("[4611686018427387904]", "[0,0]"), {}), "overflows 64 bits"},
        {peft_test::make_image(f32("[1000000000000]", "[0,4000000000000]"), zeros(8)),
         "out of range"},
        {peft_test::make_image(f32("[2,3]", "[0,99999999999999999999]"), zeros(24)),
         "64-bit range"},
        {peft_test::make_image(
             "{\"t\":{\"dtype\":\"F8_E4M3\",\"shape\":[1],\"data_offsets\":[0,1]}}", zeros(1)),
         "unknown or unsupported dtype 'F8_E4M3'"},
        {peft_test::make_image("{\"t\":{\"dtype\":\"Q4\",\"shape\":[1],\"data_offsets\":[0,1]}}",
                               zeros(1)),
         "unknown or unsupported dtype 'Q4'"},
        {peft_test::make_image("{\"t\":{\"dtype\":7,\"shape\":[1],\"data_offsets\":[0,4]}}",
                               zeros(4)),
         "dtype must be a string"},
        {peft_test::make_image("{\"t\":{\"shape\":[1],\"data_offsets\":[0,4]}}", zeros(4)),
         "needs the keys"},
        {peft_test::make_image(
             "{\"t\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4],\"x\":1}}", zeros(4)),
         "unknown key 'x'"},
        {peft_test::make_image("{\"t\":[]}", {}), "entry must be an object"},
        {peft_test::make_image("{\"t\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},"
                               "\"t\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}",
                               zeros(4)),
         "duplicate key"},
        {peft_test::make_image(two, zeros(12)), "overlap"},
        {peft_test::make_image(hole, zeros(12)), "hole in the data"},
        {peft_test::make_image("{\"__metadata__\":{\"a\":1}}", {}), "must be a string"},
        {peft_test::make_image("{\"__metadata__\":[]}", {}), "__metadata__ must be an object"},
        {peft_test::make_image(f32(std::string(40, '[') + std::string(40, ']'), "[0,0]"), {}),
         "nesting deeper"},
        {peft_test::make_image(f32(rank33, "[0,4]"), zeros(4)), "exceeds the limit 32"},
        {peft_test::make_image("{\"t\xff\":{}}", {}), "invalid UTF-8"},
    };
    for (const auto& c : cases) {
        const std::string msg = reader_error(c.img);
        CAPTURE(msg, c.expect);
        REQUIRE_THAT(msg, ContainsSubstring("SafetensorsFile"));
        REQUIRE_THAT(msg, ContainsSubstring(c.expect));
    }
    // Limits are configurable.
    subspace::SafetensorsLimits lim;
    lim.max_header_bytes = 8;
    const auto img = peft_test::make_image(f32("[2,3]", "[0,24]"), zeros(24));
    REQUIRE_THROWS_WITH(SafetensorsFile::from_buffer(img, lim),
                        ContainsSubstring("exceeds the limit of 8 bytes"));
    // Missing file, missing tensor, rank > 2 for matrix().
    REQUIRE_THROWS_AS(SafetensorsFile::from_file("/nonexistent/x.safetensors"),
                      subspace::invalid_argument);
    const auto ok = SafetensorsFile::from_buffer(img);
    REQUIRE_THROWS_WITH(ok.info("nope"), ContainsSubstring("'nope'"));
    const auto r3 =
        SafetensorsFile::from_buffer(peft_test::make_image(f32("[1,2,3]", "[0,24]"), zeros(24)));
    REQUIRE_THROWS_WITH(r3.matrix<float>("t"), ContainsSubstring("rank <= 2"));
    REQUIRE(r3.flat<float>("t").size() == 6);
    // A zero extent next to a huge one is an empty tensor, not an overflow.
    const auto z = SafetensorsFile::from_buffer(
        peft_test::make_image(f32("[0,4611686018427387904]", "[0,0]"), {}));
    REQUIRE(z.matrix<float>("t").size() == 0);
}

TEST_CASE("safetensors writer: argument errors and integer dtypes read back",
          "[peft][safetensors]") {
    SafetensorsWriter w;
    w.add("a", Eigen::MatrixXf::Ones(2, 2));
    REQUIRE_THROWS_WITH(w.add("a", Eigen::MatrixXf::Ones(1, 1)),
                        ContainsSubstring("a name not added before"));
    REQUIRE_THROWS_AS(w.add("", Eigen::MatrixXf::Ones(1, 1)), subspace::invalid_argument);
    REQUIRE_THROWS_AS(w.add("__metadata__", Eigen::MatrixXf::Ones(1, 1)),
                      subspace::invalid_argument);
    REQUIRE_THROWS_AS(w.add(std::string("bad\xff"), Eigen::MatrixXf::Ones(1, 1)),
                      subspace::invalid_argument);
    REQUIRE_THROWS_WITH(w.add("b", Eigen::MatrixXf::Ones(1, 1), Dtype::i32),
                        ContainsSubstring("F64, F32, F16 or BF16"));
    REQUIRE_THROWS_AS(w.add_values("c", {2, 2}, {1.0, 2.0}, Dtype::f32),
                      subspace::invalid_argument);
    // Names with JSON escapes and non-ASCII survive.
    w.add_vector("q\"\\\xc3\xa9", Eigen::Vector3d(1, 2, 3));
    const auto img = w.to_bytes();
    const auto f = SafetensorsFile::from_buffer(img);
    REQUIRE(f.contains("q\"\\\xc3\xa9"));
    REQUIRE(f.flat<double>("q\"\\\xc3\xa9") == Eigen::Vector3d(1, 2, 3));
    // Integer and bool dtypes (hand-made) convert to floating values.
    std::vector<std::uint8_t> data = {0xFF, 0xFF, 0xFF, 0xFF, 0x02, 0x00,
                                      0x00, 0x00, 0x01, 0x00, 0x07};
    const auto g = SafetensorsFile::from_buffer(
        peft_test::make_image("{\"i\":{\"dtype\":\"I32\",\"shape\":[2],\"data_offsets\":[0,8]},"
                              "\"b\":{\"dtype\":\"BOOL\",\"shape\":[3],\"data_offsets\":[8,11]}}",
                              data));
    REQUIRE(g.flat<double>("i") == Eigen::Vector2d(-1, 2));
    REQUIRE(g.flat<float>("b") == Eigen::Vector3f(1, 0, 1));
}
