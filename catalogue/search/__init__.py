"""Full-text search with facets over a derived index (tantivy), kept beside the store.

The index is never a record of truth: ``catalogue index`` rebuilds it from the store, and
``Catalogue.search`` (``upkeep.py``, the index as one catalogue keeps it) refreshes one
source after each ingest. See ``index.py`` for the choice of engine, ``documents.py`` for
what is indexed and ``query.py`` for searching.
"""

from catalogue.search.documents import FACETS, LICENCE_TERMS, Record, read_labels, read_records
from catalogue.search.index import Hidden, SearchIndex, SearchIndexError, index_path, open_index
from catalogue.search.query import (
           ALL_VALUES,
           PAGE_SIZE,
           SORTS,
           FacetValue,
           Hit,
           SearchRequest,
           SearchRequestError,
           SearchResult,
           breakdown,
           count,
           search,
)

__all__ = ["ALL_VALUES", "FACETS", "FacetValue", "Hit", "breakdown", "count", "LICENCE_TERMS", "PAGE_SIZE", "Hidden", "SORTS", "Record", "SearchIndex", "SearchIndexError",
           "SearchRequest", "SearchRequestError", "SearchResult", "index_path", "open_index",
           "read_labels", "read_records", "search"]
