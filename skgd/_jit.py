"""The options every compiled (numba) function is built with."""

from numba import types
from numba.extending import typeof_impl

# cache: compiled once, then loaded from disk by every later process. numba
# checks only the timestamp of the file defining the cached function: after
# editing _losses.py, _classification_losses.py, _optim_rules.py or _rows.py,
# delete skgd/__pycache__/*.nb[ic] (``make clean`` does) or the kernels keep
# the old code.
# Reassociation lets LLVM vectorise the dot products and gradient sums; no
# "nnan"/"ninf": divergence is detected by looking for non-finite values.
JIT = dict(cache=True, nogil=True, fastmath={"reassoc", "contract", "nsz"})


class CompileTimeName(str):
    """A name that compiled code sees as a constant (a numba string literal).

    Passing ``CompileTimeName("adam")`` where a kernel expects a rule's name
    compiles (or loads from the cache) one specialisation per name, in which the
    name's branch is chosen at compile time, and lets numba's dispatcher find
    that specialisation directly on every later call.
    """


@typeof_impl.register(CompileTimeName)
def _typeof_compile_time_name(value, context):
    return types.literal(str(value))
