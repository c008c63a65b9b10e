"""The compiled (numba) kernels: arrays and scalars in, arrays changed in place."""
