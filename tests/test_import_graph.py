"""The layers of `conformance` point one way: the import graph, drawn from the source with ast,
has no cycle between its packages (run, plugin, report, http, config, ...) and none between
its modules. Nothing is allowed a cycle: one found here is a defect to fix, not to list."""

from __future__ import annotations

import ast
from collections.abc import Iterator, Mapping
from pathlib import Path

import conformance

PACKAGE = Path(conformance.__file__).parent


def module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {module_name(path): path for path in PACKAGE.rglob("*.py")}


def imported(name: str, path: Path) -> set[str]:
    """The package's modules `name` imports, wherever the import stands (a function body, an
    `if TYPE_CHECKING:` block): each is a dependency all the same."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                source = ".".join([*base, *([node.module] if node.module else [])])
            else:
                source = node.module or ""
            for alias in node.names:
                submodule = f"{source}.{alias.name}"
                found.add(submodule if submodule in MODULES else source)
    return {module for module in found if module in MODULES and module != name}


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
