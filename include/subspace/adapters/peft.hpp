/// \file subspace/adapters/peft.hpp
/// \brief Read and write adapters in the layout of Hugging Face PEFT (Mangrulkar et al. 2022):
/// `adapter_config.json` + `adapter_model.safetensors`, with PEFT's tensor names, for LoRA
/// (Hu et al. 2021, "LoRA: Low-rank adaptation of large language models", Eq. 3: W + (α/r) B A),
/// rsLoRA (Kalajdzievski 2023: α/√r), DoRA (Liu et al. 2024, "DoRA: Weight-decomposed low-rank
/// adaptation", Eq. 5: m ⊙ (W + ΔW) / ‖W + ΔW‖ row-wise), AdaLoRA (Zhang et al. 2023, Eq. 3:
/// W + B diag(E) A), VeRA (Kopiczko et al. 2024, Eq. 1: Λ_b B Λ_d A with frozen shared A, B) and
/// HRA (Yuan et al. 2024, "Bridging the gap between low-rank and orthogonal adaptation via
/// Householder reflection adaptation": W H_1 ⋯ H_r).
///
/// The file IO works on plain matrices per module path (no dependency on the adapter classes):
/// `base_model.model.<path>.lora_A.weight` is A (r x in), `lora_B.weight` B (out x r),
/// `lora_magnitude_vector` (or `.weight`) the DoRA magnitude (out), `lora_E` AdaLoRA's singular
/// values (r x 1), `vera_lambda_b` (out) / `vera_lambda_d` (r) with the shared
/// `base_model.vera_A` / `vera_B`, `hra_u` (in x r), `lora_embedding_A/B` for embeddings and
/// `lora_B.bias`. Unknown names, unsupported `peft_type`s, non-float dtypes and factor shapes
/// that disagree with each other or with the config throw `subspace::invalid_argument`.
/// A directory read and written again (same dtype) is identical byte for byte: the config keeps
/// all keys in their order, and the safetensors writer matches the reference writer.
#pragma once

#include <cmath>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include <Eigen/Core>
#include <Eigen/QR>

#include "subspace/adapters/detail/json.hpp"
#include "subspace/adapters/lora.hpp"
#include "subspace/adapters/safetensors.hpp"
#include "subspace/core/config.hpp"
#include "subspace/core/error.hpp"

namespace subspace {

/// The keys of PEFT's `adapter_config.json` that matter for loading and merging. `document`
/// holds the whole JSON object as read, so unknown keys are written back unchanged.
struct PeftConfig {
    std::string peft_type = "LORA";           ///< LORA, ADALORA, VERA or HRA
    Index r = 8;                              ///< rank (AdaLoRA: init_r when present)
    double lora_alpha = 8.0;                  ///< α (LoRA scale α / r)
    std::vector<std::string> target_modules;  ///< module names (list form)
    std::string target_modules_regex;         ///< PEFT also accepts one regex string
    bool use_rslora = false;                  ///< scale α / √r instead of α / r
    bool use_dora = false;                    ///< DoRA: lora_magnitude_vector per module
    bool fan_in_fan_out = false;              ///< base weight stored (in, out) (GPT-2 Conv1D)
    std::string base_model_name_or_path;
    std::map<std::string, Index> rank_pattern;    ///< per-module rank overrides
    std::map<std::string, double> alpha_pattern;  ///< per-module α overrides
    detail::json::Value document = detail::json::Value::object();

    /// Parses adapter_config.json text. Throws invalid_argument on invalid JSON, a non-object,
    /// or known keys of the wrong type (r not a positive integer, lora_alpha not a number, ...).
    static PeftConfig from_json(const std::string& text) {
        namespace js = detail::json;
        const char* fn = "PeftConfig::from_json";
        PeftConfig c;
        c.document = js::parse(text, fn);
        if (!c.document.is_object())
            detail::throw_invalid(fn, "text", "a JSON object", "another JSON value");
        const auto& d = c.document;
        if (const auto* v = d.find("peft_type")) {
            if (!v->is_string())
                detail::throw_invalid(fn, "peft_type", "a string", "another JSON value");
            c.peft_type = v->as_string();
        }
        const auto get_rank = [&](const js::Value& v, const char* what) {
            if (!v.is_integer() || v.as_int() <= 0 || v.as_int() > (std::int64_t(1) << 40))
                detail::throw_invalid(fn, what, "a positive integer",
                                      v.is_number() ? v.number_text() : "a non-number");
            return static_cast<Index>(v.as_int());
        };
        const auto get_num = [&](const js::Value& v, const char* what) {
            if (!v.is_number() || !std::isfinite(v.as_double()))
                detail::throw_invalid(fn, what, "a finite number", "another JSON value");
            return v.as_double();
        };
        const auto get_bool = [&](const char* key, bool& out) {
            if (const auto* v = d.find(key)) {
                if (v->is_null()) return;
                if (!v->is_bool())
                    detail::throw_invalid(fn, key, "true or false", "another JSON value");
                out = v->as_bool();
            }
        };
        if (const auto* v = d.find("r")) c.r = get_rank(*v, "r");
        if (c.peft_type == "ADALORA")
            if (const auto* v = d.find("init_r")) c.r = get_rank(*v, "init_r");
        if (const auto* v = d.find("lora_alpha")) c.lora_alpha = get_num(*v, "lora_alpha");
        if (const auto* v = d.find("target_modules")) {
            if (v->is_string()) {
                c.target_modules_regex = v->as_string();
            } else if (v->is_array()) {
                for (const auto& it : v->items()) {
                    if (!it.is_string())
                        detail::throw_invalid(fn, "target_modules", "strings", "a non-string");
                    c.target_modules.push_back(it.as_string());
                }
            } else if (!v->is_null()) {
                detail::throw_invalid(fn, "target_modules", "a list of strings, a string or null",
                                      "another JSON value");
            }
        }
        get_bool("use_rslora", c.use_rslora);
        get_bool("use_dora", c.use_dora);
        get_bool("fan_in_fan_out", c.fan_in_fan_out);
        if (const auto* v = d.find("base_model_name_or_path"))
            if (v->is_string()) c.base_model_name_or_path = v->as_string();
        if (const auto* v = d.find("rank_pattern")) {
            if (!v->is_object() && !v->is_null())
                detail::throw_invalid(fn, "rank_pattern", "an object", "another JSON value");
            if (v->is_object())
                for (const auto& m : v->members())
                    c.rank_pattern[m.first] = get_rank(m.second, "rank_pattern");
        }
        if (const auto* v = d.find("alpha_pattern")) {
            if (!v->is_object() && !v->is_null())
                detail::throw_invalid(fn, "alpha_pattern", "an object", "another JSON value");
            if (v->is_object())
                for (const auto& m : v->members())
                    c.alpha_pattern[m.first] = get_num(m.second, "alpha_pattern");
        }
        return c;
    }

    /// The config as PEFT writes it (`json.dump(cfg, f, indent=2)`): the keys of `document` in
    /// their order with the known fields updated; a known key missing from `document` is added
    /// only when its field differs from the default.
    std::string to_json() const {
        namespace js = detail::json;
        js::Value d = document.is_object() ? document : js::Value::object();
        const auto put = [&](const char* key, js::Value v, bool is_default) {
            if (d.find(key) != nullptr || !is_default) d.set(key, std::move(v));
        };
        put("peft_type", js::Value::string(peft_type), false);
        const bool ada_init = peft_type == "ADALORA" && d.find("init_r") != nullptr;
        put(ada_init ? "init_r" : "r", js::Value::integer(static_cast<std::int64_t>(r)), r == 8);
        put("lora_alpha", number(lora_alpha), lora_alpha == 8.0);
        if (!target_modules_regex.empty()) {
            put("target_modules", js::Value::string(target_modules_regex), false);
        } else {
            js::Value tm = js::Value::array();
            for (const auto& t : target_modules) tm.push_back(js::Value::string(t));
            put("target_modules", target_modules.empty() ? js::Value::null() : std::move(tm),
                target_modules.empty());
        }
        put("use_rslora", js::Value::boolean(use_rslora), !use_rslora);
        put("use_dora", js::Value::boolean(use_dora), !use_dora);
        put("fan_in_fan_out", js::Value::boolean(fan_in_fan_out), !fan_in_fan_out);
        if (!base_model_name_or_path.empty() || d.find("base_model_name_or_path") != nullptr) {
            const auto* old = d.find("base_model_name_or_path");
            if (!(old && old->is_null() && base_model_name_or_path.empty()))
                d.set("base_model_name_or_path", js::Value::string(base_model_name_or_path));
        }
        js::Value rp = js::Value::object();
        for (const auto& kv : rank_pattern)
            rp.members().emplace_back(kv.first,
                                      js::Value::integer(static_cast<std::int64_t>(kv.second)));
        put("rank_pattern", std::move(rp), rank_pattern.empty());
        js::Value ap = js::Value::object();
        for (const auto& kv : alpha_pattern) ap.members().emplace_back(kv.first, number(kv.second));
        put("alpha_pattern", std::move(ap), alpha_pattern.empty());
        return js::dump_pretty(d, 2);
    }

    /// PEFT's pattern lookup: a key matches a module path equal to it or ending in "." + key
    /// (keys are compared literally, not as regular expressions).
    template <class T>
    static const T* match_pattern(const std::map<std::string, T>& pat, const std::string& path) {
        for (const auto& kv : pat) {
            const auto& k = kv.first;
            if (path == k ||
                (path.size() > k.size() && path.compare(path.size() - k.size(), k.size(), k) == 0 &&
                 path[path.size() - k.size() - 1] == '.'))
                return &kv.second;
        }
        return nullptr;
    }
    /// Rank of a module: rank_pattern override or r.
    Index rank_for(const std::string& path) const {
        const Index* p = match_pattern(rank_pattern, path);
        return p ? *p : r;
    }
    /// α of a module: alpha_pattern override or lora_alpha.
    double alpha_for(const std::string& path) const {
        const double* p = match_pattern(alpha_pattern, path);
        return p ? *p : lora_alpha;
    }
    /// LoRA scale of a module: α / r, or α / √r with use_rslora.
    double scaling_for(const std::string& path) const {
        const auto rr = static_cast<double>(rank_for(path));
        return alpha_for(path) / (use_rslora ? std::sqrt(rr) : rr);
    }

private:
    static detail::json::Value number(double x) {
        if (std::floor(x) == x && std::fabs(x) < 9e15)
            return detail::json::Value::integer(static_cast<std::int64_t>(x));
        return detail::json::Value::number(x);
    }
};

/// The trainable tensors of one adapted module (empty matrices when absent).
template <class Scalar>
struct PeftModule {
    using Mat = Eigen::Matrix<Scalar, Eigen::Dynamic, Eigen::Dynamic>;
    using Vec = Eigen::Matrix<Scalar, Eigen::Dynamic, 1>;
    Mat A;                   ///< lora_A: r x in (embeddings: r x num_embeddings)
    Mat B;                   ///< lora_B: out x r (embeddings: embedding_dim x r)
    bool embedding = false;  ///< stored as lora_embedding_A / lora_embedding_B
    Vec bias;                ///< lora_B.bias (out), when PEFT's lora_bias is on
    Vec magnitude;           ///< DoRA lora_magnitude_vector (out)
    Vec E;                   ///< AdaLoRA lora_E (r)
    Vec lambda_b;            ///< VeRA vera_lambda_b (out)
    Vec lambda_d;            ///< VeRA vera_lambda_d (r)
    Mat hra_u;               ///< HRA hra_u (in x r)
};

/// A PEFT adapter: config, tensors per module path (without the "base_model.model." prefix),
/// VeRA's shared projections, and the safetensors metadata.
template <class Scalar>
struct PeftAdapter {
    using Mat = Eigen::Matrix<Scalar, Eigen::Dynamic, Eigen::Dynamic>;
    PeftConfig config;
    std::map<std::string, PeftModule<Scalar>> modules;
    Mat vera_A;  ///< base_model.vera_A (r x max in), when saved
    Mat vera_B;  ///< base_model.vera_B (max out x r), when saved
    std::map<std::string, std::string> metadata{{"format", "pt"}};

    /// The module at `path`; throws invalid_argument if absent.
    const PeftModule<Scalar>& module(const std::string& path) const {
        const auto it = modules.find(path);
        if (it == modules.end())
            detail::throw_invalid("PeftAdapter::module", "path", "an adapted module path",
                                  "'" + path + "'");
        return it->second;
    }

    /// The merged weight of module `path` given its frozen base weight W (out x in, PyTorch's
    /// nn.Linear layout; fan_in_fan_out: in x out; embeddings: num_embeddings x dim):
    /// - LORA: W + s B A, s = α/r (rsLoRA α/√r), per-module patterns applied;
    /// - LORA with DoRA: m ⊙ (W + s B A) / ‖W + s B A‖ (norms of the rows, one per output);
    /// - ADALORA: W + B (A ⊙ E) α / (r + 1e-5) (PEFT's SVDLinear with ranknum = r);
    /// - VERA: W + diag(λ_b) B[:out, :] diag(λ_d) A[:, :in] (needs the saved projections);
    /// - HRA: W H_1 ⋯ H_r, H_i = I − 2 u_i u_iᵀ / ‖u_i‖² (apply_GS: I − 2 Q Qᵀ, Q from a QR of U).
    /// Plus lora_B.bias is not part of W (add it to the layer bias). O(out · in · r).
    /// Throws invalid_argument for a missing module or a W whose shape does not fit the factors.
    template <class Derived>
    Mat merged_weight(const std::string& path, const Eigen::MatrixBase<Derived>& W_in) const {
        const char* fn = "PeftAdapter::merged_weight";
        const PeftModule<Scalar>& m = module(path);
        Mat W = W_in.template cast<Scalar>();
        const std::string& t = config.peft_type;
        if (t == "LORA" || t == "ADALORA") {
            Mat delta;
            if (t == "LORA") {
                delta = static_cast<Scalar>(config.scaling_for(path)) * (m.B * m.A);
            } else {
                const Scalar s = static_cast<Scalar>(
                    config.lora_alpha > 0 ? config.lora_alpha : static_cast<double>(m.A.rows()));
                delta = (m.B * (m.E.asDiagonal() * m.A)) *
                        (s / (static_cast<Scalar>(m.A.rows()) + Scalar(1e-5)));
            }
            if (m.embedding || config.fan_in_fan_out) delta.transposeInPlace();
            detail::check_shape(fn, "W", W.rows(), W.cols(), delta.rows(), delta.cols());
            W += delta;
            if (m.magnitude.size() > 0) {
                if (m.embedding || config.fan_in_fan_out)
                    detail::throw_invalid(fn, "path",
                                          "a DoRA module of an nn.Linear (fan_in_fan_out false)",
                                          "'" + path + "'");
                const Eigen::Matrix<Scalar, Eigen::Dynamic, 1> norms = W.rowwise().norm();
                W = (m.magnitude.array() / norms.array()).matrix().asDiagonal() * W;
            }
            return W;
        }
        if (t == "VERA") {
            if (vera_A.size() == 0 || vera_B.size() == 0)
                detail::throw_invalid(fn, "path",
                                      "a VeRA adapter saved with its projections (save_projection)",
                                      "no base_model.vera_A / vera_B");
            const Index out = W.rows(), in = W.cols();
            if (out != m.lambda_b.size() || in > vera_A.cols() || out > vera_B.rows())
                detail::throw_invalid(fn, "W",
                                      "out = " + std::to_string(m.lambda_b.size()) +
                                          " rows and at most " + std::to_string(vera_A.cols()) +
                                          " columns",
                                      detail::shape_text(out, in));
            W += m.lambda_b.asDiagonal() * vera_B.topRows(out) * m.lambda_d.asDiagonal() *
                 vera_A.leftCols(in);
            return W;
        }
        // HRA
        const Index in = m.hra_u.rows(), r = m.hra_u.cols();
        detail::check_cols(fn, "W", W.cols(), in, "in of hra_u");
        bool gs = false;
        if (const auto* v = config.document.find("apply_GS")) gs = v->is_bool() && v->as_bool();
        if (gs) {
            Eigen::HouseholderQR<Mat> qr(m.hra_u);
            const Mat Q = qr.householderQ() * Mat::Identity(in, r);
            W -= Scalar(2) * (W * Q) * Q.transpose();
        } else {
            for (Index i = 0; i < r; ++i) {
                const Eigen::Matrix<Scalar, Eigen::Dynamic, 1> u = m.hra_u.col(i).normalized();
                W -= Scalar(2) * (W * u) * u.transpose();
            }
        }
        return W;
    }
};

namespace detail {

/// Recognised PEFT tensor-name suffixes.
enum class PeftKind { A, B, bias, emb_A, emb_B, magnitude, E, lambda_b, lambda_d, hra_u };

inline bool peft_split_name(const std::string& name, std::string& path, PeftKind& kind) {
    static const std::pair<const char*, PeftKind> suffixes[] = {
        {".lora_A.weight", PeftKind::A},
        {".lora_B.weight", PeftKind::B},
        {".lora_B.bias", PeftKind::bias},
        {".lora_A", PeftKind::A},
        {".lora_B", PeftKind::B},
        {".lora_embedding_A", PeftKind::emb_A},
        {".lora_embedding_B", PeftKind::emb_B},
        {".lora_magnitude_vector.weight", PeftKind::magnitude},
        {".lora_magnitude_vector", PeftKind::magnitude},
        {".lora_E", PeftKind::E},
        {".vera_lambda_b", PeftKind::lambda_b},
        {".vera_lambda_d", PeftKind::lambda_d},
        {".hra_u", PeftKind::hra_u}};
    static const std::string prefix = "base_model.model.";
    if (name.compare(0, prefix.size(), prefix) != 0) return false;
    for (const auto& s : suffixes) {
        const std::string suf = s.first;
        if (name.size() > prefix.size() + suf.size() &&
            name.compare(name.size() - suf.size(), suf.size(), suf) == 0) {
            path = name.substr(prefix.size(), name.size() - prefix.size() - suf.size());
            kind = s.second;
            return true;
        }
    }
    return false;
}

inline bool peft_kind_allowed(const std::string& type, PeftKind k) {
    switch (k) {
        case PeftKind::A:
        case PeftKind::B:
            return type == "LORA" || type == "ADALORA";
        case PeftKind::bias:
        case PeftKind::emb_A:
        case PeftKind::emb_B:
        case PeftKind::magnitude:
            return type == "LORA";
        case PeftKind::E:
            return type == "ADALORA";
        case PeftKind::lambda_b:
        case PeftKind::lambda_d:
            return type == "VERA";
        case PeftKind::hra_u:
            return type == "HRA";
    }
    return false;
}

template <class Scalar>
void peft_validate(const PeftAdapter<Scalar>& a) {
    const char* fn = "read_peft_adapter";
    const auto bad = [&](const std::string& path, const std::string& what) {
        throw invalid_argument(std::string(fn) + ": module '" + path + "': " + what);
    };
    const std::string& t = a.config.peft_type;
    for (const auto& kv : a.modules) {
        const auto& p = kv.first;
        const auto& m = kv.second;
        if (t == "LORA" || t == "ADALORA") {
            if (m.A.size() == 0 || m.B.size() == 0) bad(p, "needs both lora_A and lora_B");
            if (m.A.rows() != m.B.cols())
                bad(p, "lora_A has " + std::to_string(m.A.rows()) + " rows but lora_B has " +
                           std::to_string(m.B.cols()) + " columns (both must be the rank)");
            if (t == "LORA" && m.A.rows() != a.config.rank_for(p))
                bad(p, "rank " + std::to_string(m.A.rows()) + " differs from the config's " +
                           std::to_string(a.config.rank_for(p)));
            if (m.magnitude.size() > 0 && m.magnitude.size() != m.B.rows())
                bad(p, "lora_magnitude_vector has " + std::to_string(m.magnitude.size()) +
                           " entries, lora_B has " + std::to_string(m.B.rows()) + " rows");
            if (m.magnitude.size() > 0 && !a.config.use_dora)
                bad(p, "lora_magnitude_vector without use_dora");
            if (a.config.use_dora && m.magnitude.size() == 0 && !m.embedding)
                bad(p, "use_dora is set but lora_magnitude_vector is missing");
            if (m.bias.size() > 0 && m.bias.size() != m.B.rows())
                bad(p, "lora_B.bias size differs from out");
            if (t == "ADALORA" && m.E.size() != m.A.rows())
                bad(p, "lora_E has " + std::to_string(m.E.size()) + " entries for rank " +
                           std::to_string(m.A.rows()));
        } else if (t == "VERA") {
            if (m.lambda_b.size() == 0 || m.lambda_d.size() == 0)
                bad(p, "needs vera_lambda_b and vera_lambda_d");
            if (a.vera_A.size() > 0 && a.vera_A.rows() != m.lambda_d.size())
                bad(p, "vera_lambda_d has " + std::to_string(m.lambda_d.size()) +
                           " entries, vera_A has " + std::to_string(a.vera_A.rows()) + " rows");
            if (a.vera_B.size() > 0 && a.vera_B.rows() < m.lambda_b.size())
                bad(p, "vera_lambda_b is longer than vera_B has rows");
        } else if (t == "HRA") {
            if (m.hra_u.size() == 0) bad(p, "needs hra_u");
            if (m.hra_u.cols() != a.config.rank_for(p))
                bad(p, "hra_u has " + std::to_string(m.hra_u.cols()) +
                           " columns, the config's r is " + std::to_string(a.config.rank_for(p)));
        }
    }
    if (t == "VERA" && a.vera_A.size() > 0 && a.vera_A.rows() != a.vera_B.cols())
        throw invalid_argument(std::string(fn) + ": vera_A and vera_B ranks differ");
}

}  // namespace detail

/// Builds an adapter from adapter_config.json text and a parsed safetensors file.
/// Throws invalid_argument for an unsupported peft_type (supported: LORA, ADALORA, VERA, HRA),
/// a tensor name PEFT does not use for that type, a non-float dtype (F64/F32/F16/BF16 only), a
/// tensor of the wrong rank, or factor shapes that disagree (lora_A rows vs lora_B columns vs
/// the config's r, magnitude vs out, lora_E vs r, ...). O(total size of the tensors).
template <class Scalar>
PeftAdapter<Scalar> parse_peft_adapter(const std::string& config_json,
                                       const SafetensorsFile& file) {
    const char* fn = "read_peft_adapter";
    PeftAdapter<Scalar> a;
    a.config = PeftConfig::from_json(config_json);
    const std::string& t = a.config.peft_type;
    if (t != "LORA" && t != "ADALORA" && t != "VERA" && t != "HRA")
        detail::throw_invalid(fn, "peft_type", "LORA, ADALORA, VERA or HRA", "'" + t + "'");
    a.metadata = file.metadata();
    for (const auto& ti : file.tensors()) {
        const std::string& name = ti.name;
        if (ti.dtype != Dtype::f32 && ti.dtype != Dtype::f16 && ti.dtype != Dtype::bf16 &&
            ti.dtype != Dtype::f64)
            throw invalid_argument(std::string(fn) + ": tensor '" + name + "' has dtype " +
                                   dtype_name(ti.dtype) +
                                   "; adapter weights must be F32, F16, BF16 or F64");
        const auto want_rank = [&](std::size_t lo, std::size_t hi) {
            if (ti.shape.size() < lo || ti.shape.size() > hi)
                throw invalid_argument(std::string(fn) + ": tensor '" + name + "' has rank " +
                                       std::to_string(ti.shape.size()) + ", expected " +
                                       std::to_string(lo) +
                                       (hi != lo ? " or " + std::to_string(hi) : std::string()));
        };
        if (t == "VERA" && (name == "base_model.vera_A" || name == "base_model.vera_B")) {
            want_rank(2, 2);
            (name == "base_model.vera_A" ? a.vera_A : a.vera_B) = file.matrix<Scalar>(name);
            continue;
        }
        std::string path;
        detail::PeftKind kind;
        if (!detail::peft_split_name(name, path, kind))
            throw invalid_argument(
                std::string(fn) + ": unknown PEFT tensor name '" + name +
                "' (expected base_model.model.<path>.lora_A.weight, lora_B.weight, "
                "lora_magnitude_vector, lora_E, vera_lambda_b, vera_lambda_d, hra_u, ...)");
        if (!detail::peft_kind_allowed(t, kind))
            throw invalid_argument(std::string(fn) + ": tensor '" + name +
                                   "' does not belong to a " + t + " adapter");
        auto& m = a.modules[path];
        using K = detail::PeftKind;
        switch (kind) {
            case K::A:
            case K::emb_A:
                want_rank(2, 2);
                m.A = file.matrix<Scalar>(name);
                break;
            case K::B:
            case K::emb_B:
                want_rank(2, 2);
                m.B = file.matrix<Scalar>(name);
                break;
            case K::bias:
                want_rank(1, 1);
                m.bias = file.flat<Scalar>(name);
                break;
            case K::magnitude:
                want_rank(1, 1);
                m.magnitude = file.flat<Scalar>(name);
                break;
            case K::E:
                want_rank(1, 2);
                m.E = file.flat<Scalar>(name);
                break;
            case K::lambda_b:
                want_rank(1, 1);
                m.lambda_b = file.flat<Scalar>(name);
                break;
            case K::lambda_d:
                want_rank(1, 1);
                m.lambda_d = file.flat<Scalar>(name);
                break;
            case K::hra_u:
                want_rank(2, 2);
                m.hra_u = file.matrix<Scalar>(name);
                break;
        }
        if (kind == K::emb_A || kind == K::emb_B) m.embedding = true;
    }
    detail::peft_validate(a);
    return a;
}

/// Reads `dir`/adapter_config.json and `dir`/adapter_model.safetensors (see parse_peft_adapter).
/// Throws invalid_argument when a file is missing or malformed.
template <class Scalar>
PeftAdapter<Scalar> read_peft_adapter(const std::string& dir) {
    const std::string cfg_path = dir + "/adapter_config.json";
    std::ifstream in(cfg_path, std::ios::binary);
    if (!in)
        detail::throw_invalid("read_peft_adapter", "dir", "a directory with adapter_config.json",
                              "'" + dir + "'");
    const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    return parse_peft_adapter<Scalar>(
        text, SafetensorsFile::from_file(dir + "/adapter_model.safetensors"));
}

/// The adapter_model.safetensors image of an adapter, with PEFT's names (LORA: `.lora_A.weight`,
/// ADALORA: `.lora_A` and `.lora_E` as r x 1, ...) in `dtype` (F32 or F16; F64/BF16 also work).
/// Validates the adapter as the reader does. O(total size).
template <class Scalar>
std::vector<std::uint8_t> peft_safetensors_bytes(const PeftAdapter<Scalar>& a,
                                                 Dtype dtype = Dtype::f32) {
    detail::peft_validate(a);
    SafetensorsWriter w;
    for (const auto& kv : a.metadata) w.set_metadata(kv.first, kv.second);
    const std::string& t = a.config.peft_type;
    for (const auto& kv : a.modules) {
        const std::string base = "base_model.model." + kv.first;
        const auto& m = kv.second;
        if (t == "LORA" || t == "ADALORA") {
            const bool ada = t == "ADALORA";
            w.add(base + (m.embedding ? ".lora_embedding_A"
                          : ada       ? ".lora_A"
                                      : ".lora_A.weight"),
                  m.A, dtype);
            w.add(base + (m.embedding ? ".lora_embedding_B"
                          : ada       ? ".lora_B"
                                      : ".lora_B.weight"),
                  m.B, dtype);
            if (m.bias.size() > 0) w.add_vector(base + ".lora_B.bias", m.bias, dtype);
            if (m.magnitude.size() > 0)
                w.add_vector(base + ".lora_magnitude_vector", m.magnitude, dtype);
            if (ada) w.add(base + ".lora_E", m.E, dtype);
        } else if (t == "VERA") {
            w.add_vector(base + ".vera_lambda_b", m.lambda_b, dtype);
            w.add_vector(base + ".vera_lambda_d", m.lambda_d, dtype);
        } else if (t == "HRA") {
            w.add(base + ".hra_u", m.hra_u, dtype);
        } else {
            detail::throw_invalid("write_peft_adapter", "config.peft_type",
                                  "LORA, ADALORA, VERA or HRA", "'" + t + "'");
        }
    }
    if (t == "VERA" && a.vera_A.size() > 0) {
        w.add("base_model.vera_A", a.vera_A, dtype);
        w.add("base_model.vera_B", a.vera_B, dtype);
    }
    return w.to_bytes();
}

/// Writes `dir`/adapter_config.json and `dir`/adapter_model.safetensors (creating `dir`).
/// Throws invalid_argument for an invalid adapter or an unwritable directory.
template <class Scalar>
void write_peft_adapter(const std::string& dir, const PeftAdapter<Scalar>& a,
                        Dtype dtype = Dtype::f32) {
    const auto bytes = peft_safetensors_bytes(a, dtype);
    std::error_code ec;
    std::filesystem::create_directories(dir, ec);
    std::ofstream cfg(dir + "/adapter_config.json", std::ios::binary | std::ios::trunc);
    const std::string text = a.config.to_json();
    if (!cfg || !cfg.write(text.data(), static_cast<std::streamsize>(text.size())))
        detail::throw_invalid("write_peft_adapter", "dir", "a writable directory", "'" + dir + "'");
    std::ofstream st(dir + "/adapter_model.safetensors", std::ios::binary | std::ios::trunc);
    if (!st || !st.write(reinterpret_cast<const char*>(bytes.data()),
                         static_cast<std::streamsize>(bytes.size())))
        detail::throw_invalid("write_peft_adapter", "dir", "a writable directory", "'" + dir + "'");
}

/// A LoraAdapter on the frozen weight W (out x in) from module `path` of a PEFT LORA adapter
/// (factors copied; α and the rank/alpha patterns and use_rslora from the config, so
/// `merged()` equals `a.merged_weight(path, W)`). O(out in).
/// \throws invalid_argument for a missing module, a non-LORA, DoRA, embedding or
/// fan_in_fan_out module, or a W that does not fit the factors.
template <class Scalar, class Derived>
LoraAdapter<Scalar> lora_adapter_from_peft(const PeftAdapter<Scalar>& a, const std::string& path,
                                           const Eigen::MatrixBase<Derived>& W) {
    const auto& m = a.module(path);
    if (a.config.peft_type != "LORA" || m.magnitude.size() > 0 || m.embedding ||
        a.config.fan_in_fan_out)
        detail::throw_invalid(
            "lora_adapter_from_peft", "path", "a plain LoRA module of an nn.Linear",
            "'" + path + "' (" + a.config.peft_type + (m.magnitude.size() ? ", DoRA" : "") + ")");
    return LoraAdapter<Scalar>(W, m.A, m.B, a.config.alpha_for(path),
                               LoraOptions{a.config.use_rslora});
}

/// A DoraAdapter on W (out x in) from a DoRA module of a PEFT LORA adapter (use_dora).
/// \throws invalid_argument for a missing module, one without lora_magnitude_vector, or a bad W.
template <class Scalar, class Derived>
DoraAdapter<Scalar> dora_adapter_from_peft(const PeftAdapter<Scalar>& a, const std::string& path,
                                           const Eigen::MatrixBase<Derived>& W) {
    const auto& m = a.module(path);
    if (a.config.peft_type != "LORA" || m.magnitude.size() == 0 || a.config.fan_in_fan_out)
        detail::throw_invalid("dora_adapter_from_peft", "path",
                              "a DoRA module (lora_magnitude_vector)", "'" + path + "'");
    DoraOptions o;
    o.use_rslora = a.config.use_rslora;
    return DoraAdapter<Scalar>(W, m.A, m.B, m.magnitude, a.config.alpha_for(path), o);
}

/// Stores the factors of a trained LoraAdapter as module `path` (A, B copied; the config's r,
/// lora_alpha and use_rslora are the caller's to set consistently).
template <class Scalar>
void set_peft_module(PeftAdapter<Scalar>& a, const std::string& path,
                     const LoraAdapter<Scalar>& lora) {
    auto& m = a.modules[path];
    m.A = lora.A();
    m.B = lora.B();
}

/// Stores the factors and magnitude of a trained DoraAdapter as module `path`.
template <class Scalar>
void set_peft_module(PeftAdapter<Scalar>& a, const std::string& path,
                     const DoraAdapter<Scalar>& dora) {
    auto& m = a.modules[path];
    m.A = dora.A();
    m.B = dora.B();
    m.magnitude = dora.magnitude();
}

}  // namespace subspace
