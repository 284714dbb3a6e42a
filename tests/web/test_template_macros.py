"""Templates write GOV.UK tables, summary lists, selects and breadcrumbs through macros (#19 item 6).

A page supplies its captions and cells; the markup lives once, in `templates/_macros/` (or GOV.UK
Frontend's own macros), so a fix there (the labelled scroll region that keeps a page from scrolling
sideways at 320 px, "Not set" for an absent value) reaches every page. This test reads every
template and fails on markup written by hand anywhere else.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"

HAND_WRITTEN = {
    # the table, its rows, headers and cells (govuk-table__cell ...), by their class
    "table": re.compile(r"""class=["'][^"']*\bgovuk-table"""),
    "summary list": re.compile(r"""class=["'][^"']*\bgovuk-summary-(list|card)"""),
    "select": re.compile(r"<select\b"),
    "breadcrumbs": re.compile(r"""class=["'][^"']*\bgovuk-breadcrumbs"""),
}

# Where the markup itself lives, and why anything else may write it.
ALLOWED = {
    # A tagged PDF's tables: no focusable scroll region in print, the same caption/th/tbody structure.
    "pdf/_table.html",
}


def _templates() -> list[Path]:
    return sorted(p for p in TEMPLATES.rglob("*.html") if "_macros" not in p.relative_to(TEMPLATES).parts)


def test_the_macros_exist() -> None:
    for name in ("table.html", "summary_list.html", "breadcrumbs.html"):
        assert (TEMPLATES / "_macros" / name).is_file()


@pytest.mark.parametrize("kind", sorted(HAND_WRITTEN))
def test_no_template_writes_the_markup_by_hand(kind: str) -> None:
    pattern = HAND_WRITTEN[kind]
    offenders = []
    for path in _templates():
        name = path.relative_to(TEMPLATES).as_posix()
        if name in ALLOWED:
            continue
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            if pattern.search(line):
                offenders.append(f"{name}:{number}: {line.strip()[:100]}")
    assert not offenders, f"a {kind} written by hand; use the macros in templates/_macros/:\n" + "\n".join(offenders)


def test_the_guard_sees_hand_written_markup(tmp_path: Path) -> None:
    """The patterns catch what they are for (a guard that cannot fail guards nothing)."""
    samples = {
        "table": '<table class="govuk-table">',
        "summary list": "<dl class='govuk-summary-list govuk-!-margin-bottom-0'>",
        "select": '<select class="govuk-select" name="role">',
        "breadcrumbs": '<nav class="govuk-breadcrumbs" aria-label="Breadcrumb">',
    }
    for kind, sample in samples.items():
        assert HAND_WRITTEN[kind].search(sample), kind
    assert HAND_WRITTEN["table"].search('<td class="govuk-table__cell govuk-table__cell--numeric">')
    assert not HAND_WRITTEN["table"].search('{% call table(_("Members"), headings) %}')
