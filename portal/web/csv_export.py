"""The one way the portal writes a CSV file: every cell quoted, no cell a spreadsheet would run.

A spreadsheet runs a cell that starts with `=`, `+`, `-` or `@` (and some run one that starts
with a tab or carriage return) as a formula. Neutralising only the start of each value is not
enough: a spreadsheet in a locale whose separator is `;` (or one told to split on `,` or tab)
splits `Mozilla;=HYPERLINK(...)` into two cells, and the second starts a formula. So here:

- every cell is quoted (RFC 4180 style, `""` for a quote inside), whatever it holds;
- a formula character at the start of a value, or after any separator a spreadsheet might split
  on (`,` `;` tab) or a quote, with any spaces between, gets an apostrophe before it, which
  spreadsheets read as "this is text" and do not show.

The price: a value such as `a, -b` is written `a, '-b`. Exports are for reading and filing, so
that is kept over the risk. defusedcsv does the first half only, hence this small helper.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections.abc import Iterable
from typing import Any

# A formula character at the start, or after a separator or quote (spaces allowed between).
_FORMULA = re.compile(r"(?:^|(?<=[,;\t\"\r\n]))([ ]*)([=+\-@\t\r])")


def safe_cell(value: Any) -> str:
    """A value as CSV text that no spreadsheet runs as a formula, however it splits the line."""
    if value is None:
        return ""
    text = value.isoformat() if isinstance(value, (dt.datetime, dt.date)) else str(value)
    return _FORMULA.sub(lambda m: f"{m.group(1)}'{m.group(2)}", text)


def csv_text(header: Iterable[Any], rows: Iterable[Iterable[Any]]) -> str:
    """A whole CSV document: the header and the rows, every cell made safe and quoted, CRLF line ends."""
    out = io.StringIO()
    writer = csv.writer(out, quoting=csv.QUOTE_ALL, lineterminator="\r\n")
    writer.writerow([safe_cell(cell) for cell in header])
    for row in rows:
        writer.writerow([safe_cell(cell) for cell in row])
    return out.getvalue()


def csv_bytes(header: Iterable[Any], rows: Iterable[Iterable[Any]], *, byte_order_mark: bool = True) -> bytes:
    """The document as UTF-8, with a byte-order mark so spreadsheet programs read accents right."""
    return (("\ufeff" if byte_order_mark else "") + csv_text(header, rows)).encode("utf-8")
