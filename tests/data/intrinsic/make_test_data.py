#!/usr/bin/env python3
"""Copies the small pieces of the shared intrinsic-dimension reference data the tests need.

Source: /work/shared/data/intrinsic/ (scikit-dimension 0.3.4 BenchmarkManifolds(random_state=0),
n = 2500, float64 row-major n x D; skdim/DADApy estimates in skdim_reference_estimates.jsonl;
per-point MLE (k = 20) values in pw/). Run from this directory; the build never runs it.
"""
import json
import shutil

SRC = "/work/shared/data/intrinsic/"
SETS = ["bench_M2_Affine_3to5_n2500", "bench_M3_Nonlinear_4to6_n2500", "bench_M5a_Helix1d_n2500",
        "bench_M7_Roll_n2500"]

manifest = {f["file"]: f for f in json.load(open(SRC + "manifest.json"))["files"]}
with open("skdim_reference.txt", "w") as out:
    out.write("# dataset n D true_id estimator value  (skdim 0.3.4 / DADApy, float64, %.17g)\n")
    for line in open(SRC + "skdim_reference_estimates.jsonl"):
        d = json.loads(line)
        name = d["dataset"].replace(".f64", "")
        if name not in SETS or d["estimate"] is None:
            continue
        m = manifest[d["dataset"]]
        out.write("%s %d %d %d %s %.17g\n" % (name, m["n"], m["D"], m["true_id"], d["estimator"],
                                              d["estimate"]))
        if d["estimator"] == "dadapy_gride":
            for n2, v, e in zip(d["extra"]["gride_n2"], d["extra"]["gride_ids"],
                                d["extra"]["gride_err"]):
                out.write("%s %d %d %d gride_n2_%d %.17g\n" % (name, m["n"], m["D"], m["true_id"],
                                                               n2, v))
                out.write("%s %d %d %d gride_err_n2_%d %.17g\n" % (name, m["n"], m["D"],
                                                                   m["true_id"], n2, e))
        if d["estimator"] == "MLE_k20":
            for key, val in d["extra"].items():
                out.write("%s %d %d %d MLE_k20_%s %.17g\n" % (name, m["n"], m["D"], m["true_id"],
                                                             key, val))
for s in SETS:
    shutil.copy(SRC + s + ".f64", s + ".f64")
    shutil.copy(SRC + "pw/" + s + "_n2500_MLE_k20_pw.f64", s + "_MLE_k20_pw.f64")
