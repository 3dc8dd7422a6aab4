"""A ``multipart/form-data`` body read into its fields: the upload page's ``name``, ``type`` and ``content``."""

from __future__ import annotations

from dataclasses import dataclass, field

from python_multipart.multipart import MultipartParser, parse_options_header

from shenpi.engine.errors import ParamInvalid


@dataclass(slots=True)
class Part:
    name: str
    filename: str | None
    data: bytearray = field(default_factory=bytearray)


def parse_form_data(content_type: str, body: bytes) -> dict[str, Part]:
    """The parts of the body by field name (the first of a name wins); 1390001 when it is not multipart."""
    kind, options = parse_options_header(content_type)
    boundary = options.get(b"boundary")
    if kind != b"multipart/form-data" or not boundary:
        raise ParamInvalid("the body must be multipart/form-data with name, type and content", field="content")
    parts: list[Part] = []
    header_name = bytearray()
    header_value = bytearray()
    headers: dict[bytes, bytes] = {}

    def on_part_begin() -> None:
        headers.clear()

    def on_header_field(data: bytes, start: int, end: int) -> None:
        header_name.extend(data[start:end])

    def on_header_value(data: bytes, start: int, end: int) -> None:
        header_value.extend(data[start:end])

    def on_header_end() -> None:
        headers[bytes(header_name).lower()] = bytes(header_value)
        header_name.clear()
        header_value.clear()

    def on_headers_finished() -> None:
        _, disposition = parse_options_header(headers.get(b"content-disposition", b""))
        filename = disposition.get(b"filename")
        parts.append(Part(disposition.get(b"name", b"").decode("utf-8", "replace"),
                          filename.decode("utf-8", "replace") if filename is not None else None))

    def on_part_data(data: bytes, start: int, end: int) -> None:
        parts[-1].data.extend(data[start:end])

    parser = MultipartParser(boundary, {
        "on_part_begin": on_part_begin, "on_header_field": on_header_field, "on_header_value": on_header_value,
        "on_header_end": on_header_end, "on_headers_finished": on_headers_finished, "on_part_data": on_part_data})
    try:
        parser.write(body)
        parser.finalize()
    except Exception:  # the parser's own errors: the body is not the multipart it says it is
        raise ParamInvalid("the multipart body is malformed", field="content") from None
    out: dict[str, Part] = {}
    for part in parts:
        out.setdefault(part.name, part)
    return out
