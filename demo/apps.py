from django.apps import AppConfig


class DemoConfig(AppConfig):
    """Demo data that fits today's date (`manage.py load_demo`, run by `make run`): people, a
    filled reporting round, GBV cases, activities. The one app that imports all the others; nothing
    imports it (docs/architecture.md)."""

    name = "demo"
    verbose_name = "Dữ liệu minh hoạ"
