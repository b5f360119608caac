"""Run every benchmark (`make bench`) and print a summary; exit non-zero if any target is missed.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/alliance REDIS_URL=redis://127.0.0.1:6379/15 python bench/run_all.py

The lifecycle benchmark loads 100,000 specialists into `alliance_bench` and keeps them for the
page benchmark, which drops the database when it is done.
"""

import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
RUNS = [
    ("lifecycle: 100k specialists, 2M entries", [sys.executable, str(HERE / "lifecycle.py"), "--keep"]),
    ("admin changelists at 2M rows", [sys.executable, str(HERE / "admin_changelist.py"), "--keep"]),
    ("self-service page under gunicorn", [sys.executable, str(HERE / "points_page.py")]),
    ("activity import job: 10k and 50k rows vs. a bare bulk insert", [sys.executable, str(HERE / "imports.py")]),
    ("green-mine result API: 20 experts vs. /healthz", [sys.executable, str(HERE / "greenmine_result.py")]),
    ("certificate worker: RSS over 500 certificates", [sys.executable, str(HERE / "certificates.py")]),
    ("ledger export job: 100k rows vs. a bare openpyxl dump", [sys.executable, str(HERE / "exports.py")]),
    ("liaisons: import 2k/20k rows, roster export, assessment queries", [sys.executable, str(HERE / "liaisons.py")]),
]


def main():
    results = []
    for title, command in RUNS:
        print(f"=== {title}", flush=True)
        started = time.perf_counter()
        code = subprocess.call(command, cwd=HERE.parent)
        results.append((title, code, time.perf_counter() - started))
    print("\n=== summary")
    for title, code, seconds in results:
        print(f"{'PASS' if code == 0 else 'FAIL'}  {title}  ({seconds:.0f} s)")
    return 0 if all(code == 0 for _title, code, _s in results) else 1


if __name__ == "__main__":
    sys.exit(main())
