"""Outreach URLs: the providers' webhooks, then the staff pages (content, segments, campaigns,
approvals, citizens' questions, a person's messages). The public site has its own, in
``outreach.public_urls``."""

from django.urls import path

from outreach import views, webhooks

urlpatterns = [
    path("hooks/twilio/status/", webhooks.twilio_status, name="hook-twilio-status"),
    path("hooks/twilio/inbound/", webhooks.twilio_inbound, name="hook-twilio-inbound"),
    path("hooks/zalo/", webhooks.zalo_events, name="hook-zalo"),
    path(
        "hooks/gateway/<slug:profile_name>/<uuid:message_uuid>/<str:token>/",
        webhooks.gateway_report,
        name="hook-gateway-report",
    ),
]

urlpatterns += [
    path("", views.home, name="outreach-home"),
    path("content/new/", views.content_edit, name="outreach-content-new"),
    path("content/preview/", views.content_preview, name="outreach-content-preview"),
    path("content/<uuid:uuid>/", views.content_edit, name="outreach-content"),
    path(
        "content/<uuid:uuid>/<slug:action>/", views.content_action, name="outreach-content-action"
    ),
    path("segments/new/", views.segment_edit, name="outreach-segment-new"),
    path("segments/count/", views.segment_count, name="outreach-segment-count"),
    path("segments/<uuid:uuid>/", views.segment_edit, name="outreach-segment"),
    path("campaigns/new/", views.campaign_new, name="outreach-campaign-new"),
    path("campaigns/<uuid:uuid>/", views.campaign_detail, name="outreach-campaign"),
    path(
        "campaigns/<uuid:uuid>/<slug:action>/",
        views.campaign_action,
        name="outreach-campaign-action",
    ),
    path("approvals/", views.approvals, name="outreach-approvals"),
    path("questions/", views.questions, name="outreach-questions"),
    path(
        "questions/<uuid:uuid>/<slug:action>/",
        views.question_action,
        name="outreach-question-action",
    ),
    path("people/<uuid:uuid>/messages/", views.person_messages, name="outreach-person-messages"),
    path("people/<uuid:uuid>/zalo/", views.person_zalo, name="outreach-person-zalo"),
    path("console/", views.console_messages, name="outreach-console"),
]
