// PEFT adapter directories: the golden LoRA adapter (config + tensors, merged deltas against
// numpy, byte-for-byte rewrite), DoRA / VeRA / AdaLoRA / HRA names and merges against numpy,
// config editing, and bad input (unknown names, dtypes, types, shapes).
#include <chrono>
#include <cmath>
#include <filesystem>
#include <string>
#include <vector>

#include <Eigen/Core>

#include "subspace/adapters/peft.hpp"
#include "subspace/core/rng.hpp"

#include "catch_compat.hpp"
#include "peft/peft_test_util.hpp"

namespace {

using subspace::Dtype;
using subspace::PeftAdapter;
using subspace::PeftConfig;
using subspace::SafetensorsFile;

const std::string kDown = "model.layers.0.mlp.down_proj";
const std::string kQ = "model.layers.0.self_attn.q_proj";

std::string temp_dir(const std::string& tag) {
    const auto t = std::chrono::steady_clock::now().time_since_epoch().count();
    const auto p =
        std::filesystem::temp_directory_path() / ("subspace_peft_" + tag + "_" + std::to_string(t));
    return p.string();
}

std::string read_error(const std::string& cfg, const std::vector<std::uint8_t>& img) {
    try {
        (void)subspace::parse_peft_adapter<double>(cfg, SafetensorsFile::from_buffer(img));
    } catch (const subspace::invalid_argument& e) {
        return e.what();
    }
    return "";
}

}  // namespace

TEMPLATE_TEST_CASE("golden PEFT LoRA directory: read, merge against numpy, rewrite byte for byte",
                   "[peft][io]", float, double) {
    using S = TestType;
    const std::string dir = peft_test::data_path("toy_lora_adapter");
    const auto a = subspace::read_peft_adapter<S>(dir);
    REQUIRE(a.config.peft_type == "LORA");
    REQUIRE(a.config.r == 4);
    REQUIRE(a.config.lora_alpha == 8.0);
    REQUIRE(a.config.target_modules == std::vector<std::string>{"q_proj", "down_proj"});
    REQUIRE(a.config.base_model_name_or_path == "toy/model");
    REQUIRE(!a.config.use_dora);
    REQUIRE(a.config.scaling_for(kQ) == 2.0);
    REQUIRE(a.modules.size() == 2);
    REQUIRE(a.module(kDown).A.rows() == 4);
    REQUIRE(a.module(kDown).A.cols() == 32);
    REQUIRE(a.module(kDown).B.rows() == 16);
    REQUIRE(a.metadata.at("format") == "pt");
    for (const auto& mod : {kDown, kQ}) {
        std::string npy = mod;
        for (auto& c : npy)
            if (c == '.') c = '_';
        const Eigen::MatrixXd ref = peft_test::read_npy_f64(dir + "/" + npy + "_deltaW_f64.npy");
        const Eigen::MatrixXd W = Eigen::MatrixXd::Zero(ref.rows(), ref.cols());
        const Eigen::MatrixXd M = a.merged_weight(mod, W).template cast<double>();
        const double tol = std::is_same<S, float>::value ? 1e-5 : 1e-13;
        REQUIRE((M - ref).cwiseAbs().maxCoeff() <= tol * (1.0 + ref.cwiseAbs().maxCoeff()));
    }
    const std::string out = temp_dir("lora");
    subspace::write_peft_adapter(out, a);
    REQUIRE(peft_test::read_bytes(out + "/adapter_model.safetensors") ==
            peft_test::read_bytes(dir + "/adapter_model.safetensors"));
    REQUIRE(peft_test::read_text(out + "/adapter_config.json") ==
            peft_test::read_text(dir + "/adapter_config.json"));
    // F16 output re-reads to the F16 rounding of the factors.
    subspace::write_peft_adapter(out, a, Dtype::f16);
    const auto h = subspace::read_peft_adapter<float>(out);
    REQUIRE(SafetensorsFile::from_file(out + "/adapter_model.safetensors")
                .info("base_model.model." + kQ + ".lora_A.weight")
                .dtype == Dtype::f16);
    const Eigen::MatrixXf A = a.module(kQ).A.template cast<float>();
    const Eigen::MatrixXf Ah = h.module(kQ).A;
    REQUIRE(((Ah - A).array().abs() <= A.array().abs() * (1.0f / 2048) + 6e-8f).all());
    std::filesystem::remove_all(out);
    // LoraAdapter from the file (part A's class) reproduces the merged delta; storing it back
    // gives the same tensors.
    const subspace::Rng rng(3);
    const Eigen::MatrixXd W = rng.normal<double>(16, 32);
    const auto lora = subspace::lora_adapter_from_peft(a, kDown, W.cast<S>().eval());
    REQUIRE(lora.scale() == 2.0);
    const auto ref = a.merged_weight(kDown, W);
    REQUIRE((lora.merged() - ref).cwiseAbs().maxCoeff() <=
            S(1e-5) * (S(1) + ref.cwiseAbs().maxCoeff()));
    PeftAdapter<S> copy = a;
    copy.modules.clear();
    subspace::set_peft_module(copy, kDown, lora);
    subspace::set_peft_module(
        copy, kQ, subspace::lora_adapter_from_peft(a, kQ, Eigen::Matrix<S, -1, -1>::Zero(16, 16)));
    REQUIRE(subspace::peft_safetensors_bytes(copy) ==
            peft_test::read_bytes(dir + "/adapter_model.safetensors"));
}

TEST_CASE("DoRA, VeRA, AdaLoRA and HRA directories: names, merges against numpy, rewrite",
          "[peft][io]") {
    const char* dirs[] = {"dora_adapter", "vera_adapter", "adalora_adapter", "hra_adapter"};
    const std::string mod = "encoder.layer.0.attention.query";
    for (const char* d : dirs) {
        INFO(d);
        const std::string dir = peft_test::data_path(d);
        const auto a = subspace::read_peft_adapter<double>(dir);
        REQUIRE(a.modules.size() == 1);
        const Eigen::MatrixXd W = peft_test::read_npy_f64(dir + "/base_W_f64.npy");
        const Eigen::MatrixXd ref = peft_test::read_npy_f64(dir + "/merged_f64.npy");
        const Eigen::MatrixXd M = a.merged_weight(mod, W);
        REQUIRE((M - ref).cwiseAbs().maxCoeff() <= 1e-12);
        REQUIRE((M - W).norm() > 1e-3);
        const std::string out = temp_dir(d);
        subspace::write_peft_adapter(out, a);
        REQUIRE(peft_test::read_bytes(out + "/adapter_model.safetensors") ==
                peft_test::read_bytes(dir + "/adapter_model.safetensors"));
        REQUIRE(peft_test::read_text(out + "/adapter_config.json") ==
                peft_test::read_text(dir + "/adapter_config.json"));
        std::filesystem::remove_all(out);
    }
    const auto dora = subspace::read_peft_adapter<double>(peft_test::data_path("dora_adapter"));
    REQUIRE(dora.config.use_dora);
    REQUIRE(dora.config.use_rslora);
    REQUIRE(dora.config.scaling_for(mod) == Approx(4.0 / std::sqrt(2.0)));
    REQUIRE(dora.module(mod).magnitude.size() == 6);
    {
        const Eigen::MatrixXd W =
            peft_test::read_npy_f64(peft_test::data_path("dora_adapter/base_W_f64.npy"));
        const auto da = subspace::dora_adapter_from_peft(dora, mod, W);
        REQUIRE((da.merged() -
                 peft_test::read_npy_f64(peft_test::data_path("dora_adapter/merged_f64.npy")))
                    .cwiseAbs()
                    .maxCoeff() <= 1e-12);
        REQUIRE_THROWS_AS(subspace::lora_adapter_from_peft(dora, mod, W),
                          subspace::invalid_argument);
        PeftAdapter<double> c2 = dora;
        subspace::set_peft_module(c2, mod, da);
        REQUIRE(
            subspace::peft_safetensors_bytes(c2) ==
            peft_test::read_bytes(peft_test::data_path("dora_adapter/adapter_model.safetensors")));
    }
    const auto ada = subspace::read_peft_adapter<double>(peft_test::data_path("adalora_adapter"));
    REQUIRE(ada.module(mod).E.size() == 2);
    const auto vera = subspace::read_peft_adapter<double>(peft_test::data_path("vera_adapter"));
    REQUIRE(vera.vera_A.rows() == 2);
    REQUIRE(vera.module(mod).lambda_d.size() == 2);
}

TEST_CASE("PEFT config: edits, patterns, defaults and a fresh adapter round trip", "[peft][io]") {
    PeftConfig c = PeftConfig::from_json(
        peft_test::read_text(peft_test::data_path("toy_lora_adapter/adapter_config.json")));
    c.r = 16;
    c.lora_alpha = 0.5;
    c.use_dora = true;
    c.rank_pattern["q_proj"] = 2;
    c.alpha_pattern["down_proj"] = 3.0;
    const PeftConfig c2 = PeftConfig::from_json(c.to_json());
    REQUIRE(c2.r == 16);
    REQUIRE(c2.lora_alpha == 0.5);
    REQUIRE(c2.use_dora);
    REQUIRE(c2.rank_for("model.layers.0.self_attn.q_proj") == 2);
    REQUIRE(c2.rank_for("model.layers.0.self_attn.xq_proj") == 16);
    REQUIRE(c2.alpha_for("model.layers.0.mlp.down_proj") == 3.0);
    REQUIRE(c2.scaling_for("model.layers.0.self_attn.q_proj") == 0.25);
    REQUIRE(c2.scaling_for("model.layers.0.mlp.down_proj") == 3.0 / 16);
    REQUIRE_THAT(c.to_json(), ContainsSubstring("\"lora_alpha\": 0.5,"));
    REQUIRE_THAT(c.to_json(), ContainsSubstring("\"rank_pattern\": {\n    \"q_proj\": 2\n  },"));

    // A fresh adapter made from factors, written and read back.
    PeftAdapter<double> a;
    a.config.r = 3;
    a.config.lora_alpha = 6;
    a.config.target_modules = {"fc"};
    const subspace::Rng rng(5);
    a.modules["net.fc"].A = rng.normal<double>(3, 7);
    a.modules["net.fc"].B = rng.normal<double>(5, 3);
    const std::string out = temp_dir("fresh");
    subspace::write_peft_adapter(out, a, Dtype::f64);
    const auto b = subspace::read_peft_adapter<double>(out);
    REQUIRE(b.module("net.fc").A == a.module("net.fc").A);
    REQUIRE(b.module("net.fc").B == a.module("net.fc").B);
    REQUIRE(b.config.scaling_for("net.fc") == 2.0);
    REQUIRE(peft_test::read_text(out + "/adapter_config.json") ==
            "{\n  \"peft_type\": \"LORA\",\n  \"r\": 3,\n  \"lora_alpha\": 6,\n  "
            "\"target_modules\": [\n    \"fc\"\n  ]\n}");
    const Eigen::MatrixXd W = rng.normal<double>(5, 7);
    REQUIRE((b.merged_weight("net.fc", W) - (W + 2.0 * a.module("net.fc").B * a.module("net.fc").A))
                .norm() <= 1e-12);
    std::filesystem::remove_all(out);

    REQUIRE_THROWS_WITH(PeftConfig::from_json("{\"r\": 0}"),
                        ContainsSubstring("'r' must be a positive integer"));
    REQUIRE_THROWS_WITH(PeftConfig::from_json("{\"r\": 2.5}"), ContainsSubstring("'r'"));
    REQUIRE_THROWS_WITH(PeftConfig::from_json("{\"lora_alpha\": \"x\"}"),
                        ContainsSubstring("lora_alpha"));
    REQUIRE_THROWS_WITH(PeftConfig::from_json("{\"use_dora\": 1}"), ContainsSubstring("use_dora"));
    REQUIRE_THROWS_WITH(PeftConfig::from_json("[]"), ContainsSubstring("a JSON object"));
    REQUIRE_THROWS_AS(PeftConfig::from_json("{"), subspace::invalid_argument);
}

TEST_CASE("PEFT reader: unknown names, dtypes, types and inconsistent shapes are errors",
          "[peft][io]") {
    const std::string lora = "{\"peft_type\": \"LORA\", \"r\": 2, \"lora_alpha\": 2}";
    const auto img = [](const std::vector<std::pair<std::string, std::vector<std::int64_t>>>& ts,
                        Dtype dt = Dtype::f32) {
        subspace::SafetensorsWriter w;
        for (const auto& t : ts) {
            std::size_t n = 1;
            for (auto s : t.second) n *= static_cast<std::size_t>(s);
            w.add_values(t.first, t.second, std::vector<double>(n, 0.5), dt);
        }
        return w.to_bytes();
    };
    const std::string p = "base_model.model.m";
    REQUIRE(read_error(lora, img({{p + ".lora_A.weight", {2, 3}}, {p + ".lora_B.weight", {4, 2}}}))
                .empty());
    struct Case {
        std::string cfg;
        std::vector<std::uint8_t> bytes;
        const char* expect;
    };
    subspace::SafetensorsWriter wi;  // integer dtype, hand-made
    const std::vector<Case> cases = {
        {lora,
         img({{p + ".lora_A.weight", {2, 3}},
              {p + ".lora_B.weight", {4, 2}},
              {p + ".lora_C.weight", {2, 2}}}),
         "unknown PEFT tensor name 'base_model.model.m.lora_C.weight'"},
        {lora, img({{"model.m.lora_A.weight", {2, 3}}}), "unknown PEFT tensor name"},
        {lora, img({{p + ".lora_A.weight", {2, 3}}}), "needs both lora_A and lora_B"},
        {lora, img({{p + ".lora_A.weight", {2, 3}}, {p + ".lora_B.weight", {4, 3}}}),
         "(both must be the rank)"},
        {lora, img({{p + ".lora_A.weight", {3, 3}}, {p + ".lora_B.weight", {4, 3}}}),
         "differs from the config's 2"},
        {lora,
         img({{p + ".lora_A.weight", {2, 3}},
              {p + ".lora_B.weight", {4, 2}},
              {p + ".lora_magnitude_vector", {4}}}),
         "lora_magnitude_vector without use_dora"},
        {"{\"r\": 2, \"use_dora\": true}",
         img({{p + ".lora_A.weight", {2, 3}}, {p + ".lora_B.weight", {4, 2}}}),
         "lora_magnitude_vector is missing"},
        {"{\"r\": 2, \"use_dora\": true}",
         img({{p + ".lora_A.weight", {2, 3}},
              {p + ".lora_B.weight", {4, 2}},
              {p + ".lora_magnitude_vector", {3}}}),
         "lora_magnitude_vector has 3 entries"},
        {lora, img({{p + ".lora_A.weight", {2, 3, 1}}, {p + ".lora_B.weight", {4, 2}}}),
         "has rank 3, expected 2"},
        {lora, img({{p + ".hra_u", {3, 2}}}), "does not belong to a LORA adapter"},
        {lora, img({{p + ".lora_E", {2, 1}}}), "does not belong to a LORA adapter"},
        {"{\"peft_type\": \"IA3\"}", img({}),
         "'peft_type' must be LORA, ADALORA, VERA or HRA, got 'IA3'"},
        {"{\"peft_type\": \"ADALORA\", \"r\": 2}",
         img({{p + ".lora_A", {2, 3}}, {p + ".lora_B", {4, 2}}, {p + ".lora_E", {3, 1}}}),
         "lora_E has 3 entries"},
        {"{\"peft_type\": \"HRA\", \"r\": 3}", img({{p + ".hra_u", {5, 2}}}),
         "hra_u has 2 columns"},
        {"{\"peft_type\": \"VERA\", \"r\": 2}", img({{p + ".vera_lambda_b", {4}}}),
         "needs vera_lambda_b and vera_lambda_d"},
        {lora,
         peft_test::make_image(
             "{\"" + p +
                 ".lora_A.weight\":{\"dtype\":\"I32\",\"shape\":[2,1],\"data_offsets\":[0,8]},\"" +
                 p +
                 ".lora_B.weight\":{\"dtype\":\"F32\",\"shape\":[1,2],\"data_offsets\":[8,16]}}",
             std::vector<std::uint8_t>(16, 0)),
         "has dtype I32; adapter weights must be F32, F16, BF16 or F64"},
    };
    for (const auto& c : cases) {
        const std::string msg = read_error(c.cfg, c.bytes);
        CAPTURE(msg, c.expect);
        REQUIRE_THAT(msg, ContainsSubstring(c.expect));
    }
    // F16 and BF16 factors are accepted.
    REQUIRE(read_error(lora, img({{p + ".lora_A.weight", {2, 3}}, {p + ".lora_B.weight", {4, 2}}},
                                 Dtype::bf16))
                .empty());
    REQUIRE(read_error(lora, img({{p + ".lora_A.weight", {2, 3}}, {p + ".lora_B.weight", {4, 2}}},
                                 Dtype::f16))
                .empty());
    // Merge with a wrong W shape, a missing module, a missing directory.
    const auto a = subspace::parse_peft_adapter<double>(
        lora, SafetensorsFile::from_buffer(
                  img({{p + ".lora_A.weight", {2, 3}}, {p + ".lora_B.weight", {4, 2}}})));
    REQUIRE_THROWS_WITH(a.merged_weight("m", Eigen::MatrixXd::Zero(3, 4)),
                        ContainsSubstring("of shape 4 x 3"));
    REQUIRE_THROWS_WITH(a.merged_weight("x", Eigen::MatrixXd::Zero(4, 3)),
                        ContainsSubstring("'x'"));
    REQUIRE_THROWS_AS(subspace::read_peft_adapter<double>("/nonexistent/dir"),
                      subspace::invalid_argument);
}
