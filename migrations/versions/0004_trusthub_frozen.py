"""A published security overview never changes; NDA texts and their acceptances are evidence, never edited.

Refuses, in the database itself, an update or delete of a published overview version, and any
update or delete of an NDA text version or an NDA acceptance. Holds on PostgreSQL and SQLite.

Revision ID: 0004_trusthub
Revises: 0003_register
"""

from alembic import op

revision = "0004_trusthub"
down_revision = "0003_register"
branch_labels = None
depends_on = None

EVIDENCE = ("nda_text_version", "nda_acceptance")

PG_FUNCTION = """
CREATE OR REPLACE FUNCTION trusthub_frozen() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_TABLE_NAME <> 'security_overview_version' OR OLD.status = 'published' THEN
        RAISE EXCEPTION 'a published % never changes (% refused)', TG_TABLE_NAME, TG_OP
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    IF TG_OP = 'DELETE' THEN
        RETURN OLD;
    END IF;
    RETURN NEW;
END
$$;
"""


def upgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.execute(PG_FUNCTION)
        for table in ("security_overview_version", *EVIDENCE):
            op.execute(
                f"CREATE TRIGGER {table}_frozen BEFORE UPDATE OR DELETE ON {table} "
                "FOR EACH ROW EXECUTE FUNCTION trusthub_frozen()"
            )
        return
    message = "'a published security overview version never changes'"
    for verb in ("update", "delete"):
        op.execute(
            f"CREATE TRIGGER security_overview_version_frozen_{verb} BEFORE {verb.upper()} "
            f"ON security_overview_version WHEN OLD.status = 'published' BEGIN SELECT RAISE(ABORT, {message}); END"
        )
        for table in EVIDENCE:
            op.execute(
                f"CREATE TRIGGER {table}_frozen_{verb} BEFORE {verb.upper()} ON {table} "
                f"BEGIN SELECT RAISE(ABORT, 'a published {table} never changes'); END"
            )


def downgrade():
    tables = ("security_overview_version", *EVIDENCE)
    if op.get_bind().dialect.name == "postgresql":
        for table in tables:
            op.execute(f"DROP TRIGGER IF EXISTS {table}_frozen ON {table}")
        op.execute("DROP FUNCTION IF EXISTS trusthub_frozen()")
        return
    for table in tables:
        for verb in ("update", "delete"):
            op.execute(f"DROP TRIGGER IF EXISTS {table}_frozen_{verb}")
