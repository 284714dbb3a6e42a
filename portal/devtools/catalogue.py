"""The Welsh catalogue (#29): extract the portal's strings, keep translations, report what is missing.

Used by `make translations` and by the test that fails on a string without Welsh. Extraction reads
`babel.cfg` at the repository's root, with the keywords the portal uses (`_`, `gettext`,
`ngettext`, `lazy_gettext`, `_l`, `pgettext`).

    python -m portal.devtools.catalogue update       # extract, merge into the catalogue, compile
    python -m portal.devtools.catalogue missing      # list strings without Welsh (exit 1 if any)
    python -m portal.devtools.catalogue area NAME PREFIX...   # a helper's part file, for one area
    python -m portal.devtools.catalogue absorb       # fold translations/parts/*.po into the catalogue
"""

from __future__ import annotations

import sys
from collections.abc import Iterable
from pathlib import Path

from babel.messages.catalog import Catalog, Message
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parents[2]
TRANSLATIONS = ROOT / "translations"
CATALOGUE = TRANSLATIONS / "cy" / "LC_MESSAGES" / "messages.po"
COMPILED = CATALOGUE.with_suffix(".mo")
PARTS = TRANSLATIONS / "parts"
KEYWORDS = {**DEFAULT_KEYWORDS, "lazy_gettext": None, "_l": None, "lazy_ngettext": (1, 2)}


def extracted() -> Catalog:
    """Every marked string of the portal, with where it is used."""
    with (ROOT / "babel.cfg").open(encoding="utf-8") as config:
        method_map, options_map = parse_mapping_cfg(config)  # type: ignore[no-untyped-call]
    template = Catalog(project="school agreement portal", locale=None)
    for filename, lineno, message, comments, context in extract_from_dir(
        str(ROOT), method_map, options_map, keywords=KEYWORDS, comment_tags=("Translators:",), strip_comment_tags=True
    ):
        template.add(message, None, [(filename, lineno)], auto_comments=comments, context=context)
    return template


def _read(path: Path) -> Catalog:
    if not path.exists():
        return Catalog(locale="cy")
    with path.open("rb") as handle:
        return read_po(handle, locale="cy")


def _write(catalogue: Catalog, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as handle:
        write_po(handle, catalogue, width=100, sort_output=False, include_previous=False)


def _translated(message: Message) -> bool:
    strings = message.string if isinstance(message.string, (tuple, list)) else (message.string,)
    return all(strings) and not message.fuzzy


def _fill(target: Catalog, sources: Iterable[Catalog]) -> None:
    """Give each untranslated message of `target` the first translation any source has for it."""
    for source in sources:
        for message in source:
            if not message.id or not _translated(message):
                continue
            existing = target.get(message.id, message.context)
            if existing is not None and not _translated(existing):
                existing.string = message.string
                existing.flags.discard("fuzzy")


def update() -> Catalog:
    """Extract, merge into the catalogue (keeping every translation), write and compile it."""
    catalogue = _read(CATALOGUE)
    template = extracted()
    previous = Catalog(locale="cy")
    for message in catalogue:
        if message.id:
            previous[message.id] = message
    catalogue.update(template, no_fuzzy_matching=True)
    _fill(catalogue, [previous])
    catalogue.obsolete.clear()
    _write(catalogue, CATALOGUE)
    compile_catalogue(catalogue)
    return catalogue


def compile_catalogue(catalogue: Catalog | None = None) -> None:
    catalogue = catalogue if catalogue is not None else _read(CATALOGUE)
    with COMPILED.open("wb") as handle:
        write_mo(handle, catalogue, use_fuzzy=False)


def missing(catalogue: Catalog | None = None) -> list[Message]:
    """Strings of the portal with no Welsh, or whose Welsh is marked fuzzy."""
    catalogue = catalogue if catalogue is not None else _read(CATALOGUE)
    found = []
    for message in extracted():
        if not message.id:
            continue
        translation = catalogue.get(message.id, message.context)
        if translation is None or not _translated(translation):
            found.append(message)
    return found


def area(name: str, prefixes: list[str]) -> None:
    """Write translations/parts/NAME.po with the strings used under PREFIXES, keeping its Welsh."""
    path = PARTS / f"{name}.po"
    part = _read(path)
    kept = {(m.id if isinstance(m.id, str) else m.id[0], m.context): m for m in part if m.id}
    fresh = Catalog(locale="cy", project="school agreement portal")
    for message in extracted():
        if not message.id or not any(loc.startswith(tuple(prefixes)) for loc, _ in message.locations):
            continue
        key = (message.id if isinstance(message.id, str) else message.id[0], message.context)
        old = kept.get(key)
        fresh.add(message.id, old.string if old else None, message.locations, context=message.context)
    _write(fresh, path)
    untranslated = [m for m in fresh if m.id and not _translated(m)]
    print(f"{path.relative_to(ROOT)}: {len(fresh)} strings, {len(untranslated)} without Welsh")


def absorb() -> None:
    """Fold every part file's Welsh into the catalogue (after merging helpers' branches)."""
    catalogue = update()
    _fill(catalogue, [_read(path) for path in sorted(PARTS.glob("*.po"))])
    _write(catalogue, CATALOGUE)
    compile_catalogue(catalogue)


def main(argv: list[str]) -> int:
    command = argv[0] if argv else "update"
    if command == "update":
        update()
        return 0
    if command == "compile":
        compile_catalogue()
        return 0
    if command == "absorb":
        absorb()
        return 0
    if command == "area":
        area(argv[1], argv[2:])
        return 0
    if command == "missing":
        gaps = missing()
        for message in gaps:
            where = ", ".join(f"{loc}:{line}" for loc, line in message.locations[:2])
            print(f"{where}: {message.id!r}")
        print(f"{len(gaps)} strings without Welsh", file=sys.stderr)
        return 1 if gaps else 0
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
