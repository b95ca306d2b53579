from django.apps import AppConfig


class LongwarConfig(AppConfig):
    name = "longwar"

    def ready(self):
        from longwar import proxies  # noqa: F401  (registers its system check)
