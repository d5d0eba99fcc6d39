"""The audit notebook executed by papermill and rendered by nbconvert into one HTML file a person
opens anywhere: no code cells, the charts inside it as PNG data, and nothing fetched from the
network (the stock template loads require.js, MathJax and Mermaid from a CDN; the report has no
widgets, maths or diagrams, and its Content-Security-Policy forbids scripts and remote loads).

The page is written 0600: it shows names and numbers. The executed notebook is kept only in a
temporary folder: its injected parameters cell holds the store URL as given, which for
PostgreSQL may carry a password."""
from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

import nbformat
import papermill
from jinja2 import DictLoader
from nbconvert import HTMLExporter

from eazybe_tasks.notebook_kernel import KERNEL, ipc_kernel
from eazybe_tasks.private_files import write_private_text

TEMPLATE_NAME = "audit_report.html.j2"
TEMPLATE = """{%- extends 'lab/index.html.j2' -%}
{%- block html_head_js_requirejs -%}
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; img-src data:; style-src 'unsafe-inline'">
{%- endblock html_head_js_requirejs -%}
{%- block html_head_js_mathjax -%}{%- endblock html_head_js_mathjax -%}
{%- block html_head_js_mermaidjs -%}{%- endblock html_head_js_mermaidjs -%}
"""


def execute(notebook: Path, executed: Path, parameters: dict[str, Any], cwd: Path) -> None:
    """Runs `notebook` on a real kernel with `parameters` injected; raises PapermillExecutionError
    naming the failing cell."""
    with ipc_kernel(cwd) as manager:
        papermill.execute_notebook(str(notebook), str(executed), parameters=parameters, kernel_name=KERNEL,
                                   km=manager, cwd=str(cwd), progress_bar=False)


def take_stderr(notebook: nbformat.NotebookNode) -> list[str]:
    """Removes what libraries wrote to stderr (warnings, log lines) from the outputs and returns
    it: diagnostics for whoever renders the report, not part of what the report says."""
    taken: list[str] = []
    for cell in notebook.cells:
        kept = []
        for output in cell.get("outputs", []):
            if output.get("output_type") == "stream" and output.get("name") == "stderr":
                taken.append(output["text"].strip())
            else:
                kept.append(output)
        if "outputs" in cell:
            cell.outputs = kept
    return taken


def render_html(executed: Path, target: Path, title: str) -> list[str]:
    """The executed notebook as a standalone HTML page without code cells, prompts or stderr;
    returns what was on stderr."""
    exporter = HTMLExporter(extra_loaders=[DictLoader({TEMPLATE_NAME: TEMPLATE})], template_file=TEMPLATE_NAME,
                            exclude_input=True, exclude_input_prompt=True, exclude_output_prompt=True)
    notebook = nbformat.read(executed, as_version=4)
    notebook.metadata["title"] = title
    diagnostics = take_stderr(notebook)
    page, _ = exporter.from_notebook_node(notebook)
    write_private_text(target, page)  # names and numbers: for the owner only
    return diagnostics


def render_report(notebook: Path, target: Path, parameters: dict[str, Any], cwd: Path, title: str) -> list[str]:
    """Executes and renders; returns what the notebook wrote to stderr."""
    with tempfile.TemporaryDirectory(prefix="audit-report-") as scratch:
        executed = Path(scratch) / notebook.name
        execute(notebook, executed, parameters, cwd)
        return render_html(executed, target, title)
