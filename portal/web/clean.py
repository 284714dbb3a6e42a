"""Clean text at every input: no control characters reach the database, a document or a header.

A school name with a control character made its DPIA DOCX answer 500 and the Atom feed invalid
XML; a line break in an imported name made every invitation to that school answer 500 (a mail
header). So every form field (through the portal's FlaskForm), every GIAS cell and every
sign-in claim that is shown passes through here:

- one-line text: tabs, line breaks and U+2028/U+2029 become a space, other controls go;
- multi-line text: line ends become `\\n` (CR LF, CR, U+2028, U+2029), tab stays, other controls go.

"Controls" are C0 (U+0000-U+001F), DEL and C1 (U+007F-U+009F), and U+FFFE/U+FFFF, which XML
cannot carry either.
"""

from __future__ import annotations

import re
from typing import overload

_LINE_BREAKS = re.compile("\r\n|[\r\n\u2028\u2029]")
_CONTROLS = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ufffe\uffff]")
_SPACING = re.compile("[\t\r\n\u2028\u2029]")
# What neither kind of field keeps, for tests and checks.
FORBIDDEN = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\ufffe\uffff]")


@overload
def clean_line(value: str) -> str: ...
@overload
def clean_line(value: None) -> None: ...
def clean_line(value: str | None) -> str | None:
    """One-line text without control characters (breaks and tabs become spaces); None stays None."""
    if value is None:
        return None
    return _CONTROLS.sub("", _SPACING.sub(" ", value))


@overload
def clean_multiline(value: str) -> str: ...
@overload
def clean_multiline(value: None) -> None: ...
def clean_multiline(value: str | None) -> str | None:
    """Multi-line text with `\\n` line ends, tabs kept, every other control character removed."""
    if value is None:
        return None
    return _CONTROLS.sub("", _LINE_BREAKS.sub("\n", value))
