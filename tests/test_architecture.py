"""How the code is laid out, checked: the layers themselves are import-linter's contracts (pyproject.toml, run by
`make test`); here, the imports hidden inside functions, which the layers would not show as a design choice."""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
APPS = ("config", "agencies", "scoring", "registry", "reports", "deploy")


def imports_inside_functions():
    for app in APPS:
        for path in sorted((ROOT / app).rglob("*.py")):
            if "migrations" in path.parts:
                continue
            source = path.read_text(encoding="utf-8")
            lines = source.splitlines()
            for function in ast.walk(ast.parse(source)):
                if not isinstance(function, ast.FunctionDef | ast.AsyncFunctionDef):
                    continue
                for node in ast.walk(function):
                    if isinstance(node, ast.Import | ast.ImportFrom):
                        yield path.relative_to(ROOT), node.lineno, lines


def explained(lines: list[str], lineno: int) -> bool:
    """A comment on the import's line, or just above it (or above the run of imports it belongs to), says why
    it is not at the top."""
    if "#" in lines[lineno - 1]:
        return True
    above = lineno - 2
    while above >= 0 and lines[above].strip().startswith(("from ", "import ")):
        above -= 1
    return above >= 0 and lines[above].strip().startswith("#")


def test_every_import_inside_a_function_says_why():
    unexplained = [
        f"{path}:{lineno}: {lines[lineno - 1].strip()}"
        for path, lineno, lines in imports_inside_functions()
        if not explained(lines, lineno)
    ]
    assert not unexplained, (
        "Import at the top of the module, or say in a comment just above which cycle (or load order) "
        "the import inside the function avoids:\n" + "\n".join(unexplained)
    )


def test_the_check_finds_an_unexplained_import(tmp_path):
    source = (
        "def f():\n    from os import path\n\n\n"
        "def g():\n    # breaks the a <-> b cycle\n    import b\n    import c\n\n\n"
        "def h():\n    x = 1\n    import d\n"
    )
    lines = source.splitlines()
    found = [
        node.lineno
        for node in ast.walk(ast.parse(source))
        if isinstance(node, ast.Import | ast.ImportFrom) and not explained(lines, node.lineno)
    ]
    assert found == [2, 13]
