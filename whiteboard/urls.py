"""Top-level URLs: pages, the API, its OpenAPI schema and docs, health."""

from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerSplitView

from architectures.api.exports import board_report_page
from whiteboard import views

urlpatterns = [
    path("", views.landing, name="landing"),
    path("b/<str:board_id>/", views.board_page, name="board-page"),
    path("b/<str:board_id>/report/", board_report_page, name="board-report"),
    path("healthz", views.healthz, name="healthz"),
    path("api/schema/", SpectacularAPIView.as_view(), name="openapi-schema"),
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="openapi-schema"), name="api-docs"),
    path("api/redoc/", SpectacularRedocView.as_view(url_name="openapi-schema"), name="api-redoc"),
    path("api/", include("architectures.api.urls")),
    path("accounts/", include("whiteboard.accounts")),
    path("admin/", admin.site.urls),
]

handler404 = "whiteboard.views.not_found"
handler500 = "whiteboard.views.server_error"
