"""Read a GIAS extract (establishments, groups or group links): decode, recognise, validate each row.

GIAS publishes its CSV downloads in Windows-1252; a file saved again by a spreadsheet may be
UTF-8, with or without a byte-order mark. Both are read. Nothing here touches the database.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from flask_babel import gettext as _
from flask_babel import ngettext

from portal.gias.models import ExtractKind
from portal.web.clean import clean_line

URN = "URN"
ESTABLISHMENT_NAME = "EstablishmentName"
LA_NAME = "LA (name)"
TYPE_NAME = "TypeOfEstablishment (name)"
PHASE_NAME = "PhaseOfEducation (name)"
STATUS_NAME = "EstablishmentStatus (name)"
TRUSTS_CODE = "Trusts (code)"
TRUSTS_NAME = "Trusts (name)"
GROUP_UID = "Group UID"
GROUP_NAME = "Group Name"
COMPANIES_HOUSE = "Companies House Number"
GROUP_TYPE = "Group Type"
GROUP_STATUS = "Group Status"

REQUIRED: dict[ExtractKind, tuple[str, ...]] = {
    ExtractKind.LINKS: (URN, GROUP_UID, GROUP_TYPE),
    ExtractKind.ESTABLISHMENTS: (URN, ESTABLISHMENT_NAME, STATUS_NAME),
    ExtractKind.GROUPS: (GROUP_UID, GROUP_NAME, GROUP_TYPE, GROUP_STATUS),
}
ESTABLISHMENT_STATUSES = {"Open", "Closed", "Open, but proposed to close", "Proposed to open"}
GROUP_STATUSES = {"Open", "Closed", "Proposed to open"}
# Federations, sponsors and children's centre groups are GIAS groups too, but not controllers.
TRUST_TYPES = {"Multi-academy trust", "Single-academy trust", "Trust"}

SLICE = 1024 * 1024
_URN = re.compile(r"\d{6}")
_UID = re.compile(r"\d{1,12}")
_COMPANY = re.compile(r"[0-9]{8}|[A-Z]{2}[0-9]{6}")


class ExtractError(ValueError):
    """The file as a whole cannot be read as a GIAS extract; the message says why."""


@dataclass
class ParsedExtract:
    """The valid rows of an extract (normalised dicts), its rejected rows and rows it leaves alone."""

    kind: ExtractKind
    rows: list[dict[str, Any]] = field(default_factory=list)
    rejects: list[dict[str, Any]] = field(default_factory=list)
    # Rows that are valid but not ours to import (a federation in the groups extract).
    ignored: int = 0


def decode(data: bytes) -> str:
    """The text of an upload: UTF-8 (BOM or not), else Windows-1252, as GIAS publishes it."""
    if not data.strip():
        raise ExtractError(_("The selected file is empty"))
    # The whole file, not its start: a NUL further in reached the rows and failed PostgreSQL at import.
    if b"\x00" in data:
        raise ExtractError(_("The selected file must be a CSV file: this one is binary"))
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        # cp1252 leaves five bytes undefined; latin-1 maps them rather than failing a whole file.
        try:
            return data.decode("cp1252")
        except UnicodeDecodeError:
            return data.decode("latin-1")


def recognise(header: list[str]) -> ExtractKind:
    """Which GIAS extract a header row belongs to, or ExtractError naming the missing columns."""
    columns = set(header)
    for kind, required in REQUIRED.items():
        if all(name in columns for name in required):
            return kind
    missing = [name for name in REQUIRED[ExtractKind.ESTABLISHMENTS] if name not in columns]
    raise ExtractError(
        ngettext(
            "The selected file must be a GIAS establishment, groups or links extract with its original columns: "
            "it has no %(columns)s column",
            "The selected file must be a GIAS establishment, groups or links extract with its original columns: "
            "it has no %(columns)s columns",
            len(missing),
            columns=", ".join(missing),
        )
    )


def parse(data: bytes) -> ParsedExtract:
    """Decode and validate a whole extract; ExtractError for a file that is not one."""
    text = decode(data)
    try:
        reader = csv.reader(io.StringIO(text, newline=""), strict=True)
        header = [name.strip() for name in next(reader, [])]
    except csv.Error as error:
        raise _not_csv(error) from error
    kind = recognise(header)
    parsed = ParsedExtract(kind)
    _read_rows(parsed, header, reader, 0, set())
    return parsed


def _not_csv(error: csv.Error) -> ExtractError:
    return ExtractError(_("The selected file is not a readable CSV file (%(error)s)", error=str(error)))


def _read_rows(parsed: ParsedExtract, header: list[str], reader: Any, line_offset: int, seen: set[str]) -> None:
    """Validate each record of a reader into `parsed`; a record's line is the reader's plus the offset."""
    index = {name: position for position, name in enumerate(header)}
    row_reader = _ROW_READERS[parsed.kind]
    try:
        for values in reader:
            if not any(value.strip() for value in values):
                continue
            # Every cell one line, without control characters (#18): names reach mail headers and documents.
            row = {name: (clean_line(values[i]).strip() if i < len(values) else "") for name, i in index.items()}
            row_reader(parsed, row, line_offset + reader.line_num, seen)
    except csv.Error as error:
        raise _not_csv(error) from error


@dataclass(frozen=True)
class Upload:
    """What the console checks of an upload before it is stored: its extract, encoding, header and parts."""

    kind: ExtractKind
    encoding: str
    header: list[str]
    # (first line number, start, end) of each slice of whole records after the header.
    parts: list[tuple[int, int, int]]


def encoding_of(data: bytes) -> str:
    """The codec `decode` would read the file with, checked a slice at a time (no copy of a 60 MB text)."""
    if not data or data.isspace():
        raise ExtractError(_("The selected file is empty"))
    if b"\x00" in data:
        raise ExtractError(_("The selected file must be a CSV file: this one is binary"))
    view = memoryview(data)
    for codec in ("utf-8-sig", "cp1252"):
        decoder = codecs.getincrementaldecoder(codec)()
        try:
            for start in range(0, len(data), SLICE):
                decoder.decode(view[start : start + SLICE])
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            continue
        return codec
    return "latin-1"


def check_upload(data: bytes, part_bytes: int) -> Upload:
    """The quick checks of a whole file (empty, binary, encoding, columns) and where to cut it into parts.

    A part ends at a line break outside quotes: one after an even number of `"` bytes since the part
    began (each quoted field opens and closes once; an escaped quote is two). Both `"` and the line
    break are single bytes in UTF-8 and Windows-1252 alike, so no character is ever cut in two.
    """
    encoding = encoding_of(data)
    header_end = _record_end(data, 0)
    try:
        header = next(csv.reader(io.StringIO(data[:header_end].decode(encoding), newline=""), strict=True), [])
    except csv.Error as error:
        raise _not_csv(error) from error
    header = [name.strip() for name in header]
    kind = recognise(header)
    parts: list[tuple[int, int, int]] = []
    start, line = header_end, data.count(b"\n", 0, header_end) + 1
    while start < len(data):
        end = _record_end(data, min(start + part_bytes, len(data)), since=start)
        parts.append((line, start, end))
        line += data.count(b"\n", start, end)
        start = end
    return Upload(kind, encoding, header, parts)


def _record_end(data: bytes, position: int, since: int | None = None) -> int:
    """Just after the first line break at or after `position` outside a quoted field (or the end).

    One pass: the quotes are counted once, so a file with a stray quote costs no more than any other."""
    cursor = position
    quotes = data.count(b'"', position if since is None else since, cursor)
    while (newline := data.find(b"\n", cursor)) != -1:
        quotes += data.count(b'"', cursor, newline)
        cursor = newline + 1
        if quotes % 2 == 0:
            return cursor
    return len(data)


def parse_part(kind: ExtractKind, header: list[str], text: str, first_line: int) -> ParsedExtract:
    """Validate the records of one part (duplicates within it only: `merge` finds those across parts)."""
    parsed = ParsedExtract(kind)
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    _read_rows(parsed, header, reader, first_line - 1, set())
    return parsed


def merge(kind: ExtractKind, parts: list[ParsedExtract]) -> ParsedExtract:
    """The parts of one file as if read in one go: a key already seen in an earlier part is rejected."""
    merged = ParsedExtract(kind)
    key, message = _DUPLICATE[kind]
    seen: set[str] = set()
    for part in parts:
        merged.ignored += part.ignored
        merged.rejects.extend(part.rejects)
        for row in part.rows:
            if row[key] in seen:
                _reject(merged, row["line"], row[key], message(row[key]))
            else:
                seen.add(row[key])
                merged.rows.append(row)
    merged.rejects.sort(key=lambda reject: reject["line"])
    return merged


def _reject(parsed: ParsedExtract, line: int, key: str, reason: str) -> None:
    parsed.rejects.append({"line": line, "key": key, "reason": reason})


def _establishment(parsed: ParsedExtract, row: dict[str, str], line: int, seen: set[str]) -> None:
    urn, name, status = row[URN], row[ESTABLISHMENT_NAME], row[STATUS_NAME]
    if not _URN.fullmatch(urn):
        return _reject(parsed, line, urn, f"URN must be 6 digits, not {urn!r}" if urn else "URN is missing")
    if urn in seen:
        return _reject(parsed, line, urn, f"URN {urn} appears more than once in the file")
    if not name:
        return _reject(parsed, line, urn, "EstablishmentName is missing")
    if status not in ESTABLISHMENT_STATUSES:
        return _reject(parsed, line, urn, f"EstablishmentStatus (name) {status!r} is not a GIAS status")
    normalised: dict[str, Any] = {
        "line": line,
        "urn": urn,
        "name": name[:200],
        "local_authority": row.get(LA_NAME) or None,
        "establishment_type": row.get(TYPE_NAME) or None,
        "phase": row.get(PHASE_NAME) or None,
        "status": status,
    }
    if TRUSTS_CODE in row:
        trust = row[TRUSTS_CODE]
        if trust and not _UID.fullmatch(trust):
            return _reject(parsed, line, urn, f"Trusts (code) must be a group UID (digits), not {trust!r}")
        normalised["trust_uid"] = trust or None
    seen.add(urn)
    parsed.rows.append(normalised)
    return None


def _group_fields(row: dict[str, str]) -> dict[str, Any] | str:
    """A trust's fields from a groups or links row, or the reason it is refused."""
    uid, name, status = row[GROUP_UID], row.get(GROUP_NAME, ""), row.get(GROUP_STATUS, "Open") or "Open"
    if not _UID.fullmatch(uid):
        return f"Group UID must be digits, not {uid!r}" if uid else "Group UID is missing"
    if not name:
        return "Group Name is missing"
    if status not in GROUP_STATUSES:
        return f"Group Status {status!r} is not a GIAS status"
    number = row.get(COMPANIES_HOUSE, "").upper().replace(" ", "")
    if number.isdigit():
        number = number.zfill(8)  # spreadsheets drop the leading zeros
    if number and not _COMPANY.fullmatch(number):
        return f"Companies House Number {number!r} is not 8 characters like 01234567 or SC123456"
    return {
        "uid": uid,
        "name": name[:200],
        "companies_house_number": number or None,
        "group_type": row[GROUP_TYPE],
        "status": status,
    }


def _group(parsed: ParsedExtract, row: dict[str, str], line: int, seen: set[str]) -> None:
    if row[GROUP_TYPE] not in TRUST_TYPES:
        parsed.ignored += 1
        return None
    fields = _group_fields(row)
    if isinstance(fields, str):
        return _reject(parsed, line, row[GROUP_UID], fields)
    if fields["uid"] in seen:
        return _reject(parsed, line, fields["uid"], f"Group UID {fields['uid']} appears more than once in the file")
    seen.add(fields["uid"])
    parsed.rows.append({"line": line, **fields})
    return None


def _link(parsed: ParsedExtract, row: dict[str, str], line: int, seen: set[str]) -> None:
    urn = row[URN]
    if row[GROUP_TYPE] not in TRUST_TYPES:
        parsed.ignored += 1
        return None
    if not _URN.fullmatch(urn):
        return _reject(parsed, line, urn, f"URN must be 6 digits, not {urn!r}" if urn else "URN is missing")
    fields = _group_fields(row) if GROUP_NAME in row else {"uid": row[GROUP_UID]}
    if isinstance(fields, str):
        return _reject(parsed, line, urn, fields)
    if fields.get("status") == "Closed":
        parsed.ignored += 1  # a past membership: the file also lists the school's current trust
        return None
    if not _UID.fullmatch(fields["uid"]):
        return _reject(parsed, line, urn, "Group UID must be digits")
    if urn in seen:
        return _reject(parsed, line, urn, f"URN {urn} is linked to more than one trust in the file")
    seen.add(urn)
    parsed.rows.append(
        {"line": line, "urn": urn, "group_uid": fields["uid"], "group": fields if "name" in fields else None}
    )
    return None


_ROW_READERS = {
    ExtractKind.ESTABLISHMENTS: _establishment,
    ExtractKind.GROUPS: _group,
    ExtractKind.LINKS: _link,
}


def _duplicate_urn(key: str) -> str:
    return str(_("URN %(key)s appears more than once in the file", key=key))


def _duplicate_uid(key: str) -> str:
    return str(_("Group UID %(key)s appears more than once in the file", key=key))


def _linked_twice(key: str) -> str:
    return str(_("URN %(key)s is linked to more than one trust in the file", key=key))


_DUPLICATE: dict[ExtractKind, tuple[str, Callable[[str], str]]] = {
    ExtractKind.ESTABLISHMENTS: ("urn", _duplicate_urn),
    ExtractKind.GROUPS: ("uid", _duplicate_uid),
    ExtractKind.LINKS: ("urn", _linked_twice),
}
