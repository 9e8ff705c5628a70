from django.apps import AppConfig


class PlatformConfig(AppConfig):
    name = "infusion_rcm.platform"
    label = "platform"
    verbose_name = "Platform"
