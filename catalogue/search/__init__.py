"""Full-text search with facets over a derived index (tantivy), kept beside the store.

The index is never a record of truth: ``catalogue index`` rebuilds it from the store, and
``Catalogue.reindex`` refreshes one source after each ingest. See ``index.py`` for the
choice of engine, ``documents.py`` for what is indexed and ``query.py`` for searching.
"""

from .documents import FACETS, Record, read_labels, read_records
from .index import Hidden, SearchIndex, SearchIndexError, index_path, open_index
from .query import PAGE_SIZE, SORTS, SearchRequest, SearchRequestError, SearchResult, search

__all__ = ["FACETS", "PAGE_SIZE", "Hidden", "SORTS", "Record", "SearchIndex", "SearchIndexError",
           "SearchRequest", "SearchRequestError", "SearchResult", "index_path", "open_index",
           "read_labels", "read_records", "search"]
