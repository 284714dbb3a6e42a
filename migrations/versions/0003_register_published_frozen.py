"""A published register version never changes: refuse updates and deletes in the database itself.

Covers the version row and its entries and "not a sub-processor" statements (no insert into a
published version either). Drafts stay editable. Holds on PostgreSQL and SQLite alike.

Revision ID: 0003_register
Revises: 0002
"""

from alembic import op

revision = "0003_register"
down_revision = "0002"
branch_labels = None
depends_on = None

CHILDREN = ("register_entry", "not_sub_processor")

PG_FUNCTION = """
CREATE OR REPLACE FUNCTION register_published_frozen() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_TABLE_NAME = 'register_version' THEN
        IF OLD.status = 'published' THEN
            RAISE EXCEPTION 'a published register version never changes (% refused)', TG_OP
                USING ERRCODE = 'insufficient_privilege';
        END IF;
    ELSE
        IF (TG_OP <> 'INSERT' AND EXISTS (
                SELECT 1 FROM register_version WHERE id = OLD.version_id AND status = 'published'))
           OR (TG_OP <> 'DELETE' AND EXISTS (
                SELECT 1 FROM register_version WHERE id = NEW.version_id AND status = 'published')) THEN
            RAISE EXCEPTION 'a published register version never changes (% on % refused)', TG_OP, TG_TABLE_NAME
                USING ERRCODE = 'insufficient_privilege';
        END IF;
    END IF;
    IF TG_OP = 'DELETE' THEN
        RETURN OLD;
    END IF;
    RETURN NEW;
END
$$;
"""


def _sqlite_child_triggers(table: str) -> list[str]:
    published = "(SELECT status FROM register_version WHERE id = {}.version_id) = 'published'"
    message = f"'a published register version never changes ({table})'"
    return [
        f"CREATE TRIGGER {table}_frozen_insert BEFORE INSERT ON {table} WHEN {published.format('NEW')} "
        f"BEGIN SELECT RAISE(ABORT, {message}); END",
        f"CREATE TRIGGER {table}_frozen_update BEFORE UPDATE ON {table} "
        f"WHEN {published.format('OLD')} OR {published.format('NEW')} BEGIN SELECT RAISE(ABORT, {message}); END",
        f"CREATE TRIGGER {table}_frozen_delete BEFORE DELETE ON {table} WHEN {published.format('OLD')} "
        f"BEGIN SELECT RAISE(ABORT, {message}); END",
    ]


def upgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.execute(PG_FUNCTION)
        op.execute(
            "CREATE TRIGGER register_version_frozen BEFORE UPDATE OR DELETE ON register_version "
            "FOR EACH ROW EXECUTE FUNCTION register_published_frozen()"
        )
        for table in CHILDREN:
            op.execute(
                f"CREATE TRIGGER {table}_frozen BEFORE INSERT OR UPDATE OR DELETE ON {table} "
                "FOR EACH ROW EXECUTE FUNCTION register_published_frozen()"
            )
        return
    message = "'a published register version never changes (register_version)'"
    op.execute(
        "CREATE TRIGGER register_version_frozen_update BEFORE UPDATE ON register_version "
        f"WHEN OLD.status = 'published' BEGIN SELECT RAISE(ABORT, {message}); END"
    )
    op.execute(
        "CREATE TRIGGER register_version_frozen_delete BEFORE DELETE ON register_version "
        f"WHEN OLD.status = 'published' BEGIN SELECT RAISE(ABORT, {message}); END"
    )
    for table in CHILDREN:
        for statement in _sqlite_child_triggers(table):
            op.execute(statement)


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        for table in ("register_version", *CHILDREN):
            op.execute(f"DROP TRIGGER IF EXISTS {table}_frozen ON {table}")
        op.execute("DROP FUNCTION IF EXISTS register_published_frozen()")
        return
    op.execute("DROP TRIGGER IF EXISTS register_version_frozen_update")
    op.execute("DROP TRIGGER IF EXISTS register_version_frozen_delete")
    for table in CHILDREN:
        for suffix in ("insert", "update", "delete"):
            op.execute(f"DROP TRIGGER IF EXISTS {table}_frozen_{suffix}")
