// Motion segmentation on Hopkins155 (R. Tron, R. Vidal, "A benchmark for the comparison of 3-D
// motion segmentation algorithms", CVPR 2007): each sequence is a 2F x P matrix of P point
// trajectories over F frames, and the trajectories of one rigid motion lie in an affine subspace
// of dimension <= 3. Runs SSC-ADMM (alpha 800, affine, top-0.7 post-processing, the
// Elhamifar & Vidal 2013 setting), LSR, LRR, SSC-OMP, EnSC and TSC on every sequence and prints
// the mean / median clustering error (%) for 2 motions, 3 motions and all, and the time.
//
// Usage: example_cluster_hopkins [HOPKINS_DIR [METHOD ...]]
//   HOPKINS_DIR holds NAME.X.f64 (float64, column-major 2F x P) and NAME.s.i32 (int32 labels
//   1..n) for each sequence (the layout of the Hopkins155 conversion, see
//   tests/data/cluster/README.md). Without it the example runs on the few sequences copied under
//   tests/data/cluster/hopkins, found relative to this source file.
//   METHOD in {ssc, ssc-code, lsr, lsr2, lrr, omp, ensc, tsc}; default: all but ssc-code (SSC with
//   the released MATLAB code's extra diag(Z) = 0 step, SscOptions::zero_z_diagonal).
#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <fstream>
#include <map>
#include <string>
#include <vector>

#include <Eigen/Core>

#include "subspace/cluster/metrics.hpp"
#include "subspace/cluster/pipeline.hpp"

namespace {

// The copied sequences: next to this source file when __FILE__ is absolute, else relative to the
// working directory (examples/ when run by ctest, or the repository root).
std::string default_dir() {
    const std::string f = __FILE__;
    const auto p = f.find_last_of("/\\");
    const std::string here = p == std::string::npos ? std::string(".") : f.substr(0, p);
    for (const std::string& c :
         {here + "/../tests/data/cluster/hopkins", std::string("../tests/data/cluster/hopkins"),
          std::string("tests/data/cluster/hopkins")})
        if (std::ifstream(c + "/index.json")) return c;
    return here + "/../tests/data/cluster/hopkins";
}

template <class T>
std::vector<T> read_raw(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) return {};
    in.seekg(0, std::ios::end);
    const auto bytes = static_cast<std::size_t>(in.tellg());
    in.seekg(0);
    std::vector<T> v(bytes / sizeof(T));
    in.read(reinterpret_cast<char*>(v.data()), static_cast<std::streamsize>(v.size() * sizeof(T)));
    return v;
}

struct Sequence {
    std::string name;
    Eigen::MatrixXd X;
    Eigen::VectorXi labels;
    int n_motions = 0;
};

std::vector<std::string> list_names(const std::string& dir) {
    // The sequence names are the "name" fields of DIR/index.json.
    std::vector<std::string> names;
    std::ifstream idx(dir + "/index.json");
    if (idx) {
        std::string line;
        while (std::getline(idx, line)) {
            const auto k = line.find("\"name\":");
            if (k == std::string::npos) continue;
            const auto a = line.find('"', k + 7);
            const auto b = line.find('"', a + 1);
            names.push_back(line.substr(a + 1, b - a - 1));
        }
    }
    return names;
}

bool load(const std::string& dir, const std::string& name, Sequence& s) {
    const auto x = read_raw<double>(dir + "/" + name + ".X.f64");
    const auto l = read_raw<std::int32_t>(dir + "/" + name + ".s.i32");
    if (x.empty() || l.empty() || x.size() % l.size() != 0) return false;
    const auto P = static_cast<Eigen::Index>(l.size());
    const auto rows = static_cast<Eigen::Index>(x.size()) / P;
    s.name = name;
    s.X = Eigen::Map<const Eigen::MatrixXd>(x.data(), rows, P);
    s.labels.resize(P);
    for (Eigen::Index i = 0; i < P; ++i) s.labels(i) = l[static_cast<std::size_t>(i)];
    s.n_motions = s.labels.maxCoeff();
    return true;
}

double mean(const std::vector<double>& v) {
    double s = 0;
    for (double x : v) s += x;
    return v.empty() ? 0.0 : s / static_cast<double>(v.size());
}

double median(std::vector<double> v) {
    if (v.empty()) return 0.0;
    std::sort(v.begin(), v.end());
    const auto m = v.size() / 2;
    return v.size() % 2 ? v[m] : 0.5 * (v[m - 1] + v[m]);
}

subspace::SubspaceClusteringOptions options_for(const std::string& m) {
    using subspace::ClusteringMethod;
    subspace::SubspaceClusteringOptions o;
    o.spectral.n_init = 20;
    if (m == "ssc" || m == "ssc-code") {
        // Elhamifar & Vidal 2013, Hopkins155: alpha = 800, affine, thrC rho = 0.7.
        o.method = ClusteringMethod::ssc_admm;
        o.ssc.alpha = 800;
        o.ssc.affine = true;
        o.post.rho = 0.7;
        o.ssc.zero_z_diagonal = m == "ssc-code";  // the released code's Z-step
    } else if (m == "lsr" || m == "lsr2") {
        o.method = ClusteringMethod::lsr;  // Lu et al. 2012: λ = 4.6e-3
        o.lsr.zero_diagonal = m == "lsr";  // LSR1 (diag(Z) = 0) or LSR2
        o.post.normalize_max = false;
    } else if (m == "lrr") {
        o.method = ClusteringMethod::lrr;  // Liu et al. 2013: λ = 4, W = |MMᵀ|⁴
    } else if (m == "omp") {
        o.method = ClusteringMethod::ssc_omp;
        o.ssc_omp.k_max = 5;
        o.ssc_omp.tolerance = 1e-3;
    } else if (m == "ensc") {
        o.method = ClusteringMethod::ensc;
        o.ensc.lambda = 0.95;  // the best of a small sweep on Hopkins155 (README)
        o.post.rho = 0.7;
    } else if (m == "tsc") {
        o.method = ClusteringMethod::tsc;
        o.tsc.q = 8;
    }
    return o;
}

}  // namespace

int main(int argc, char** argv) {
    const std::string dir = argc > 1 ? argv[1] : default_dir();
    std::vector<std::string> methods;
    for (int i = 2; i < argc; ++i) methods.emplace_back(argv[i]);
    if (methods.empty()) methods = {"ssc", "lsr", "lsr2", "lrr", "omp", "ensc", "tsc"};

    std::vector<Sequence> seqs;
    for (const auto& name : list_names(dir)) {
        Sequence s;
        if (load(dir, name, s)) seqs.push_back(std::move(s));
    }
    if (seqs.empty()) {
        std::fprintf(stderr, "no sequences found in %s (expected index.json and NAME.X.f64)\n",
                     dir.c_str());
        return 1;
    }
    std::printf("Hopkins155 motion segmentation: %zu sequences from %s\n", seqs.size(),
                dir.c_str());
    std::printf("%-8s | %-15s | %-15s | %-15s | %8s\n", "method", "2 motions", "3 motions", "all",
                "time s");
    std::printf("%-8s | %7s %7s | %7s %7s | %7s %7s |\n", "", "mean", "median", "mean", "median",
                "mean", "median");
    for (const auto& m : methods) {
        const auto o = options_for(m);
        std::vector<double> e2, e3, all;
        const auto t0 = std::chrono::steady_clock::now();
        for (const auto& s : seqs) {
            const auto r = subspace::subspace_clustering(s.X, s.n_motions, o);
            const double err = 100.0 * (1.0 - subspace::clustering_accuracy(r.labels, s.labels));
            (s.n_motions == 2 ? e2 : e3).push_back(err);
            all.push_back(err);
        }
        const double secs =
            std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
        std::printf("%-8s | %7.2f %7.2f | %7.2f %7.2f | %7.2f %7.2f | %8.2f\n", m.c_str(), mean(e2),
                    median(e2), mean(e3), median(e3), mean(all), median(all), secs);
    }
    return 0;
}
