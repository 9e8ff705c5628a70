from django.apps import AppConfig


class X12Config(AppConfig):
    name = "infusion_rcm.x12"
    label = "x12"
    verbose_name = "X12 interchanges"
