"""Benchmark: the certificate rendering worker's memory and time over 500 certificates.

A real Celery worker is started natively with the command of `docker-compose.yml`'s worker service
(its `celery` is the venv's), on the Redis of REDIS_URL and a benchmark database, in two
configurations:

- "no recycling": the command without `--max-tasks-per-child`/`--max-memory-per-child`, and
  CELERY_WORKER_MAX_TASKS_PER_CHILD / CELERY_WORKER_MAX_MEMORY_PER_CHILD set beyond anything the
  benchmark reaches (as before issue 12: a child lives for ever);
- "production": the command and settings as deployed (the variables unset: their defaults).

Each issues CERTIFICATES certificates (the four kinds in turn, for specialists with Chinese
names), sent as production sends them (`documents_dispatch_render`), in batches of SAMPLE_EVERY;
after each batch is rendered the worker's resident memory is read from /proc: the total RSS of
the worker's parent and children, their PSS (shared pages counted once) and the children's peak
RSS (what `--max-memory-per-child` compares).  A sampler also records the highest total RSS seen
while rendering and every child process id (a new id is a recycled child).  Time per certificate
is the worker's own "succeeded in" time of each task (its log), and the wall time per certificate.

The floor, in the same run: one certificate rendered in-process (`document_render`, what the task
does without Celery), median of FLOOR_RENDERS after a warm-up.

Target (exit 1 if missed), "production": every certificate rendered, and the total RSS after
100…500 certificates at most 1.25 × the total after 50 (flat, not growing with the count).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/alliance REDIS_URL=redis://127.0.0.1:6379/15 \\
      python bench/certificates.py [--only production|no-recycling] [--count 500]

The database is `alliance_bench_certificates` (BENCH_DB overrides it); it is dropped at the end.
The worker uses the default queue of REDIS_URL's database, which is purged first: give the
benchmark a Redis database of its own.
"""

import argparse
import json
import os
import re
import shlex
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("BENCH_DB", "alliance_bench_certificates")

from bench.common import ROOT, create_database, drop_database, load, log, machine, setup_django  # noqa: E402

SPECIALISTS = 300
CERTIFICATES = 500
SAMPLE_EVERY = 50
FLOOR_RENDERS = 10
FLAT_FACTOR = 1.25
RECYCLING_OPTIONS = ("--max-tasks-per-child", "--max-memory-per-child")
# "No recycling": limits the benchmark never reaches (Celery refuses 0, and reads these variables itself).
NEVER = {"CELERY_WORKER_MAX_TASKS_PER_CHILD": "100000000", "CELERY_WORKER_MAX_MEMORY_PER_CHILD": "1000000000"}
SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡"
    "余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯"
    "龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
)
GIVEN = (
    "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华玉萍红娥玲芬燕彬鹏辉斌宇浩"
    "凯健俊帆帅旭宁龙林欣佳怡嘉琪晨阳博文轩睿哲思源子涵梓铭雨泽昊天瑞峰岩矿绿山海江河"
    "森磊鑫淼焱垚"
)


# --- the worker's processes, from /proc -------------------------------------------------------


def _children(pid):
    """Ids of the processes whose parent is `pid`."""
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as fh:
                stat = fh.read()
        except OSError:
            continue
        # The command name (field 2) may contain spaces; the parent id is the 2nd field after it.
        if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
            found.append(int(entry))
    return found


def _status(pid):
    """{'VmRSS': kB, 'VmHWM': kB} of a process (0s if it has gone)."""
    values = {"VmRSS": 0, "VmHWM": 0}
    try:
        with open(f"/proc/{pid}/status") as fh:
            for line in fh:
                key = line.split(":", 1)[0]
                if key in values:
                    values[key] = int(line.split()[1])
    except OSError:
        pass
    return values


def _pss(pid):
    try:
        with open(f"/proc/{pid}/smaps_rollup") as fh:
            for line in fh:
                if line.startswith("Pss:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def worker_memory(pid):
    """Memory of the worker (parent + children) in MB."""
    children = _children(pid)
    statuses = {p: _status(p) for p in (pid, *children)}
    return {
        "rss_mb": round(sum(s["VmRSS"] for s in statuses.values()) / 1024, 1),
        "pss_mb": round(sum(_pss(p) for p in statuses) / 1024, 1),
        "parent_rss_mb": round(statuses[pid]["VmRSS"] / 1024, 1),
        "children_rss_mb": [round(statuses[c]["VmRSS"] / 1024, 1) for c in children],
        "children_peak_mb": max((round(statuses[c]["VmHWM"] / 1024, 1) for c in children), default=0),
        "children": children,
    }


class Sampler(threading.Thread):
    """Polls the worker's total RSS while it renders: the highest seen, and every child's id."""

    def __init__(self, pid):
        super().__init__(daemon=True)
        self.pid, self.peak_mb, self.pids, self.stopped = pid, 0.0, set(), threading.Event()

    def run(self):
        while not self.stopped.wait(0.25):
            memory = worker_memory(self.pid)
            self.peak_mb = max(self.peak_mb, memory["rss_mb"])
            self.pids.update(memory["children"])


# --- the worker ----------------------------------------------------------------------------


def compose_worker_command():
    """The worker service's command in docker-compose.yml, as an argument list."""
    import yaml

    with open(ROOT / "docker-compose.yml", encoding="utf-8") as fh:
        command = yaml.safe_load(fh)["services"]["worker"]["command"]
    return shlex.split(command) if isinstance(command, str) else list(command)


def without_recycling(argv):
    kept, skip = [], False
    for arg in argv:
        if skip:
            skip = False
        elif arg in RECYCLING_OPTIONS:
            skip = True  # "--option value"
        elif not arg.startswith(tuple(f"{o}=" for o in RECYCLING_OPTIONS)):
            kept.append(arg)
    return kept


def start_worker(argv, env, logfile):
    argv = [str(Path(sys.executable).with_name(argv[0])), *argv[1:]] if argv[0] == "celery" else argv
    with open(logfile, "w") as out:
        process = subprocess.Popen(
            argv, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if " ready." in Path(logfile).read_text(errors="replace"):
            return process
        if process.poll() is not None:
            break
        time.sleep(0.2)
    stop_worker(process)
    raise SystemExit(f"the worker did not start:\n{Path(logfile).read_text(errors='replace')[-3000:]}")


def stop_worker(process):
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)  # warm shutdown of the worker and its children
        try:
            process.wait(60)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


TASK_TIME = re.compile(r"alliance\.specialists\.render_certificate\[[^\]]+\] succeeded in ([0-9.]+)s")


# --- the data ------------------------------------------------------------------------------


def prepare_specialists():
    """SPECIALISTS specialists with Chinese names (varied glyphs) and a committee."""
    import random

    from specialists.models import Committee, Specialist

    load(SPECIALISTS)
    rng = random.Random(12)
    committee = Committee.objects.order_by("pk").first()
    specialists = list(Specialist.objects.order_by("pk"))
    for specialist in specialists:
        specialist.name = rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.randint(1, 2)))
        specialist.committee = committee
    Specialist.objects.bulk_update(specialists, ["name", "committee"])
    return specialists


def issue(specialists, count, year):
    """`count` IssuedDocument rows of `year`, not yet rendered (the four kinds in turn)."""
    import datetime as dt

    from specialists import documents
    from specialists.enums import DocumentKind
    from specialists.models import IssuedDocument

    kinds = list(DocumentKind.values)
    rows = []
    for i in range(count):
        specialist, kind = specialists[i // len(kinds)], kinds[i % len(kinds)]
        rows.append(
            IssuedDocument(
                specialist=specialist,
                kind=kind,
                year=year,
                number=documents._number(kind, year, specialist.pk),
                issued_on=dt.date(year, 7, 1),
            )
        )
    return [d.pk for d in IssuedDocument.objects.bulk_create(rows)]


def floor_ms(specialists):
    """Median ms of rendering one certificate in this process (document_render, no Celery)."""
    from specialists.documents import document_render
    from specialists.models import IssuedDocument

    ids = issue(specialists, FLOOR_RENDERS + 1, 2020)
    times = []
    for n, pk in enumerate(ids):
        document = IssuedDocument.objects.get(pk=pk)
        started = time.perf_counter()
        document_render(document)
        if n:  # the first render imports WeasyPrint and loads the fonts
            times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


# --- one configuration -----------------------------------------------------------------------


def run(name, argv, env, specialists, year, count, workdir):
    from django.db import connection

    from alliance.celery import app
    from specialists.documents import documents_dispatch_render
    from specialists.models import IssuedDocument

    app.control.purge()
    logfile = workdir / f"worker-{name}.log"
    log(f"{name}: {shlex.join(argv)}")
    process = start_worker(argv, env, logfile)
    samples = [{"certificates": 0, **worker_memory(process.pid)}]
    sampler = Sampler(process.pid)
    sampler.start()
    ids = issue(specialists, count, year)
    batch_walls = []
    try:
        for start in range(0, count, SAMPLE_EVERY):
            batch = ids[start : start + SAMPLE_EVERY]
            started = time.perf_counter()
            documents_dispatch_render(batch)
            deadline = time.monotonic() + 600
            while IssuedDocument.objects.filter(pk__in=batch, rendered_at__isnull=True).exists():
                if time.monotonic() > deadline or process.poll() is not None:
                    raise SystemExit(f"{name}: the batch from {start} was not rendered; see {logfile}")
                time.sleep(0.05)
            batch_walls.append(time.perf_counter() - started)
            samples.append({"certificates": start + len(batch), **worker_memory(process.pid)})
            log(f"  {name}: {samples[-1]['certificates']} certificates, worker RSS {samples[-1]['rss_mb']} MB")
    finally:
        sampler.stopped.set()
        sampler.join()
        stop_worker(process)
        connection.close()
    task_ms = [float(s) * 1000 for s in TASK_TIME.findall(logfile.read_text(errors="replace"))]
    rendered = IssuedDocument.objects.filter(pk__in=ids, rendered_at__isnull=False).count()
    return {
        "command": shlex.join(argv),
        "rendered": rendered,
        "samples": samples,
        "peak_rss_mb": max(sampler.peak_mb, *(s["rss_mb"] for s in samples)),
        "children_started": len(sampler.pids | {c for s in samples for c in s["children"]}),
        "task_ms_median": round(statistics.median(task_ms), 1) if task_ms else None,
        "task_ms_p90": round(statistics.quantiles(task_ms, n=10)[-1], 1) if len(task_ms) > 1 else None,
        "tasks_logged": len(task_ms),
        "wall_ms_per_certificate": round(sum(batch_walls) / count * 1000, 1),
    }


def flat(result):
    after_50 = result["samples"][1]["rss_mb"]
    return all(s["rss_mb"] <= FLAT_FACTOR * after_50 for s in result["samples"][2:])


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", choices=("no-recycling", "production"))
    parser.add_argument("--count", type=int, default=CERTIFICATES)
    args = parser.parse_args(argv)
    if not os.environ.get("REDIS_URL"):
        sys.exit("The certificate benchmark needs REDIS_URL=redis://... (a database of its own).")
    create_database(fresh=True)
    bench_url = setup_django()
    from django.conf import settings

    workdir = Path(tempfile.mkdtemp(prefix="bench-certificates-"))
    settings.MEDIA_ROOT = workdir / "media"
    specialists = prepare_specialists()
    load_before = os.getloadavg()
    floor = floor_ms(specialists)
    log(f"floor: one certificate in-process {floor:.1f} ms; {machine()}")

    base_env = {
        **os.environ,
        "DATABASE_URL": bench_url,
        "DEBUG": "off",
        "MEDIA_ROOT": str(settings.MEDIA_ROOT),
        "DJANGO_SETTINGS_MODULE": "alliance.settings",
    }
    for key in ("CELERY_WORKER_MAX_TASKS_PER_CHILD", "CELERY_WORKER_MAX_MEMORY_PER_CHILD"):
        base_env.pop(key, None)
    command = compose_worker_command()
    configurations = {
        "no-recycling": (without_recycling(command), {**base_env, **NEVER}),
        "production": (command, base_env),
    }
    results = {}
    for year, (name, (worker_argv, env)) in enumerate(configurations.items(), start=2030):
        if args.only and name != args.only:
            continue
        result = run(name, worker_argv, env, specialists, year, args.count, workdir)
        result["ratio_task_to_floor"] = round(result["task_ms_median"] / floor, 2) if result["task_ms_median"] else None
        result["ratio_wall_to_floor"] = round(result["wall_ms_per_certificate"] / floor, 2)
        result["flat"] = flat(result)
        results[name] = result
    load_after = os.getloadavg()
    checks = {}
    if "production" in results:
        production = results["production"]
        checks["every certificate rendered"] = production["rendered"] == args.count
        checks[f"RSS after 100..{args.count} <= {FLAT_FACTOR} x RSS after 50"] = production["flat"]
    print(
        json.dumps(
            {
                "floor_ms": round(floor, 1),
                "load_average_before": [round(x, 2) for x in load_before],
                "load_average_after": [round(x, 2) for x in load_after],
                "results": results,
                "checks": checks,
            },
            indent=2,
            ensure_ascii=False,
        )
    )
    for name, result in results.items():
        print(f"\n{name}: {result['command']}")
        print("certificates | total RSS MB | PSS MB | children peak MB")
        for s in result["samples"]:
            print(f"{s['certificates']:>12} | {s['rss_mb']:>12} | {s['pss_mb']:>6} | {s['children_peak_mb']:>16}")
        print(
            f"task median {result['task_ms_median']} ms (p90 {result['task_ms_p90']}), wall "
            f"{result['wall_ms_per_certificate']} ms/certificate, floor {floor:.1f} ms, ratio "
            f"{result['ratio_task_to_floor']}; peak total RSS {result['peak_rss_mb']} MB; "
            f"{result['children_started']} child processes"
        )
    from django.db import connection

    connection.close()
    drop_database()
    shutil.rmtree(workdir, ignore_errors=True)
    return 0 if all(checks.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
