from django.apps import AppConfig


class ServerConfig(AppConfig):
    name = "ficarchive.server"
    label = "server"
    verbose_name = "Server"
