import datetime as dt

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from specialists.lifecycle import lifecycle_run


class Command(BaseCommand):
    help = "Evaluate the specialists' lifecycle rules (第七条, 第八条) for a date; idempotent."

    def add_arguments(self, parser):
        parser.add_argument("--as-of", help="YYYY-MM-DD (default: today in the portal's time zone)")
        parser.add_argument("--dry-run", action="store_true", help="Only list what would change.")

    def handle(self, *args, as_of=None, dry_run=False, **options):
        try:
            day = dt.date.fromisoformat(as_of) if as_of else timezone.localdate()
        except ValueError:
            raise CommandError(f"--as-of {as_of!r} is not a date (YYYY-MM-DD)") from None
        run, changes = lifecycle_run(as_of=day, dry_run=dry_run, source="command")
        for change in changes:
            self.stdout.write(
                f"{change.specialist_id}\t{change.name}\t{change.from_status} -> {change.to_status}\t{change.rule}"
            )
        verb = "would change" if dry_run else "changed"
        self.stdout.write(self.style.SUCCESS(f"{day}: {verb} {len(changes)} specialist(s)."))
