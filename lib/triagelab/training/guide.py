"""The flag reference of the trainee guide, generated from `triagelab.vocab.FLAGS`."""

from __future__ import annotations

import sys
from pathlib import Path

from triagelab.vocab import FLAGS

START = "<!-- flags:start (generated from triagelab.vocab.FLAGS) -->"
END = "<!-- flags:end -->"


def flag_reference_markdown() -> str:
    """Return the Markdown table of every flag: name, title, definition, window and threshold."""
    lines = [
        "| flag | shown in the app as | what it means | window | threshold |",
        "|---|---|---|---|---|",
    ]
    for flag in FLAGS:
        cells = [f"`{flag.name}`", flag.title, flag.definition, flag.window, flag.threshold]
        lines.append("| " + " | ".join(cell.replace("|", "\\|") for cell in cells) + " |")
    return "\n".join(lines)


def replace_flag_reference(text: str) -> str:
    """Return `text` with the part between the flag markers replaced by the current table."""
    head, _, rest = text.partition(START)
    _, _, tail = rest.partition(END)
    return f"{head}{START}\n{flag_reference_markdown()}\n{END}{tail}"


def main(argv: list[str]) -> int:
    """Rewrite the flag reference of the guide given as the only argument."""
    path = Path(argv[0])
    path.write_text(replace_flag_reference(path.read_text(encoding="utf-8")), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
