"""URLs of the boards API under /api/."""

from django.urls import path

from architectures.api import views

urlpatterns = [
    path("boards/", views.BoardCreateView.as_view(), name="board-create"),
    path("boards/<str:board_id>/", views.BoardDetailView.as_view(), name="board-detail"),
    path("boards/<str:board_id>/versions/", views.BoardVersionListView.as_view(), name="board-versions"),
    path("boards/<str:board_id>/versions/<int:number>/", views.BoardVersionDetailView.as_view(),
         name="board-version"),
    path("boards/<str:board_id>/versions/<int:number>/restore/", views.BoardVersionRestoreView.as_view(),
         name="board-version-restore"),
    path("component-kinds/", views.ComponentKindsView.as_view(), name="component-kinds"),
    path("schema/board/", views.BoardSchemaView.as_view(), name="board-schema"),
]
