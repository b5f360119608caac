"""The production worker replaces its child processes (issue 12: a child rendering certificates grew
to ~790 MB after 50 of them).  The numbers and why: alliance/settings.py and bench/README.md."""

import os
import shlex
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from celery.bin.base import CLIContext
from celery.bin.celery import celery as celery_command
from celery.bin.worker import worker as worker_command

from alliance.celery import app

ROOT = Path(__file__).resolve().parents[2]
NAMES = ("CELERY_WORKER_MAX_TASKS_PER_CHILD", "CELERY_WORKER_MAX_MEMORY_PER_CHILD")


def _worker_options(command):
    """The options `celery ... worker` gets from `command`, parsed by Celery's own command line."""
    args = shlex.split(command)
    assert args[0] == "celery"
    at = args.index("worker")
    top = celery_command.make_context("celery", args[1 : at + 1], obj=CLIContext(app=app, no_color=True, workdir=None))
    assert top.params["app"] == "alliance"
    return worker_command.make_context("worker", args[at + 1 :], parent=top).params


def _settings(**environ):
    """CELERY_WORKER_* as alliance/settings.py reads them from `environ` (a fresh interpreter)."""
    env = {k: v for k, v in os.environ.items() if k not in NAMES} | environ
    code = (
        "import json, alliance.settings as s;"
        "print(json.dumps([s.CELERY_WORKER_MAX_TASKS_PER_CHILD, s.CELERY_WORKER_MAX_MEMORY_PER_CHILD]))"
    )
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True)
    return result


def _defaults():
    result = _settings()
    assert result.returncode == 0, result.stderr
    return yaml.safe_load(result.stdout)


def test_compose_worker_recycles_its_children_with_the_settings_defaults():
    command = yaml.safe_load((ROOT / "docker-compose.yml").read_text())["services"]["worker"]["command"]

    options = _worker_options(command)

    max_tasks, max_memory_kib = _defaults()
    assert options["max_tasks_per_child"] == max_tasks
    assert options["max_memory_per_child"] == max_memory_kib
    assert options["concurrency"] == 2


def test_settings_read_the_recycling_from_the_environment():
    result = _settings(CELERY_WORKER_MAX_TASKS_PER_CHILD="37", CELERY_WORKER_MAX_MEMORY_PER_CHILD="300000")

    assert result.returncode == 0, result.stderr
    assert yaml.safe_load(result.stdout) == [37, 300000]


@pytest.mark.parametrize("value", ["0", "-5", "lots"])
def test_settings_refuse_a_limit_celery_would_refuse_or_ignore(value):
    # Celery's pool refuses 0 when the worker starts; a typo must not silently turn recycling off.
    result = _settings(CELERY_WORKER_MAX_TASKS_PER_CHILD=value)

    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr and "CELERY_WORKER_MAX_TASKS_PER_CHILD" in result.stderr


def test_the_settings_reach_celery_under_the_names_it_reads():
    """A misspelt setting is ignored by Celery without a word; these are what `celery worker` uses."""
    from django.conf import settings

    assert app.conf.worker_max_tasks_per_child == settings.CELERY_WORKER_MAX_TASKS_PER_CHILD
    assert app.conf.worker_max_memory_per_child == settings.CELERY_WORKER_MAX_MEMORY_PER_CHILD
    # and a worker started without the options (README's native command) takes them from there
    options = _worker_options("celery -A alliance worker --loglevel=info")
    assert options["max_tasks_per_child"] is None  # so WorkController falls back to app.conf


def test_the_memory_limit_leaves_room_for_rendering_certificates():
    """Celery compares a child's peak RSS with the limit after each task: below the peak of a render,
    every certificate would cost a new child (importing WeasyPrint and loading the fonts again)."""
    code = """
import django
django.setup()
from alliance.pdf import render_pdf
from specialists.documents import TEMPLATES, texts
context = {"name": "张伟明", "organisation": "中国地质科学院", "committee": "矿山委员会",
           "number": "中绿盟聘〔2024〕00001号", "year": 2024, "issued_on": "2024年7月1日",
           "valid_from": "2024年7月1日", "valid_until": "2027年12月31日", "texts": texts()}
for template in TEMPLATES.values():
    assert render_pdf(template, context).startswith(b"%PDF")
print(next(line.split()[1] for line in open("/proc/self/status") if line.startswith("VmHWM:")))
"""
    # VmHWM, not ru_maxrss: a child's ru_maxrss also counts the forking pytest process's RSS.
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "alliance.settings", "DEBUG": "off"}
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr[-3000:]
    peak_kib = int(result.stdout.split()[-1])

    _max_tasks, max_memory_kib = _defaults()
    assert peak_kib * 1.3 < max_memory_kib, (peak_kib, max_memory_kib)
