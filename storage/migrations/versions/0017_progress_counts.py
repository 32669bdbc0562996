"""progress counts: households and problems counted per area, volunteer and status, kept by triggers

The supervisors' progress view read every household of the municipality (1.8-2.4 s at a million in one
municipality on PostgreSQL). These tables hold the same counts, changed by triggers in the transaction
that changes a household or a problem: every write path (the survey, approval, Re-X-ray, import-round,
forget, reassignment, corrections, plain SQL) is caught without each remembering to. The triggers fire
only when a counted column changes (UPDATE OF ... WHEN), so a survey answer that changes none adds no
work. Rows are per volunteer, so two volunteers never wait on each other's counter row.

Warning for later migrations: on SQLite, a batch_alter_table of households or household_problems copies
the table and drops these triggers with it: create them again after such a batch (see create_triggers).

Revision ID: 0017
Revises: 0016
Create Date: 2026-11-28
"""
from alembic import op
import sqlalchemy as sa


revision = '0017'
down_revision = '0016'
branch_labels = None
depends_on = None

HOUSEHOLD_KEY = "municipality_id, round_name, community_id, volunteer_id, status, approval, rexray_status"
PROBLEM_KEY = "municipality_id, round_name, community_id, volunteer_id, dimension, status"
# The columns whose change moves a household (and its problems) from one count to another.
COUNTED = ("municipality_id", "community_id", "volunteer_id", "round_name", "status", "approval", "rexray_status", "revisit_of")

FILL = (
    f"INSERT INTO progress_households ({HOUSEHOLD_KEY}, households) "
    "SELECT municipality_id, round_name, COALESCE(community_id, 0), COALESCE(volunteer_id, 0), status, COALESCE(approval, ''), COALESCE(rexray_status, ''), count(*) "
    "FROM households WHERE revisit_of IS NULL "
    "GROUP BY municipality_id, round_name, COALESCE(community_id, 0), COALESCE(volunteer_id, 0), status, COALESCE(approval, ''), COALESCE(rexray_status, '')",
    f"INSERT INTO progress_problems ({PROBLEM_KEY}, problems) "
    "SELECT h.municipality_id, h.round_name, COALESCE(h.community_id, 0), COALESCE(h.volunteer_id, 0), p.dimension, p.status, count(*) "
    "FROM household_problems p JOIN households h ON h.id = p.household_id WHERE h.revisit_of IS NULL AND h.status = 'submitted' "
    "GROUP BY h.municipality_id, h.round_name, COALESCE(h.community_id, 0), COALESCE(h.volunteer_id, 0), p.dimension, p.status",
)


def _key(row: str) -> str:
    """A household row's place in progress_households (row: OLD or NEW)."""
    return (f"{row}.municipality_id, {row}.round_name, COALESCE({row}.community_id, 0), COALESCE({row}.volunteer_id, 0), "
            f"{row}.status, COALESCE({row}.approval, ''), COALESCE({row}.rexray_status, '')")


def _matches(row: str, table: str = "") -> str:
    """WHERE a counter row is the household row's (municipality, round, community, volunteer)."""
    t = f"{table}." if table else ""
    return (f"{t}municipality_id = {row}.municipality_id AND {t}round_name = {row}.round_name "
            f"AND {t}community_id = COALESCE({row}.community_id, 0) AND {t}volunteer_id = COALESCE({row}.volunteer_id, 0)")


def _household_matches(row: str) -> str:
    """WHERE a progress_households row is the household row's."""
    return (f"{_matches(row)} AND status = {row}.status AND approval = COALESCE({row}.approval, '') "
            f"AND rexray_status = COALESCE({row}.rexray_status, '')")


def _add_household(row: str, guard: str) -> list[str]:
    """Count a household row (and, when submitted, its problems) in (SQLite trigger statements)."""
    return [
        f"INSERT INTO progress_households ({HOUSEHOLD_KEY}, households) SELECT {_key(row)}, 1 WHERE {guard} "
        f"ON CONFLICT ({HOUSEHOLD_KEY}) DO UPDATE SET households = households + 1",
        f"INSERT INTO progress_problems ({PROBLEM_KEY}, problems) "
        f"SELECT {row}.municipality_id, {row}.round_name, COALESCE({row}.community_id, 0), COALESCE({row}.volunteer_id, 0), dimension, status, count(*) "
        f"FROM household_problems WHERE household_id = {row}.id AND {guard} AND {row}.status = 'submitted' GROUP BY dimension, status "
        f"ON CONFLICT ({PROBLEM_KEY}) DO UPDATE SET problems = problems + excluded.problems",
    ]


def _remove_household(row: str, guard: str) -> list[str]:
    """Count a household row (and, when submitted, its problems) out (SQLite trigger statements)."""
    return [
        f"UPDATE progress_households SET households = households - 1 WHERE {guard} AND {_household_matches(row)}",
        "UPDATE progress_problems SET problems = problems - (SELECT count(*) FROM household_problems p "
        f"WHERE p.household_id = {row}.id AND p.dimension = progress_problems.dimension AND p.status = progress_problems.status) "
        f"WHERE {guard} AND {row}.status = 'submitted' AND {_matches(row)}",
    ]


def _problem_owner(row: str) -> str:
    """The counted, submitted household of a problem row, as its counter key (no row when it is not counted)."""
    return (f"SELECT h.municipality_id, h.round_name, COALESCE(h.community_id, 0), COALESCE(h.volunteer_id, 0) FROM households h "
            f"WHERE h.id = {row}.household_id AND h.revisit_of IS NULL AND h.status = 'submitted'")


def _sqlite_triggers() -> list[str]:
    """The triggers on SQLite: plain statements guarded by WHERE (no procedural language)."""
    changed = " OR ".join(f"OLD.{c} IS NOT NEW.{c}" for c in COUNTED)
    columns = ", ".join(COUNTED)
    add_problem = (f"INSERT INTO progress_problems ({PROBLEM_KEY}, problems) SELECT k.*, NEW.dimension, NEW.status, 1 FROM ({_problem_owner('NEW')}) AS k WHERE true "
                   f"ON CONFLICT ({PROBLEM_KEY}) DO UPDATE SET problems = problems + 1")
    remove_problem = (f"UPDATE progress_problems SET problems = problems - 1 WHERE (municipality_id, round_name, community_id, volunteer_id) = ({_problem_owner('OLD')}) "
                      "AND dimension = OLD.dimension AND status = OLD.status")

    def trigger(name: str, when: str, body: list[str]) -> str:
        return f"CREATE TRIGGER {name} {when} BEGIN " + "; ".join(body) + "; END"

    return [
        trigger("progress_households_insert", "AFTER INSERT ON households", _add_household("NEW", "NEW.revisit_of IS NULL")),
        trigger("progress_households_update", f"AFTER UPDATE OF {columns} ON households WHEN {changed}",
                _remove_household("OLD", "OLD.revisit_of IS NULL") + _add_household("NEW", "NEW.revisit_of IS NULL")),
        # Before: a household's problems go with it (ON DELETE CASCADE), and they must still be there to be counted out.
        trigger("progress_households_delete", "BEFORE DELETE ON households", _remove_household("OLD", "OLD.revisit_of IS NULL")),
        trigger("progress_problems_insert", "AFTER INSERT ON household_problems", [add_problem]),
        trigger("progress_problems_update", "AFTER UPDATE OF household_id, dimension, status ON household_problems "
                "WHEN OLD.household_id IS NOT NEW.household_id OR OLD.dimension IS NOT NEW.dimension OR OLD.status IS NOT NEW.status",
                [remove_problem, add_problem]),
        trigger("progress_problems_delete", "AFTER DELETE ON household_problems", [remove_problem]),
    ]


POSTGRESQL_FUNCTIONS = [
    f"""CREATE FUNCTION progress_count_household() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP <> 'INSERT' AND OLD.revisit_of IS NULL THEN
        UPDATE progress_households SET households = households - 1 WHERE {_household_matches('OLD')};
        IF OLD.status = 'submitted' THEN
            UPDATE progress_problems AS c SET problems = c.problems - p.n
            FROM (SELECT dimension, status, count(*) AS n FROM household_problems WHERE household_id = OLD.id GROUP BY dimension, status) AS p
            WHERE {_matches('OLD', 'c')} AND c.dimension = p.dimension AND c.status = p.status;
        END IF;
    END IF;
    IF TG_OP <> 'DELETE' AND NEW.revisit_of IS NULL THEN
        INSERT INTO progress_households ({HOUSEHOLD_KEY}, households) VALUES ({_key('NEW')}, 1)
        ON CONFLICT ({HOUSEHOLD_KEY}) DO UPDATE SET households = progress_households.households + 1;
        IF NEW.status = 'submitted' THEN
            INSERT INTO progress_problems ({PROBLEM_KEY}, problems)
            SELECT NEW.municipality_id, NEW.round_name, COALESCE(NEW.community_id, 0), COALESCE(NEW.volunteer_id, 0), dimension, status, count(*)
            FROM household_problems WHERE household_id = NEW.id GROUP BY dimension, status
            ON CONFLICT ({PROBLEM_KEY}) DO UPDATE SET problems = progress_problems.problems + EXCLUDED.problems;
        END IF;
    END IF;
    IF TG_OP = 'DELETE' THEN
        RETURN OLD;
    END IF;
    RETURN NULL;
END $$""",
    # The household's row is share-locked while its problem is counted: a concurrent change of its status
    # waits for this transaction (or this one for it), so a problem is never counted under a status it left.
    f"""CREATE FUNCTION progress_count_problem() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    h RECORD;
BEGIN
    IF TG_OP <> 'INSERT' THEN
        SELECT municipality_id, round_name, community_id, volunteer_id, status, revisit_of INTO h FROM households WHERE id = OLD.household_id FOR SHARE;
        IF FOUND AND h.revisit_of IS NULL AND h.status = 'submitted' THEN
            UPDATE progress_problems SET problems = problems - 1 WHERE {_matches('h')} AND dimension = OLD.dimension AND status = OLD.status;
        END IF;
    END IF;
    IF TG_OP <> 'DELETE' THEN
        SELECT municipality_id, round_name, community_id, volunteer_id, status, revisit_of INTO h FROM households WHERE id = NEW.household_id FOR SHARE;
        IF FOUND AND h.revisit_of IS NULL AND h.status = 'submitted' THEN
            INSERT INTO progress_problems ({PROBLEM_KEY}, problems)
            VALUES (h.municipality_id, h.round_name, COALESCE(h.community_id, 0), COALESCE(h.volunteer_id, 0), NEW.dimension, NEW.status, 1)
            ON CONFLICT ({PROBLEM_KEY}) DO UPDATE SET problems = progress_problems.problems + 1;
        END IF;
    END IF;
    RETURN NULL;
END $$""",
]


# Inserts are counted once per statement from its new rows (a transition table): an import or a bulk
# insert of thousands of rows then changes each counter row once, not once per row (a counter row
# changed a thousand times in one transaction leaves a thousand versions that each change walks).
POSTGRESQL_FUNCTIONS += [
    f"""CREATE FUNCTION progress_count_new_households() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO progress_households ({HOUSEHOLD_KEY}, households)
    SELECT municipality_id, round_name, COALESCE(community_id, 0), COALESCE(volunteer_id, 0), status, COALESCE(approval, ''), COALESCE(rexray_status, ''), count(*)
    FROM new_households WHERE revisit_of IS NULL
    GROUP BY municipality_id, round_name, COALESCE(community_id, 0), COALESCE(volunteer_id, 0), status, COALESCE(approval, ''), COALESCE(rexray_status, '')
    ON CONFLICT ({HOUSEHOLD_KEY}) DO UPDATE SET households = progress_households.households + EXCLUDED.households;
    RETURN NULL;
END $$""",
    f"""CREATE FUNCTION progress_count_new_problems() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM 1 FROM households WHERE id IN (SELECT household_id FROM new_problems) FOR SHARE;
    INSERT INTO progress_problems ({PROBLEM_KEY}, problems)
    SELECT h.municipality_id, h.round_name, COALESCE(h.community_id, 0), COALESCE(h.volunteer_id, 0), n.dimension, n.status, count(*)
    FROM new_problems n JOIN households h ON h.id = n.household_id
    WHERE h.revisit_of IS NULL AND h.status = 'submitted'
    GROUP BY h.municipality_id, h.round_name, COALESCE(h.community_id, 0), COALESCE(h.volunteer_id, 0), n.dimension, n.status
    ON CONFLICT ({PROBLEM_KEY}) DO UPDATE SET problems = progress_problems.problems + EXCLUDED.problems;
    RETURN NULL;
END $$""",
]


def _postgresql_triggers() -> list[str]:
    """The triggers on PostgreSQL, calling the two functions."""
    changed = " OR ".join(f"OLD.{c} IS DISTINCT FROM NEW.{c}" for c in COUNTED)
    return [
        "CREATE TRIGGER progress_households_insert AFTER INSERT ON households REFERENCING NEW TABLE AS new_households "
        "FOR EACH STATEMENT EXECUTE FUNCTION progress_count_new_households()",
        f"CREATE TRIGGER progress_households_update AFTER UPDATE OF {', '.join(COUNTED)} ON households FOR EACH ROW WHEN ({changed}) "
        "EXECUTE FUNCTION progress_count_household()",
        # Before: a household's problems go with it (ON DELETE CASCADE), and they must still be there to be counted out.
        "CREATE TRIGGER progress_households_delete BEFORE DELETE ON households FOR EACH ROW EXECUTE FUNCTION progress_count_household()",
        "CREATE TRIGGER progress_problems_insert AFTER INSERT ON household_problems REFERENCING NEW TABLE AS new_problems "
        "FOR EACH STATEMENT EXECUTE FUNCTION progress_count_new_problems()",
        "CREATE TRIGGER progress_problems_update AFTER UPDATE OF household_id, dimension, status ON household_problems FOR EACH ROW "
        "WHEN (OLD.household_id IS DISTINCT FROM NEW.household_id OR OLD.dimension IS DISTINCT FROM NEW.dimension OR OLD.status IS DISTINCT FROM NEW.status) "
        "EXECUTE FUNCTION progress_count_problem()",
        "CREATE TRIGGER progress_problems_delete AFTER DELETE ON household_problems FOR EACH ROW EXECUTE FUNCTION progress_count_problem()",
    ]


TRIGGERS = (("households", "progress_households_insert"), ("households", "progress_households_update"), ("households", "progress_households_delete"),
            ("household_problems", "progress_problems_insert"), ("household_problems", "progress_problems_update"), ("household_problems", "progress_problems_delete"))


def create_triggers() -> None:
    """The counting triggers (and PostgreSQL's functions) for the dialect migrated."""
    if op.get_bind().dialect.name == "postgresql":
        for statement in POSTGRESQL_FUNCTIONS + _postgresql_triggers():
            op.execute(statement)
    else:
        for statement in _sqlite_triggers():
            op.execute(statement)


def drop_triggers() -> None:
    """Take the counting triggers (and functions) away."""
    postgresql = op.get_bind().dialect.name == "postgresql"
    for table, name in TRIGGERS:
        op.execute(f"DROP TRIGGER IF EXISTS {name} ON {table}" if postgresql else f"DROP TRIGGER IF EXISTS {name}")
    if postgresql:
        for function in ("progress_count_household", "progress_count_problem", "progress_count_new_households", "progress_count_new_problems"):
            op.execute(f"DROP FUNCTION IF EXISTS {function}()")


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        # No household or problem changes between the count below and the triggers that keep it.
        op.execute("LOCK TABLE households, household_problems IN SHARE ROW EXCLUSIVE MODE")
    op.create_table('progress_households',
    sa.Column('municipality_id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('round_name', sa.String(length=32), nullable=False),
    sa.Column('community_id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('volunteer_id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('approval', sa.String(length=16), nullable=False),
    sa.Column('rexray_status', sa.String(length=16), nullable=False),
    sa.Column('households', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('municipality_id', 'round_name', 'community_id', 'volunteer_id', 'status', 'approval', 'rexray_status', name=op.f('pk_progress_households'))
    )
    op.create_table('progress_problems',
    sa.Column('municipality_id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('round_name', sa.String(length=32), nullable=False),
    sa.Column('community_id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('volunteer_id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('dimension', sa.String(length=16), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('problems', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('municipality_id', 'round_name', 'community_id', 'volunteer_id', 'dimension', 'status', name=op.f('pk_progress_problems'))
    )
    # The figures that depend on the day stay queries, on indexes that reach only today's
    # submissions and each volunteer's latest household; confirmations only the household's own.
    with op.batch_alter_table('households', schema=None) as batch_op:
        batch_op.create_index('ix_households_submitted', ['municipality_id', 'submitted_at'], unique=False)
        batch_op.create_index('ix_households_volunteer_updated', ['volunteer_id', 'updated_at'], unique=False)
    with op.batch_alter_table('problem_history', schema=None) as batch_op:
        batch_op.create_index('ix_problem_history_confirmations', ['household_id'], unique=False,
                              postgresql_where=sa.text("via = 'household'"), sqlite_where=sa.text("via = 'household'"))
    for statement in FILL:
        op.execute(statement)
    create_triggers()


def downgrade() -> None:
    drop_triggers()
    with op.batch_alter_table('problem_history', schema=None) as batch_op:
        batch_op.drop_index('ix_problem_history_confirmations')
    with op.batch_alter_table('households', schema=None) as batch_op:
        batch_op.drop_index('ix_households_volunteer_updated')
        batch_op.drop_index('ix_households_submitted')
    op.drop_table('progress_problems')
    op.drop_table('progress_households')
