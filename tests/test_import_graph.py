"""The layers of `conformance` point one way: the import graph, drawn from the source with ast,
has no cycle between its packages (run, plugin, report, http, config, ...) and none between
its modules, and every import points down the drawing of the layers in ARCHITECTURE.md. Nothing
is allowed a cycle or an upward import: one found here is a defect to fix, not to list."""

from __future__ import annotations

import ast
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

import conformance

PACKAGE = Path(conformance.__file__).parent
ARCHITECTURE = Path(__file__).resolve().parents[1] / "ARCHITECTURE.md"


def module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {module_name(path): path for path in PACKAGE.rglob("*.py")}

# "conformance.mock.command:mock": a module named by a string and imported when used (the
# CLI's lazy commands). It is a dependency all the same, which the import statements hide.
_BY_NAME = re.compile(r"(conformance(?:\.\w+)*):\w+")


def import_sites(name: str, path: Path) -> list[tuple[str, int]]:
    """The package's modules `name` imports, each with the line of the import, wherever the
    import stands (a function body, an `if TYPE_CHECKING:` block, a lazy import by name): each
    is a dependency all the same."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: list[tuple[str, int]] = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.extend((alias.name, node.lineno) for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                source = ".".join([*base, *([node.module] if node.module else [])])
            else:
                source = node.module or ""
            for alias in node.names:
                submodule = f"{source}.{alias.name}"
                found.append((submodule if submodule in MODULES else source, node.lineno))
        elif isinstance(node, ast.Constant) and isinstance(node.value, str):
            by_name = _BY_NAME.fullmatch(node.value)
            found.extend([(by_name.group(1), node.lineno)] if by_name else [])
    return sorted((module, line) for module, line in found if module in MODULES and module != name)


def imported(name: str, path: Path) -> set[str]:
    return {module for module, _ in import_sites(name, path)}


def layer(module: str) -> str:
    """The package a module belongs to ("conformance.http"), or the module itself when it sits
    at the top of `conformance` (conformance.description, conformance.redact, ...)."""
    parts = module.split(".")
    return ".".join(parts[:2]) if len(parts) > 2 or (PACKAGE / parts[-1]).is_dir() else module


def module_graph() -> dict[str, set[str]]:
    return {name: imported(name, path) for name, path in MODULES.items()}


def layer_graph(modules: Mapping[str, set[str]]) -> dict[str, set[str]]:
    graph: dict[str, set[str]] = {layer(name): set() for name in modules}
    for name, targets in modules.items():
        graph[layer(name)].update(layer(t) for t in targets if layer(t) != layer(name))
    return graph


def cycles(graph: Mapping[str, set[str]]) -> list[list[str]]:
    """The strongly connected components of more than one node (Tarjan, iteratively)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(root: str) -> None:
        work: list[tuple[str, Iterator[str]]] = [(root, iter(sorted(graph.get(root, ()))))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            node, successors = work[-1]
            advanced = False
            for successor in successors:
                if successor not in index:
                    index[successor] = low[successor] = len(index)
                    stack.append(successor)
                    on_stack.add(successor)
                    work.append((successor, iter(sorted(graph.get(successor, ())))))
                    advanced = True
                    break
                if successor in on_stack:
                    low[node] = min(low[node], index[successor])
            if advanced:
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def _edges_within(graph: Mapping[str, set[str]], component: list[str]) -> list[str]:
    return [f"{a} -> {b}" for a in component for b in sorted(graph[a]) if b in component]


def test_the_cycle_finder_finds_a_cycle_and_only_a_cycle() -> None:
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert cycles({"a": {"b"}, "b": set()}) == []


def test_the_graph_sees_the_imports_of_the_package() -> None:
    modules = module_graph()
    assert "conformance.http.evidence" in modules["conformance.http.client"]
    assert "conformance.description" in modules["conformance.plugin.session"]
    assert "conformance.mock.command" in modules["conformance.cli"]  # a lazy import, by name
    assert layer("conformance.http.client") == "conformance.http"
    assert layer("conformance.redact") == "conformance.redact"


def test_no_import_goes_back_between_the_named_layers() -> None:
    modules = module_graph()
    layers = layer_graph(modules)
    # The pairs the issue named, each in one direction only (or none).
    for lower, upper in (
        ("conformance.config", "conformance.http"),
        ("conformance.plugin", "conformance.run"),
        ("conformance.report", "conformance.plugin"),
    ):
        assert upper not in layers[lower], f"{lower} imports {upper}"
    assert "conformance.http" not in layers["conformance.redact"]


def test_the_packages_import_each_other_without_a_cycle() -> None:
    layers = layer_graph(module_graph())
    found = {" / ".join(c): _edges_within(layers, c) for c in cycles(layers)}
    assert found == {}


def test_the_modules_import_each_other_without_a_cycle() -> None:
    modules = module_graph()
    found = {" / ".join(c): _edges_within(modules, c) for c in cycles(modules)}
    assert found == {}


# The drawing of the layers in ARCHITECTURE.md, between these two lines: one row of names a
# line (`http/` a package, `redact.py` a module, `__init__.py` the package's own), top first.
LAYERS_BEGIN = "<!-- layers: drawn from the code, checked by tests/test_import_graph.py -->"
LAYERS_END = "<!-- /layers -->"
_DRAWN_NAME = re.compile(r"(?<![\w./])(\w+)(/|\.py)(?![\w/])")
_UPWARD_ARROWS = "▲↑^"


def drawn_rows(markdown: str) -> list[list[str]]:
    """The rows of the drawing, top first, each the layers it names (`http/` is conformance.http,
    `__init__.py` is conformance itself)."""
    block = markdown.split(LAYERS_BEGIN, 1)[1].split(LAYERS_END, 1)[0]
    assert not any(arrow in block for arrow in _UPWARD_ARROWS), "an arrow of the drawing points up"
    rows = []
    for line in block.splitlines():
        names = _DRAWN_NAME.findall(line)
        if names:
            rows.append(
                [
                    "conformance" if name == "__init__" else f"conformance.{name}"
                    for name, _ in names
                ]
            )
    return rows


@dataclass(frozen=True)
class Import:
    """One import statement between two layers: `where` is the file and line that makes it."""

    where: str
    importer: str
    imported: str
    module: str


def imports_between_layers() -> list[Import]:
    repo = PACKAGE.parent
    return [
        Import(f"{path.relative_to(repo)}:{line}", layer(name), layer(module), module)
        for name, path in sorted(MODULES.items())
        for module, line in import_sites(name, path)
        if layer(module) != layer(name)
    ]


def layering_breaches(rows: list[list[str]], imports: Iterable[Import]) -> list[str]:
    """Each import of a layer drawn in the same row or a row above the importer's."""
    row_of = {name: index for index, row in enumerate(rows) for name in row}
    breaches = []
    for each in imports:
        above = row_of[each.imported] - row_of[each.importer]
        if above <= 0:
            direction = "in its own row" if above == 0 else f"{-above} row(s) above it"
            breaches.append(
                f"{each.where}: {each.importer} imports {each.module}, {direction} in the drawing"
            )
    return breaches


def test_the_layering_check_finds_an_upward_and_a_sideways_import() -> None:
    rows = [["conformance.cli"], ["conformance.run", "conformance.suite"], ["conformance.rules"]]
    imports = [
        Import("a.py:1", "conformance.cli", "conformance.rules", "conformance.rules.values"),
        Import("b.py:2", "conformance.rules", "conformance.run", "conformance.run.target"),
        Import("c.py:3", "conformance.run", "conformance.suite", "conformance.suite.test_auth"),
    ]
    assert [breach.split(", ")[1] for breach in layering_breaches(rows, imports)] == [
        "1 row(s) above it in the drawing",
        "in its own row in the drawing",
    ]
    assert layering_breaches(rows, imports)[0].startswith(
        "b.py:2: conformance.rules imports conformance.run.target"
    )
    drawing = "```\ncli.py   the commands\n   │\n   ▼\nrun/  suite/   the run; the tests\n```"
    assert drawn_rows(f"# x\n{LAYERS_BEGIN}\n{drawing}\n{LAYERS_END}\nhttp/") == rows[:2]


def test_the_drawing_of_the_layers_names_each_package_and_top_module_once() -> None:
    drawn = [name for row in drawn_rows(ARCHITECTURE.read_text(encoding="utf-8")) for name in row]
    layers = set(layer_graph(module_graph()))
    missing, unknown = sorted(layers - set(drawn)), sorted(set(drawn) - layers)
    assert not missing, f"missing from the drawing in ARCHITECTURE.md: {', '.join(missing)}"
    assert not unknown, f"drawn, but no package or module of conformance/: {', '.join(unknown)}"
    twice = sorted({name for name in drawn if drawn.count(name) > 1})
    assert not twice, f"drawn in more than one row: {', '.join(twice)}"


def test_every_import_points_down_the_drawing_of_the_layers() -> None:
    rows = drawn_rows(ARCHITECTURE.read_text(encoding="utf-8"))
    drawn = {name for row in rows for name in row}
    imports = [i for i in imports_between_layers() if {i.importer, i.imported} <= drawn]
    breaches = layering_breaches(rows, imports)
    assert not breaches, "imports against ARCHITECTURE.md's layers:\n" + "\n".join(breaches)
