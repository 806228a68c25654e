"""Staff case pages, mounted at /staff/cases/. Cases are addressed by their public reference."""

from django.urls import path

from cases import views
from cases.sla import views as sla_views

app_name = "cases"

urlpatterns = [
    path("", views.queue, name="queue"),
    path("bulk/", views.bulk, name="bulk"),
    path("search/", views.search, name="search"),
    path("new/", views.intake, name="intake"),
    path("new/citizens/", views.intake_citizen_search, name="intake_citizen_search"),
    path("new/citizen/", views.intake_citizen, name="intake_citizen"),
    path("new/questions/", views.intake_questions, name="intake_questions"),
    path("sla/", sla_views.sla_board, name="sla_board"),
    path("sla/bulk/", sla_views.sla_board_bulk, name="sla_board_bulk"),
    path("<str:reference>/", views.case_detail, name="detail"),
    path("<str:reference>/note/", views.case_note, name="note"),
    path("<str:reference>/update/", views.case_update, name="update"),
    path("<str:reference>/contact/", views.case_contact, name="contact"),
    path("<str:reference>/status/", views.case_status, name="status"),
    path("<str:reference>/take/", views.case_take, name="take"),
    path("<str:reference>/assign/", views.case_assign, name="assign"),
    path("<str:reference>/unassign/", views.case_unassign, name="unassign"),
    path(
        "<str:reference>/link-citizen/",
        views.case_link_suggested_citizen,
        name="link_suggested_citizen",
    ),
    path("<str:reference>/requester/", views.case_requester, name="requester"),
    path("<str:reference>/requester/link/", views.case_link_citizen, name="link_citizen"),
    path(
        "<str:reference>/requester/not-this-person/",
        views.case_reject_suggested_citizen,
        name="reject_suggested_citizen",
    ),
    path("<str:reference>/transfer/", views.case_transfer, name="transfer"),
    path("<str:reference>/refer/", views.case_refer, name="refer"),
    path("<str:reference>/priority/", views.case_priority, name="priority"),
    path("<str:reference>/category/", views.case_category, name="category"),
    path("<str:reference>/attach/", views.case_attach, name="attach"),
    path("<str:reference>/follow/", views.case_follow, name="follow"),
    path("<str:reference>/unfollow/", views.case_unfollow, name="unfollow"),
    path("<str:reference>/merge/", views.case_merge, name="merge"),
    path("<str:reference>/unmerge/", views.case_unmerge, name="unmerge"),
    path("<str:reference>/related/", views.case_relate, name="relate"),
    path("<str:reference>/related/<str:other>/remove/", views.case_unrelate, name="unrelate"),
    path(
        "<str:reference>/attachments/<str:token>/",
        views.attachment_download,
        name="attachment",
    ),
]
