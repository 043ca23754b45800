from django.contrib.admin.apps import AdminConfig as DjangoAdminConfig


class AdminConfig(DjangoAdminConfig):
    # Our admin site: the clinicians' front page, and no "view on site" shortcut (see admin_site).
    default_site = "backpain.admin_site.AdminSite"
