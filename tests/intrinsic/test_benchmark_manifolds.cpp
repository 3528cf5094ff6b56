// Benchmark manifolds (skdim 0.3.4 BenchmarkManifolds): the table against skdim's manifest, the
// closed-form geometry of every manifold, distribution agreement with skdim's own n = 2500
// sample (per-coordinate moments), reproducibility, float/double, noise and errors.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <iterator>
#include <limits>
#include <string>
#include <vector>

#include <Eigen/Core>
#include <Eigen/QR>
#include <Eigen/SVD>

#include "subspace/intrinsic/benchmark_manifolds.hpp"

#include "support/test_util.hpp"

namespace {

using Eigen::MatrixXd;
using subspace::BenchmarkManifold;
using subspace::BenchmarkManifoldOptions;
using subspace::Index;
constexpr double kPi = 3.14159265358979323846;

MatrixXd gen(BenchmarkManifold m, Index n, std::uint64_t seed = 7,
             const BenchmarkManifoldOptions& o = {}) {
    return subspace::benchmark_manifold<double>(m, n, seed, o);
}

BenchmarkManifoldOptions dims(Index ambient, Index intrinsic) {
    BenchmarkManifoldOptions o;
    o.ambient_dim = ambient;
    o.intrinsic_dim = intrinsic;
    return o;
}

// Numerical rank of the centred points (columns are points): singular values of the centred
// matrix above 1e-10 times the largest (BDCSVD).
Index centred_rank(const MatrixXd& X) {
    const MatrixXd C = X.colwise() - X.rowwise().mean();
    const Eigen::VectorXd s = Eigen::BDCSVD<MatrixXd>(C).singularValues();
    Index r = 0;
    for (Index i = 0; i < s.size(); ++i)
        if (s(i) > 1e-10 * s(0)) ++r;
    return r;
}

// Angle of (x, y) as a fraction of a full turn, in [0, 1).
double turn(double x, double y) {
    double a = std::atan2(y, x) / (2.0 * kPi);
    if (a < 0.0) a += 1.0;
    return a >= 1.0 ? 0.0 : a;
}

// The largest err(j) over the points (columns) j of X (0 for none), as the running maximum
// worst = std::max(worst, err(j)) finds it.
template <class F>
double max_over_points(const MatrixXd& X, const F& err) {
    double worst = 0.0;
    for (Index j = 0; j < X.cols(); ++j) worst = std::max(worst, err(j));
    return worst;
}

// Distance between two fractions of a turn, on the circle.
double circ_dist(double a, double b) {
    const double d = std::abs(a - b);
    return std::min(d, 1.0 - d);
}

// Python's int(n / (2 * (d + 1)) + 1): points per face in skdim's _gen_cubic_data.
Index skdim_points_per_face(Index n, Index d) {
    return static_cast<Index>(
        std::floor(static_cast<double>(n) / (2.0 * static_cast<double>(d + 1)) + 1.0));
}

struct ManifestRow {
    const char* name;
    Index D;
    Index true_id;
};

// From /work/shared/data/intrinsic/manifest.json (skdim 0.3.4, numpy 1.24.2): the 24 files
// bench_<name>_n2500.f64 of BenchmarkManifolds(random_state=0).generate(name='all', n=2500),
// with their "D" and "true_id" fields, in the manifest's (= skdim's) order.
const ManifestRow kManifest[] = {
    {"M1_Sphere", 11, 10},     {"M2_Affine_3to5", 5, 3},  {"M3_Nonlinear_4to6", 6, 4},
    {"M4_Nonlinear", 8, 4},    {"M5a_Helix1d", 3, 1},     {"M5b_Helix2d", 3, 2},
    {"M6_Nonlinear", 36, 6},   {"M7_Roll", 3, 2},         {"M8_Nonlinear", 72, 12},
    {"M9_Affine", 20, 20},     {"M10a_Cubic", 11, 10},    {"M10b_Cubic", 18, 17},
    {"M10c_Cubic", 25, 24},    {"M10d_Cubic", 71, 70},    {"M11_Moebius", 3, 2},
    {"M12_Norm", 20, 20},      {"M13a_Scurve", 3, 2},     {"M13b_Spiral", 13, 1},
    {"Mbeta", 40, 10},         {"Mn1_Nonlinear", 72, 18}, {"Mn2_Nonlinear", 96, 24},
    {"Mp1_Paraboloid", 12, 3}, {"Mp2_Paraboloid", 21, 6}, {"Mp3_Paraboloid", 30, 9},
};

// `block` repeated `copies` times. M6_Nonlinear and M8_Nonlinear (3 copies), Mbeta and
// Mn1/Mn2_Nonlinear (2 copies) repeat their coordinates, so the moments of skdim's sample repeat
// exactly and skdim_moments() lists one copy of them.
std::vector<double> tiled(const std::vector<double>& block, std::size_t copies) {
    std::vector<double> v;
    v.reserve(block.size() * copies);
    for (std::size_t k = 0; k < copies; ++k) v.insert(v.end(), block.begin(), block.end());
    return v;
}

struct SkdimMoments {
    const char* name;
    std::vector<double> mean;
    std::vector<double> sd;
};

// Per-coordinate mean and standard deviation (ddof = 0) of skdim's own samples
// /work/shared/data/intrinsic/bench_<name>_n2500.f64 (n = 2500, see kManifest), printed by:
//   import json, textwrap; import numpy as np
//   man = json.load(open('manifest.json'))
//   for f in man['files']:
//       if f['file'].startswith('bench_'):
//           X = np.fromfile(f['file'], dtype='<f8').reshape(f['n'], f['D'])
//           print(f['file'][6:-10], X.mean(axis=0), X.std(axis=0))   # as '%.9g'
// Only these summaries are copied, not the data.
const std::vector<SkdimMoments>& skdim_moments() {
    static const std::vector<SkdimMoments> table = {
        {"M1_Sphere",
         {0.00424838479, 0.00190925516, -0.0071162307, 0.00253728518, 0.00972478625, -0.00709847343,
          -0.000383668034, 0.00491416497, -0.0163448273, -0.000552483908, -0.0033422733},
         {0.299866072, 0.296734239, 0.308462484, 0.302740886, 0.300003992, 0.308316854, 0.303908325,
          0.302632747, 0.293643876, 0.299906363, 0.29920268}},
        {"M2_Affine_3to5",
         {4.39214413, 1.82627313, 0.579237714, -1.22085312, 9.5970197},
         {1.49825097, 1.19009409, 1.29739689, 1.14568415, 1.31342714}},
        {"M3_Nonlinear_4to6",
         {-0.00525622648, 0.00348593701, 1.17339407, -0.332490291, -1.33707034, -0.0105110529},
         {0.319878709, 0.321184038, 0.455654614, 0.671415433, 0.674108001, 0.606531031}},
        {"M4_Nonlinear",
         {0.0157182061, -0.0125662707, 0.00270701762, -0.0104750869, -0.00120494224, -0.00884035058,
          0.00125692688, 0.00165693046},
         {0.424373749, 0.402812167, 0.409069637, 0.408154665, 0.408697216, 0.414095994, 0.401406682,
          0.418208817}},
        {"M5a_Helix1d",
         {-0.0395295793, -0.00516086383, 0.00746729426},
         {1.48970718, 1.50673083, 0.700611397}},
        {"M5b_Helix2d",
         {-0.429055543, 0.297647358, 7.79954543},
         {12.6018103, 12.8371902, 4.49508744}},
        {"M6_Nonlinear",
         tiled({0.0156182649, -0.00264531001, -0.00824465701, -0.0177157602, 0.00747764467,
                0.00393544479, -0.00160630075, -0.0101051113, -0.00531566429, -0.00583269856,
                -0.0187869847, 0.000213936067},
               3),
         tiled({0.414545072, 0.414461108, 0.40343406, 0.411716401, 0.412281154, 0.415504739,
                0.408004629, 0.405781384, 0.403755134, 0.411985293, 0.406545993, 0.412390932},
               3)},
        {"M7_Roll", {1.7657212, 10.4801091, 0.452751865}, {6.70932807, 6.07609669, 6.81854129}},
        {"M8_Nonlinear",
         tiled({0.00377115586,  0.00988536098,  -0.00300082243,  0.013513263,   -0.00612787751,
                0.00741103731,  0.00669660715,  -0.00413727403,  0.00492203667, 0.00140766908,
                -0.0014118287,  -0.00214777455, -0.000638218445, 0.00153157893, -0.00789852264,
                -0.00115945394, 0.0145008747,   0.00329266242,   0.00131004037, -0.00122364408,
                -0.00146914574, 0.00898236553,  -0.00506826123,  -0.00299562598},
               3),
         tiled({0.396587518, 0.407523219, 0.40172686,  0.404250329, 0.406377308, 0.408023323,
                0.405456125, 0.410153419, 0.40236183,  0.409122424, 0.405979653, 0.415347943,
                0.403394819, 0.403970735, 0.402091843, 0.409474441, 0.409183227, 0.403481228,
                0.405709097, 0.398810879, 0.405413279, 0.407971809, 0.404119389, 0.403139415},
               3)},
        {"M9_Affine",
         {0.00989509798,  -0.0111192293,  0.0324354332,  -0.0128573988, 0.0150805249,
          -0.0292337889,  0.0107822788,   0.00518208621, 0.00274782266, 0.0143182301,
          0.0172108617,   -0.0121409108,  0.0236491865,  0.0568953085,  0.0702979224,
          -0.00989637146, -0.00695217731, 0.00568596049, -0.0150259621, -0.00384406115},
         {1.44981964, 1.4332534,  1.45345793, 1.39846739, 1.43971449, 1.46662562, 1.45095112,
          1.41863887, 1.42168259, 1.45917295, 1.43869614, 1.44477753, 1.42958106, 1.44566382,
          1.43123608, 1.44848746, 1.4231156,  1.44489832, 1.45145519, 1.43888358}},
        {"M10a_Cubic",
         {0.516930202, 0.502546323, 0.497201894, 0.495458721, 0.498655199, 0.498228578, 0.502091914,
          0.49849075, 0.496813244, 0.50113513, 0.488631522},
         {0.312451629, 0.313666834, 0.315630517, 0.3156382, 0.313252341, 0.312861451, 0.313354798,
          0.313181211, 0.314677427, 0.312081829, 0.311691275}},
        {"M10b_Cubic",
         {0.508316415, 0.503241396, 0.5121655, 0.502983833, 0.498634005, 0.497690984, 0.502138674,
          0.504139272, 0.50321692, 0.50551244, 0.503431859, 0.495142869, 0.503824576, 0.49520817,
          0.493135787, 0.504632626, 0.502681901, 0.499354613},
         {0.300646774, 0.303605383, 0.30120809, 0.305298641, 0.300827346, 0.303240551, 0.307567789,
          0.303071957, 0.301596682, 0.302707805, 0.304006864, 0.301811929, 0.304074783, 0.304222446,
          0.303073637, 0.301037832, 0.310769062, 0.305461241}},
        {"M10c_Cubic",
         {0.495859583, 0.506232828, 0.503274972, 0.503761803, 0.506869542, 0.498037337, 0.495925569,
          0.508968056, 0.497395552, 0.499218413, 0.499679031, 0.500314116, 0.49642336,  0.499159974,
          0.507104021, 0.496515678, 0.495618728, 0.498281179, 0.496324597, 0.490363213, 0.510577762,
          0.496174554, 0.508718878, 0.498218504, 0.494702509},
         {0.298485188, 0.299755352, 0.299683071, 0.301284736, 0.295794219, 0.300914137, 0.300567524,
          0.305136184, 0.301290755, 0.30101351,  0.3047446,   0.302600197, 0.302191327, 0.298183966,
          0.30361191,  0.299731088, 0.301515198, 0.299134487, 0.296089381, 0.301177261, 0.302669044,
          0.296617341, 0.305395969, 0.298145757, 0.290994723}},
        {"M10d_Cubic",
         {0.506099697, 0.496643266, 0.499203153, 0.495903408, 0.502979252, 0.505588277, 0.49871845,
          0.494261974, 0.504532872, 0.505521506, 0.492257764, 0.500992762, 0.50481486,  0.498302106,
          0.500399989, 0.501943215, 0.512416008, 0.505913413, 0.498912216, 0.494696491, 0.501069298,
          0.494266808, 0.507398308, 0.501115187, 0.506433315, 0.50791192,  0.504377571, 0.499758133,
          0.50405216,  0.493846467, 0.498433624, 0.493034625, 0.492449314, 0.499366107, 0.505064001,
          0.503387901, 0.491555384, 0.511908324, 0.499226581, 0.510996863, 0.498822647, 0.503442581,
          0.500896802, 0.509680665, 0.499806667, 0.496970158, 0.504661059, 0.505132128, 0.493470179,
          0.489951345, 0.498727128, 0.508542094, 0.507077766, 0.502400852, 0.502584524, 0.502761756,
          0.503255046, 0.507422037, 0.498044229, 0.501799964, 0.499822988, 0.509683825, 0.493097503,
          0.488733207, 0.498669388, 0.504243688, 0.502363298, 0.510688591, 0.49650268,  0.495295745,
          0.493890981},
         {0.289139913, 0.295064376, 0.289670703, 0.293507413, 0.293655386, 0.289540807, 0.29540484,
          0.291851709, 0.293330892, 0.289953785, 0.288711971, 0.290583247, 0.290407731, 0.29285999,
          0.294376234, 0.292089621, 0.29505707,  0.289511598, 0.292997006, 0.292631916, 0.297100693,
          0.292460942, 0.293986222, 0.293259169, 0.29252883,  0.293711389, 0.293475081, 0.295767586,
          0.291216736, 0.294824658, 0.292155279, 0.293270503, 0.300137953, 0.296510605, 0.293688299,
          0.294057075, 0.295310966, 0.288641703, 0.292745921, 0.292851412, 0.294035985, 0.29389134,
          0.296739978, 0.293636001, 0.291599723, 0.291581696, 0.293012955, 0.291530716, 0.293502918,
          0.296249169, 0.295615972, 0.290595029, 0.292014415, 0.288213267, 0.288446247, 0.293644651,
          0.289405823, 0.293514404, 0.292587825, 0.294094207, 0.289968101, 0.293797602, 0.289571222,
          0.29229095,  0.294252051, 0.292551431, 0.292990071, 0.290588902, 0.29846186,  0.292767344,
          0.291056086}},
        {"M11_Moebius",
         {-0.0105968602, -0.0183980381, -0.00354015954},
         {0.724667947, 0.724850768, 0.202254875}},
        {"M12_Norm",
         {0.0200933123,   0.00608124992,  -0.00596476435, -0.0120210796, -0.013012798,
          0.000505675196, -0.00894634845, -0.00285628282, 0.00709507674, -0.0223327285,
          -0.00734710653, -0.00819324081, 0.0117839724,   -0.0165582166, 0.0252612484,
          -0.0371524271,  -0.00136078288, -0.0204722695,  0.0240959248,  -0.0172649518},
         {1.01083992,  0.983904863, 1.00871262,  0.997802471, 1.00155295,  0.981927176, 1.01463474,
          0.993586142, 1.00034236,  1.01363929,  1.00988995,  0.976957585, 0.995545366, 1.00619335,
          0.997819657, 0.986401769, 0.995725065, 1.00305142,  1.01668409,  0.998153796}},
        {"M13a_Scurve",
         {-0.000748244067, 0.999338155, -0.00313504612},
         {0.709342386, 0.581128469, 1.3940444}},
        {"M13b_Spiral",
         {-0.860752814, -0.732471991, 15.5605271, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0},
         {70.8895207, 70.5223259, 9.32244816, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}},
        {"Mbeta",
         tiled({0.744166995, 0.735701611, 0.746712422, 0.740172736, 0.747189761,
                0.734881633, 0.735674808, 0.73904365,  0.744805919, 0.731817374,
                0.896064808, 0.890899086, 0.899072287, 0.895074935, 0.899510962,
                0.888913603, 0.891085005, 0.892424773, 0.896708132, 0.889891584},
               2),
         tiled({0.180708114, 0.199362981, 0.181146257, 0.19431417,  0.179852901,
                0.195693874, 0.199411407, 0.190651182, 0.180946195, 0.210053948,
                0.150143837, 0.152333893, 0.145101594, 0.151762141, 0.145900378,
                0.154902472, 0.154559163, 0.151358849, 0.147238733, 0.157215923},
               2)},
        {"Mn1_Nonlinear",
         tiled({0.489525375, 0.497695962, 0.485162516, 0.49475506,  0.47818164,  0.493004215,
                0.502233094, 0.492763019, 0.493050886, 0.494759661, 0.48743201,  0.480342248,
                0.480601851, 0.507610807, 0.481577156, 0.49567485,  0.479442987, 0.479755657,
                0.213199576, 0.213543703, 0.219155103, 0.213549904, 0.215110528, 0.2155162,
                0.218669928, 0.216232993, 0.217466617, 0.217394284, 0.216592467, 0.219203674,
                0.21609257,  0.214432314, 0.213777805, 0.218731884, 0.214056399, 0.213257475},
               2),
         tiled({0.343935475, 0.347277055, 0.342287421, 0.349310389, 0.345277908, 0.345367398,
                0.352345938, 0.350884573, 0.348520337, 0.35159233,  0.350660138, 0.342520643,
                0.342420518, 0.356277035, 0.34545679,  0.349596935, 0.343239674, 0.342339335,
                0.172330681, 0.172158097, 0.176261245, 0.173311868, 0.1721704,   0.175732167,
                0.177472999, 0.17762554,  0.172045791, 0.171708792, 0.178112362, 0.177588733,
                0.176384001, 0.171842379, 0.173576586, 0.175973193, 0.172690696, 0.172437943},
               2)},
        {"Mn2_Nonlinear",
         tiled({0.489670146, 0.48541082,  0.478261949, 0.490476919, 0.490179517, 0.485384636,
                0.488330558, 0.486971927, 0.477825856, 0.498829655, 0.479300905, 0.493302282,
                0.493524509, 0.493601896, 0.488848986, 0.482646466, 0.492876091, 0.489209513,
                0.491470009, 0.49623361,  0.5019436,   0.499185478, 0.503079452, 0.493865112,
                0.219069389, 0.219868616, 0.220048874, 0.217485332, 0.221328187, 0.21108269,
                0.222458445, 0.220812224, 0.210100789, 0.220172038, 0.210377872, 0.216311384,
                0.216194545, 0.210187115, 0.220369411, 0.210030726, 0.22106302,  0.222345084,
                0.211171765, 0.221258131, 0.217349209, 0.219348901, 0.21923215,  0.219028558},
               2),
         tiled({0.346822428, 0.345283856, 0.335231738, 0.351299471, 0.345621503, 0.347857484,
                0.338785499, 0.336023152, 0.343050473, 0.3523603,   0.352877246, 0.35057331,
                0.350749408, 0.353763499, 0.347109846, 0.341980398, 0.339836349, 0.339311962,
                0.346818204, 0.346557161, 0.355641022, 0.351944806, 0.354590491, 0.346850512,
                0.175195541, 0.175186308, 0.180408935, 0.174313301, 0.17618999,  0.169715136,
                0.177471195, 0.175594837, 0.174953742, 0.173858093, 0.175391023, 0.174323879,
                0.174089786, 0.175402739, 0.173989241, 0.175137541, 0.176330423, 0.177027017,
                0.170102842, 0.176134039, 0.174541967, 0.1800322,   0.174543161, 0.175257846},
               2)},
        {"Mp1_Paraboloid",
         {0.507206537, 0.502572781, 0.511077343, 1.02298835, 0.465956392, 0.46166944, 0.468885648,
          0.656644227, 0.340252876, 0.336811961, 0.345923513, 1.53021106},
         {0.288087494, 0.290228463, 0.29107295, 0.695489679, 0.246921757, 0.248704299, 0.24944478,
          0.327940686, 0.298679867, 0.300905395, 0.301659815, 1.63513606}},
        {"Mp2_Paraboloid",
         {0.505116998, 0.505126035, 0.50356964,  0.503131122, 0.501084295, 0.503605853, 2.02704366,
          0.463771931, 0.463510829, 0.462990966, 0.462056007, 0.460564594, 0.46243129,  0.382006975,
          0.339977687, 0.340960461, 0.33579716,  0.337517514, 0.334724387, 0.338066448, 5.66319646},
         {0.291263636, 0.292930282, 0.286731193, 0.290476484, 0.289203935, 0.29059868,  1.24671186,
          0.249877066, 0.251119765, 0.245742757, 0.248555206, 0.248081877, 0.248622989, 0.572743424,
          0.300723902, 0.303014336, 0.297509513, 0.302725109, 0.2989238,   0.302907459, 5.5899684}},
        {"Mp3_Paraboloid",
         {0.497310631, 0.491277537,  0.489714844, 0.48669828,  0.492339359, 0.496294817,
          0.487268779, 0.488188399,  0.490395456, 2.92114097,  0.457321729, 0.451936856,
          0.451173507, 0.448210741,  0.452947515, 0.456866505, 0.449002558, 0.449736293,
          0.450587404, 0.0956043889, 0.33090585,  0.325869874, 0.321654382, 0.320598179,
          0.326207157, 0.32839135,   0.319998655, 0.32039526,  0.327120262, 11.6965775},
         {0.289115871, 0.290716795, 0.286065996, 0.289349205, 0.289498035, 0.286500968,
          0.287346118, 0.28647399,  0.294334095, 1.77862669,  0.248126757, 0.24988811,
          0.245786956, 0.249168312, 0.248432504, 0.246325569, 0.247537856, 0.245865943,
          0.25242904,  0.687968167, 0.298352122, 0.29819292,  0.294278656, 0.295018968,
          0.29876585,  0.294062562, 0.292752292, 0.295807115, 0.303866604, 11.6688076}},
    };
    return table;
}

}  // namespace

TEST_CASE("benchmark table equals skdim's manifest (names, D, true_id, order)",
          "[intrinsic][benchmark_manifolds]") {
    const auto& table = subspace::benchmark_manifolds();
    REQUIRE(table.size() == std::size(kManifest));
    for (std::size_t i = 0; i < table.size(); ++i) {
        const auto& row = kManifest[i];
        INFO(row.name);
        CHECK(std::string(table[i].name) == row.name);
        CHECK(table[i].ambient_dim == row.D);
        CHECK(table[i].intrinsic_dim == row.true_id);
        CHECK(static_cast<std::size_t>(table[i].id) == i);
        CHECK(std::string(table[i].description).size() > 5);
        const BenchmarkManifold m = subspace::benchmark_manifold_from_name(row.name);
        CHECK(m == table[i].id);
        const auto info = subspace::benchmark_manifold_info(m);
        CHECK(std::string(info.name) == row.name);
        CHECK(info.ambient_dim == row.D);
        CHECK(info.intrinsic_dim == row.true_id);
        // Default shape D x n, and a finite sample.
        const MatrixXd X = gen(m, 37);
        CHECK(X.rows() == row.D);
        CHECK(X.cols() == 37);
        CHECK(X.allFinite());
        // The name overload is the enum overload.
        CHECK(subspace::benchmark_manifold<double>(std::string(row.name), 37, 7) == X);
    }
}

TEST_CASE("M1_Sphere: unit norm in the first d + 1 coordinates, zero padding",
          "[intrinsic][benchmark_manifolds]") {
    const MatrixXd X = gen(BenchmarkManifold::M1_Sphere, 2000);
    CHECK((X.colwise().norm().array() - 1.0).abs().maxCoeff() < 1e-14);
    CHECK(centred_rank(X) == 11);
    const MatrixXd Y = gen(BenchmarkManifold::M1_Sphere, 2000, 3, dims(9, 4));
    REQUIRE(Y.rows() == 9);
    CHECK((Y.topRows(5).colwise().norm().array() - 1.0).abs().maxCoeff() < 1e-14);
    CHECK(Y.bottomRows(4).isZero(0.0));
    CHECK(centred_rank(Y) == 5);
    // Only d overridden: D = d + 1 (skdim's default relation of M1).
    CHECK(gen(BenchmarkManifold::M1_Sphere, 5, 1, dims(0, 2)).rows() == 3);
}

TEST_CASE("M2_Affine_3to5 and M9_Affine: exact affine rank and parametrisation",
          "[intrinsic][benchmark_manifolds]") {
    const MatrixXd X = gen(BenchmarkManifold::M2_Affine_3to5, 2000);
    CHECK(centred_rank(X) == 3);
    // X = A p + b with p in [0, 4)^3 (skdim's _gen_affine3_5_data).
    Eigen::Matrix<double, 5, 3> A;
    A << 1.2, -0.5, 0.0, 0.5, 0.9, 0.0, -0.5, -0.2, 1.0, 0.4, -0.9, -0.1, 1.1, -0.3, 0.0;
    Eigen::Matrix<double, 5, 1> b;
    b << 3.0, -1.0, 0.0, 0.0, 8.0;
    const MatrixXd R = X.colwise() - b;
    const MatrixXd P = A.colPivHouseholderQr().solve(R);
    CHECK((A * P - R).cwiseAbs().maxCoeff() < 1e-12);
    CHECK(P.minCoeff() > -1e-12);
    CHECK(P.maxCoeff() < 4.0 + 1e-12);
    CHECK(P.maxCoeff() > 3.9);  // the whole range is used

    const MatrixXd Y = gen(BenchmarkManifold::M9_Affine, 2000);
    CHECK(Y.rows() == 20);
    CHECK(centred_rank(Y) == 20);
    CHECK(Y.minCoeff() >= -2.5);
    CHECK(Y.maxCoeff() <= 2.5);
    const MatrixXd Z = gen(BenchmarkManifold::M9_Affine, 500, 2, dims(12, 5));
    CHECK(centred_rank(Z) == 5);
    CHECK(Z.bottomRows(7).isZero(0.0));
}

TEST_CASE("M3_Nonlinear_4to6: ranges of its polynomial coordinates",
          "[intrinsic][benchmark_manifolds]") {
    // p ~ U[0,1)^4: x0 = p1² cos 2πp0 in [-1, 1], x2 = p1 + p2 + (p1 − p3)² in [0, 3],
    // x3 = p1 − 2p2 + (p0 − p3)² in [-2, 2], x4 = −p1 − 2p2 + (p2 − p3)² in [-3, 1],
    // x5 = p0² − p1² + p2² − p3² in [-2, 2]; the figure is 4-dimensional (full centred rank 6).
    const MatrixXd X = gen(BenchmarkManifold::M3_Nonlinear_4to6, 3000);
    CHECK(X.row(0).cwiseAbs().maxCoeff() <= 1.0);
    CHECK(X.row(1).cwiseAbs().maxCoeff() <= 1.0);
    CHECK(X.row(2).minCoeff() >= 0.0);
    CHECK(X.row(2).maxCoeff() <= 3.0);
    CHECK(X.row(3).cwiseAbs().maxCoeff() <= 2.0);
    CHECK(X.row(4).minCoeff() >= -3.0);
    CHECK(X.row(4).maxCoeff() <= 1.0);
    CHECK(X.row(5).cwiseAbs().maxCoeff() <= 2.0);
    // x2 + x4 = (p1 − p3)² + (p2 − p3)² − 2 p2 ≥ −2 and x2 − x3 = 3 p2 + (p1−p3)² − (p0−p3)² ≥ −1.
    CHECK((X.row(2) + X.row(4)).minCoeff() >= -2.0);
    CHECK((X.row(2) - X.row(3)).minCoeff() >= -1.0);
    CHECK(centred_rank(X) == 6);
}

TEST_CASE("M4/M6/M8_Nonlinear: copies and cyclic polar parametrisation",
          "[intrinsic][benchmark_manifolds]") {
    // Coordinates (2i, 2i + 1) = p_{i+1} (cos 2πp_i, sin 2πp_i), p_d = p_0, repeated D / 2d times.
    struct Case {
        BenchmarkManifold m;
        Index D, d;
        BenchmarkManifoldOptions o;
    };
    const Case cases[] = {{BenchmarkManifold::M4_Nonlinear, 8, 4, {}},
                          {BenchmarkManifold::M6_Nonlinear, 36, 6, {}},
                          {BenchmarkManifold::M8_Nonlinear, 72, 12, {}},
                          {BenchmarkManifold::M4_Nonlinear, 12, 2, dims(12, 2)},
                          {BenchmarkManifold::M6_Nonlinear, 9 * 2 * 3, 9, dims(0, 9)}};
    for (const Case& c : cases) {
        const MatrixXd X = gen(c.m, 1500, 11, c.o);
        REQUIRE(X.rows() == c.D);
        const Index d = c.d;
        for (Index k = 1; k < c.D / (2 * d); ++k)
            CHECK(X.middleRows(2 * d * k, 2 * d) == X.topRows(2 * d));
        double worst = 0.0;
        for (Index j = 0; j < X.cols(); ++j)
            for (Index i = 0; i < d; ++i) {
                const Index nx = (i + 1) % d;
                const double radius = std::hypot(X(2 * i, j), X(2 * i + 1, j));
                const double angle_next = turn(X(2 * nx, j), X(2 * nx + 1, j));
                worst = std::max(worst, circ_dist(radius, angle_next));
            }
        CHECK(worst < 1e-12);
    }
}

TEST_CASE("M5a_Helix1d, M5b_Helix2d, M13b_Spiral: parametric curves and helicoid",
          "[intrinsic][benchmark_manifolds]") {
    const MatrixXd H = gen(BenchmarkManifold::M5a_Helix1d, 2000);
    const double e1 = max_over_points(H, [&](Index j) {
        const double t = std::atan2(H(1, j), H(0, j));
        return std::fmax(std::abs(std::hypot(H(0, j), H(1, j)) - (2.0 + std::cos(8.0 * t))),
                         std::abs(H(2, j) - std::sin(8.0 * t)));
    });
    CHECK(e1 < 1e-12);
    const MatrixXd H5 = gen(BenchmarkManifold::M5a_Helix1d, 100, 1, dims(5, 0));
    CHECK(H5.bottomRows(2).isZero(0.0));

    const MatrixXd G = gen(BenchmarkManifold::M5b_Helix2d, 2000);
    const double e2 = max_over_points(G, [&](Index j) {
        const double p = 2.0 * G(2, j);
        const double r = std::hypot(G(0, j), G(1, j));
        CHECK(p >= 0.0);
        CHECK(p <= 10.0 * kPi);
        CHECK(r <= 10.0 * kPi);
        return std::abs(G(0, j) - r * std::cos(p)) + std::abs(G(1, j) - r * std::sin(p));
    });
    CHECK(e2 < 1e-12);

    const MatrixXd S = gen(BenchmarkManifold::M13b_Spiral, 2000);
    REQUIRE(S.rows() == 13);
    CHECK(S.bottomRows(10).isZero(0.0));
    const double e3 = max_over_points(S, [&](Index j) {
        const double t = S(2, j);
        CHECK(t >= 0.0);
        CHECK(t <= 10.0 * kPi);
        return std::abs(S(0, j) - 100.0 * std::cos(t)) + std::abs(S(1, j) - 100.0 * std::sin(t));
    });
    CHECK(e3 < 1e-11);
}

TEST_CASE("M7_Roll, M13a_Scurve, M11_Moebius: parametric surfaces",
          "[intrinsic][benchmark_manifolds]") {
    const MatrixXd R = gen(BenchmarkManifold::M7_Roll, 2000);
    const double e1 = max_over_points(R, [&](Index j) {
        const double t = std::hypot(R(0, j), R(2, j));
        CHECK(t >= 1.5 * kPi - 1e-12);
        CHECK(t <= 4.5 * kPi + 1e-12);
        return std::abs(R(0, j) - t * std::cos(t)) + std::abs(R(2, j) - t * std::sin(t));
    });
    CHECK(e1 < 1e-11);
    CHECK(R.row(1).minCoeff() >= 0.0);
    CHECK(R.row(1).maxCoeff() <= 21.0);

    // S-curve: (sin t, h, sign(t)(cos t − 1)) lies on x0² + (1 − |x2|)² = 1, |x2| ≤ 2, h in [0, 2].
    const MatrixXd S = gen(BenchmarkManifold::M13a_Scurve, 2000);
    const Eigen::ArrayXd c = 1.0 - S.row(2).cwiseAbs().array().transpose();
    CHECK((S.row(0).array().transpose().square() + c.square() - 1.0).abs().maxCoeff() < 1e-13);
    CHECK(S.row(2).cwiseAbs().maxCoeff() <= 2.0);
    CHECK(S.row(1).minCoeff() >= 0.0);
    CHECK(S.row(1).maxCoeff() <= 2.0);
    // sign: x2 ≤ 0 where t > 0, and both halves are sampled.
    CHECK((S.row(2).array() < 0.0).count() > 800);
    CHECK((S.row(2).array() > 0.0).count() > 800);

    // Moebius: with φ the polar angle, (ρ_xy − 1, x2) = (ρ/2)(cos 5φ, sin 5φ), |ρ| ≤ 1.
    const MatrixXd M = gen(BenchmarkManifold::M11_Moebius, 2000);
    double e2 = 0.0, wmax = 0.0;
    for (Index j = 0; j < M.cols(); ++j) {
        const double phi = std::atan2(M(1, j), M(0, j));
        const double u = std::hypot(M(0, j), M(1, j)) - 1.0;
        const double v = M(2, j);
        e2 = std::max(e2, std::abs(u * std::sin(5.0 * phi) - v * std::cos(5.0 * phi)));
        wmax = std::max(wmax, std::hypot(u, v));
    }
    CHECK(e2 < 1e-12);
    CHECK(wmax <= 0.5 + 1e-12);
    CHECK(wmax > 0.49);
}

TEST_CASE("M10_Cubic: faces of the unit (d+1)-cube in skdim's order, zero padding",
          "[intrinsic][benchmark_manifolds]") {
    struct Case {
        BenchmarkManifold m;
        Index n;
        BenchmarkManifoldOptions o;
    };
    const Case cases[] = {{BenchmarkManifold::M10a_Cubic, 2500, {}},
                          {BenchmarkManifold::M10b_Cubic, 1000, {}},
                          {BenchmarkManifold::M10c_Cubic, 777, {}},
                          {BenchmarkManifold::M10d_Cubic, 2500, {}},
                          {BenchmarkManifold::M10a_Cubic, 301, dims(7, 3)}};
    for (const Case& c : cases) {
        const MatrixXd X = gen(c.m, c.n, 5, c.o);
        const auto info = subspace::benchmark_manifold_info(c.m);
        const Index d = c.o.intrinsic_dim != 0 ? c.o.intrinsic_dim : info.intrinsic_dim;
        const Index D = c.o.ambient_dim != 0 ? c.o.ambient_dim : info.ambient_dim;
        REQUIRE(X.rows() == D);
        CHECK(X.bottomRows(D - d - 1).isZero(0.0));
        CHECK(X.topRows(d + 1).minCoeff() >= 0.0);
        CHECK(X.topRows(d + 1).maxCoeff() <= 1.0);
        const Index per_face = skdim_points_per_face(c.n, d);
        Index bad = 0;
        for (Index j = 0; j < c.n; ++j) {
            const Index face = j / per_face;
            if (X(face / 2, j) != static_cast<double>(face % 2)) ++bad;
            // every other coordinate of the first d + 1 is strictly inside (0, 1)
            for (Index i = 0; i <= d; ++i)
                if (i != face / 2 && !(X(i, j) > 0.0 && X(i, j) < 1.0)) ++bad;
        }
        CHECK(bad == 0);
    }
    // skdim quirk reproduced: M10d at n = 2500 has 18 points per face and no point on the faces
    // x69 = 1, x70 = 0, x70 = 1 (2500 = 138 * 18 + 16).
    const MatrixXd X = gen(BenchmarkManifold::M10d_Cubic, 2500);
    CHECK(skdim_points_per_face(2500, 70) == 18);
    CHECK(((X.row(70).array() == 0.0) || (X.row(70).array() == 1.0)).count() == 0);
    CHECK((X.row(69).array() == 1.0).count() == 0);
    CHECK((X.row(69).array() == 0.0).count() == 16);
}

TEST_CASE("M12_Norm: standard Gaussian coordinates, zero padding",
          "[intrinsic][benchmark_manifolds]") {
    const MatrixXd X = gen(BenchmarkManifold::M12_Norm, 20000, 3, dims(25, 20));
    REQUIRE(X.rows() == 25);
    CHECK(X.bottomRows(5).isZero(0.0));
    // Sample covariance of 20000 N(0, I) points: entries within 5 / sqrt(n) of I.
    const MatrixXd Z = X.topRows(20);
    const MatrixXd C = Z * Z.transpose() / 20000.0;
    CHECK((C - MatrixXd::Identity(20, 20)).cwiseAbs().maxCoeff() < 5.0 * std::sqrt(2.0 / 20000.0));
}

TEST_CASE("Mbeta, Mn1/Mn2_Nonlinear: block structure and closed-form coordinates",
          "[intrinsic][benchmark_manifolds]") {
    // Mbeta: (a, b, a, b) with a_i = x sin(cos 2πx), b_i = x cos(sin 2πx), x in (0, 1):
    // b_i in (0, 1], |a_i| ≤ sin 1.
    const MatrixXd B = gen(BenchmarkManifold::Mbeta, 2000);
    REQUIRE(B.rows() == 40);
    CHECK(B.middleRows(20, 20) == B.topRows(20));
    CHECK(B.middleRows(10, 10).minCoeff() > 0.0);
    CHECK(B.middleRows(10, 10).maxCoeff() <= 1.0);
    CHECK(B.topRows(10).cwiseAbs().maxCoeff() <= std::sin(1.0));
    // Mbeta with d = 3 has D = 12.
    CHECK(gen(BenchmarkManifold::Mbeta, 10, 1, dims(0, 3)).rows() == 12);

    // Mn: a_i = tan(x_i cos x_j), b_i = atan(x_j sin x_i), j = d − 1 − i. From a_i and b_j:
    // atan(a_i) = x_i cos x_j and tan(b_j) = x_i sin x_j, so x_i = hypot and x_j = atan2; then
    // a_j and b_i must follow.
    struct Case {
        BenchmarkManifold m;
        BenchmarkManifoldOptions o;
    };
    const Case cases[] = {{BenchmarkManifold::Mn1_Nonlinear, {}},
                          {BenchmarkManifold::Mn2_Nonlinear, {}},
                          {BenchmarkManifold::Mn2_Nonlinear, dims(0, 5)}};  // odd d: i = k once
    for (const Case& cs : cases) {
        const MatrixXd X = gen(cs.m, 1500, 13, cs.o);
        const Index d = X.rows() / 4;
        CHECK(X.middleRows(2 * d, 2 * d) == X.topRows(2 * d));
        double err = 0.0;
        for (Index j = 0; j < X.cols(); ++j)
            for (Index i = 0; i < d; ++i) {
                const Index k = d - 1 - i;
                const double c = std::atan(X(i, j));
                const double s = std::tan(X(d + k, j));
                const double xi = std::hypot(c, s);
                const double xk = std::atan2(s, c);
                CHECK(xi < 1.0);
                CHECK(xk < 1.0);
                err = std::max(err, std::abs(X(k, j) - std::tan(xk * std::cos(xi))));
                err = std::max(err, std::abs(X(d + i, j) - std::atan(xk * std::sin(xi))));
            }
        CHECK(err < 1e-12);
    }
}

TEST_CASE("Mp_Paraboloid: y = (x, |x|^2), then sin y and y^2, x in (0, 1)",
          "[intrinsic][benchmark_manifolds]") {
    struct Case {
        BenchmarkManifold m;
        BenchmarkManifoldOptions o;
    };
    const Case cases[] = {{BenchmarkManifold::Mp1_Paraboloid, {}},
                          {BenchmarkManifold::Mp2_Paraboloid, {}},
                          {BenchmarkManifold::Mp3_Paraboloid, {}},
                          {BenchmarkManifold::Mp1_Paraboloid, dims(0, 5)}};
    for (const Case& c : cases) {
        const MatrixXd X = gen(c.m, 1500, 17, c.o);
        const Index d = X.rows() / 3 - 1;
        CHECK(X.rows() == 3 * (d + 1));
        const MatrixXd x = X.topRows(d);
        CHECK(x.minCoeff() > 0.0);
        CHECK(x.maxCoeff() < 1.0);
        CHECK((X.row(d) - x.colwise().squaredNorm()).cwiseAbs().maxCoeff() < 1e-14);
        const MatrixXd y = X.topRows(d + 1);
        CHECK((X.middleRows(d + 1, d + 1).array() - y.array().sin()).abs().maxCoeff() == 0.0);
        CHECK((X.bottomRows(d + 1).array() - y.array().square()).abs().maxCoeff() == 0.0);
    }
    CHECK(gen(BenchmarkManifold::Mp1_Paraboloid, 5, 1, dims(0, 5)).rows() == 18);
}

TEST_CASE("per-coordinate moments agree with skdim's own sample",
          "[intrinsic][benchmark_manifolds][statistics]") {
    // skdim draws no random rotation or permutation: coordinates are comparable one by one.
    // Our n = 20000 sample against skdim's n = 2500 sample, 5-sigma tolerance on the difference:
    //   mean: 5 sqrt(s²/N + s_ref²/2500);
    //   sd:   5 sqrt(v(N) + v(2500)), v(n) = (μ₄ − s⁴) / (4 s² n) (delta method for the sample
    //         standard deviation, μ₄ the fourth central moment from our sample).
    // Cubes (M10*) are compared at n = 2500: skdim assigns points to faces in order with
    // ⌊n / (2(d+1))⌋ + 1 per face and truncates, so the coordinate distributions depend on n.
    const auto& ref = skdim_moments();
    REQUIRE(ref.size() == 24);
    for (const auto& r : ref) {
        INFO(r.name);
        const BenchmarkManifold m = subspace::benchmark_manifold_from_name(r.name);
        const bool cube = std::string(r.name).find("Cubic") != std::string::npos;
        const Index N = cube ? 2500 : 20000;
        const MatrixXd X = gen(m, N, 20240501);
        REQUIRE(X.rows() == static_cast<Index>(r.mean.size()));
        REQUIRE(X.rows() == static_cast<Index>(r.sd.size()));
        const double Nd = static_cast<double>(N);
        const double nref = 2500.0;
        Index bad = 0;
        for (Index i = 0; i < X.rows(); ++i) {
            const auto ui = static_cast<std::size_t>(i);
            const Eigen::ArrayXd x = X.row(i).transpose().array();
            const double mu = x.mean();
            const Eigen::ArrayXd c = x - mu;
            const double var = c.square().mean();
            const double sd = std::sqrt(var);
            const double mu4 = c.square().square().mean();
            const double tol_mean = 5.0 * std::sqrt(var / Nd + r.sd[ui] * r.sd[ui] / nref) + 1e-12;
            double tol_sd = 1e-12;
            if (var > 0.0) {
                const double v1 = (mu4 - var * var) / (4.0 * var);
                tol_sd += 5.0 * std::sqrt(v1 / Nd + v1 / nref);
            }
            const bool ok =
                std::abs(mu - r.mean[ui]) <= tol_mean && std::abs(sd - r.sd[ui]) <= tol_sd;
            if (!ok) {
                ++bad;
                UNSCOPED_INFO("coordinate " << i << ": mean " << mu << " vs " << r.mean[ui]
                                            << " (tol " << tol_mean << "), sd " << sd << " vs "
                                            << r.sd[ui] << " (tol " << tol_sd << ")");
            }
        }
        CHECK(bad == 0);
    }
}

TEST_CASE("same seed same bits (any thread count), different seeds differ",
          "[intrinsic][benchmark_manifolds]") {
    for (const auto& info : subspace::benchmark_manifolds()) {
        INFO(info.name);
        MatrixXd A;
        {
            test_util::ThreadCount one(1);
            A = gen(info.id, 3000, 99);
        }
        MatrixXd B;
        {
            test_util::ThreadCount two(2);
            B = gen(info.id, 3000, 99);
        }
        CHECK(A == B);
        CHECK(gen(info.id, 3000, 99) == A);
        const MatrixXd C = gen(info.id, 3000, 100);
        CHECK(C != A);
        // A prefix of a sample is not a sample of fewer points (the cube's face layout and the
        // helix's 2π/n shift depend on n), but the same n always repeats.
        CHECK(gen(info.id, 10, 99) == gen(info.id, 10, 99));
    }
}

TEMPLATE_TEST_CASE("float samples are the rounded double samples",
                   "[intrinsic][benchmark_manifolds]", float, double) {
    for (const auto& info : subspace::benchmark_manifolds()) {
        INFO(info.name);
        BenchmarkManifoldOptions o;
        o.noise = 0.01;
        const subspace::Matrix<TestType> X =
            subspace::benchmark_manifold<TestType>(info.id, 200, 4, o);
        const MatrixXd Y = subspace::benchmark_manifold<double>(info.id, 200, 4, o);
        CHECK(X == Y.cast<TestType>());
    }
}

TEST_CASE("additive noise: Gaussian (default) and uniform as skdim's",
          "[intrinsic][benchmark_manifolds]") {
    const Index n = 20000;
    const MatrixXd clean = gen(BenchmarkManifold::M7_Roll, n, 8);
    BenchmarkManifoldOptions o;
    o.noise = 0.3;
    const MatrixXd E = gen(BenchmarkManifold::M7_Roll, n, 8, o) - clean;
    // Every coordinate gets noise; sd 0.3 within 5 sigma (sd of the sample sd = 0.3 / sqrt(2n)).
    for (Index i = 0; i < 3; ++i) {
        const Eigen::ArrayXd e = E.row(i).transpose().array();
        const double sd = std::sqrt((e - e.mean()).square().mean());
        CHECK(std::abs(sd - 0.3) < 5.0 * 0.3 / std::sqrt(2.0 * double(n)));
        CHECK(std::abs(e.mean()) < 5.0 * 0.3 / std::sqrt(double(n)));
    }
    o.noise_type = subspace::BenchmarkNoise::uniform;
    const MatrixXd U = gen(BenchmarkManifold::M7_Roll, n, 8, o) - clean;
    CHECK(U.cwiseAbs().maxCoeff() <= 0.15 + 1e-12);
    CHECK(U.cwiseAbs().maxCoeff() > 0.149);
    // uniform on [-0.15, 0.15]: sd 0.3 / sqrt(12)
    const Eigen::ArrayXd u = U.row(1).transpose().array();
    CHECK(std::abs(std::sqrt(u.square().mean()) - 0.3 / std::sqrt(12.0)) < 0.003);
    // Noise also lands on the zero padding (as skdim adds it to all D coordinates).
    const MatrixXd S = gen(BenchmarkManifold::M13b_Spiral, 100, 8, o);
    CHECK(S.bottomRows(10).cwiseAbs().maxCoeff() > 0.0);
    // noise = 0 leaves the points exact.
    o.noise = 0.0;
    CHECK(gen(BenchmarkManifold::M7_Roll, n, 8, o) == clean);
}

TEST_CASE("benchmark_manifold rejects bad input naming function and argument",
          "[intrinsic][benchmark_manifolds][errors]") {
    using M = BenchmarkManifold;
    const char* fn = "subspace::benchmark_manifold";
    REQUIRE_INVALID(gen(M::M1_Sphere, 0), fn, "'n'");
    REQUIRE_INVALID(gen(M::M1_Sphere, -5), fn, "'n'");
    REQUIRE_INVALID(gen(static_cast<M>(24), 10), fn, "'m'");
    REQUIRE_INVALID(gen(static_cast<M>(-1), 10), fn, "'m'");
    REQUIRE_INVALID(subspace::benchmark_manifold_info(static_cast<M>(99)),
                    "subspace::benchmark_manifold_info", "'m'");
    REQUIRE_INVALID(subspace::benchmark_manifold_from_name("M1_sphere"),
                    "subspace::benchmark_manifold_from_name", "'name'", "M1_Sphere");
    REQUIRE_INVALID(subspace::benchmark_manifold_from_name(""),
                    "subspace::benchmark_manifold_from_name", "'name'");
    REQUIRE_INVALID(subspace::benchmark_manifold<double>(std::string("all"), 10),
                    "subspace::benchmark_manifold_from_name", "'name'");

    BenchmarkManifoldOptions o;
    o.noise = -0.1;
    REQUIRE_INVALID(gen(M::M7_Roll, 10, 1, o), fn, "'opts.noise'");
    o.noise = std::numeric_limits<double>::quiet_NaN();
    REQUIRE_INVALID(gen(M::M7_Roll, 10, 1, o), fn, "'opts.noise'");
    o.noise = std::numeric_limits<double>::infinity();
    REQUIRE_INVALID(gen(M::M7_Roll, 10, 1, o), fn, "'opts.noise'");
    o = {};
    o.noise_type = static_cast<subspace::BenchmarkNoise>(7);
    REQUIRE_INVALID(gen(M::M7_Roll, 10, 1, o), fn, "'opts.noise_type'");

    // Dimension overrides the manifold does not accept.
    REQUIRE_INVALID(gen(M::M1_Sphere, 10, 1, dims(-1, 0)), fn, "'opts.ambient_dim'");
    REQUIRE_INVALID(gen(M::M1_Sphere, 10, 1, dims(0, -2)), fn, "'opts.intrinsic_dim'");
    REQUIRE_INVALID(gen(M::M1_Sphere, 10, 1, dims(10, 0)), fn, "'opts.ambient_dim'", "M1_Sphere");
    REQUIRE_INVALID(gen(M::M10b_Cubic, 10, 1, dims(17, 0)), fn, "'opts.ambient_dim'");
    REQUIRE_INVALID(gen(M::M9_Affine, 10, 1, dims(19, 0)), fn, "'opts.ambient_dim'");
    REQUIRE_INVALID(gen(M::M12_Norm, 10, 1, dims(20, 21)), fn, "'opts.ambient_dim'");
    REQUIRE_INVALID(gen(M::M6_Nonlinear, 10, 1, dims(30, 0)), fn, "'opts.ambient_dim'");
    REQUIRE_INVALID(gen(M::M4_Nonlinear, 10, 1, dims(4, 0)), fn, "'opts.ambient_dim'");
    REQUIRE_INVALID(gen(M::Mbeta, 10, 1, dims(41, 0)), fn, "'opts.ambient_dim'");
    REQUIRE_INVALID(gen(M::Mn2_Nonlinear, 10, 1, dims(72, 0)), fn, "'opts.ambient_dim'");
    REQUIRE_INVALID(gen(M::Mp2_Paraboloid, 10, 1, dims(12, 0)), fn, "'opts.ambient_dim'");
    REQUIRE_INVALID(gen(M::M5a_Helix1d, 10, 1, dims(2, 0)), fn, "'opts.ambient_dim'");
    REQUIRE_INVALID(gen(M::M13b_Spiral, 10, 1, dims(0, 2)), fn, "'opts.intrinsic_dim'");
    REQUIRE_INVALID(gen(M::M7_Roll, 10, 1, dims(0, 3)), fn, "'opts.intrinsic_dim'");
    REQUIRE_INVALID(gen(M::M11_Moebius, 10, 1, dims(4, 0)), fn, "'opts.ambient_dim'");
    REQUIRE_INVALID(gen(M::M2_Affine_3to5, 10, 1, dims(0, 2)), fn, "'opts.intrinsic_dim'");
    REQUIRE_INVALID(gen(M::M3_Nonlinear_4to6, 10, 1, dims(7, 0)), fn, "'opts.ambient_dim'");
    // The fixed values themselves are accepted.
    CHECK(gen(M::M11_Moebius, 10, 1, dims(3, 2)).rows() == 3);
    CHECK(gen(M::M2_Affine_3to5, 10, 1, dims(5, 3)).rows() == 5);
    CHECK(gen(M::M13a_Scurve, 10, 1, dims(6, 2)).rows() == 6);
    CHECK(gen(M::M1_Sphere, 1).rows() == 11);  // n = 1 is allowed
}
