"""The public website "Con đường hướng thiện": pages from published content, the question form,
and "manage my messages". No sign-in, no trackers, no third-party requests (videos are links to
YouTube, followed only when the visitor clicks); pages without forms are cached.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.feedgenerator import Atom1Feed
from django.views.decorators.cache import cache_control, cache_page
from django.views.decorators.http import require_GET

from outreach import text
from outreach.forms import AskForm, CodeForm, PhoneForm, PreferencesForm
from outreach.models import ContentItem
from outreach.services import public
from outreach.services.content import story_consent_q
from registry.client_ip import client_ip
from registry.models import Agency

K = ContentItem.Kind
SECTIONS: dict[str, dict[str, Any]] = {
    "tin-tuc": {"title": "Tin tức", "kinds": [K.NEWS, K.REBUTTAL]},
    "chinh-sach": {"title": "Chính sách, thủ tục", "kinds": [K.POLICY, K.GUIDANCE, K.OFFER]},
    "hoi-dap": {"title": "Hỏi – đáp", "kinds": [K.QA]},
    "guong-sang": {"title": "Câu chuyện vượt khó", "kinds": [K.STORY]},
    "canh-bao": {"title": "Cảnh báo thủ đoạn lôi kéo", "kinds": [K.WARNING]},
    "video": {"title": "Video", "kinds": [K.VIDEO]},
}
SECTION_OF_KIND = {kind: slug for slug, s in SECTIONS.items() for kind in s["kinds"]}
CACHED = [cache_page(settings.PUBLIC_CACHE_SECONDS), cache_control(public=True)]


def published() -> QuerySet[ContentItem]:
    """What the public may read: published items; a story only while its person's consent to
    publish holds."""
    items = ContentItem.objects.filter(status=ContentItem.Status.PUBLISHED)
    return items.exclude(kind=K.STORY) | items.filter(kind=K.STORY).filter(story_consent_q())


def _context(**extra: Any) -> dict[str, Any]:
    return {
        "sections": SECTIONS,
        "hotline": settings.PUBLIC_HOTLINE,
        "fanpage": settings.PUBLIC_FANPAGE_URL,
        "youtube": settings.PUBLIC_YOUTUBE_URL,
        **extra,
    }


def cached(view: Any) -> Any:
    for decorator in reversed(CACHED):
        view = decorator(view)
    return require_GET(view)


@cached
def home(request: HttpRequest) -> HttpResponse:
    items = published().order_by("-published_at")
    return render(
        request,
        "public/home.html",
        _context(
            latest=list(items.filter(kind__in=[K.NEWS, K.POLICY, K.GUIDANCE, K.REBUTTAL])[:4]),
            warnings=list(items.filter(kind=K.WARNING)[:2]),
            story=items.filter(kind=K.STORY).first(),
        ),
    )


@cached
def section(request: HttpRequest, slug: str) -> HttpResponse:
    if slug not in SECTIONS:
        raise Http404
    items = list(published().filter(kind__in=SECTIONS[slug]["kinds"]).order_by("-published_at"))
    query = (request.GET.get("q") or "").strip()[:100]
    if query:
        # Diacritics and case do not matter: "vay von" finds "vay vốn".
        words = text.fold(query).split()
        items = [
            i
            for i in items
            if all(w in text.fold(f"{i.title} {i.summary} {i.body}") for w in words)
        ]
    return render(
        request,
        "public/section.html",
        _context(slug=slug, section=SECTIONS[slug], items=items, query=query),
    )


def search_items(query: str) -> list[ContentItem]:
    """Published articles, policies and Q&A whose title, summary or text hold every word of the
    query, diacritics and case ignored ("vay von" finds "vay vốn", "Đăng ký" finds "dang ky");
    titles that match rank first."""
    words = text.fold(query).split()
    if not words:
        return []
    hits: list[tuple[int, ContentItem]] = []
    for item in published().order_by("-published_at"):
        title = text.fold(item.title)
        if all(w in f"{title} {text.fold(item.summary)} {text.fold(item.body)}" for w in words):
            hits.append((0 if all(w in title for w in words) else 1, item))
    return [item for _rank, item in sorted(hits, key=lambda h: h[0])]


@cached
def search(request: HttpRequest) -> HttpResponse:
    query = (request.GET.get("q") or "").strip()[:100]
    items = search_items(query) if query else []
    for item in items:
        item.section_title = SECTIONS[SECTION_OF_KIND.get(item.kind, "tin-tuc")]["title"]
    return render(request, "public/search.html", _context(items=items, query=query))


@require_GET
def zalo_link(request: HttpRequest) -> HttpResponse:
    """Where a link code's QR code leads: the code, large, and the way to the OA chat. The page
    never checks the code (it must not tell a visitor whether a code is valid)."""
    from outreach.services.zalo_links import CODE_PATTERN, oa_chat_url

    raw = (request.GET.get("ma") or "").strip().upper()[:12]
    code = raw if CODE_PATTERN.fullmatch(raw) else ""
    return render(request, "public/zalo_link.html", _context(code=code, oa_url=oa_chat_url()))


@cached
def article(request: HttpRequest, slug: str) -> HttpResponse:
    item = get_object_or_404(published(), slug=slug)
    body = text.PLACEHOLDER.sub("bạn", item.body)  # placeholders make no sense on the web
    return render(
        request,
        "public/article.html",
        _context(
            item=item,
            body=body,
            section_slug=SECTION_OF_KIND.get(item.kind, "tin-tuc"),
            canonical=request.build_absolute_uri(),
        ),
    )


@cached
def contacts(request: HttpRequest) -> HttpResponse:
    police = (
        Agency.objects.filter(kind="police", level="commune", jurisdiction__isnull=False)
        .select_related("jurisdiction")
        .order_by("jurisdiction__name")
    )
    return render(request, "public/contacts.html", _context(police=list(police)))


def _client_ip(request: HttpRequest) -> str:
    return client_ip(request)  # behind the TLS proxy: the visitor's, not the proxy's


def ask(request: HttpRequest) -> HttpResponse:
    form = AskForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                public.question_submit(
                    body=form.cleaned_data["body"],
                    phone=form.cleaned_data["phone"],
                    honeypot=form.cleaned_data["website"],
                    ip=_client_ip(request),
                )
                return redirect(reverse("public-ask") + "?da-gui=1")
            except ValidationError as error:
                for field, messages in error.message_dict.items():
                    for message in messages:
                        form.add_error(field if field in form.fields else None, message)
            except public.RateLimitedError as error:
                form.add_error(None, str(error))
                status = 429
        if status == 200:
            status = 400
    return render(
        request,
        "public/ask.html",
        _context(form=form, sent=request.GET.get("da-gui") == "1"),
        status=status,
    )


SESSION_PHONE = "public_phone"
SESSION_VERIFIED = "public_verified"
VERIFIED_SECONDS = 15 * 60


def my_messages(request: HttpRequest) -> HttpResponse:
    """Three steps on one address: the number, the code, the choices. The number lives in the
    session, never in a URL; every number gets the same answers."""
    verified = request.session.get(SESSION_VERIFIED)
    if verified and verified["until"] > timezone.now().timestamp():
        return _preferences(request, verified["index"])
    step = request.POST.get("step") or request.GET.get("buoc") or "phone"
    if step == "code" and request.session.get(SESSION_PHONE):
        return _code(request)
    return _phone(request)


def _phone(request: HttpRequest) -> HttpResponse:
    form = PhoneForm(request.POST if request.POST.get("step") == "phone" else None)
    status = 200
    if form.is_bound:
        status = 400
        if form.is_valid():
            try:
                public.code_request(
                    phone=form.cleaned_data["phone"],
                    channel=form.cleaned_data["channel"],
                    ip=_client_ip(request),
                )
                request.session[SESSION_PHONE] = form.cleaned_data["phone"]
                return redirect(reverse("public-messages") + "?buoc=code")
            except ValidationError as error:
                form.add_error("phone", error.messages[0])
            except public.RateLimitedError as error:
                form.add_error(None, str(error))
                status = 429
    return render(request, "public/messages_phone.html", _context(form=form), status=status)


def _code(request: HttpRequest) -> HttpResponse:
    form = CodeForm(request.POST if request.POST.get("step") == "code" else None)
    status = 200
    if form.is_bound:
        status = 400
        if form.is_valid():
            try:
                index = public.code_verify(
                    phone=request.session[SESSION_PHONE], code=form.cleaned_data["code"]
                )
                request.session.cycle_key()
                request.session[SESSION_VERIFIED] = {
                    "index": index,
                    "until": timezone.now().timestamp() + VERIFIED_SECONDS,
                }
                request.session.pop(SESSION_PHONE, None)
                return redirect("public-messages")
            except public.CodeRefusedError as error:
                form.add_error("code", str(error))
    return render(request, "public/messages_code.html", _context(form=form), status=status)


def _preferences(request: HttpRequest, index: str) -> HttpResponse:
    current = public.preferences(index)
    form = PreferencesForm(request.POST or None, initial=current)
    saved = request.GET.get("da-luu") == "1"
    if request.method == "POST" and form.is_valid():
        if request.POST.get("done"):
            request.session.pop(SESSION_VERIFIED, None)
            return redirect("public-home")
        public.preferences_set(
            index=index,
            wanted=form.cleaned_data,
            stop_all=bool(request.POST.get("stop_all")),
        )
        return redirect(reverse("public-messages") + "?da-luu=1")
    return render(
        request,
        "public/messages_preferences.html",
        _context(form=form, current=current, saved=saved),
    )


class LatestFeed(Feed):
    feed_type = Atom1Feed
    title = "Con đường hướng thiện"
    subtitle = "Tin tức, chính sách và hỏi – đáp về tái hòa nhập cộng đồng tỉnh Sơn La"

    def link(self) -> str:
        return reverse("public-home")

    def items(self) -> QuerySet[ContentItem]:
        return published().exclude(kind=K.VIDEO).order_by("-published_at")[:30]

    def item_title(self, item: ContentItem) -> str:
        return item.title

    def item_description(self, item: ContentItem) -> str:
        return item.summary or item.body[:300]

    def item_link(self, item: ContentItem) -> str:
        return reverse("public-article", args=[item.slug])

    def item_pubdate(self, item: ContentItem) -> Any:
        return item.published_at


@cached
def sitemap(request: HttpRequest) -> HttpResponse:
    base = request.build_absolute_uri("/").rstrip("/")
    urls = [reverse("public-home"), reverse("public-contacts"), reverse("public-ask")]
    urls += [reverse("public-section", args=[s]) for s in SECTIONS]
    items = list(published().order_by("-published_at").values_list("slug", "updated_at"))
    lines = ['<?xml version="1.0" encoding="UTF-8"?>']
    lines.append('<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">')
    lines += [f"<url><loc>{base}{u}</loc></url>" for u in urls]
    lines += [
        f"<url><loc>{base}{reverse('public-article', args=[slug])}</loc>"
        f"<lastmod>{updated:%Y-%m-%d}</lastmod></url>"
        for slug, updated in items
    ]
    lines.append("</urlset>")
    return HttpResponse("\n".join(lines), content_type="application/xml")
