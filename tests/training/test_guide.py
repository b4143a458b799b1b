from __future__ import annotations

from pathlib import Path

from triagelab.training.guide import END, START, flag_reference_markdown
from triagelab.vocab import FLAGS

GUIDE = Path(__file__).resolve().parents[2] / "docs" / "trainee-guide.md"


def test_guide_lists_every_flag() -> None:
    text = GUIDE.read_text(encoding="utf-8")
    section = text.split(START, 1)[1].split(END, 1)[0]
    for flag in FLAGS:
        assert f"`{flag.name}`" in section, flag.name
        assert flag.definition.replace("|", "\\|") in section, flag.name


def test_guide_flag_table_is_current() -> None:
    text = GUIDE.read_text(encoding="utf-8")
    section = text.split(START, 1)[1].split(END, 1)[0].strip()
    assert section == flag_reference_markdown(), (
        "regenerate with `python -m triagelab.training.guide docs/trainee-guide.md`"
    )
