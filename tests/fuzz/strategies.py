"""Hypothesis strategies for hostile form values: oversized, odd unicode, NUL, CR/LF, wrong types."""

from __future__ import annotations

from hypothesis import strategies as st

# Characters that have broken real systems: RTL overrides, combining marks, zero-width joiners,
# emoji sequences, BOM, line/paragraph separators, non-characters, the last code point.
ODD = [
    "\u202e",  # right-to-left override
    "\u200f",  # right-to-left mark
    "\u0301\u0301\u0301",  # stacked combining acute accents
    "e\u0301",
    "\u200d",  # zero-width joiner
    "\u200b",  # zero-width space
    "\ufeff",  # byte order mark
    "\u2028",  # line separator
    "\u2029",  # paragraph separator
    "\x0b",
    "\x0c",
    "\x85",  # next line (C1)
    "\x1b[31m",  # ANSI escape
    "\uffff",  # non-character
    "\ufffe",
    "\U0010ffff",  # the last code point
    "\U0001f469\u200d\U0001f469\u200d\U0001f467\u200d\U0001f466",  # a family emoji sequence
    "\U0001f4a9",
    "مدرسة",  # Arabic (RTL)
    "שלום",  # Hebrew (RTL)
    "学校",
    "Z\u0351\u0352\u0353\u0354\u0355\u0356",  # zalgo
    "١٢٣",  # Arabic-Indic digits: int() accepts them
    "\u00a0",
]
INJECTION = [
    "\x00",
    "a\x00b",
    "\r\n",
    "\n",
    "\r",
    "x\r\nBcc: victim@example.org",
    "x\nSubject: injected",
    "x\r\n\r\n<h1>body</h1>",
    "%0d%0aBcc:x@example.org",
    "<script>alert(1)</script>",
    "{{ 7 * 7 }}",
    "'; DROP TABLE tenancy; --",
    "=cmd|' /C calc'!A0",
    "../../../etc/passwd",
    "%s%s%s%n",
]
TEXT_ALPHABET = st.characters(exclude_categories=("Cs",))  # every code point a string can carry


def oversized() -> st.SearchStrategy[str]:
    """Values far past any field's limit (built, not drawn, so generation stays fast)."""
    return st.sampled_from([257, 321, 1001, 4001, 5001, 20_000, 200_000]).flatmap(
        lambda n: st.sampled_from(["x", "é", "\U0001f4a9", "a\u0301", "\u202e"]).map(lambda ch: ch * n)
    )


def hostile_text() -> st.SearchStrategy[str]:
    pieces = st.sampled_from(ODD + INJECTION) | st.text(TEXT_ALPHABET, max_size=8) | st.just("Plain words")
    return st.one_of(
        st.lists(pieces, min_size=1, max_size=5).map("".join),
        st.text(TEXT_ALPHABET, max_size=40),
        oversized(),
        st.sampled_from(["", " ", "\t", "   \n  "]),
    )


def hostile_email() -> st.SearchStrategy[str]:
    local = st.sampled_from(["a", "dana.lead", "ünïcødé", "\U0001f4a9", "a+tag", '"quoted local"', "a" * 70])
    domain = st.sampled_from(["school.example", "例え.jp", "xn--r8jz45g.jp", "localhost", "[127.0.0.1]", "a" * 250])
    tail = st.sampled_from(["", "\r\nBcc: victim@example.org", "\nCc: x@example.org", "\x00", " ", ">", ",b@c.example"])
    built = st.builds(lambda lo, d, t: f"{lo}@{d}{t}", local, domain, tail)
    return st.one_of(built, hostile_text(), st.sampled_from(["@", "a@", "@b", "a@@b", "a@b@c", "<a@b.example>"]))


def hostile_number() -> st.SearchStrategy[str]:
    return st.one_of(
        st.integers(min_value=-(2**70), max_value=2**70).map(str),
        st.sampled_from(["", "one", "1.5", "1e9", "0x10", "-0", "١٢٣", "NaN", "inf", "9" * 400, " 1 ", "1\x00"]),
        hostile_text(),
    )


def hostile_date() -> st.SearchStrategy[list[str]]:
    """A GOV.UK date's three boxes (day, month, year), mangled; or the wrong number of boxes."""
    part = st.one_of(st.integers(-99999, 99999).map(str), hostile_number())
    return st.one_of(
        st.lists(part, min_size=3, max_size=3),
        st.lists(part, min_size=0, max_size=5),
        st.sampled_from([["31", "2", "2030"], ["29", "2", "2100"], ["1", "1", "1"], ["1", "1", "10000"]]),
    )
