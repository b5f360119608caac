from csp.constants import UNSAFE_INLINE
from csp.decorators import csp_update
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.templatetags.static import static as static_url
from django.urls import include, path
from django.views.generic import RedirectView
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerSplitView

from . import api, export_views, import_views, views

admin.site.site_header = "联盟业务管理平台"
admin.site.site_title = "联盟业务管理平台"
admin.site.index_title = "秘书处工作台"

api_urlpatterns = [
    path("auth/token/", api.TokenView.as_view(), name="api-token"),
    path("users/", api.UserCreateView.as_view(), name="api-users"),
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    # Served from local static files (drf-spectacular-sidecar) and under the Content-Security-Policy:
    # Swagger UI's start-up script is a separate request (the split view), not an inline script.
    path(
        "docs/",
        SpectacularSwaggerSplitView.as_view(url_name="api-schema", template_name="api/swagger_ui.html"),
        name="api-docs",
    ),
    # Redoc styles itself with injected <style> elements and searches in a blob: worker.
    path(
        "redoc/",
        csp_update({"style-src": [UNSAFE_INLINE], "worker-src": ["blob:"]})(
            SpectacularRedocView.as_view(url_name="api-schema", template_name="api/redoc.html")
        ),
        name="api-redoc",
    ),
    # Each programme's API lives in its app (<app>/api_urls.py).
    path("", include("specialists.api_urls")),
    path("greenmine/", include("greenmine.api_urls")),
    path("liaisons/", include("liaisons.api_urls")),
    path("nominations/", include("nominations.api_urls")),
]

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("favicon.ico", RedirectView.as_view(url=static_url("img/favicon.svg"), permanent=True)),
    path("admin/", admin.site.urls),
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/password_change/", auth_views.PasswordChangeView.as_view(), name="password_change"),
    path(
        "accounts/password_change/done/",
        auth_views.PasswordChangeDoneView.as_view(),
        name="password_change_done",
    ),
    path("i18n/", include("django.conf.urls.i18n")),
    path("exports/", export_views.export_list, name="exports"),
    path("exports/start/", export_views.export_start, name="export-start"),
    path("exports/<uuid:pk>/", export_views.export_detail, name="export-detail"),
    path("exports/<uuid:pk>/status.json", export_views.export_status, name="export-status"),
    path("exports/<uuid:pk>/download/", export_views.export_download, name="export-download"),
    path("exports/<uuid:pk>/retry/", export_views.export_retry, name="export-retry"),
    path("imports/", import_views.import_list, name="imports"),
    path("imports/<uuid:pk>/", import_views.import_detail, name="import-detail"),
    path("imports/<uuid:pk>/status.json", import_views.import_status, name="import-status"),
    path("imports/<uuid:pk>/retry/", import_views.import_retry, name="import-retry"),
    path("imports/<str:importer>/template.xlsx", import_views.import_template, name="import-template"),
    path("api/", include(api_urlpatterns)),
    # Each programme's pages live in its app (<app>/urls.py).
    path("", include("specialists.urls")),
    path("specialists/", include("specialists.staff_urls")),
    path("greenmine/", include("greenmine.urls")),
    path("liaisons/", include("liaisons.urls")),
    path("nominations/", include("nominations.urls")),
]
# Uploaded files (evidence, generated certificates) are never served from MEDIA_URL: every
# download goes through a view that checks who may see it.
