import datetime as dt

from django.core.management.base import BaseCommand, CommandError

from alliance.exceptions import BusinessRuleError
from specialists.lifecycle import lifecycle_run, shanghai_today


class Command(BaseCommand):
    help = (
        "Evaluate the specialists' lifecycle rules (第七条, 第八条) for a date; idempotent. "
        "A future date can only be previewed (--dry-run)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--as-of", help="YYYY-MM-DD (default: today in Asia/Shanghai); not after today")
        parser.add_argument("--dry-run", action="store_true", help="Only list what would change.")

    def handle(self, *args, as_of=None, dry_run=False, **options):
        try:
            day = dt.date.fromisoformat(as_of) if as_of else shanghai_today()
        except ValueError:
            raise CommandError(f"--as-of {as_of!r} is not a date (YYYY-MM-DD)") from None
        try:
            run, changes = lifecycle_run(as_of=day, dry_run=dry_run, source="command")
        except BusinessRuleError as exc:
            raise CommandError(f"--as-of {day}: {exc.message}") from None
        for change in changes:
            self.stdout.write(
                f"{change.specialist_id}\t{change.name}\t{change.from_status} -> {change.to_status}\t"
                f"{change.rule}\t{change.reason}"
            )
        verb = "would change" if dry_run else "changed"
        note = " (preview of a future date)" if dry_run and day > shanghai_today() else ""
        self.stdout.write(self.style.SUCCESS(f"{day}: {verb} {len(changes)} specialist(s){note}."))
