from django.urls import path

from registry.views import accounts as account_views
from registry.views import agencies as agency_views
from registry.views import casework as casework_views
from registry.views import common as views
from registry.views import imports as import_views
from registry.views import privacy as privacy_views
from registry.views import reports as report_views

urlpatterns = [
    path("", views.home, name="home"),
    path("account/login/", account_views.SignInView.as_view(), name="account-login"),
    path("account/otp/", account_views.otp, name="account-otp"),
    path("account/logout/", account_views.sign_out, name="account-logout"),
    path("worklist/", casework_views.worklist, name="worklist"),
    path("cases/new/", casework_views.notice_register, name="notice-register"),
    path("cases/<uuid:uuid>/", casework_views.case_timeline, name="case-timeline"),
    path("cases/<uuid:uuid>/<slug:action>/", casework_views.case_action, name="case-action"),
    path("needs/<uuid:uuid>/refer/", casework_views.need_refer, name="need-refer"),
    path("inbox/", casework_views.inbox, name="inbox"),
    path("inbox/<uuid:uuid>/<slug:action>/", casework_views.referral_act, name="referral-act"),
    path("loans/", agency_views.loan_worklist, name="loans"),
    path("loans/<uuid:uuid>/", agency_views.loan_detail, name="loan-detail"),
    path("loans/<uuid:uuid>/<slug:step>/", agency_views.loan_step, name="loan-step"),
    path("referrals/<uuid:uuid>/loan/", agency_views.loan_create, name="loan-create"),
    path(
        "referrals/<uuid:uuid>/training/", agency_views.referral_training, name="referral-training"
    ),
    path(
        "referrals/<uuid:uuid>/training/<uuid:course_uuid>/enrol/", agency_views.enrol, name="enrol"
    ),
    path("referrals/<uuid:uuid>/placement/", agency_views.placement, name="placement"),
    path(
        "enrollments/<uuid:uuid>/finish/", agency_views.enrollment_finish, name="enrollment-finish"
    ),
    path(
        "referrals/<uuid:uuid>/judicial-records/",
        agency_views.judicial_records,
        name="judicial-records",
    ),
    path("overdue/", agency_views.overdue, name="overdue"),
    path("courses/", agency_views.courses, name="courses"),
    path("follow-ups/", agency_views.follow_ups, name="follow-ups"),
    path("notifications/", agency_views.notifications, name="notifications"),
    path("imports/", import_views.import_list, name="imports"),
    path("imports/template.<str:kind>", import_views.import_template, name="import-template"),
    path("imports/<uuid:uuid>/", import_views.import_detail, name="import-detail"),
    path("imports/<uuid:uuid>/recheck/", import_views.import_recheck, name="import-recheck"),
    path("imports/<uuid:uuid>/commit/", import_views.import_commit, name="import-commit"),
    path("privacy/requests/", privacy_views.request_list, name="privacy-requests"),
    path("privacy/requests/<uuid:uuid>/", privacy_views.request_detail, name="privacy-request"),
    path(
        "privacy/people/<uuid:uuid>/requests/new/",
        privacy_views.request_new,
        name="privacy-request-new",
    ),
    path("privacy/people/<uuid:uuid>/data.json", privacy_views.subject_json, name="subject-json"),
    path("privacy/people/<uuid:uuid>/data.pdf", privacy_views.subject_pdf, name="subject-pdf"),
    path("reports/", report_views.report_page, name="reports"),
    path("reports/export.xlsx", report_views.report_xlsx, name="report-xlsx"),
    path("reports/export.pdf", report_views.report_pdf, name="report-pdf"),
    path("audit/", views.audit_events, name="audit-events"),
    path("audit/export.csv", views.audit_export, name="audit-export"),
    path("registry/people/<uuid:uuid>/viewers/", views.person_viewers, name="person-viewers"),
    path("registry/<slug:slug>/", views.resource_list, name="resource-list"),
    path("registry/<slug:slug>/export.csv", views.resource_export, name="resource-export"),
    path("registry/<slug:slug>/new/", views.resource_create, name="resource-create"),
    path("registry/<slug:slug>/<uuid:uuid>/", views.resource_detail, name="resource-detail"),
    path("registry/<slug:slug>/<uuid:uuid>/edit/", views.resource_update, name="resource-update"),
    path(
        "registry/<slug:slug>/<uuid:uuid>/<slug:action>/",
        views.resource_transition,
        name="resource-transition",
    ),
]
