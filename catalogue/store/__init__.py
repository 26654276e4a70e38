"""One store interface, two backends: embedded pyoxigraph on disk, or a remote SPARQL server.

Open it once per process with :func:`open_store`; the embedded store holds a RocksDB lock.
"""

from __future__ import annotations

from catalogue.settings import Settings
from catalogue.store.base import (
    ALL,
    Bindings,
    Dataset,
    Node,
    QuerySyntaxError,
    Rows,
    Store,
    StoreError,
    StoreLockedError,
    Term,
)
from catalogue.store.dialect import Dialect
from catalogue.store.embedded import EmbeddedStore
from catalogue.store.remote import RemoteStore, ResultCapError

__all__ = [
    "ALL",
    "Bindings",
    "Dataset",
    "Dialect",
    "EmbeddedStore",
    "Node",
    "QuerySyntaxError",
    "RemoteStore",
    "ResultCapError",
    "Rows",
    "Store",
    "StoreError",
    "StoreLockedError",
    "Term",
    "open_store",
]


def open_store(settings: Settings) -> Store:
    """The remote endpoint if one is configured, else the embedded store on disk.

    :raise StoreLockedError: the embedded store is open in another process.
    """
    if settings.remote:
        return RemoteStore(
            settings.sparql_query_url, settings.update_url, timeout=settings.remote_timeout,
            store_url=settings.sparql_store_url or None, user=settings.sparql_user or None,
            password=settings.sparql_password or None, dialect=settings.sparql_dialect or None,
        )
    return EmbeddedStore(settings.store)
