"""The view builds no SQL from request values: its only query call runs a file of include/sql/ui/
named by a literal, with values as bound parameters (the files' own check is test_no_text_injection)."""
from __future__ import annotations

import ast
from pathlib import Path

UI = Path(__file__).resolve().parents[2] / "plugins" / "ads_sync" / "ui"
SQL = Path(__file__).resolve().parents[2] / "include" / "sql" / "ui"


def calls(name: str) -> list[tuple[str, ast.Call]]:
    found = []
    for path in sorted(UI.glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Call):
                func = node.func
                called = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
                if called == name:
                    found.append((path.name, node))
    return found


def test_the_only_query_call_runs_a_named_sql_file() -> None:
    executes = calls("execute")
    assert [f for f, _ in executes] == ["data.py"]
    first = executes[0][1].args[0]
    assert isinstance(first, ast.Call) and getattr(first.func, "id", "") == "sql_text"


def test_every_query_names_an_existing_file_by_a_literal() -> None:
    names = []
    for _, node in calls("_rows"):
        if len(node.args) >= 2:
            assert isinstance(node.args[1], ast.Constant) and isinstance(node.args[1].value, str), ast.dump(node)
            names.append(node.args[1].value)
    assert names and all((SQL / f"{n}.sql").is_file() for n in names)
    assert {p.stem for p in SQL.glob("*.sql")} == set(names)
