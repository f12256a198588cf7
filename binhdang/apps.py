from django.apps import AppConfig


class BinhdangConfig(AppConfig):
    name = "binhdang"
