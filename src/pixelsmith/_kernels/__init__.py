"""Private numba kernels: pure functions on plain arrays, no validation."""
