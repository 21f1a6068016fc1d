from rest_framework.pagination import CursorPagination


class NewestFirstCursor(CursorPagination):
    """Opaque cursors, newest first; a page costs the same wherever it is (no COUNT, no OFFSET)."""

    page_size = 50
    max_page_size = 200
    page_size_query_param = "page_size"
    ordering = "-id"
