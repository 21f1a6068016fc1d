"""URLs of the public website Con đường hướng thiện (mounted under /huong-thien/; a proxy may
serve it at the root of its own domain)."""

from django.conf import settings
from django.urls import path
from django.views.decorators.cache import cache_page

from outreach import public_views

urlpatterns = [
    path("", public_views.home, name="public-home"),
    path("lien-he/", public_views.contacts, name="public-contacts"),
    path("hoi/", public_views.ask, name="public-ask"),
    path("tin-nhan/", public_views.my_messages, name="public-messages"),
    path("tim-kiem/", public_views.search, name="public-search"),
    path("lien-ket-zalo/", public_views.zalo_link, name="public-zalo-link"),
    path("bai/<slug:slug>/", public_views.article, name="public-article"),
    path(
        "feed.atom",
        cache_page(settings.PUBLIC_CACHE_SECONDS)(public_views.LatestFeed()),
        name="public-feed",
    ),
    path("sitemap.xml", public_views.sitemap, name="public-sitemap"),
    path("<slug:slug>/", public_views.section, name="public-section"),
]
