import secrets
from importlib import import_module

from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import transaction

from alliance.models import Profile
from alliance.reference import PROJECT_APPS


class Command(BaseCommand):
    help = "Create a demo superuser (password printed once) and a few records per programme."

    def add_arguments(self, parser):
        parser.add_argument("--username", default="demo")

    def handle(self, *args, username, **options):
        call_command("load_reference_data", stdout=self.stdout)
        User = get_user_model()
        with transaction.atomic():
            if User.objects.filter(username=username).exists():
                self.stdout.write(f"Demo superuser '{username}' exists already (its password was printed when made;")
                self.stdout.write(f"  reset it with: python manage.py changepassword {username}).")
            else:
                password = secrets.token_urlsafe(12)
                user = User.objects.create_superuser(username, f"{username}@alliance.example", password)
                Profile.objects.create(user=user, name="演示管理员")
                self.stdout.write(self.style.SUCCESS(f"Demo superuser: {username} / {password}  (shown once)"))
            for label in PROJECT_APPS:
                try:
                    module = import_module(f"{label}.demo")
                except ModuleNotFoundError as exc:
                    if exc.name != f"{label}.demo":
                        raise
                    continue
                module.seed(stdout=self.stdout)
