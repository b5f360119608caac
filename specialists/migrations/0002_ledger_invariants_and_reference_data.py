"""The ledger's invariants, held by the database, and the seed's reference data.

- Ledger entries cannot be updated or deleted (a correction is a reversing entry).
- `specialist.balance` is kept equal to the sum of the specialist's entries by an insert
  trigger; any other write to it that breaks the equality is refused.  With the check
  constraint `balance >= 0` from 0001, an overspend fails in the database even if Python
  forgot to check.
PostgreSQL (production, tests) and SQLite (`make run`) each get their own dialect.
"""

from django.db import migrations

POSTGRES_FORWARD = """
CREATE OR REPLACE FUNCTION specialists_ledger_immutable() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'ledger entries are append-only: record a reversing entry instead'
        USING ERRCODE = 'integrity_constraint_violation';
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER specialists_ledger_immutable
    BEFORE UPDATE OR DELETE ON specialists_ledgerentry
    FOR EACH ROW EXECUTE FUNCTION specialists_ledger_immutable();

CREATE OR REPLACE FUNCTION specialists_ledger_apply() RETURNS trigger AS $$
BEGIN
    UPDATE specialists_specialist s SET balance = s.balance + d.total
      FROM (SELECT specialist_id, SUM(points) AS total FROM new_entries GROUP BY specialist_id) d
     WHERE s.id = d.specialist_id;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER specialists_ledger_apply
    AFTER INSERT ON specialists_ledgerentry
    REFERENCING NEW TABLE AS new_entries
    FOR EACH STATEMENT EXECUTE FUNCTION specialists_ledger_apply();

CREATE OR REPLACE FUNCTION specialists_balance_guard() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        IF NEW.balance <> 0 THEN
            RAISE EXCEPTION 'a new specialist starts with a zero balance'
                USING ERRCODE = 'integrity_constraint_violation';
        END IF;
    ELSIF NEW.balance <> (SELECT COALESCE(SUM(points), 0) FROM specialists_ledgerentry
                          WHERE specialist_id = NEW.id) THEN
        RAISE EXCEPTION 'the balance must equal the sum of the ledger entries'
            USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER specialists_balance_guard_insert
    BEFORE INSERT ON specialists_specialist
    FOR EACH ROW EXECUTE FUNCTION specialists_balance_guard();

CREATE TRIGGER specialists_balance_guard_update
    BEFORE UPDATE OF balance ON specialists_specialist
    FOR EACH ROW WHEN (NEW.balance IS DISTINCT FROM OLD.balance)
    EXECUTE FUNCTION specialists_balance_guard();
"""

POSTGRES_REVERSE = """
DROP TRIGGER IF EXISTS specialists_balance_guard_update ON specialists_specialist;
DROP TRIGGER IF EXISTS specialists_balance_guard_insert ON specialists_specialist;
DROP FUNCTION IF EXISTS specialists_balance_guard();
DROP TRIGGER IF EXISTS specialists_ledger_apply ON specialists_ledgerentry;
DROP FUNCTION IF EXISTS specialists_ledger_apply();
DROP TRIGGER IF EXISTS specialists_ledger_immutable ON specialists_ledgerentry;
DROP FUNCTION IF EXISTS specialists_ledger_immutable();
"""

SQLITE_FORWARD = [
    """CREATE TRIGGER specialists_ledger_no_update BEFORE UPDATE ON specialists_ledgerentry
       BEGIN SELECT RAISE(ABORT, 'ledger entries are append-only: record a reversing entry instead'); END;""",
    """CREATE TRIGGER specialists_ledger_no_delete BEFORE DELETE ON specialists_ledgerentry
       BEGIN SELECT RAISE(ABORT, 'ledger entries are append-only: record a reversing entry instead'); END;""",
    """CREATE TRIGGER specialists_ledger_apply AFTER INSERT ON specialists_ledgerentry
       BEGIN UPDATE specialists_specialist SET balance = balance + NEW.points WHERE id = NEW.specialist_id; END;""",
    """CREATE TRIGGER specialists_balance_guard_insert BEFORE INSERT ON specialists_specialist
       WHEN NEW.balance <> 0
       BEGIN SELECT RAISE(ABORT, 'a new specialist starts with a zero balance'); END;""",
    """CREATE TRIGGER specialists_balance_guard_update BEFORE UPDATE OF balance ON specialists_specialist
       WHEN NEW.balance <> (SELECT COALESCE(SUM(points), 0) FROM specialists_ledgerentry WHERE specialist_id = NEW.id)
       BEGIN SELECT RAISE(ABORT, 'the balance must equal the sum of the ledger entries'); END;""",
]
SQLITE_REVERSE = [
    f"DROP TRIGGER IF EXISTS {name};"
    for name in (
        "specialists_balance_guard_update",
        "specialists_balance_guard_insert",
        "specialists_ledger_apply",
        "specialists_ledger_no_delete",
        "specialists_ledger_no_update",
    )
]


def _run(statements):
    def run(apps, schema_editor):
        vendor = schema_editor.connection.vendor
        for statement in statements.get(vendor, []):
            schema_editor.execute(statement)

    return run


def load_reference_data(apps, schema_editor):
    from specialists.reference import load

    load(apps)


class Migration(migrations.Migration):
    dependencies = [("specialists", "0001_initial")]

    operations = [
        migrations.RunPython(
            _run({"postgresql": [POSTGRES_FORWARD], "sqlite": SQLITE_FORWARD}),
            _run({"postgresql": [POSTGRES_REVERSE], "sqlite": SQLITE_REVERSE}),
        ),
        migrations.RunPython(load_reference_data, migrations.RunPython.noop),
    ]
