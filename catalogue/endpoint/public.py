"""The public SPARQL endpoint of one catalogue: a visitor's query, checked, then answered by
a killable worker over the public graphs only.

Reached as ``Catalogue.endpoint`` (``Catalogue.public_query`` until issue 11). What a query
may do is ``checks``; the worker processes and the public snapshot are ``workers``; this
class chooses the dataset (which graphs are public at this data version) and owns the
workers, started on the first query and stopped by ``Catalogue.close``.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from typing import TYPE_CHECKING

from catalogue.endpoint.checks import Answer, check_query, dataset_clause
from catalogue.endpoint.workers import Job, QueryTimeout, QueryWorkers
from catalogue.operations import QueryTimedOut

if TYPE_CHECKING:
    from catalogue.app import Catalogue


class Endpoint:
    """Visitors' queries over the public dataset."""

    def __init__(self, root: Catalogue) -> None:
        self._root = root
        self._lock = threading.Lock()
        self._workers: QueryWorkers | None = None

    def close(self) -> None:
        if self._workers is not None:
            self._workers.close()
            self._workers = None

    def query(
        self,
        text: str,
        *,
        results_format: str,
        graph_format: str,
        default_graph_uris: Sequence[str] = (),
        named_graph_uris: Sequence[str] = (),
        base_iri: str | None = None,
    ) -> Answer:
        """A visitor's query, in a killable worker, over the public dataset (or the public
        graphs among those named by ``default-graph-uri`` / ``named-graph-uri``, else by the
        query's ``FROM`` / ``FROM NAMED``: other graphs are simply absent, so nothing private
        can be named into view).

        :raise QueryTimeout, EndpointBusy, RefusedQuery, QuerySyntaxError, TooManyResults:
        """
        check_query(text)  # refuse before taking a worker
        whole = not (default_graph_uris or named_graph_uris)
        if whole:  # the query's FROM / FROM NAMED, if any, are its dataset
            clause = dataset_clause(text, base_iri)
            if clause is not None:
                default_graph_uris, named_graph_uris = clause
                whole = False
        root = self._root
        public = [g.value for g in root.public_dataset().default_graphs or []]
        default = public if whole else [g for g in default_graph_uris if g in set(public)]
        named = public if whole else [g for g in named_graph_uris if g in set(public)]
        if self._workers is None:
            store = root.store  # opened outside the lock below
            with self._lock:
                if self._workers is None:
                    self._workers = QueryWorkers(root.settings, store)
        # visible comments change without the data version: a hidden one leaves at once
        snapshot = self._workers.snapshot(root.data_version().token + root.comments.version(), public)
        job = Job(text, tuple(default), tuple(named), results_format, graph_format,
                  root.settings.sparql_max_results, snapshot.path if snapshot else None,
                  base_iri, union=whole and snapshot is not None and snapshot.public_only)
        try:
            return self._workers.run(job)
        except QueryTimeout:
            root.operations.emit(QueryTimedOut(root.settings.sparql_timeout))  # counted for /-/metrics
            raise
