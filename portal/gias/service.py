"""Stage, preview and apply a GIAS extract: idempotent by URN and group UID, in one transaction."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import insert, select, update

from portal.audit import service as audit
from portal.auth.models import User
from portal.dates import now
from portal.extensions import db
from portal.gias.models import BatchState, ExtractKind, GiasEstablishment, GiasGroup, GiasImportBatch
from portal.gias.parse import parse
from portal.tenancy.models import Tenancy, TenancyKind

ESTABLISHMENT_FIELDS = ("name", "local_authority", "establishment_type", "phase", "status", "trust_uid")
GROUP_FIELDS = ("name", "companies_house_number", "group_type", "status")
CHUNK = 500  # keys per IN (...) query: well inside SQLite's variable limit


class BatchError(ValueError):
    """A staged import that cannot be applied (already applied); the message is shown."""


@dataclass
class Plan:
    """What applying a batch would do now: rows to create and to update, and what it leaves alone."""

    kind: ExtractKind
    create: list[dict[str, Any]] = field(default_factory=list)
    update: list[dict[str, Any]] = field(default_factory=list)
    unchanged: int = 0
    closed_not_created: int = 0
    unknown: int = 0  # links to establishments or trusts the portal has not imported

    def counts(self) -> dict[str, int]:
        return {
            "created": len(self.create),
            "updated": len(self.update),
            "unchanged": self.unchanged,
            "closed_not_created": self.closed_not_created,
            "unknown": self.unknown,
        }

    def moves(self) -> list[dict[str, Any]]:
        """The updates that move a school to another trust (or out of one): who sees its agreements changes."""
        return [change for change in self.update if "trust_uid" in change["changes"]]


def sha256(data: bytes) -> str:
    """The SHA-256 of an upload, kept with its batch."""
    return hashlib.sha256(data).hexdigest()


def stage(
    data: bytes, *, filename: str, uploaded_by: User | None, actor: audit.Actor, preview: bool = True
) -> GiasImportBatch:
    """Parse an upload and keep it as a staged batch (ExtractError if it is not an extract).

    Without `preview` (the CLI, which applies at once) the rows are not compared twice."""
    parsed = parse(data)
    batch = GiasImportBatch(
        kind=parsed.kind,
        filename=(filename or "upload.csv")[:255],
        sha256=sha256(data),
        rows=parsed.rows,
        rejects=parsed.rejects,
        row_count=len(parsed.rows) + len(parsed.rejects) + parsed.ignored,
        uploaded_by_id=uploaded_by.id if uploaded_by is not None else None,
        size=len(data),
        preview=preview_of(plan(parsed.kind, parsed.rows)) if preview else None,
    )
    db.session.add(batch)
    db.session.flush()
    audit.record(
        "gias.staged",
        actor=actor,
        object_type="gias_import_batch",
        object_id=batch.id,
        details={
            "kind": parsed.kind.value,
            "sha256": batch.sha256,
            "rows": len(parsed.rows),
            "rejected": len(parsed.rejects),
        },
    )
    return batch


def _chunks(keys: list[str]) -> Iterator[list[str]]:
    for start in range(0, len(keys), CHUNK):
        yield keys[start : start + CHUNK]


def _existing(model: Any, key: str, keys: Iterable[str]) -> dict[str, Any]:
    """Existing reference rows by key, a few queries however long the file is."""
    column = getattr(model, key)
    found: dict[str, Any] = {}
    for chunk in _chunks(sorted(set(keys))):
        for row in db.session.scalars(select(model).where(column.in_(chunk))):
            found[getattr(row, key)] = row
    return found


def _diff(current: Any, row: dict[str, Any], fields: tuple[str, ...]) -> dict[str, Any]:
    return {name: row[name] for name in fields if name in row and getattr(current, name) != row[name]}


def plan(kind: ExtractKind, rows: list[dict[str, Any]]) -> Plan:
    """Compare a batch's rows with the register as it stands now."""
    result = Plan(kind)
    if kind is ExtractKind.LINKS:
        return _plan_links(rows, result)
    model, key, fields = (
        (GiasEstablishment, "urn", ESTABLISHMENT_FIELDS)
        if kind is ExtractKind.ESTABLISHMENTS
        else (GiasGroup, "uid", GROUP_FIELDS)
    )
    existing = _existing(model, key, (row[key] for row in rows))
    for row in rows:
        current = existing.get(row[key])
        if current is None:
            if row["status"] == "Closed":
                result.closed_not_created += 1
            else:
                result.create.append(row)
        elif changes := _diff(current, row, fields):
            result.update.append({"id": current.id, key: row[key], "name": row["name"], "changes": changes})
        else:
            result.unchanged += 1
    return result


def _plan_links(rows: list[dict[str, Any]], result: Plan) -> Plan:
    schools = _existing(GiasEstablishment, "urn", (row["urn"] for row in rows))
    for row in rows:
        school = schools.get(row["urn"])
        if school is None:
            result.unknown += 1
        elif school.trust_uid != row["group_uid"]:
            result.update.append(
                {
                    "id": school.id,
                    "urn": school.urn,
                    "name": school.name,
                    "changes": {"trust_uid": row["group_uid"]},
                    "group": row["group"],
                }
            )
        else:
            result.unchanged += 1
    return result


def apply(batch: GiasImportBatch, *, actor: audit.Actor) -> dict[str, int]:
    """Apply a staged batch in the caller's transaction; a second apply raises BatchError."""
    claimed = db.session.execute(
        update(GiasImportBatch)
        .where(GiasImportBatch.id == batch.id, GiasImportBatch.state == BatchState.STAGED)
        .values(state=BatchState.APPLIED, applied_at=now())
    )
    if claimed.rowcount != 1:  # type: ignore[attr-defined]
        raise BatchError(str(_("This file has already been imported")))
    summary = apply_rows(batch.kind, batch.rows)
    return finish_apply(batch, summary | {"rejected": len(batch.rejects)}, actor)


def apply_rows(kind: ExtractKind, rows: list[dict[str, Any]]) -> dict[str, int]:
    """Create and update the register's rows from these (all of a batch or one chunk); what it did.

    Idempotent: the rows are compared with the register as it is now, so applying them again finds
    them unchanged."""
    result = plan(kind, rows)
    if kind is ExtractKind.LINKS:
        _upsert_groups([change["group"] for change in result.update if change.get("group")])
    model = GiasGroup if kind is ExtractKind.GROUPS else GiasEstablishment
    columns = GROUP_FIELDS if kind is ExtractKind.GROUPS else ESTABLISHMENT_FIELDS
    key = "uid" if kind is ExtractKind.GROUPS else "urn"
    if result.create:
        db.session.execute(
            insert(model), [{key: row[key], **{c: row.get(c) for c in columns}} for row in result.create]
        )
    if result.update:
        db.session.execute(update(model), [{"id": change["id"], **change["changes"]} for change in result.update])
    return result.counts()


def finish_apply(batch: GiasImportBatch, summary: dict[str, int], actor: audit.Actor) -> dict[str, int]:
    """After the rows: bring the tenancies up to date, keep what the import did, and audit it."""
    sync_tenancies(actor)
    db.session.execute(
        update(GiasImportBatch)
        .where(GiasImportBatch.id == batch.id)
        .values(state=BatchState.APPLIED, applied_at=batch.applied_at or now(), summary=summary)
    )
    db.session.expire(batch)
    audit.record(
        "gias.imported",
        actor=actor,
        object_type="gias_import_batch",
        object_id=batch.id,
        details={"kind": batch.kind.value, "sha256": batch.sha256, **summary},
    )
    return summary


PREVIEW_ROWS = 50


def preview_of(result: Plan) -> dict[str, Any]:
    """What the preview and confirmation pages show of a plan: its counts and the first rows of each change."""
    moves = result.moves()
    return {
        "counts": result.counts(),
        "create": [
            {"key": row.get("urn") or row.get("uid"), "name": row["name"], "status": row["status"]}
            for row in result.create[:PREVIEW_ROWS]
        ],
        "update": [
            {"key": change.get("urn") or change.get("uid"), "name": change["name"], "changes": change["changes"]}
            for change in result.update[:PREVIEW_ROWS]
        ],
        "moves": [
            {
                "urn": change["urn"],
                "name": change["name"],
                "trust": (change["group"] or {}).get("name") if change.get("group") else change["changes"]["trust_uid"],
            }
            for change in moves[:PREVIEW_ROWS]
        ],
        "moves_total": len(moves),
    }


def _upsert_groups(groups: list[dict[str, Any]]) -> None:
    """Trusts named in a links extract, created or refreshed so a school's trust can be set up."""
    unique = {group["uid"]: group for group in groups}
    planned = plan(ExtractKind.GROUPS, list(unique.values()))
    if planned.create:
        db.session.execute(insert(GiasGroup), [{f: row[f] for f in ("uid", *GROUP_FIELDS)} for row in planned.create])
    if planned.update:
        db.session.execute(update(GiasGroup), [{"id": change["id"], **change["changes"]} for change in planned.update])


def sync_tenancies(actor: audit.Actor) -> int:
    """Bring tenancies made from GIAS rows up to date: names, local authority, phase, trust.

    A changed trust link changes who may see the school's agreements, so each one is audited
    in the name of whoever applied the import."""
    tenancies = list(
        db.session.scalars(select(Tenancy).where(Tenancy.urn.is_not(None) | Tenancy.group_uid.is_not(None)))
    )
    schools = _existing(GiasEstablishment, "urn", (t.urn for t in tenancies if t.urn))
    groups = _existing(GiasGroup, "uid", (t.group_uid for t in tenancies if t.group_uid))
    trusts = {t.group_uid: t for t in tenancies if t.kind is TenancyKind.TRUST}
    changed = 0
    for tenancy in tenancies:
        source: Any = schools.get(tenancy.urn or "") or groups.get(tenancy.group_uid or "")
        if source is None:
            continue
        wanted: dict[str, Any] = {"name": source.name}
        if isinstance(source, GiasEstablishment):
            wanted |= {
                "local_authority": source.local_authority,
                "phase": source.phase,
                "establishment_type": source.establishment_type,
            }
            wanted["trust_id"] = _trust_link(tenancy, source, trusts)
        else:
            wanted["companies_house_number"] = source.companies_house_number
        if wanted.get("trust_id", tenancy.trust_id) != tenancy.trust_id:
            _audit_relink(tenancy, wanted["trust_id"], actor)
        for name, value in wanted.items():
            if getattr(tenancy, name) != value:
                setattr(tenancy, name, value)
                changed += 1
    db.session.flush()
    return changed


def _trust_link(tenancy: Tenancy, source: GiasEstablishment, trusts: dict[str | None, Tenancy]) -> int | None:
    """The trust a school's tenancy belongs to, as GIAS now says.

    A school that moved to another trust leaves its old one, even when the new trust has no
    tenancy here: the old trust's people must stop seeing its agreements. A school with no
    trust code keeps its link, because a blank code may only mean no extract has named its
    trust yet (GIAS lists trust links, not their absence).
    """
    if source.trust_uid is None:
        return tenancy.trust_id
    trust = trusts.get(source.trust_uid)
    return trust.id if trust is not None else None


def _audit_relink(tenancy: Tenancy, trust_id: int | None, actor: audit.Actor) -> None:
    audit.record(
        "tenancy.trust_changed",
        actor=actor,
        tenancy_id=tenancy.id,
        object_type="Tenancy",
        object_id=tenancy.id,
        details={"from_trust_id": tenancy.trust_id, "to_trust_id": trust_id},
    )


def import_bytes(data: bytes, *, filename: str, actor: audit.Actor) -> tuple[GiasImportBatch, dict[str, int]]:
    """Stage and apply in one go (the CLI for full-size extracts); the caller commits."""
    batch = stage(data, filename=filename, uploaded_by=None, actor=actor, preview=False)
    return batch, apply(batch, actor=actor)
