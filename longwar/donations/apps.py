from django.apps import AppConfig


class DonationsConfig(AppConfig):
    name = "longwar.donations"
    label = "donations"
    verbose_name = "Donations and site settings"
