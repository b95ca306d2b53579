from django.apps import AppConfig


class ImportsConfig(AppConfig):
    name = "longwar.imports"
    label = "imports"
    verbose_name = "Imports from WordPress and Disqus"
