"""Where shenpi answers, on purpose, what the Node SDK's declarations refuse: each entry names the endpoint, the
tsc error it allows (by the text tsc points at and its message) and why. Nothing else is let through: another
field, another endpoint or another kind of error still fails the check."""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Disagreement:
    endpoint: str
    at: re.Pattern[str]  # the JSON text from where tsc points
    message: re.Pattern[str]
    why: str


KNOWN = [
    Disagreement(
        "approval.v4.instance.list", re.compile(r'^"data": \{"instance_code_list": '),
        re.compile(r"^TS2741: Property 'page_token' is missing"),
        "the page says page_token comes back only while has_more is true; the SDK declares it always there"),
    Disagreement(
        "approval.v4.instance_comment.list", re.compile(r'^"(has_more|page_token)": '),
        re.compile(r"""^TS2353: Object literal may only specify known properties, and '"(has_more|page_token)"'"""),
        "the page takes page_token and says the next one comes back, but its answer table (and the SDK) list "
        "only comments: shenpi answers has_more and page_token so that a client can page"),
]

# Endpoints no SDK declares a method for: their answers are checked against the contract only.
WITHOUT_SDK_METHOD = {
    "approval.v2.file.upload": "the upload page tells clients to call it raw (the SDKs' raw request, multipart)",
}


def allowed(endpoint: str, message: str, at: str) -> Disagreement | None:
    for d in KNOWN:
        if d.endpoint == endpoint and d.message.search(message) and d.at.search(at):
            return d
    return None
