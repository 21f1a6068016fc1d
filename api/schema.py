"""Schema post-processing: every operation documents the API's one error shape for the error
statuses it can answer, so that clients (and schemathesis) know them."""

from __future__ import annotations

from typing import Any

ERROR = {
    "type": "object",
    "properties": {
        "message": {"type": "string"},
        "extra": {"type": "object", "additionalProperties": True},
    },
    "required": ["message", "extra"],
}
STATUSES = {
    "400": "Dữ liệu chưa hợp lệ / invalid input",
    "401": "Chưa đăng nhập / not authenticated",
    "403": "Không được phép / forbidden action",
    "404": "Không tìm thấy hoặc ngoài phạm vi / not found or out of scope",
    "409": "Xung đột trạng thái hoặc phiên bản / illegal transition or edit conflict",
    "429": "Quá nhiều yêu cầu / throttled",
}


def add_error_responses(
    result: dict[str, Any], generator: Any, request: Any, public: bool
) -> dict[str, Any]:
    result.setdefault("components", {}).setdefault("schemas", {})["Error"] = ERROR
    reference = {"$ref": "#/components/schemas/Error"}
    for path in result.get("paths", {}).values():
        for operation in path.values():
            responses = operation.setdefault("responses", {})
            for code, description in STATUSES.items():
                responses.setdefault(
                    code,
                    {
                        "description": description,
                        "content": {"application/json": {"schema": reference}},
                    },
                )
    return result
