from django.apps import AppConfig


class SharingConfig(AppConfig):
    name = "confide.sharing"
    label = "sharing"

    def ready(self) -> None:
        from confide.records.entries import MOVE_GUARDS
        from confide.sharing.disclosure import why_entry_stays

        if why_entry_stays not in MOVE_GUARDS:
            MOVE_GUARDS.append(why_entry_stays)
