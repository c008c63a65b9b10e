"""The options every compiled (numba) function is built with, and where the
compiled code is cached.

numba caches each compiled function next to its source (``__pycache__``) or,
where that is not writable, in the user's cache directory; in a container the
package directory is often read-only and the home directory missing, and numba
then refuses to cache at all (``cache=True`` fails at import). And numba
checks only the file that defines a cached function, so a kernel of
``_kernels.py`` would keep the old code of an edited ``_losses.py``.

skgd's kernels therefore get a locator of their own (``KernelLocator``, put
first in numba's list of locators; it answers for skgd's files only). It
caches where numba would, else in a private directory of the temporary
directory (``FALLBACK_DIRECTORY``), and stamps every entry with a hash of all
the kernel sources and numba's version (``kernel_sources_stamp``): numba itself
then discards entries written by any other version of any of them, even by a
process still running the old code. Where nothing can be written, the kernels
are compiled in every process, which is said once on the ``skgd`` logger.
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
import numba.core.event
from numba import types
from numba.extending import typeof_impl

logger = logging.getLogger("skgd")

PACKAGE = Path(__file__).resolve().parent
#: The files whose code is compiled into the kernels.
KERNEL_SOURCES = (
    "_jit.py",
    "_kernels/_bundles.py",
    "_kernels/_rows.py",
    "_losses/__init__.py",
    "_losses/_regression.py",
    "_losses/_classification.py",
    "optim/_rules.py",
    "_kernels/_dense.py",
    "_kernels/_sparse.py",
    "_kernels/_lazy_rules.py",
)
STAMP_FILE = "skgd-kernels.stamp"
FALLBACK_DIRECTORY = Path(tempfile.gettempdir()) / f"skgd-numba-cache-{os.getuid()}"


def kernel_sources_stamp():
    """A hash of every kernel source and of numba's version, or ``None`` when
    the sources cannot be read (a zip, a frozen application)."""
    digest = hashlib.sha256(numba.__version__.encode())
    try:
        for name in KERNEL_SOURCES:
            digest.update((PACKAGE / name).read_bytes())
    except OSError:
        return None
    return digest.hexdigest()


STAMP = kernel_sources_stamp()


def _writable_directory(path):
    """Whether ``path`` is (or can be made) a directory this process writes."""
    try:
        path.mkdir(parents=True, exist_ok=True)
        tempfile.TemporaryFile(dir=path).close()
    except OSError:
        return False
    return True


def private_directory(path):
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


def _is_kernel_source(py_file):
    try:
        relative = Path(py_file).resolve().relative_to(PACKAGE)
    except ValueError:
        return False
    return relative.as_posix() in KERNEL_SOURCES


def _install_kernel_locator():
    """Put ``KernelLocator`` first in numba's locators; return it, or ``None``
    when numba's caching classes are not the ones this was written for."""
    try:
        from numba.core import caching

        implementation = getattr(caching, "CacheImpl", None) or caching._CacheImpl
        base, backed = caching._CacheLocator, caching._SourceFileBackedLocatorMixin
        locators = implementation._locator_classes
    except (ImportError, AttributeError):
        return None

    class FallbackLocator(backed, base):
        """numba's source-file locator, in ``FALLBACK_DIRECTORY``."""

        def __init__(self, py_func, py_file):
            self._py_file = py_file
            self._lineno = py_func.__code__.co_firstlineno
            self._cache_path = str(FALLBACK_DIRECTORY)

        def get_cache_path(self):
            return self._cache_path

        @classmethod
        def from_function(cls, py_func, py_file):
            if private_directory(FALLBACK_DIRECTORY) is None:
                return None
            return cls(py_func, py_file)

    class KernelLocator(base):
        """Where numba would cache a kernel of skgd (else the fallback), its
        entries stamped with ``STAMP``."""

        def __init__(self, inner):
            self._inner = inner

        def ensure_cache_path(self):
            self._inner.ensure_cache_path()

        def get_cache_path(self):
            return self._inner.get_cache_path()

        def get_source_stamp(self):
            return STAMP

        def get_disambiguator(self):
            return self._inner.get_disambiguator()

        @classmethod
        def from_function(cls, py_func, py_file):
            if STAMP is None or not _is_kernel_source(py_file):
                return None
            for other in [*locators, FallbackLocator]:
                if other is not cls:
                    inner = other.from_function(py_func, py_file)
                    if inner is not None:
                        return cls(inner)
            return None

    if not any(c.__name__ == "KernelLocator" for c in locators):
        locators.insert(0, KernelLocator)
    return next(c for c in locators if c.__name__ == "KernelLocator")


def cache_directories():
    """``(cache, directories)``: whether to cache skgd's compiled kernels, and
    where (one directory per folder of kernel sources, the kernels' first;
    empty when numba's own locators decide)."""
    if getattr(numba.config, "CACHE_LOCATOR_CLASSES", ""):
        return True, []  # the user chose numba's locators: trust them
    if STAMP is None:
        return True, []  # no source files (a zip): numba's own locators
    locator = _install_kernel_locator()
    if locator is None:
        return True, []  # numba's own caching, as it is
    # One source of each folder (numba caches by folder), the kernels' first.
    sources = sorted(KERNEL_SOURCES, key=lambda name: not name.startswith("_kernels"))
    folders = {Path(name).parent: str(PACKAGE / name) for name in reversed(sources)}
    found = [
        locator.from_function(cache_directories, path)
        for path in reversed(folders.values())
    ]
    if None in found:
        logger.warning(
            "skgd: no writable place to cache compiled code (the package "
            "directory is read-only, there is no writable home, and %s is "
            "not this user's); every process compiles the kernels it uses. Set "
            "NUMBA_CACHE_DIR to a writable directory to keep them.",
            FALLBACK_DIRECTORY,
        )
        return False, []
    return True, list(dict.fromkeys(Path(f.get_cache_path()) for f in found))


def clear_stale_cache(directory):
    """Delete skgd's cached kernels in ``directory`` when the stamp there is not
    that of the present sources, and stamp it anew (numba would not load
    them, and keeps their files)."""
    if STAMP is None:
        return False
    stamp_file = directory / STAMP_FILE
    try:
        if stamp_file.is_file() and stamp_file.read_text() == STAMP:
            return False
        modules = {name.removesuffix(".py") for name in KERNEL_SOURCES}
        for path in directory.iterdir():
            if path.suffix in (".nbi", ".nbc") and path.name.split(".")[0] in modules:
                path.unlink(missing_ok=True)
        stamp_file.write_text(STAMP)
    except OSError:
        return False
    return True


CACHE, _directories = cache_directories()
#: Where the kernels are cached (``None``: where numba's own locators say).
CACHE_DIRECTORY = _directories[0] if _directories else None
for _directory in _directories:
    clear_stale_cache(_directory)

# cache: compiled once, then loaded from disk by every later process (see the
# module docstring for where, and for how a stale cache is cleared).
# Reassociation lets LLVM vectorise the dot products and gradient sums; no
# "nnan"/"ninf": divergence is detected by looking for non-finite values.
JIT = dict(
    cache=CACHE,
    nogil=True,
    fastmath={"reassoc", "contract", "nsz"},
)
#: For the loops over a CSR row's non-zeros: without reassociation, which lets
#: LLVM vectorise a sparse row's dot product into gathers, 2.5 times slower
#: than the scalar loop (measured on text-like rows).
SPARSE_JIT = dict(JIT, fastmath={"contract", "nsz"})

#: A compile that takes longer than this is announced.
COMPILE_NOTICE_SECONDS = 1.0
_announced = set()


class _CompileWatch(numba.core.event.Listener):
    """Starts ``timer`` when numba begins its first compile in the block, and
    counts the compiles under way (``depth``)."""

    def __init__(self, timer):
        self.timer = timer
        self.depth = 0

    def on_start(self, event):
        self.depth += 1
        if not self.timer.is_alive() and not self.timer.finished.is_set():
            self.timer.start()

    def on_end(self, event):
        self.depth -= 1


@contextmanager
def compile_notice(what, verbose=False):
    """Say, once per ``what`` and process, that numba is compiling when it
    still is ``COMPILE_NOTICE_SECONDS`` after its first compile in the block
    began: on the ``skgd`` logger, and on standard output with ``verbose``. A
    long call that compiles nothing, or compiles quickly, says nothing."""
    if what in _announced:
        yield
        return

    def announce():
        if not watch.depth:
            return  # the compiles were over in time
        later = (
            "once: later processes load them from the cache; `python -m skgd "
            "precompile` compiles ahead"
            if CACHE
            else "in every process: there is no writable cache here"
        )
        message = f"compiling the kernels for {what} ({later})"
        logger.info(message)
        if verbose:
            print(f"skgd: {message}", flush=True)

    timer = threading.Timer(COMPILE_NOTICE_SECONDS, announce)
    timer.daemon = True
    watch = _CompileWatch(timer)
    with numba.core.event.install_listener("numba:compile", watch):
        try:
            yield
        finally:
            timer.cancel()
            _announced.add(what)  # compiled (or loaded) now, either way


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
