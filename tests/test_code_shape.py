"""The code's shape, as the team agreed it: every module of the product and the local org says why
it exists, no product function takes more than six parameters besides self (what travels together
is one object: the org client, the run's options), and the one module that reaches into
simple-salesforce's internals finds them in the installed release."""
from __future__ import annotations

import ast
import inspect
from importlib.metadata import version
from pathlib import Path

from simple_salesforce import Salesforce

from eazybe_tasks.salesforce import transport

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("eazybe_tasks", "eazybe_local_org", "eazybe_local_graph")
MAX_PARAMETERS = 6


def modules(*packages: str) -> list[Path]:
    return sorted(path for package in packages for path in (ROOT / package).rglob("*.py"))


def parameters(function: ast.FunctionDef | ast.AsyncFunctionDef) -> list[str]:
    arguments = function.args
    names = [a.arg for a in [*arguments.posonlyargs, *arguments.args, *arguments.kwonlyargs]]
    names += [f"*{a.arg}" for a in (arguments.vararg, arguments.kwarg) if a is not None]
    return names[1:] if names[:1] in (["self"], ["cls"]) else names


def test_every_module_has_a_docstring() -> None:
    missing = [str(path.relative_to(ROOT)) for path in modules(*PACKAGES)
               if path.stat().st_size and ast.get_docstring(ast.parse(path.read_text(encoding="utf-8"))) is None]
    assert missing == []


def test_no_product_function_takes_more_than_six_parameters() -> None:
    crowded = []
    for path in modules("eazybe_tasks"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and len(parameters(node)) > MAX_PARAMETERS:
                crowded.append(f"{path.relative_to(ROOT)}:{node.lineno} {node.name}{tuple(parameters(node))}")
    assert crowded == []


def test_the_transport_finds_the_internals_it_uses() -> None:
    assert version("simple-salesforce").startswith(transport.SUPPORTED_VERSIONS)
    call = inspect.signature(Salesforce._call_salesforce)
    assert list(call.parameters)[:4] == ["self", "method", "url", "name"]
    client = Salesforce(instance_url="https://example.my.salesforce.com", session_id="token", version="67.0")
    assert client.base_url == "https://example.my.salesforce.com/services/data/v67.0/"
    assert client.headers["Authorization"] == "Bearer token"
    transport.use_token(client, "fresh")
    assert (client.session_id, client.headers["Authorization"]) == ("fresh", "Bearer fresh")


def test_only_the_transport_touches_simple_salesforce_internals() -> None:
    """Its private methods, its helpers module, and the client's request headers."""
    reaching = []
    for path in modules("eazybe_tasks"):
        if path.name == "transport.py":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Attribute) and node.attr in {"_call_salesforce", "headers"} \
                    and ast.unparse(node.value) in {"sf", "self.sf", "org.sf", "client.sf"}:
                reaching.append(f"{path.relative_to(ROOT)}:{node.lineno} {ast.unparse(node)}")
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("simple_salesforce.util"):
                reaching.append(f"{path.relative_to(ROOT)}:{node.lineno} import from {node.module}")
    assert reaching == []
