from django.urls import path
from drf_spectacular.views import (
    SpectacularAPIView,
    SpectacularRedocView,
    SpectacularSwaggerSplitView,
)

from api import views as v

urlpatterns = [
    path("people/", v.PersonListApi.as_view(), name="api-people"),
    path("people/register-notice/", v.PrisonNoticeCreateApi.as_view(), name="api-prison-notice"),
    path("people/search/", v.PersonSearchApi.as_view(), name="api-people-search"),
    path("people/<uuid:uuid>/", v.PersonDetailApi.as_view(), name="api-person"),
    path("people/<uuid:uuid>/update/", v.PersonUpdateApi.as_view(), name="api-person-update"),
    path("custody-records/", v.CustodyRecordListApi.as_view(), name="api-custody-records"),
    path("custody-records/create/", v.CustodyRecordCreateApi.as_view(), name="api-custody-create"),
    path(
        "custody-records/<uuid:uuid>/",
        v.CustodyRecordDetailApi.as_view(),
        name="api-custody-record",
    ),
    path("cases/", v.CaseListApi.as_view(), name="api-cases"),
    path("cases/create/", v.CaseCreateApi.as_view(), name="api-case-create"),
    path("cases/<uuid:uuid>/", v.CaseDetailApi.as_view(), name="api-case"),
    path(
        "cases/<uuid:uuid>/milestones/", v.CaseMilestonesApi.as_view(), name="api-case-milestones"
    ),
    path(
        "cases/<uuid:uuid>/actions/<slug:action>/",
        v.CaseActionApi.as_view(),
        name="api-case-action",
    ),
    path("needs/", v.NeedListApi.as_view(), name="api-needs"),
    path("needs/create/", v.NeedCreateApi.as_view(), name="api-need-create"),
    path("needs/<uuid:uuid>/", v.NeedDetailApi.as_view(), name="api-need"),
    path("needs/<uuid:uuid>/withdraw/", v.NeedWithdrawApi.as_view(), name="api-need-withdraw"),
    path("referrals/", v.ReferralListApi.as_view(), name="api-referrals"),
    path("referrals/create/", v.ReferralCreateApi.as_view(), name="api-referral-create"),
    path("referrals/<uuid:uuid>/", v.ReferralDetailApi.as_view(), name="api-referral"),
    path(
        "referrals/<uuid:uuid>/history/",
        v.ReferralTransitionsApi.as_view(),
        name="api-referral-history",
    ),
    path(
        "referrals/<uuid:uuid>/actions/<slug:action>/",
        v.ReferralActionApi.as_view(),
        name="api-referral-action",
    ),
    path("notes/", v.CaseNoteListApi.as_view(), name="api-notes"),
    path("notes/create/", v.CaseNoteCreateApi.as_view(), name="api-note-create"),
    path("notes/<uuid:uuid>/", v.CaseNoteDetailApi.as_view(), name="api-note"),
    path("consents/", v.ConsentListApi.as_view(), name="api-consents"),
    path("consents/create/", v.ConsentCreateApi.as_view(), name="api-consent-create"),
    path("consents/<uuid:uuid>/", v.ConsentDetailApi.as_view(), name="api-consent"),
    path(
        "consents/<uuid:uuid>/withdraw/",
        v.ConsentWithdrawApi.as_view(),
        name="api-consent-withdraw",
    ),
    path("agencies/", v.AgencyListApi.as_view(), name="api-agencies"),
    path("units/", v.UnitListApi.as_view(), name="api-units"),
    path("units/lookup/", v.UnitLookupApi.as_view(), name="api-unit-lookup"),
    path("need-types/", v.NeedTypeListApi.as_view(), name="api-need-types"),
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    # The split view serves its settings as a script file: no inline script, so the CSP holds.
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"), name="api-docs"),
    path("redoc/", SpectacularRedocView.as_view(url_name="api-schema"), name="api-redoc"),
]
