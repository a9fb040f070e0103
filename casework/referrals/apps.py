from django.apps import AppConfig


class ReferralsConfig(AppConfig):
    name = "casework.referrals"
    label = "referrals"
    verbose_name = "Referrals"

    def ready(self) -> None:
        # Referrals waiting for an answer appear on the referring worker's Today list.
        from casework.referrals import today  # noqa: F401
