"""The house's layers, read from the source: data flows one way.

Rules: "No import circles anywhere in src/nums"; the core (everything but the two shells,
``nums.cli`` and ``nums.web``) never imports a shell or the web stack; "no temporary files in
the web layer" (a renderer returns bytes, and the web answers them). The import graph is built
with ``ast`` from every ``import`` in every module, those inside functions too: an import made
late to stay fast is still an edge of the graph.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

SRC = Path(__file__).resolve().parents[1] / "src"
PACKAGE = SRC / "nums"
SHELLS = ("nums.cli", "nums.web", "nums.__main__")  # ``python -m nums`` is the CLI's door
WEB_STACK = ("starlette", "uvicorn", "multipart", "python_multipart")

KNOWN_CIRCLES_TO_REMOVE: frozenset[tuple[str, str]] = frozenset()
"""Import edges of a circle known when this test was written and expected to go (the lead
deletes them here once the branch that removes them has landed). Empty: the core's
``canonical``/``skeleton`` circle had already gone, its YAML scalar writer moved to
``nums.escaping``, and the web's (``routes_programmes``, ``routes_finance``, ``routes_review``,
through the Jinja environment) went with ``web/templating.py``."""


def module_name(path: Path) -> str:
    parts = list(path.relative_to(SRC).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {module_name(path): path for path in PACKAGE.rglob("*.py")}


def imported(path: Path) -> Iterator[str]:
    """Every module name ``path`` imports, at the top or inside a function."""
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            for alias in node.names:  # ``from nums.web import files`` imports the module nums.web.files
                full = f"{node.module}.{alias.name}"
                yield full if full in MODULES else node.module


def import_graph() -> dict[str, set[str]]:
    """Each module of nums, with the modules of nums it imports."""
    return {
        name: {other for other in imported(path) if other in MODULES and other != name}
        for name, path in MODULES.items()
    }


def circles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected parts with more than one module (Tarjan's algorithm, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found = []
    for start in sorted(graph):
        if start in index:
            continue
        work = [(start, iter(sorted(graph[start])))]
        index[start] = low[start] = len(index)
        stack.append(start)
        on_stack.add(start)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph[child]))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                part = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    part.append(member)
                    if member == node:
                        break
                if len(part) > 1:
                    found.append(sorted(part))
    return found


def in_package(name: str, packages: tuple[str, ...]) -> bool:
    return any(name == package or name.startswith(package + ".") for package in packages)


def test_no_module_of_nums_imports_itself_round_a_circle() -> None:
    """ "No import circles anywhere in src/nums": a circle means a concept without its module."""
    graph = import_graph()
    for source, target in KNOWN_CIRCLES_TO_REMOVE:
        graph[source].discard(target)
    assert circles(graph) == []


def test_the_circle_finder_finds_a_circle() -> None:
    """The rule above is only as good as the search: a circle of three is found, a line is not."""
    assert circles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert circles({"a": {"b"}, "b": {"c"}, "c": set()}) == []


def test_the_graph_sees_imports_inside_functions_and_from_a_package() -> None:
    """A late import is an edge; ``from nums.web import files`` is an edge to that module."""
    graph = import_graph()
    assert "nums.web.app" in graph["nums.cli.web"]  # imported inside ``nums serve``
    assert "nums.web.files" in graph["nums.web.programme_pages"]


def test_the_core_never_imports_a_shell_or_the_web_stack() -> None:
    """Data flows one way: the CLI and the web app call the library, never the reverse."""
    wrong = {
        name: sorted(other for other in imported(path) if in_package(other, (*SHELLS, *WEB_STACK)))
        for name, path in MODULES.items()
        if not in_package(name, SHELLS)
    }
    assert {name: others for name, others in wrong.items() if others} == {}


def test_one_shell_never_imports_the_other() -> None:
    """Thin shells: the CLI and the web app each call the library; what both read (the words for a
    date, a whole number, a VAT rate) lives in the library (``nums.params``), not in one of them.
    Only the command that starts the web app (``nums.cli.web``, ``nums serve``) imports it."""
    crossing = {
        name: sorted(other for other in imported(path) if in_package(other, (shell,)))
        for name, path in MODULES.items()
        for own, shell in (("nums.web", "nums.cli"), ("nums.cli", "nums.web"))
        if in_package(name, (own,)) and name != "nums.cli.web"
    }
    assert {name: others for name, others in crossing.items() if others} == {}


def test_the_web_layer_makes_no_temporary_files() -> None:
    """ "No temporary files in the web layer": renderers return bytes and the web answers them; a
    received pack is unpacked by ``nums.received``, which owns its scratch folder."""
    web = {name: path for name, path in MODULES.items() if in_package(name, ("nums.web",))}
    assert web, "the web layer's modules are found"
    assert {name for name, path in web.items() if "tempfile" in set(imported(path))} == set()
