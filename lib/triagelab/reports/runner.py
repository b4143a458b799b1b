"""Run report notebooks with papermill and render them to HTML without code."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import nbformat
import papermill
from nbconvert import HTMLExporter

from triagelab.exceptions import ParameterError

logger = logging.getLogger(__name__)


def notebooks_dir() -> Path:
    """Return the notebooks folder of the source checkout."""
    return Path(__file__).resolve().parents[3] / "notebooks"


def report_notebooks() -> dict[str, Path]:
    """Return the analyst report notebooks by name."""
    folder = notebooks_dir() / "reports"
    return {path.stem: path for path in sorted(folder.glob("*.ipynb"))}


def declared_parameters(notebook: Path) -> dict[str, dict[str, Any]]:
    """Return the parameters a notebook declares, with papermill's inferred type and help."""
    return dict(papermill.inspect_notebook(str(notebook)))


def coerce_parameters(notebook: Path, raw: dict[str, str]) -> dict[str, Any]:
    """Convert command-line strings to the types the notebook's parameters declare.

    Raises
    ------
    ParameterError
        For a name the notebook does not declare or a value of the wrong type.
    """
    declared = declared_parameters(notebook)
    values: dict[str, Any] = {}
    for name, text in raw.items():
        if name not in declared:
            raise ParameterError(
                f"parameter `{name}` is not declared by {notebook.name}; it takes "
                f"{', '.join(declared)}",
                field=name,
                value=text,
            )
        kind = declared[name]["inferred_type_name"]
        try:
            if kind == "int":
                values[name] = int(text)
            elif kind == "float":
                values[name] = float(text)
            elif kind == "bool":
                if text.lower() not in {"true", "false"}:
                    raise ValueError(text)
                values[name] = text.lower() == "true"
            else:
                values[name] = text
        except ValueError as err:
            raise ParameterError(
                f"parameter `{name}`: {text!r} is not a valid {kind}", field=name, value=text
            ) from err
    return values


def render_html(executed: Path, target: Path) -> Path:
    """Render an executed notebook to HTML with its code cells hidden."""
    exporter = HTMLExporter(
        exclude_input=True, exclude_input_prompt=True, exclude_output_prompt=True
    )
    body, _ = exporter.from_notebook_node(nbformat.read(executed, as_version=4))
    target.write_text(body, encoding="utf-8")
    return target


def run_notebook(
    notebook: Path,
    parameters: dict[str, Any],
    out_dir: Path,
    *,
    stem: str | None = None,
    html: bool = True,
    progress: bool = False,
) -> tuple[Path, Path | None]:
    """Execute a notebook with papermill into `out_dir`, and render it to HTML if asked."""
    out_dir.mkdir(parents=True, exist_ok=True)
    executed = out_dir / f"{stem or notebook.stem}.ipynb"
    logger.info("running %s with %s", notebook.name, parameters)
    papermill.execute_notebook(
        str(notebook),
        str(executed),
        parameters=parameters,
        cwd=str(Path.cwd()),
        progress_bar=progress,
        kernel_name="python3",
    )
    rendered = render_html(executed, executed.with_suffix(".html")) if html else None
    return executed, rendered


def run_report(
    name: str, raw_parameters: dict[str, str], out_dir: Path, *, html: bool = True
) -> tuple[Path, Path | None]:
    """Run the report notebook `name` with command-line parameters."""
    notebooks = report_notebooks()
    if name not in notebooks:
        raise ParameterError(
            f"unknown report `{name}`; reports are {', '.join(notebooks)}", field="NAME", value=name
        )
    notebook = notebooks[name]
    return run_notebook(notebook, coerce_parameters(notebook, raw_parameters), out_dir, html=html)
