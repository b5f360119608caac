"""The zh-hans catalogues are complete, and stay so.

1. Every catalogue compiles cleanly (`msgfmt -c`) and has no fuzzy or untranslated message.
2. Every message the code and templates mark for translation has a Chinese translation: the
   msgids are extracted with `makemessages` in a copy of the project (the real catalogues are not
   touched), then each is looked up through Django's translation machinery in zh-hans, which merges
   the project's, the apps' and Django's own catalogues, as a page does.
"""

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import translation

ROOT = Path(settings.BASE_DIR)
CATALOGUES = sorted(p for p in ROOT.glob("**/locale/zh_Hans/LC_MESSAGES/django.po") if ".venv" not in p.parts)
SKIP_DIRS = {".venv", "media", "test-artifacts", "staticfiles", ".git", ".pytest_cache", ".ruff_cache", ".hypothesis"}

pytestmark = pytest.mark.skipif(shutil.which("msgfmt") is None, reason="gettext is installed by make (sysdeps)")


def _entries(po_text):
    """(msgctxt, msgid, msgid_plural, fuzzy) of each entry of a .po file, the header left out."""
    entries, current, last = [], None, None

    def unquote(line):
        return line[line.index('"') + 1 : line.rindex('"')].encode().decode("unicode_escape").encode("latin-1").decode()

    for line in po_text.splitlines() + [""]:
        if not line.strip():
            if current and current.get("msgid"):
                entries.append(current)
            current, last = None, None
            continue
        current = current if current is not None else {"flags": ""}
        if line.startswith("#,"):
            current["flags"] += line
        elif line.startswith("#"):
            continue
        elif line.startswith(('msgctxt "', 'msgid "', 'msgid_plural "')):
            last = line.split(" ", 1)[0]
            current[last] = unquote(line)
        elif line.startswith("msgstr"):
            last = None
        elif line.startswith('"') and last:
            current[last] += unquote(line)
    return entries


@pytest.mark.parametrize("catalogue", CATALOGUES, ids=lambda p: str(p.relative_to(ROOT)))
def test_catalogue_compiles_with_everything_translated(catalogue):
    result = subprocess.run(
        ["msgfmt", "-c", "--statistics", "-o", "/dev/null", str(catalogue)], capture_output=True, text=True
    )

    assert result.returncode == 0, result.stderr
    statistics = result.stderr.strip().splitlines()[-1]
    assert re.fullmatch(r"\d+ translated messages?\.", statistics), statistics  # no fuzzy, no untranslated


def test_every_message_marked_for_translation_has_a_chinese_translation(tmp_path):
    copy = tmp_path / "project"
    shutil.copytree(ROOT, copy, ignore=lambda d, names: [n for n in names if n in SKIP_DIRS or n.endswith(".mo")])
    for po in copy.glob("**/locale/zh_Hans/LC_MESSAGES/django.po"):
        po.unlink()  # extract afresh: the copy's catalogues then hold exactly what the code marks
    subprocess.run(
        [sys.executable, "manage.py", "makemessages", "-l", "zh_Hans", "--no-obsolete", "-v0"],
        cwd=copy,
        check=True,
        capture_output=True,
    )
    marked = [e for po in copy.glob("**/locale/zh_Hans/LC_MESSAGES/django.po") for e in _entries(po.read_text())]
    assert len(marked) > 500  # the extraction found the project's messages

    missing = []
    with translation.override("zh-hans"):
        for entry in marked:
            msgid, context = entry["msgid"], entry.get("msgctxt")
            if entry.get("msgid_plural"):
                text = translation.npgettext(context, msgid, entry["msgid_plural"], 1) if context else None
                text = text or translation.ngettext(msgid, entry["msgid_plural"], 1)
            else:
                text = translation.pgettext(context, msgid) if context else translation.gettext(msgid)
            # A msgid of placeholders, markup and abbreviations (PDF, API) needs no translation.
            if text == msgid and re.search(
                r"[A-Za-z]{2}", re.sub(r"%\(\w+\)[sd]|\{\w*\}|<[^>]+>|\b[A-Z]{2,5}\b", "", msgid)
            ):
                missing.append(f"{context + ' | ' if context else ''}{msgid}")

    assert not missing, f"{len(missing)} message(s) without a Chinese translation:\n" + "\n".join(sorted(missing))
