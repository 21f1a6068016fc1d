"""URLs of the staff workspace, by area (the views live in registry/views/<area>.py)."""

from django.urls import path, re_path

from registry.views import (
    accounts,
    agencies,
    audit,
    casework,
    home,
    imports,
    needs,
    notices,
    privacy,
    reports,
    search,
)

UUID = "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"

urlpatterns = [
    path("", home.home, name="home"),
    path("search/", search.search, name="search"),
    # Accounts
    path("account/login/", accounts.SignInView.as_view(), name="account-login"),
    path("account/otp/", accounts.otp, name="account-otp"),
    path("account/logout/", accounts.sign_out, name="account-logout"),
    # Casework: the worklist, cases, notices, needs and referrals from the case
    path("worklist/", casework.worklist, name="worklist"),
    path("cases/", casework.case_list, name="case-list"),
    path("cases/export.csv", casework.case_export, name="case-export"),
    path("cases/new/", notices.notice_register, name="notice-register"),
    path("cases/<uuid:uuid>/", casework.case_page, name="case-page"),
    path("cases/<uuid:uuid>/timeline/", casework.case_timeline, name="case-timeline"),
    path("cases/<uuid:uuid>/needs/", casework.case_needs, name="case-needs"),
    path("cases/<uuid:uuid>/documents/", casework.case_documents, name="case-documents"),
    path("cases/<uuid:uuid>/viewers/", casework.case_viewers, name="case-viewers"),
    path("cases/<uuid:uuid>/close/", casework.case_close, name="case-close"),
    re_path(
        rf"^cases/(?P<uuid>{UUID})/(?P<action>verify-address|present|milestone|note)/$",
        casework.case_action,
        name="case-action",
    ),
    path(
        "cases/<uuid:uuid>/certificate/",
        casework.case_action,
        {"action": "certificate"},
        name="case-certificate",
    ),
    path("needs/<uuid:uuid>/refer/", needs.need_refer, name="need-refer"),
    path("needs/<uuid:uuid>/withdraw/", needs.need_withdraw, name="need-withdraw"),
    path("referrals/<uuid:uuid>/", agencies.referral_detail, name="referral-detail"),
    path("referrals/<uuid:uuid>/cancel/", needs.referral_cancel, name="referral-cancel"),
    path("consents/<uuid:uuid>/withdraw/", needs.consent_withdraw, name="consent-withdraw"),
    # Receiving agencies: inbox, loans, training and jobs, judicial records, overdue
    path("inbox/", agencies.inbox, name="inbox"),
    path("inbox/accept/", agencies.inbox_accept, name="inbox-accept"),
    path("inbox/<uuid:uuid>/<slug:action>/", agencies.referral_act, name="referral-act"),
    path("loans/", agencies.loan_worklist, name="loans"),
    path("loans/<uuid:uuid>/", agencies.loan_detail, name="loan-detail"),
    path("loans/<uuid:uuid>/edit/", agencies.loan_edit, name="loan-edit"),
    path("loans/<uuid:uuid>/<slug:step>/", agencies.loan_step, name="loan-step"),
    path("referrals/<uuid:uuid>/loan/", agencies.loan_create, name="loan-create"),
    path("referrals/<uuid:uuid>/training/", agencies.referral_training, name="referral-training"),
    path("referrals/<uuid:uuid>/training/<uuid:course_uuid>/enrol/", agencies.enrol, name="enrol"),
    path("referrals/<uuid:uuid>/placement/", agencies.placement, name="placement"),
    path("enrollments/<uuid:uuid>/finish/", agencies.enrollment_finish, name="enrollment-finish"),
    path(
        "referrals/<uuid:uuid>/judicial-records/",
        agencies.judicial_records,
        name="judicial-records",
    ),
    path("referrals/<uuid:uuid>/legal-aid/", agencies.legal_aid, name="legal-aid"),
    path("overdue/", agencies.overdue, name="overdue"),
    path("courses/", agencies.courses, name="courses"),
    path("follow-ups/", agencies.follow_ups, name="follow-ups"),
    path("notifications/", agencies.notifications, name="notifications"),
    # Imports of release notices
    path("imports/", imports.import_list, name="imports"),
    path("imports/template.<str:kind>", imports.import_template, name="import-template"),
    path("imports/<uuid:uuid>/", imports.import_detail, name="import-detail"),
    path("imports/<uuid:uuid>/recheck/", imports.import_recheck, name="import-recheck"),
    path("imports/<uuid:uuid>/commit/", imports.import_commit, name="import-commit"),
    # Privacy: data-subject requests
    path("privacy/requests/", privacy.request_list, name="privacy-requests"),
    path("privacy/requests/<uuid:uuid>/", privacy.request_detail, name="privacy-request"),
    path(
        "privacy/people/<uuid:uuid>/requests/new/",
        privacy.request_new,
        name="privacy-request-new",
    ),
    path("privacy/people/<uuid:uuid>/data.json", privacy.subject_json, name="subject-json"),
    path("privacy/people/<uuid:uuid>/data.pdf", privacy.subject_pdf, name="subject-pdf"),
    # Reports
    path("reports/", reports.report_page, name="reports"),
    path("reports/export.xlsx", reports.report_xlsx, name="report-xlsx"),
    path("reports/export.pdf", reports.report_pdf, name="report-pdf"),
    # The access log
    path("audit/", audit.audit_events, name="audit-events"),
    path("audit/export.csv", audit.audit_export, name="audit-export"),
]
# The HCD forms (Circular 10/2024): a case's dossier, the templates, the periodic reports.
from registry.views import documents  # noqa: E402

urlpatterns += [
    path("cases/<uuid:uuid>/dossier/", documents.case_dossier, name="case-dossier"),
    re_path(
        rf"^cases/(?P<uuid>{UUID})/forms/(?P<code>HCD-\d\d)\.(?P<fmt>docx|pdf)$",
        documents.case_form,
        name="case-form",
    ),
    path("documents/templates/", documents.document_templates, name="document-templates"),
    re_path(
        r"^documents/templates/(?P<code>HCD-\d\d)\.docx$",
        documents.document_template_file,
        name="document-template-file",
    ),
    path("reports/periodic/", documents.periodic_reports, name="periodic-reports"),
    path(
        "reports/periodic/submissions/",
        documents.periodic_submissions,
        name="periodic-submissions",
    ),
    re_path(
        r"^reports/periodic/(?P<form>HCD-1[23])/(?P<kind>month|quarter|half|year)/(?P<year>\d{4})/"
        r"(?P<number>\d{1,2})\.(?P<fmt>docx|pdf)$",
        documents.periodic_report_file,
        name="periodic-report-file",
    ),
    re_path(
        r"^reports/periodic/(?P<form>HCD-1[23])/(?P<kind>month|quarter|half|year)/(?P<year>\d{4})/"
        r"(?P<number>\d{1,2})/sent/$",
        documents.periodic_report_sent,
        name="periodic-report-sent",
    ),
    re_path(
        r"^communes/(?P<code>\d{5})/forms/HCD-09\.(?P<fmt>docx|pdf)$",
        documents.commune_form,
        name="commune-form",
    ),
]

# Supervision: the police's legal workflow (Circular 10/2024 art. 9–15)
from registry.views import supervision  # noqa: E402

urlpatterns += [
    path("cases/<uuid:uuid>/supervision/", supervision.case_supervision, name="case-supervision"),
    path(
        "cases/<uuid:uuid>/supervision/<slug:action>/",
        supervision.case_supervision_action,
        name="case-supervision-action",
    ),
    path("supervision/", supervision.supervision_work, name="supervision-work"),
    path("supervision/quarter/", supervision.quarter_page, name="supervision-quarter"),
    path("transfers/", supervision.transfers, name="transfers"),
    path("transfers/<uuid:uuid>/<slug:action>/", supervision.transfer_act, name="transfer-act"),
]
