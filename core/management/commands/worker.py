"""`manage.py worker`: the worker of the configured task backend (settings.TASKS), which runs the
long work of core.jobs; `make run` starts it beside the web server and stops it with it."""

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django_tasks import task_backends


class Command(BaseCommand):
    help = "Chạy tiến trình xử lý nền (tệp báo cáo tổng hợp…) của hàng đợi đã cấu hình."

    def add_arguments(self, parser):
        parser.add_argument(
            "--batch",
            action="store_true",
            help="Xử lý hết việc đang chờ rồi dừng (không chờ việc mới).",
        )

    def handle(self, *args, batch: bool = False, **options):
        backend = type(task_backends["default"])
        name = f"{backend.__module__}.{backend.__name__}"
        verbosity = options.get("verbosity", 1)
        if name.startswith("django_tasks_db."):
            call_command(
                "db_worker",
                queue_name=settings.TASK_QUEUE,
                batch=batch,
                startup_delay=not batch,
                reload=False,
                verbosity=verbosity,
            )
        elif name.startswith("django_tasks_rq."):
            call_command(
                "rqworker",
                settings.TASK_QUEUE,
                job_class="django_tasks_rq.Job",
                burst=batch,
                verbosity=verbosity,
            )
        else:
            raise CommandError(
                f"Hàng đợi {name} chạy việc ngay trong tiến trình web: không cần tiến trình nền."
            )
