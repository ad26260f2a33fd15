from django.apps import AppConfig


class JobsConfig(AppConfig):
    name = "ficarchive.jobs"
    label = "jobs"
    verbose_name = "Background jobs"
