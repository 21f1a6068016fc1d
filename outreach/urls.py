from django.urls import path

from outreach import views, webhooks

urlpatterns = [
    path("hooks/twilio/status/", webhooks.twilio_status, name="hook-twilio-status"),
    path("hooks/twilio/inbound/", webhooks.twilio_inbound, name="hook-twilio-inbound"),
    path("hooks/zalo/", webhooks.zalo_events, name="hook-zalo"),
]
urlpatterns += views.urlpatterns
