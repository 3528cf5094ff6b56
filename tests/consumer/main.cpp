// A user's program: includes the umbrella header and uses the core.
#include <iostream>

#include <subspace/subspace.hpp>

int main() {
    const subspace::Rng rng(7);
    const Eigen::MatrixXd M = rng.normal<double>(50, 5);
    const Eigen::MatrixXd Q = subspace::orthonormalize(M);
    const double err = (Q.transpose() * Q - Eigen::MatrixXd::Identity(5, 5)).norm();
    if (!(err < 1e-12)) {
        std::cout << "orthogonality error " << err << "\n";
        return 1;
    }
    std::cout << "consumer ok\n";
    return 0;
}
