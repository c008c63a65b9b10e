"""The layout's rules, read from the source: lower layers never import upper
ones, no function takes more than ten parameters, and only the backends look
at the kind of the data (see docs/architecture.rst)."""

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "skgd"

#: Each module's layer, top first; a module may import its own layer and the
#: layers below it. A subpackage stands for all its modules.
LAYERS = [
    ["__init__", "__main__", "_precompile", "_demo", "_demo_figures"],
    ["plotting", "_lr_finder", "_minimize"],
    ["_estimators"],
    ["_engine"],
    ["_backends"],
    ["_kernels"],
    ["_losses", "optim", "schedules"],
    ["_jit", "_utils"],
]
LAYER_OF = {name: depth for depth, names in enumerate(LAYERS) for name in names}
MAX_PARAMETERS = 10


def modules():
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = path.relative_to(PACKAGE).with_suffix("").parts
        yield parts, ast.parse(path.read_text(), filename=str(path))


def imported_modules(parts, tree):
    """The top-level names within skgd (``_kernels``, ``optim``, ...) that the
    module at ``parts`` imports."""
    package = list(parts[:-1])
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.level:
            base = package[: len(package) - (node.level - 1)]
            target = base + (node.module.split(".") if node.module else [])
            if target:
                yield target[0]
            else:  # from . import x, y
                yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom | ast.Import):
            names = [node.module] if isinstance(node, ast.ImportFrom) else []
            names += [a.name for a in getattr(node, "names", [])]
            for name in names:
                if name and name.startswith("skgd."):
                    yield name.split(".")[1]


def test_every_module_has_a_layer():
    assert {parts[0] for parts, _ in modules()} <= set(LAYER_OF)


MODULES = list(modules())


@pytest.mark.parametrize(
    "parts, tree", MODULES, ids=["/".join(parts) for parts, _ in MODULES]
)
def test_lower_layers_never_import_upper_ones(parts, tree):
    own = LAYER_OF[parts[0]]
    above = {
        name
        for name in imported_modules(parts, tree)
        if name in LAYER_OF and LAYER_OF[name] < own
    }
    assert not above, f"{'/'.join(parts)} imports the upper layers {above}"


def test_no_function_takes_more_than_ten_parameters():
    too_many = []
    for parts, tree in modules():
        for node in ast.walk(tree):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                args = node.args
                count = len(args.posonlyargs + args.args + args.kwonlyargs)
                count -= bool(args.args) and args.args[0].arg in ("self", "cls")
                # The estimators' __init__ store their parameters, as
                # scikit-learn's do.
                if count > MAX_PARAMETERS and node.name != "__init__":
                    too_many.append(f"{'/'.join(parts)}:{node.name} ({count})")
    assert not too_many


def data_kind_tests(tree):
    """The calls that test the kind of the data: ``is_dask_collection(...)``
    and ``isinstance(..., DaskChunks | CSR | InMemoryRows ...)``."""
    kinds = {"DaskChunks", "CSR", "InMemoryRows", "ThreadedRows"}
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        name = getattr(node.func, "id", getattr(node.func, "attr", None))
        if name == "is_dask_collection":
            yield node.lineno
        elif name == "isinstance" and len(node.args) == 2:
            checked = {getattr(n, "id", None) for n in ast.walk(node.args[1])}
            if checked & kinds:
                yield node.lineno


def test_only_the_backends_look_at_the_kind_of_data():
    elsewhere = [
        f"{'/'.join(parts)}:{line}"
        for parts, tree in modules()
        if parts[0] != "_backends"
        for line in data_kind_tests(tree)
    ]
    assert not elsewhere
