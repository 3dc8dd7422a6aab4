"""The application layer: the one door to the store.

Every operation a client, the web inbox, the CLI or the admin API can ask for is one typed method on one of the
areas of :class:`Shenpi` (``svc.instances.approve``, ``svc.definitions.create``, ...). Each method runs in one
store transaction with the pure engine in the middle; nothing outside this package and ``shenpi.store`` opens
a transaction.
"""

from shenpi.app.core import Shenpi
from shenpi.app.external import ExternalFilter
from shenpi.app.instances import InstanceView
from shenpi.app.search import Found
from shenpi.store.records import Cursor, Page, SearchFilter

__all__ = ["Cursor", "ExternalFilter", "Found", "InstanceView", "Page", "SearchFilter", "Shenpi"]
