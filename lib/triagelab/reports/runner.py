"""Run report notebooks with papermill and render them to HTML without code."""

from __future__ import annotations

import html
import itertools
import logging
import re
from collections.abc import Callable
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
        # The kernel listens on 127.0.0.1 only; its warning about unencrypted TCP on every
        # start says nothing an analyst can act on. Errors still reach the terminal.
        extra_arguments=["--IPKernelApp.log_level=ERROR"],
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


def expand_batch(batch: dict[str, str]) -> list[dict[str, str]]:
    """Return every combination of comma-separated batch values, in the order given.

    ``{"country": "SG,MY", "baseline_weeks": "1,2"}`` gives four parameter sets.

    Raises
    ------
    ParameterError
        For a batch parameter with no values.
    """
    names = list(batch)
    choices = []
    for name in names:
        values = [value.strip() for value in batch[name].split(",") if value.strip()]
        if not values:
            raise ParameterError(
                f"batch parameter `{name}`: {batch[name]!r} has no values; give VALUE1,VALUE2",
                field=name,
                value=batch[name],
            )
        choices.append(values)
    return [dict(zip(names, combo, strict=True)) for combo in itertools.product(*choices)]


def batch_stem(name: str, parameters: dict[str, str]) -> str:
    """Return a file name stem for one parameter set of a batch run."""
    parts = [f"{key}-{value}" for key, value in parameters.items()]
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", "__".join([name, *parts]))


# Inline style of the batch index page: the page loads nothing from elsewhere.
INDEX_CSS = """
body { font-family: system-ui, sans-serif; margin: 2rem auto; max-width: 60rem; color: #222; }
h1 { font-size: 1.6rem; margin-bottom: 0.2rem; }
table { border-collapse: collapse; margin: 1rem 0; }
th, td { border: 1px solid #ccc; padding: 0.35rem 0.7rem; text-align: left; }
th { background: #f2f4f7; }
tr:nth-child(even) td { background: #fafbfc; }
a { color: #1f6fb2; }
"""


def write_index(
    name: str,
    runs: list[tuple[dict[str, str], Path]],
    target: Path,
    fixed: dict[str, str] | None = None,
) -> Path:
    """Write an HTML page linking each report of a batch run, with its parameters.

    `fixed` contains the parameters shared by every run, listed above the runs.
    """
    title = f"{name.replace('_', ' ').capitalize()}: {len(runs)} reports"
    shared = "".join(
        f"<tr><th>{html.escape(key)}</th><td>{html.escape(value)}</td></tr>"
        for key, value in (fixed or {}).items()
    )
    shared_table = f"<h2>Shared parameters</h2>\n<table>\n{shared}\n</table>\n" if shared else ""
    rows = "\n".join(
        "<tr>"
        + "".join(f"<td>{html.escape(value)}</td>" for value in parameters.values())
        + f'<td><a href="{html.escape(path.name)}">{html.escape(path.name)}</a></td></tr>'
        for parameters, path in runs
    )
    header = "".join(f"<th>{html.escape(key)}</th>" for key in runs[0][0]) if runs else ""
    target.write_text(
        "<!DOCTYPE html>\n<html lang='en'><head><meta charset='utf-8'>"
        f"<title>{html.escape(title)}</title>\n<style>{INDEX_CSS}</style></head><body>\n"
        f"<h1>{html.escape(title)}</h1>\n<p>Report notebook <code>{html.escape(name)}</code>, "
        "run once per parameter set below.</p>\n"
        f"{shared_table}<h2>Runs</h2>\n<table>\n<tr>{header}<th>report</th></tr>\n{rows}\n"
        "</table>\n</body></html>\n",
        encoding="utf-8",
    )
    return target


def run_batch(
    name: str,
    fixed: dict[str, str],
    batch: dict[str, str],
    out_dir: Path,
    *,
    progress: Callable[[int], object] | None = None,
) -> Path:
    """Run report `name` once per combination of `batch` values and write an index page.

    Every parameter set is checked against the notebook's declared parameters before the
    first run, so a typo fails at once instead of after several reports.

    Returns
    -------
    Path
        The index.html page linking one HTML report per parameter set.
    """
    notebooks = report_notebooks()
    if name not in notebooks:
        raise ParameterError(
            f"unknown report `{name}`; reports are {', '.join(notebooks)}", field="NAME", value=name
        )
    notebook = notebooks[name]
    overlap = sorted(set(fixed) & set(batch))
    if overlap:
        raise ParameterError(
            f"parameter `{overlap[0]}` is given both with -p and with -b; give it once",
            field=overlap[0],
        )
    sets = expand_batch(batch)
    typed = [coerce_parameters(notebook, {**fixed, **values}) for values in sets]
    runs = []
    for values, parameters in zip(sets, typed, strict=True):
        _, rendered = run_notebook(
            notebook, parameters, out_dir, stem=batch_stem(name, values), html=True
        )
        assert rendered is not None
        runs.append((values, rendered))
        if progress is not None:
            progress(1)
    return write_index(name, runs, out_dir / "index.html", fixed)
