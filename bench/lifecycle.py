"""Benchmark: the nightly lifecycle run at 10,000 and at 100,000 specialists (2,000,000 entries).

Targets (issue 3): the run makes the same, constant number of queries at both sizes, and
time(100k) / time(10k) <= 12.  Each run is measured inside a transaction that is rolled back,
so every repetition sees the same data; after a warm-up run, the best of REPEAT runs is kept.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/alliance python bench/lifecycle.py [--keep]

Exits non-zero when a target is missed.  The database is `alliance_bench` (see common.py);
`--keep` leaves it loaded for bench/points_page.py.
"""

import argparse
import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import AS_OF, ENTRIES_PER_SPECIALIST, create_database, drop_database, load, log, setup_django  # noqa: E402

SIZES = (10_000, 100_000)
REPEAT = 3
MAX_RATIO = 12


class Rollback(Exception):
    pass


def measure():
    """(seconds, queries, changes) of the best of REPEAT rolled-back runs for AS_OF, after one warm-up.

    The warm-up fills the process's one-time caches (content types), which would add a query to
    whichever run came first; every measured run must then make the same number of queries.
    """
    from django.db import connection, transaction
    from django.test.utils import CaptureQueriesContext

    from specialists.lifecycle import lifecycle_run

    runs = []
    for _ in range(1 + REPEAT):
        try:
            with transaction.atomic(), CaptureQueriesContext(connection) as queries:
                started = time.perf_counter()
                _run, changes = lifecycle_run(as_of=AS_OF, source="bench")
                elapsed = time.perf_counter() - started
                runs.append((elapsed, len(queries), len(changes)))
                raise Rollback
        except Rollback:
            pass
    measured = runs[1:]
    counts = {queries for _s, queries, _c in measured}
    if len(counts) != 1:
        raise SystemExit(f"the query count varies between identical runs: {sorted(counts)}")
    return min(measured)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--keep", action="store_true", help="keep the loaded database for points_page.py")
    args = parser.parse_args(argv)
    create_database(fresh=True)
    setup_django()
    from django.db import connection

    results = {}
    for size in SIZES:
        started = time.perf_counter()
        load(size)
        with connection.cursor() as cursor:
            cursor.execute("SELECT COUNT(*) FROM specialists_ledgerentry")
            entries = cursor.fetchone()[0]
        log(f"{size:,} specialists, {entries:,} ledger entries loaded in {time.perf_counter() - started:.0f} s")
        seconds, queries, changes = measure()
        results[size] = {"seconds": round(seconds, 3), "queries": queries, "changes": changes, "entries": entries}
        log(f"lifecycle run at {size:,}: {seconds:.2f} s, {queries} queries, {changes:,} changes")
    small, large = (results[s] for s in SIZES)
    ratio = large["seconds"] / small["seconds"]
    checks = {
        "constant queries": small["queries"] == large["queries"],
        f"time ratio <= {MAX_RATIO}": ratio <= MAX_RATIO,
        "2,000,000 entries at 100k": large["entries"] >= SIZES[1] * ENTRIES_PER_SPECIALIST,
    }
    summary = {"as_of": AS_OF.isoformat(), "results": results, "ratio": round(ratio, 2), "checks": checks}
    print(json.dumps(summary, indent=2, ensure_ascii=False))
    if not args.keep:
        connection.close()
        drop_database()
    return 0 if all(checks.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
