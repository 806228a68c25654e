"""GeoReport v2 output in XML and JSON from one structure (the spec's "Spark convention").

A response body is built as plain Python data: dicts (elements with children), lists (an
element wrapping repeated children, named by LIST_ITEMS) and scalars. JSON is that data as it
is; XML is the same tree under a root element. Booleans are `true`/`false`, None is an empty
element in XML and null in JSON.
"""

from __future__ import annotations

import json
import re
from datetime import datetime
from decimal import Decimal
from typing import Any
from xml.etree import ElementTree as ET

from django.http import HttpResponse

# The element name of one entry of each list (GeoReport v2 and Service Discovery).
LIST_ITEMS = {
    "services": "service",
    "service_requests": "request",
    "service_request_updates": "request_update",
    "attributes": "attribute",
    "values": "value",
    "errors": "error",
    "endpoints": "endpoint",
    "formats": "format",
}
CONTENT_TYPES = {"xml": "text/xml; charset=utf-8", "json": "application/json; charset=utf-8"}
# Characters XML 1.0 cannot carry at all (a stray control character would break every parser).
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _scalar(value: Any) -> Any:
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, datetime):
        return value.isoformat(timespec="seconds")
    return value


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {key: _jsonable(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(item) for item in value]
    return _scalar(value)


def _text(value: Any) -> str | None:
    value = _scalar(value)
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    return _NOT_XML.sub("", str(value))


def _fill(element: ET.Element, value: Any) -> None:
    if isinstance(value, dict):
        for key, item in value.items():
            _fill(ET.SubElement(element, key), item)
    elif isinstance(value, list | tuple):
        child = LIST_ITEMS[element.tag]
        for item in value:
            _fill(ET.SubElement(element, child), item)
    else:
        element.text = _text(value)


def to_xml(root: str, data: Any) -> str:
    element = ET.Element(root)
    _fill(element, data)
    body = ET.tostring(element, encoding="unicode")
    return f'<?xml version="1.0" encoding="utf-8"?>\n{body}'


def to_json(data: Any) -> str:
    return json.dumps(_jsonable(data), ensure_ascii=False)


def render(fmt: str, root: str, data: Any, status: int = 200) -> HttpResponse:
    """`root` names the XML root element (and the list's element, through LIST_ITEMS)."""
    body = to_xml(root, data) if fmt == "xml" else to_json(data)
    return HttpResponse(body.encode(), status=status, content_type=CONTENT_TYPES[fmt])


def render_errors(fmt: str, status: int, descriptions: list[str]) -> HttpResponse:
    """The spec's error list; the code of each error is the HTTP status."""
    errors = [{"code": status, "description": text} for text in descriptions]
    return render(fmt, "errors", errors, status=status)
