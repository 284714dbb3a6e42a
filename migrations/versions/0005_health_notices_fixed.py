"""An announced change notice says what it said: refuse any edit of its content in the database.

The register's pages keep announced notices in memory by id (register/cache.py), as they keep
published versions; that is only right if a notice cannot change. Withdrawal stays possible (the
state and the withdrawal's who, when and why), and it takes the notice out of the announced ids.
Holds on PostgreSQL and SQLite alike.

Revision ID: 0005_health
Revises: 0004_trusthub
"""

from alembic import op

revision = "0005_health"
down_revision = "0004_trusthub"
branch_labels = None
depends_on = None

# What a reader of the notice sees; nothing else is kept in the cache under the notice's id.
CONTENT = (
    "kind",
    "entry_key",
    "replaces_key",
    "supplier",
    "title",
    "reason",
    "effective_on",
    "published_at",
    "published_by_label",
)
MESSAGE = "an announced change notice never changes; withdraw it and announce another"

PG_FUNCTION = f"""
CREATE OR REPLACE FUNCTION change_notice_fixed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF ({", ".join(f"NEW.{c}" for c in CONTENT)}) IS DISTINCT FROM ({", ".join(f"OLD.{c}" for c in CONTENT)}) THEN
        RAISE EXCEPTION '{MESSAGE}' USING ERRCODE = 'insufficient_privilege';
    END IF;
    RETURN NEW;
END
$$;
"""


def upgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.execute(PG_FUNCTION)
        op.execute(
            "CREATE TRIGGER change_notice_fixed BEFORE UPDATE ON change_notice "
            "FOR EACH ROW EXECUTE FUNCTION change_notice_fixed()"
        )
        return
    changed = " OR ".join(f"NEW.{c} IS NOT OLD.{c}" for c in CONTENT)
    op.execute(
        f"CREATE TRIGGER change_notice_fixed BEFORE UPDATE OF {', '.join(CONTENT)} ON change_notice "
        f"WHEN {changed} BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END"
    )


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS change_notice_fixed ON change_notice")
        op.execute("DROP FUNCTION IF EXISTS change_notice_fixed()")
        return
    op.execute("DROP TRIGGER IF EXISTS change_notice_fixed")
