from django.apps import AppConfig


class AgenciesConfig(AppConfig):
    name = "agencies"
    verbose_name = "Agencies and staff"

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in, user_logged_out
        from django.db.models.signals import post_migrate

        from agencies import audit_presenters, security, services
        from agencies.hooks import register_staff_home_panel
        from core.audit_presenters import register_audit_vocabulary
        from core.views import notifications_home_panel

        user_logged_in.connect(security.on_signed_in, dispatch_uid="agencies.signed_in")
        user_logged_out.connect(security.on_signed_out, dispatch_uid="agencies.signed_out")
        # After auth's own post_migrate handler (auth is installed first): permissions exist.
        post_migrate.connect(
            services.agency_admins_group_sync, dispatch_uid="agencies.admins_group_sync"
        )
        register_staff_home_panel(notifications_home_panel)  # first on the home: what is new
        register_audit_vocabulary(audit_presenters.vocabulary)
