"""URLs of the boards API under /api/."""

from django.urls import path, re_path

from architectures.api import views

urlpatterns = [
    path("boards/", views.BoardCreateView.as_view(), name="board-create"),
    path("boards/<str:board_id>/", views.BoardDetailView.as_view(), name="board-detail"),
    path("boards/<str:board_id>/versions/", views.BoardVersionListView.as_view(), name="board-versions"),
    path("boards/<str:board_id>/versions/<int:number>/", views.BoardVersionDetailView.as_view(),
         name="board-version"),
    path("boards/<str:board_id>/versions/<int:number>/restore/", views.BoardVersionRestoreView.as_view(),
         name="board-version-restore"),
    path("boards/<str:board_id>/rename/", views.BoardRenameView.as_view(), name="board-rename"),
    path("boards/<str:board_id>/duplicate/", views.BoardDuplicateView.as_view(), name="board-duplicate"),
    path("boards/<str:board_id>/regenerate-token/", views.BoardTokenRegenerateView.as_view(),
         name="board-regenerate-token"),
    path("component-kinds/", views.ComponentKindsView.as_view(), name="component-kinds"),
    path("schema/board/", views.BoardSchemaView.as_view(), name="board-schema"),
]

from architectures.api import runs as run_views  # noqa: E402

urlpatterns += [
    path("boards/<str:board_id>/runs/", run_views.BoardRunsView.as_view(), name="board-runs"),
    path("boards/<str:board_id>/sweeps/", run_views.BoardSweepsView.as_view(), name="board-sweeps"),
    path("boards/<str:board_id>/rightsize/", run_views.BoardRightsizeView.as_view(), name="board-rightsize"),
    path("runs/<str:run_id>/", run_views.RunDetailView.as_view(), name="run-detail"),
    path("runs/<str:run_id>/cancel/", run_views.RunCancelView.as_view(), name="run-cancel"),
    path("sweeps/<str:sweep_id>/", run_views.SweepDetailView.as_view(), name="sweep-detail"),
]

from architectures.api import exports as export_views  # noqa: E402

# The import route goes first: "boards/<board_id>/" would otherwise take "boards/import/".
urlpatterns = [path("boards/import/", export_views.BoardImportView.as_view(), name="board-import")] + urlpatterns
urlpatterns += [
    path("boards/<str:board_id>/export.png", export_views.BoardExportPngView.as_view(), name="board-export-png"),
    path("boards/<str:board_id>/export.py", export_views.BoardExportCodeView.as_view(), name="board-export-py"),
    path("boards/<str:board_id>/export.json", export_views.BoardExportJsonView.as_view(), name="board-export-json"),
    path("boards/<str:board_id>/report.md", export_views.BoardReportMarkdownView.as_view(), name="board-report-md"),
]

from architectures.api import gallery as gallery_views  # noqa: E402

urlpatterns += [
    path("templates/", gallery_views.TemplateListView.as_view(), name="template-list"),
    path("templates/<str:template_id>/thumbnail.png", gallery_views.template_thumbnail_view,
         name="template-thumbnail"),
]

from architectures.api import interview as interview_views  # noqa: E402

INTERVIEW = "boards/<str:board_id>/interview/"
# Each clock action and each card action has its own URL; the schema lists one operation for each group.
urlpatterns += [
    path(INTERVIEW, interview_views.InterviewView.as_view(), name="board-interview"),
    re_path(r"^boards/(?P<board_id>[^/]+)/interview/(?P<action>pause|resume|next-step|end)/$",
            interview_views.InterviewControlView.as_view(), name="board-interview-control"),
    path(f"{INTERVIEW}curveballs/", interview_views.CurveballCreateView.as_view(), name="board-interview-curveballs"),
    re_path(r"^boards/(?P<board_id>[^/]+)/interview/curveballs/(?P<card_id>[^/]+)/(?P<action>play|undo)/$",
            interview_views.CurveballActionView.as_view(), name="board-interview-curveball"),
    path(f"{INTERVIEW}ratings/", interview_views.RatingsView.as_view(), name="board-interview-ratings"),
    path(f"{INTERVIEW}scorecard/", interview_views.ScorecardView.as_view(), name="board-interview-scorecard"),
    path(f"{INTERVIEW}replay/", interview_views.ReplayView.as_view(), name="board-interview-replay"),
]
