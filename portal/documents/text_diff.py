"""What a new agreement text changes, paragraph by paragraph, before it is published (#25).

Publishing a text asks every school and trust to sign again, so the vendor admin sees the text
as it would be published and what differs from the version in force first.
"""

from __future__ import annotations

import difflib
import json
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Line:
    """One paragraph of the text: `same`, `added` or `removed`."""

    kind: str
    text: str
    language: str = "en"  # which language version the paragraph belongs to (#29), for its `lang`


def paragraphs(content: dict[str, Any]) -> list[str]:
    """The text as a reader meets it: title, introduction, numbered clauses, annexes II and III; then in Welsh."""
    lines = [content.get("title", ""), content.get("introduction", "")]
    for clause in content.get("clauses", []):
        lines.append(f"{clause['number']}. {clause['heading']}")
        lines.extend(f"{clause['number']}.{i} {p}" for i, p in enumerate(clause["paragraphs"], start=1))
    lines.extend(f"{label}: {value}" for label, value in content.get("processing", []))
    for group in content.get("measures", []):
        lines.append(group["heading"])
        lines.extend(group["points"])
    if isinstance(content.get("cy"), dict):
        lines.extend(paragraphs(content["cy"]))  # the Welsh text, clause for clause after the English (#29)
    return [line for line in lines if line]


def _tagged(content: dict[str, Any]) -> list[tuple[str, str]]:
    """The paragraphs with their language: the English, then the Welsh version's."""
    welsh = set(paragraphs(content["cy"])) if isinstance(content.get("cy"), dict) else set()
    english = paragraphs({key: value for key, value in content.items() if key != "cy"})
    return [("en", line) for line in english] + [("cy", line) for line in paragraphs(content) if line in welsh]


def changes(before: str | None, after: dict[str, Any]) -> list[Line]:
    """The paragraphs that differ between a published text (its stored JSON) and a composed one."""
    old = _tagged(json.loads(before)) if before else []
    new = _tagged(after)
    found: list[Line] = []
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(a=old, b=new, autojunk=False).get_opcodes():
        if tag == "equal":
            continue
        found.extend(Line("removed", text, language) for language, text in old[i1:i2])
        found.extend(Line("added", text, language) for language, text in new[j1:j2])
    return found
