#!/usr/bin/env python3
"""Reference data for tests/peft (numpy + stdlib only).

Run from the repository root:
    /usr/bin/python3 ../shared/reference/peft_io_ref.py tests/data/peft/toy_lora_adapter
    /usr/bin/python3 tests/data/peft/gen_peft_cases.py tests/data/peft

Writes
  dtype_cases.safetensors   F32 sources, their numpy float16 conversions (F16), BF16 bit patterns,
                            an F64 2-D tensor and a 2-D F16 tensor (row-major, as safetensors stores it)
  dtype_cases_expected.txt  for every tensor: "name rows cols" then the values as float64 (row-major),
                            computed by numpy (F16 -> float32, BF16 bits << 16 viewed as float32)
  dora_adapter/, vera_adapter/, adalora_adapter/, hra_adapter/
                            PEFT-named tensors for the other adapter types (names as PEFT saves them)
"""
import json, os, struct, sys
import numpy as np

NAMES = {np.dtype(np.float64): "F64", np.dtype(np.float32): "F32", np.dtype(np.float16): "F16"}


def save(path, tensors, metadata=None):
    """tensors: name -> (dtype string, shape, raw bytes). Same layout as peft_io_ref.save_safetensors."""
    header, off, blobs = {}, 0, []
    if metadata:
        header["__metadata__"] = metadata
    for name in sorted(tensors):
        dt, shape, b = tensors[name]
        header[name] = {"dtype": dt, "shape": list(shape), "data_offsets": [off, off + len(b)]}
        off += len(b); blobs.append(b)
    h = json.dumps(header, separators=(",", ":")).encode("utf-8")
    h += b" " * ((8 - len(h) % 8) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(h))); f.write(h)
        for b in blobs:
            f.write(b)


def arr(a):
    a = np.ascontiguousarray(a)
    return (NAMES[a.dtype], a.shape, a.astype(a.dtype.newbyteorder("<")).tobytes())


def main(out):
    rng = np.random.default_rng(2024)
    # float32 -> float16 conversion cases: specials, overflow, subnormals, rounding ties, random.
    special = np.array([0.0, -0.0, 1.0, -1.0, 0.5, 65504.0, 65519.0, 65520.0, 1e6, -1e6, np.inf, -np.inf,
                        6.1035156e-05, 6.0e-05, 5.9604645e-08, 2.98e-08, 2.9802322e-08, 1e-9, 1.0 + 2.0 ** -11,
                        1.0 + 3 * 2.0 ** -11, 2049.0, 2051.0, 3.14159265, -2.718281828, 1e-4, 0.1],
                       dtype=np.float32)
    rnd = np.concatenate([rng.standard_normal(40) * 10.0 ** rng.integers(-8, 5, 40)]).astype(np.float32)
    src = np.concatenate([special, rnd]).astype(np.float32)
    with np.errstate(over="ignore"):
        f16 = src.astype(np.float16)  # 65520 and 1e6 overflow to inf, as IEEE round-to-nearest says
    bf_bits = np.concatenate([np.array([0x0000, 0x8000, 0x3F80, 0xBF80, 0x7F80, 0xFF80, 0x0001, 0x807F, 0x7F7F,
                                        0x4049], dtype=np.uint16), rng.integers(0, 65536, 200).astype(np.uint16)])
    bf_bits = bf_bits[(((bf_bits >> 7) & 0xFF) != 0xFF) | ((bf_bits & 0x7F) == 0)]  # drop NaN patterns
    bf_vals = (bf_bits.astype(np.uint32) << 16).view(np.float32)
    m64 = rng.standard_normal((2, 3))
    m16 = (rng.standard_normal((3, 5)) * 4).astype(np.float16)
    T = {"src_f32": arr(src), "src_f16": arr(f16), "bf16_vec": ("BF16", bf_bits.shape, bf_bits.astype("<u2").tobytes()),
         "m_f64": arr(m64), "m_f16": arr(m16)}
    save(os.path.join(out, "dtype_cases.safetensors"), T, {"format": "pt", "note": "dtype cases"})
    exp = {"src_f32": src.astype(np.float64).reshape(-1, 1), "src_f16": f16.astype(np.float64).reshape(-1, 1),
           "bf16_vec": bf_vals.astype(np.float64).reshape(-1, 1), "m_f64": m64, "m_f16": m16.astype(np.float64)}
    with open(os.path.join(out, "dtype_cases_expected.txt"), "w") as f:
        for k in sorted(exp):
            v = exp[k]
            f.write(f"{k} {v.shape[0]} {v.shape[1]}\n" + " ".join(repr(float(x)) for x in v.reshape(-1)) + "\n")

    # Other PEFT adapter types: names as PEFT's get_peft_model_state_dict saves them (adapter name stripped).
    o, i, r = 6, 5, 2
    mod = "base_model.model.encoder.layer.0.attention.query"
    f32 = lambda *s: rng.standard_normal(s).astype(np.float32)
    kinds = {
        "dora_adapter": ({"peft_type": "LORA", "r": r, "lora_alpha": 4, "use_dora": True, "use_rslora": True,
                          "target_modules": ["query"]},
                         {f"{mod}.lora_A.weight": f32(r, i), f"{mod}.lora_B.weight": f32(o, r),
                          f"{mod}.lora_magnitude_vector": f32(o)}),
        "vera_adapter": ({"peft_type": "VERA", "r": r, "target_modules": ["query"], "projection_prng_key": 0,
                          "save_projection": True},
                         {f"{mod}.vera_lambda_b": f32(o), f"{mod}.vera_lambda_d": f32(r),
                          "base_model.vera_A": f32(r, i), "base_model.vera_B": f32(o, r)}),
        "adalora_adapter": ({"peft_type": "ADALORA", "r": r, "lora_alpha": 2, "target_modules": ["query"],
                             "init_r": r, "target_r": 1},
                            {f"{mod}.lora_A": f32(r, i), f"{mod}.lora_B": f32(o, r), f"{mod}.lora_E": f32(r, 1)}),
        "hra_adapter": ({"peft_type": "HRA", "r": r, "target_modules": ["query"], "apply_GS": False},
                        {f"{mod}.hra_u": f32(i, r)}),
    }
    W = rng.standard_normal((o, i))
    for d, (cfg, T) in kinds.items():
        os.makedirs(os.path.join(out, d), exist_ok=True)
        save(os.path.join(out, d, "adapter_model.safetensors"), {k: arr(v) for k, v in T.items()}, {"format": "pt"})
        json.dump(cfg, open(os.path.join(out, d, "adapter_config.json"), "w"), indent=2)
        # Merged weight for base weight W (out x in), as PEFT's layers compute it (float64).
        g = {k.split(".")[-1] if "magnitude" in k or "vera_" in k or "hra_u" in k or "lora_E" in k
             else k.split(".")[-2] if k.endswith(".weight") else k.split(".")[-1]: v.astype(np.float64)
             for k, v in T.items()}
        if d == "dora_adapter":       # DoRA (rsLoRA scale alpha / sqrt(r)): m * V / ||V||_row
            V = W + cfg["lora_alpha"] / np.sqrt(r) * g["lora_B"] @ g["lora_A"]
            M = (g["lora_magnitude_vector"] / np.linalg.norm(V, axis=1))[:, None] * V
        elif d == "vera_adapter":     # lambda_b * B[:out] @ (lambda_d * A[:, :in])
            M = W + g["vera_lambda_b"][:, None] * (g["vera_B"][:o] @ (g["vera_lambda_d"][:, None] * g["vera_A"][:, :i]))
        elif d == "adalora_adapter":  # B @ (A * E) * alpha / (ranknum + 1e-5), ranknum = r
            M = W + g["lora_B"] @ (g["lora_A"] * g["lora_E"]) * cfg["lora_alpha"] / (r + 1e-5)
        else:                         # HRA: W @ (I - 2 u1 u1^T) ... (I - 2 ur ur^T), u normalised
            U = g["hra_u"] / np.linalg.norm(g["hra_u"], axis=0); H = np.eye(i)
            for k in range(r):
                H = H - 2 * H @ U[:, k:k + 1] @ U[:, k:k + 1].T
            M = W @ H
        np.save(os.path.join(out, d, "base_W_f64.npy"), W)
        np.save(os.path.join(out, d, "merged_f64.npy"), M)
    print("wrote", out)


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else ".")
