from typing import Any

from django.utils.translation import gettext as _
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.pagination import CursorPagination


class NewestFirstCursor(CursorPagination):
    """Opaque cursors, newest first; a page costs the same wherever it is (no COUNT, no OFFSET).
    A cursor that is not one of ours is bad input (400), whatever it decodes to."""

    page_size = 50
    max_page_size = 200
    page_size_query_param = "page_size"
    ordering = "-id"
    invalid_cursor_message = "invalid cursor"

    def get_schema_operation_parameters(self, view: Any) -> list[dict[str, Any]]:
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            if parameter["name"] == self.page_size_query_param:
                parameter["schema"].update(minimum=1, maximum=self.max_page_size)
        return parameters

    def get_page_size(self, request: Any) -> int:
        given = request.query_params.getlist(self.page_size_query_param)
        if given and (
            len(given) > 1 or not given[0].isdigit() or not 1 <= int(given[0]) <= self.max_page_size
        ):
            raise ValidationError(
                {self.page_size_query_param: [_("Số dòng mỗi trang không hợp lệ.")]}
            )
        return super().get_page_size(request)

    def decode_cursor(self, request: Any) -> Any:
        try:
            cursor = super().decode_cursor(request)
        except NotFound as error:
            raise ValidationError({"cursor": [_("Con trỏ trang không hợp lệ.")]}) from error
        position = None if cursor is None else cursor.position
        if position is not None and not (
            str(position).lstrip("-").isdigit() and len(str(position)) <= 19
        ):
            raise ValidationError({"cursor": [_("Con trỏ trang không hợp lệ.")]})
        return cursor
