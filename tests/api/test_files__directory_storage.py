"""Where uploaded bytes live: in the database by default, so that every server of one database serves a file
another one took; with ``--files DIR``, in the directory (the rows keep the name, type and size)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest

from shenpi.testing import ShenpiProcess, forget_sdk_tokens
from tests.api.files_helpers import file_definition, upload
from tests.api.helpers import create_instance, get_instance
from tests.conftest import start_server
from tests.seeds import test_seed


@pytest.fixture(scope="module")
def two_servers(backend: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[ShenpiProcess, ...]]:
    """Two servers on one database: the first keeps files in the database, the second in a directory of its own."""
    tmp = tmp_path_factory.mktemp("files-storage")
    first = start_server(tmp, "files", backend)
    files_dir = tmp / "uploads"
    (tmp / "second").mkdir()
    second = ShenpiProcess(test_seed(), db=first.db_url, workdir=tmp / "second", args=["--files", str(files_dir)])
    second.start()
    forget_sdk_tokens()
    yield first, second
    second.close()
    first.close()
    forget_sdk_tokens()


def _on(server: ShenpiProcess, url: str) -> str:
    """The same URL on another server of the database."""
    parts = urlsplit(url)
    return f"{server.base_url}{parts.path}?{parts.query}"


# The tests on this module's own servers come last: lark-oapi caches app tokens by app id across servers.
def test_a_file_uploaded_to_one_server_is_served_by_another(two_servers):
    first, second = two_servers
    client = first.client("cli_acme")
    _, doc = upload(client, "plan.pdf", "attachment", b"the plan")
    instance = create_instance(client, file_definition(client), form=[
        {"id": "files", "type": "attachmentV2", "value": [doc["data"]["code"]]}])
    url = next(w for w in json.loads(get_instance(client, instance).form) if w["id"] == "files")["value"][0]
    assert httpx.get(_on(second, url)).content == b"the plan"  # the second server signs with the same key


def test_files_dir_keeps_the_bytes_on_disk(two_servers):
    first, second = two_servers
    forget_sdk_tokens()
    client = second.client("cli_acme")
    status, doc = upload(client, "scan.pdf", "attachment", b"bytes on disk")
    assert status == 200, doc
    code = doc["data"]["code"]
    stored = Path(second.workdir).parent / "uploads" / code
    assert stored.read_bytes() == b"bytes on disk"
    assert httpx.get(doc["data"]["url"]).content == b"bytes on disk"
    # The row is in the database, the bytes are not: a server without the directory cannot serve them.
    assert httpx.get(_on(first, doc["data"]["url"])).status_code == 403
    stored.unlink()
    assert httpx.get(doc["data"]["url"]).status_code == 403
    forget_sdk_tokens()
