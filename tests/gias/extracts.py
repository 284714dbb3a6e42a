"""Build GIAS extracts in the real download format (real column names and order, CRLF, cp1252).

The establishment header is the leading part of GIAS's "Establishment fields CSV"
(edubasealldataYYYYMMDD.csv) plus its trust and postcode columns; the groups and links
headers are those of the "All group records" and "All group links" downloads.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping

ESTABLISHMENT_HEADER = [
    "URN",
    "LA (code)",
    "LA (name)",
    "EstablishmentNumber",
    "EstablishmentName",
    "TypeOfEstablishment (code)",
    "TypeOfEstablishment (name)",
    "EstablishmentTypeGroup (code)",
    "EstablishmentTypeGroup (name)",
    "EstablishmentStatus (code)",
    "EstablishmentStatus (name)",
    "ReasonEstablishmentOpened (code)",
    "ReasonEstablishmentOpened (name)",
    "OpenDate",
    "ReasonEstablishmentClosed (code)",
    "ReasonEstablishmentClosed (name)",
    "CloseDate",
    "PhaseOfEducation (code)",
    "PhaseOfEducation (name)",
    "StatutoryLowAge",
    "StatutoryHighAge",
    "TrustSchoolFlag (code)",
    "TrustSchoolFlag (name)",
    "Trusts (code)",
    "Trusts (name)",
    "SchoolSponsorFlag (name)",
    "SchoolSponsors (name)",
    "FederationFlag (name)",
    "Federations (code)",
    "Federations (name)",
    "UKPRN",
    "Street",
    "Locality",
    "Address3",
    "Town",
    "County (name)",
    "Postcode",
]
GROUP_HEADER = [
    "Group UID",
    "Group ID",
    "Group Name",
    "Companies House Number",
    "Group Type (code)",
    "Group Type",
    "Closed Date",
    "Group Status (code)",
    "Group Status",
    "Group Contact Street",
    "Group Contact Locality",
    "Group Contact Address 3",
    "Group Contact Town",
    "Group Contact County",
    "Group Contact Postcode",
    "Head of Group Title",
    "Head of Group First Name",
    "Head of Group Last Name",
    "UKPRN",
    "Incorporated on (open date)",
    "Open date",
]
LINK_HEADER = [
    "URN",
    "Group UID",
    "Group ID",
    "Group Name",
    "Companies House Number",
    "Group Type (code)",
    "Group Type",
    "Closed Date",
    "Group Status (code)",
    "Group Status",
    "Joined date",
    "EstablishmentName",
    "TypeOfEstablishment (code)",
    "TypeOfEstablishment (name)",
    "PhaseOfEducation (code)",
    "PhaseOfEducation (name)",
    "LA (code)",
    "LA (name)",
    "Incorporated on (open date)",
    "Open date",
]
STATUS_CODES = {"Open": "1", "Closed": "2", "Open, but proposed to close": "3", "Proposed to open": "4"}
PHASE_CODES = {"Primary": "2", "Secondary": "4", "All-through": "7", "Not applicable": "0"}
GROUP_TYPE_CODES = {"Multi-academy trust": "06", "Single-academy trust": "10", "Federation": "01"}


def establishment(
    urn: str,
    name: str,
    *,
    status: str = "Open",
    la: str = "Leeds",
    phase: str = "Primary",
    kind: str = "Academy converter",
    trust_uid: str = "",
    trust_name: str = "",
    **extra: str,
) -> dict[str, str]:
    """One establishment row as GIAS writes it (codes beside names)."""
    academy = kind.startswith("Academy")
    row = {
        "URN": urn,
        "LA (code)": "383",
        "LA (name)": la,
        "EstablishmentNumber": urn[-4:],
        "EstablishmentName": name,
        "TypeOfEstablishment (code)": "28",
        "TypeOfEstablishment (name)": kind,
        "EstablishmentTypeGroup (code)": "10" if academy else "4",
        "EstablishmentTypeGroup (name)": "Academies" if academy else "Local authority maintained schools",
        "EstablishmentStatus (code)": STATUS_CODES.get(status, "9"),
        "EstablishmentStatus (name)": status,
        "OpenDate": "01-09-2015",
        "CloseDate": "31-08-2023" if status == "Closed" else "",
        "PhaseOfEducation (code)": PHASE_CODES.get(phase, "0"),
        "PhaseOfEducation (name)": phase,
        "StatutoryLowAge": "4",
        "StatutoryHighAge": "11",
        "TrustSchoolFlag (code)": "5" if trust_uid else "0",
        "TrustSchoolFlag (name)": "Supported by a multi-academy trust" if trust_uid else "Not applicable",
        "Trusts (code)": trust_uid,
        "Trusts (name)": trust_name,
        "Town": la,
        "Postcode": "LS1 4AB",
    }
    row.update(extra)
    return row


def group(
    uid: str, name: str, *, companies_house: str = "", status: str = "Open", group_type: str = "Multi-academy trust"
) -> dict[str, str]:
    """One group (trust) row of the groups extract."""
    return {
        "Group UID": uid,
        "Group ID": f"TR{int(uid):05d}" if uid.isdigit() else uid,
        "Group Name": name,
        "Companies House Number": companies_house,
        "Group Type (code)": GROUP_TYPE_CODES.get(group_type, "99"),
        "Group Type": group_type,
        "Group Status (code)": status.upper(),
        "Group Status": status,
        "Closed Date": "31-08-2022" if status == "Closed" else "",
        "Group Contact Town": "Leeds",
        "Incorporated on (open date)": "01-04-2014",
    }


def link(
    urn: str,
    uid: str,
    group_name: str,
    *,
    companies_house: str = "",
    school: str = "",
    group_type: str = "Multi-academy trust",
    status: str = "Open",
) -> dict[str, str]:
    """One school-to-trust row of the links extract."""
    return group(uid, group_name, companies_house=companies_house, status=status, group_type=group_type) | {
        "URN": urn,
        "EstablishmentName": school or f"School {urn}",
        "Joined date": "01-09-2016",
    }


def to_csv(
    header: list[str], rows: Iterable[Mapping[str, str]], *, encoding: str = "cp1252", bom: bool = False
) -> bytes:
    """The extract as bytes: quoted like GIAS, CRLF line ends, in the given encoding."""
    buffer = io.StringIO(newline="")
    writer = csv.DictWriter(
        buffer, fieldnames=header, quoting=csv.QUOTE_MINIMAL, lineterminator="\r\n", extrasaction="ignore"
    )
    writer.writeheader()
    for row in rows:
        writer.writerow({name: row.get(name, "") for name in header})
    data = buffer.getvalue().encode(encoding)
    return (b"\xef\xbb\xbf" + data) if bom else data


def establishments_csv(rows: Iterable[Mapping[str, str]], **kwargs: object) -> bytes:
    return to_csv(ESTABLISHMENT_HEADER, rows, **kwargs)  # type: ignore[arg-type]


def groups_csv(rows: Iterable[Mapping[str, str]], **kwargs: object) -> bytes:
    return to_csv(GROUP_HEADER, rows, **kwargs)  # type: ignore[arg-type]


def links_csv(rows: Iterable[Mapping[str, str]], **kwargs: object) -> bytes:
    return to_csv(LINK_HEADER, rows, **kwargs)  # type: ignore[arg-type]
