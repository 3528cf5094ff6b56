// Face clustering on Extended Yale B (A. Georghiades, P. Belhumeur, D. Kriegman, TPAMI 2001;
// K.-C. Lee, J. Ho, D. Kriegman, TPAMI 2005): the images of one face under varying lighting lie
// near a 9-dimensional subspace (R. Basri, D. Jacobs, TPAMI 2003).
//
// Preprocessing (the protocol of Elhamifar & Vidal 2013, §6.2): the 192 x 168 cropped images are
// reduced to 48 x 42 by 4 x 4 block means (as stored in the data directory) and vectorised to
// 2016-dimensional columns; pixel values are scaled to [0, 1]. No other normalisation: SSC-OMP
// and EnSC scale each image to unit norm themselves, and SSC's λ = α/μ is scale-invariant.
// Subjects are split into four groups (1-10, 11-20, 21-30, 31-38); n-subject problems are all
// n-subsets of a group (2 subjects: 45 + 45 + 45 + 28 = 163 pairs; 10 subjects: groups 1-3), and
// 38 subjects is the whole set.
//
// Methods: SSC-ADMM with the outlier term (alpha 20, exact self-expression, the paper's faces
// setting), LRR (λ 0.15, Liu et al. 2013's faces setting, with their post-processing), SSC-OMP
// (k_max 10, residual 1e-3) and EnSC (λ 0.9, α 50). A face so dark that SSC explains it by the
// outlier term alone has no affinity; the pipeline labels it by its most similar image
// (SubspaceClusteringOptions::assign_isolated) instead of letting it take a cluster.
//
// Usage: example_cluster_yaleb [EYALEB_DIR [MAX_PAIRS]]
//   EYALEB_DIR holds X_48x42.f32 (float32, column-major 2016 x 2414, values 0..255) and
//   labels.i32 (int32 subjects 1..38). MAX_PAIRS limits the 2-subject runs (default: all 163).
//   Without a directory the example runs on a synthetic stand-in: 10 random 9-dimensional
//   subspaces of R^200 with 64 noisy points each.
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>
#include <vector>

#include <Eigen/Core>

#include "subspace/cluster/metrics.hpp"
#include "subspace/cluster/pipeline.hpp"
#include "subspace/core/rng.hpp"

namespace {

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

subspace::SubspaceClusteringOptions options_for(const std::string& m) {
    using subspace::ClusteringMethod;
    subspace::SubspaceClusteringOptions o;
    o.spectral.n_init = 10;
    if (m == "ssc") {
        o.method = ClusteringMethod::ssc_admm;
        o.ssc.alpha = 20;
        o.ssc.outliers = true;
        o.ssc.exact = true;
    } else if (m == "lrr") {
        o.method = ClusteringMethod::lrr;
        o.lrr.lambda = 0.15;
    } else if (m == "omp") {
        o.method = ClusteringMethod::ssc_omp;
        o.ssc_omp.k_max = 10;
        o.ssc_omp.tolerance = 1e-3;
    } else {
        o.method = ClusteringMethod::ensc;
    }
    return o;
}

struct Run {
    double err_sum = 0;
    int count = 0;
    double seconds = 0;
};

// Clusters the columns of X whose label is in `subjects`; returns the error in %.
double run_subset(const Eigen::MatrixXf& X, const Eigen::VectorXi& labels,
                  const std::vector<int>& subjects, const std::string& method, double& seconds) {
    std::vector<Eigen::Index> cols;
    for (Eigen::Index j = 0; j < labels.size(); ++j)
        for (int s : subjects)
            if (labels(j) == s) cols.push_back(j);
    Eigen::MatrixXf Xs(X.rows(), static_cast<Eigen::Index>(cols.size()));
    Eigen::VectorXi ts(static_cast<Eigen::Index>(cols.size()));
    for (std::size_t k = 0; k < cols.size(); ++k) {
        Xs.col(static_cast<Eigen::Index>(k)) = X.col(cols[k]);
        ts(static_cast<Eigen::Index>(k)) = labels(cols[k]);
    }
    const auto t0 = std::chrono::steady_clock::now();
    const auto r = subspace::subspace_clustering(Xs, static_cast<Eigen::Index>(subjects.size()),
                                                 options_for(method));
    seconds += std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    return 100.0 * (1.0 - subspace::clustering_accuracy(r.labels, ts));
}

}  // namespace

int main(int argc, char** argv) {
    const std::vector<std::string> methods = {"ssc", "lrr", "omp", "ensc"};
    if (argc < 2) {
        // Synthetic stand-in: 10 subspaces of dimension 9 in R^200, 64 points each, noise 0.1.
        const Eigen::Index d = 200, k = 10, r = 9, per = 64;
        Eigen::MatrixXf X(d, k * per);
        Eigen::VectorXi labels(k * per);
        for (Eigen::Index s = 0; s < k; ++s) {
            const Eigen::MatrixXd B =
                subspace::Rng(100 + static_cast<std::uint64_t>(s)).normal<double>(d, r);
            const Eigen::MatrixXd A =
                subspace::Rng(200 + static_cast<std::uint64_t>(s)).normal<double>(r, per);
            X.middleCols(s * per, per) = (B * A).cast<float>();
            labels.segment(s * per, per).setConstant(static_cast<int>(s));
        }
        X += 0.1f * subspace::Rng(7).normal<float>(d, k * per) *
             (X.norm() / std::sqrt(float(X.size())));
        std::printf("synthetic stand-in: %d subspaces of dimension %d in R^%d, %d points each\n",
                    int(k), int(r), int(d), int(per));
        for (const auto& m : methods) {
            const auto t0 = std::chrono::steady_clock::now();
            const auto res = subspace::subspace_clustering(X, k, options_for(m));
            const double secs =
                std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
            std::printf("%-5s error %6.2f %%  time %.2f s\n", m.c_str(),
                        100.0 * (1.0 - subspace::clustering_accuracy(res.labels, labels)), secs);
        }
        return 0;
    }
    const std::string dir = argv[1];
    const int max_pairs = argc > 2 ? std::atoi(argv[2]) : 1 << 30;
    const auto x = read_raw<float>(dir + "/X_48x42.f32");
    const auto l = read_raw<std::int32_t>(dir + "/labels.i32");
    if (x.empty() || l.empty() || x.size() % l.size() != 0) {
        std::fprintf(stderr, "cannot read %s/X_48x42.f32 and labels.i32\n", dir.c_str());
        return 1;
    }
    const auto n = static_cast<Eigen::Index>(l.size());
    const auto D = static_cast<Eigen::Index>(x.size()) / n;
    const Eigen::MatrixXf X = Eigen::Map<const Eigen::MatrixXf>(x.data(), D, n) / 255.0f;
    Eigen::VectorXi labels(n);
    for (Eigen::Index i = 0; i < n; ++i) labels(i) = l[static_cast<std::size_t>(i)];
    std::printf("Extended Yale B: %d images of %d pixels\n", int(n), int(D));
    const std::vector<std::vector<int>> groups = {{1, 2, 3, 4, 5, 6, 7, 8, 9, 10},
                                                  {11, 12, 13, 14, 15, 16, 17, 18, 19, 20},
                                                  {21, 22, 23, 24, 25, 26, 27, 28, 29, 30},
                                                  {31, 32, 33, 34, 35, 36, 37, 38}};
    for (const auto& m : methods) {
        Run two, ten;
        int pairs = 0;
        for (const auto& g : groups)
            for (std::size_t a = 0; a < g.size(); ++a)
                for (std::size_t b = a + 1; b < g.size(); ++b) {
                    if (pairs >= max_pairs) continue;
                    ++pairs;
                    two.err_sum += run_subset(X, labels, {g[a], g[b]}, m, two.seconds);
                    ++two.count;
                }
        for (std::size_t gi = 0; gi < 3; ++gi) {
            ten.err_sum += run_subset(X, labels, groups[gi], m, ten.seconds);
            ++ten.count;
        }
        std::printf(
            "%-5s 2 subjects (%d pairs): mean error %6.2f %% (%.1f s) | 10 subjects (%d): "
            "mean error %6.2f %% (%.1f s)\n",
            m.c_str(), two.count, two.err_sum / two.count, two.seconds, ten.count,
            ten.err_sum / ten.count, ten.seconds);
        std::fflush(stdout);
    }
    // 38 subjects: SSC (a few minutes: O(D N²) per ADMM iteration with N = 2414) and the sparse
    // methods. LRR is left out: each of its iterations is an SVD of a 2016 x 2414 matrix.
    for (const std::string m : {"ssc", "omp", "ensc"}) {
        double secs = 0;
        std::vector<int> all;
        for (int s = 1; s <= 38; ++s) all.push_back(s);
        const double e = run_subset(X, labels, all, m, secs);
        std::printf("%-5s 38 subjects: error %6.2f %% (%.1f s)\n", m.c_str(), e, secs);
        std::fflush(stdout);
    }
    return 0;
}
