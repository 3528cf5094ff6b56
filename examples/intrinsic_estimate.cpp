// Intrinsic dimension of a data set: every estimator of subspace/intrinsic.hpp on one shared
// k-NN graph, plus the recommended calibrated estimate.
//
//   example_intrinsic_estimate                      embedded data: 5-d affine subspace of R^20
//                                                   and a swiss roll in R^3
//   example_intrinsic_estimate FILE N D              a raw float64 file, row-major N x D
//   example_intrinsic_estimate --benchmark           the 24 Hein–Audibert / Campadelli sets,
//                                                   drawn by benchmark_manifold (n = 2500), with
//                                                   the mean relative error table
//   example_intrinsic_estimate --benchmark DIR       the same table on skdim's own points
//                                                   (DIR/manifest.json layout)
#include <chrono>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "subspace/intrinsic.hpp"

namespace {

using subspace::Index;

Eigen::MatrixXd read_raw(const std::string& path, Index n, Index D) {
    Eigen::MatrixXd X(D, n);
    std::ifstream in(path, std::ios::binary);
    if (!in) throw std::runtime_error("cannot open " + path);
    in.read(reinterpret_cast<char*>(X.data()),
            static_cast<std::streamsize>(sizeof(double) * static_cast<std::size_t>(n * D)));
    if (in.gcount() !=
        static_cast<std::streamsize>(sizeof(double) * static_cast<std::size_t>(n * D)))
        throw std::runtime_error("short file " + path);
    return X;
}

struct Row {
    double mle, twonn, twonn_ml, gride, lpca, corrint, mom, tle, mada, mind, calibrated;
};

Row run_all(const Eigen::MatrixXd& X) {
    // One exact graph (k = 100, duplicates skipped) shared by the k-NN estimators.
    subspace::KnnOptions ko;
    ko.skip_duplicates = true;
    const auto g = subspace::knn(X, std::min<Index>(100, X.cols() - 1), ko);
    Row r{};
    subspace::MleOptions mo;
    r.mle = subspace::mle_dimension(g, mo).dimension;
    r.twonn = subspace::twonn_dimension(g).dimension;
    subspace::TwoNnOptions ml;
    ml.method = subspace::TwoNnMethod::maximum_likelihood;
    r.twonn_ml = subspace::twonn_dimension(g, ml).dimension;
    subspace::GrideOptions go;
    go.n1 = 4;
    r.gride = subspace::gride_dimension(g, go).dimension;
    r.lpca = subspace::pca_dimension(X).dimension;
    r.corrint = subspace::corrint_dimension(X).dimension;
    r.mom = g.distances.rows() >= 100 ? subspace::mom_dimension(g).dimension : std::nan("");
    r.tle = subspace::tle_dimension(X, g).dimension;
    r.mada = subspace::mada_dimension(g).dimension;
    r.mind = subspace::mind_ml_dimension(g).dimension;
    r.calibrated = subspace::estimate_dimension(X).dimension;
    return r;
}

void print_header() {
    std::printf("%-22s %4s %4s | %7s %7s %7s %7s %7s %7s %7s %7s %7s %7s | %9s\n", "data", "D", "d",
                "MLE20", "TwoNN", "2NN-ml", "GRIDE4", "lPCA", "CorrInt", "MOM", "TLE", "MADA",
                "MiND", "estimate");
}

void print_row(const std::string& name, Index D, const std::string& d, const Row& r) {
    std::printf(
        "%-22s %4ld %4s | %7.2f %7.2f %7.2f %7.2f %7.2f %7.2f %7.2f %7.2f %7.2f %7.2f | %9.2f\n",
        name.c_str(), static_cast<long>(D), d.c_str(), r.mle, r.twonn, r.twonn_ml, r.gride, r.lpca,
        r.corrint, r.mom, r.tle, r.mada, r.mind, r.calibrated);
}

// Mean relative errors per estimator over the main suite (M1 ... M13) and the six extra sets.
class ErrorTable {
public:
    void add(const std::string& name, Index D, double d, const Row& r) {
        print_row(name, D, to_label(d), r);
        const double v[] = {r.mle, r.twonn, r.twonn_ml, r.gride, r.lpca,      r.corrint,
                            r.mom, r.tle,   r.mada,     r.mind,  r.calibrated};
        const bool extra = name[1] == 'b' || name[1] == 'n' || name[1] == 'p';  // Mbeta, Mn*, Mp*
        for (std::size_t i = 0; i < 11; ++i)
            (extra ? m_extra : m_main)[i] += std::abs(v[i] - d) / d;
        (extra ? m_n_extra : m_n_main)++;
    }
    int print() const {
        const char* names[] = {"MLE20", "TwoNN", "2NN-ml", "GRIDE4", "lPCA",    "CorrInt",
                               "MOM",   "TLE",   "MADA",   "MiND",   "estimate"};
        std::printf("\nmean relative error (%%)   M1..M13 (%d sets) | extras (%d sets)\n", m_n_main,
                    m_n_extra);
        for (std::size_t i = 0; i < 11; ++i)
            std::printf("  %-9s %8.1f | %8.1f\n", names[i],
                        100.0 * m_main[i] / std::max(1, m_n_main),
                        100.0 * m_extra[i] / std::max(1, m_n_extra));
        return m_n_main > 0 ? 0 : 1;
    }

private:
    static std::string to_label(double d) { return std::to_string(static_cast<long>(d)); }
    std::vector<double> m_main = std::vector<double>(11, 0.0);
    std::vector<double> m_extra = std::vector<double>(11, 0.0);
    int m_n_main = 0, m_n_extra = 0;
};

// The 24 sets as files (skdim's own points: DIR/manifest.json and raw float64 files).
int benchmark(const std::string& dir) {
    // The manifest is JSON; the fields needed are read with a tiny scanner (file, n, D, true_id).
    std::ifstream in(dir + "/manifest.json");
    if (!in) {
        std::fprintf(stderr, "cannot open %s/manifest.json\n", dir.c_str());
        return 1;
    }
    std::stringstream ss;
    ss << in.rdbuf();
    const std::string js = ss.str();
    auto field = [&](std::size_t from, const std::string& key, std::size_t& pos) {
        pos = js.find("\"" + key + "\"", from);
        if (pos == std::string::npos) return std::string();
        std::size_t a = js.find(':', pos) + 1;
        while (js[a] == ' ' || js[a] == '"') ++a;
        std::size_t b = a;
        while (b < js.size() && js[b] != ',' && js[b] != '"' && js[b] != '\n' && js[b] != '}') ++b;
        return js.substr(a, b - a);
    };
    ErrorTable table;
    print_header();
    std::size_t pos = 0, p2 = 0;
    for (;;) {
        const std::string file = field(pos, "file", pos);
        if (file.empty()) break;
        const Index n = std::stol(field(pos, "n", p2));
        const Index D = std::stol(field(pos, "D", p2));
        const std::string tid = field(pos, "true_id", p2);
        pos += 10;
        if (file.rfind("bench_", 0) != 0) continue;
        const Eigen::MatrixXd X = read_raw(dir + "/" + file, n, D);
        table.add(file.substr(6, file.find("_n2500") - 6), D, std::stod(tid), run_all(X));
    }
    return table.print();
}

// The 24 sets drawn by our own generator (benchmark_manifold, n = 2500, seed = set index): the
// same distributions as skdim's, other points.
int benchmark_generated() {
    ErrorTable table;
    print_header();
    std::uint64_t seed = 0;
    for (const auto& info : subspace::benchmark_manifolds()) {
        const Eigen::MatrixXd X = subspace::benchmark_manifold(info.id, 2500, seed++);
        table.add(info.name, info.ambient_dim, static_cast<double>(info.intrinsic_dim), run_all(X));
    }
    return table.print();
}

}  // namespace

int main(int argc, char** argv) {
    try {
        if (argc == 3 && std::string(argv[1]) == "--benchmark") return benchmark(argv[2]);
        if (argc == 2 && std::string(argv[1]) == "--benchmark") return benchmark_generated();
        print_header();
        if (argc == 4) {
            const Eigen::MatrixXd X = read_raw(argv[1], std::stol(argv[2]), std::stol(argv[3]));
            print_row(argv[1], X.rows(), "?", run_all(X));
            return 0;
        }
        // Embedded data 1: a 5-d affine subspace of R^20 (uniform cube coordinates), n = 2000.
        const subspace::Rng rng(7);
        const Eigen::MatrixXd B = rng.normal<double>(20, 5);
        const Eigen::MatrixXd affine = (B * rng.with_stream(1).uniform<double>(5, 2000)).colwise() +
                                       Eigen::VectorXd::Constant(20, 3.0);
        const Row a = run_all(affine);
        print_row("affine 5 in R^20", 20, "5", a);
        // Embedded data 2: swiss roll (t in [1.5π, 4.5π], height in [0, 21]), n = 2000.
        const Eigen::MatrixXd U = rng.with_stream(2).uniform<double>(2, 2000);
        Eigen::MatrixXd roll(3, 2000);
        for (Index j = 0; j < 2000; ++j) {
            const double t = 1.5 * M_PI * (1.0 + 2.0 * U(0, j));
            roll.col(j) << t * std::cos(t), 21.0 * U(1, j), t * std::sin(t);
        }
        const Row s = run_all(roll);
        print_row("swiss roll in R^3", 3, "2", s);
        const bool ok = std::abs(a.calibrated - 5.0) < 0.5 && std::abs(s.calibrated - 2.0) < 0.3;
        std::printf("%s\n", ok ? "recommended estimate within tolerance on both embedded sets"
                               : "FAILED: recommended estimate off");
        return ok ? 0 : 1;
    } catch (const std::exception& e) {
        std::fprintf(stderr, "error: %s\n", e.what());
        return 1;
    }
}
