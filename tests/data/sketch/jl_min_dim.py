#!/usr/bin/env python3
"""Reference values of the Johnson-Lindenstrauss bound used in tests/sketch/test_operators.cpp
("jl_min_dim matches scikit-learn"). Run with Debian's python3-sklearn (1.2.1)."""
from sklearn.random_projection import johnson_lindenstrauss_min_dim as jl

for n, eps in [(1e6, 0.5), (1e6, 0.1), (1e6, 0.01), (100, 0.3), (20000, 0.2)]:
    print(f"jl_min_dim({int(n)}, {eps}) == {jl(n, eps=eps)}")
