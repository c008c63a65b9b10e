"""The options every compiled (numba) function is built with, and where the
compiled code is cached.

numba caches each compiled function next to its source (``__pycache__``) or,
where that is not writable, in the user's cache directory. In a container the
package directory is often read-only and the home directory missing; numba
then refuses to cache at all and ``cache=True`` fails at import. skgd looks
for a place first (``cache_directory``): numba's own choice, else a private
directory in the temporary directory (``NUMBA_CACHE_DIR`` is pointed there),
else no cache at all, which is said once on the ``skgd`` logger.

numba checks only the source of the file that defines a cached function, so a
kernel of ``_kernels.py`` would keep the old code of an edited ``_losses.py``.
skgd stamps its cache with a hash of every kernel source (``KERNEL_SOURCES``)
and clears the cache when the stamp differs (``clear_stale_cache``).
"""

import hashlib
import logging
import os
import stat
import tempfile
import threading
from contextlib import contextmanager
from pathlib import Path

import numba
from numba import types
from numba.extending import typeof_impl

logger = logging.getLogger("skgd")

PACKAGE = Path(__file__).resolve().parent
#: The files whose code is compiled into the kernels.
KERNEL_SOURCES = (
    "_jit.py",
    "_rows.py",
    "_losses.py",
    "_classification_losses.py",
    "_optim_rules.py",
    "_kernels.py",
    "_sparse_kernels.py",
)
STAMP_FILE = "skgd-kernels.stamp"


def _writable_directory(path):
    """Whether ``path`` is (or can be made) a directory this process writes."""
    try:
        path.mkdir(parents=True, exist_ok=True)
        tempfile.TemporaryFile(dir=path).close()
    except OSError:
        return False
    return True


def _private_directory(path):
    """``path`` as a directory only this user can write, or ``None``: a shared
    temporary directory must not let another user plant compiled code."""
    try:
        path.mkdir(mode=0o700, exist_ok=True)
        info = path.lstat()
    except OSError:
        return None
    if (
        not stat.S_ISDIR(info.st_mode)
        or info.st_uid != os.getuid()
        or info.st_mode & (stat.S_IWGRP | stat.S_IWOTH)
    ):
        return None
    return path if _writable_directory(path) else None


def _numba_cache_directory():
    """Where numba would cache skgd's kernels, or ``None`` if nowhere (numba's
    own search, through its locator classes)."""
    from numba.core import caching

    implementation = getattr(caching, "CacheImpl", None) or caching._CacheImpl
    source = str(PACKAGE / "_kernels.py")
    for locator_class in implementation._locator_classes:
        locator = locator_class.from_function(_numba_cache_directory, source)
        if locator is not None:
            return Path(locator.get_cache_path())
    return None


def cache_directory():
    """``(cache, directory)``: whether to cache skgd's compiled kernels, and
    where (``None`` when unknown).

    Sets numba's ``CACHE_DIR`` to a private temporary directory when numba
    finds no place of its own.
    """
    if numba.config.CACHE_LOCATOR_CLASSES:
        return True, None  # the user chose numba's locators: trust them
    try:
        found = _numba_cache_directory()
    except Exception:  # numba's locators are its own API: never fail an import
        return True, None
    if found is not None:
        return True, found
    fallback = _private_directory(
        Path(tempfile.gettempdir()) / f"skgd-numba-cache-{os.getuid()}"
    )
    if fallback is None:
        logger.warning(
            "skgd: no writable place to cache compiled code (the package "
            "directory is read-only and there is no writable home); every "
            "process compiles the kernels it uses. Set NUMBA_CACHE_DIR to a "
            "writable directory to keep them."
        )
        return False, None
    numba.config.CACHE_DIR = str(fallback)
    logger.info("skgd: caching compiled code in %s (NUMBA_CACHE_DIR)", fallback)
    try:
        return True, _numba_cache_directory()
    except Exception:
        return True, None


def kernel_sources_stamp():
    """A hash of every kernel source and of numba's version."""
    digest = hashlib.sha256(numba.__version__.encode())
    for name in KERNEL_SOURCES:
        digest.update((PACKAGE / name).read_bytes())
    return digest.hexdigest()


def clear_stale_cache(directory):
    """Delete skgd's cached kernels in ``directory`` when the stamp there is not
    that of the present sources, and stamp it anew."""
    stamp = kernel_sources_stamp()
    stamp_file = directory / STAMP_FILE
    try:
        if stamp_file.is_file() and stamp_file.read_text() == stamp:
            return False
        modules = {name.removesuffix(".py") for name in KERNEL_SOURCES}
        for path in directory.iterdir():
            if path.suffix in (".nbi", ".nbc") and path.name.split(".")[0] in modules:
                path.unlink(missing_ok=True)
        stamp_file.write_text(stamp)
    except OSError:
        return False
    return True


CACHE, CACHE_DIRECTORY = cache_directory()
if CACHE_DIRECTORY is not None:
    clear_stale_cache(CACHE_DIRECTORY)

# cache: compiled once, then loaded from disk by every later process (see the
# module docstring for where, and for how a stale cache is cleared).
# Reassociation lets LLVM vectorise the dot products and gradient sums; no
# "nnan"/"ninf": divergence is detected by looking for non-finite values.
JIT = dict(
    cache=CACHE,
    nogil=True,
    fastmath={"reassoc", "contract", "nsz"},
)

#: A first call that takes longer than this (compiling) is announced.
COMPILE_NOTICE_SECONDS = 1.0
_announced = set()


@contextmanager
def compile_notice(what, verbose=False):
    """Say, once per ``what`` and process, that a first call is compiling when
    it takes longer than ``COMPILE_NOTICE_SECONDS``: on the ``skgd`` logger, and
    on standard output with ``verbose``."""
    if what in _announced:
        yield
        return
    _announced.add(what)

    def announce():
        message = (
            f"skgd: compiling the kernels for {what} (once: later processes load "
            "them from the cache; `python -m skgd precompile` compiles ahead)"
        )
        logger.info(message)
        if verbose:
            print(message, flush=True)

    timer = threading.Timer(COMPILE_NOTICE_SECONDS, announce)
    timer.daemon = True
    timer.start()
    try:
        yield
    finally:
        timer.cancel()


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
