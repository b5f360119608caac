from django.core.management.base import BaseCommand
from django.db import transaction

from alliance.reference import loaders


class Command(BaseCommand):
    help = "Load or refresh every app's reference data from its data files (idempotent)."

    def add_arguments(self, parser):
        parser.add_argument("apps", nargs="*", help="Only these apps (default: all).")

    def handle(self, *args, apps=(), **options):
        for label, load in loaders():
            if apps and label not in apps:
                continue
            with transaction.atomic():
                summary = load()
            detail = ", ".join(f"{k}: {v}" for k, v in (summary or {}).items())
            self.stdout.write(f"{label}: {detail or 'done'}")
