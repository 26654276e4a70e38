"""What others harvest from us: the paged DCAT catalogue, VoID and the sitemap
(``documents``), and the public data in bulk, dumps and counts (``public``, reached as
``Catalogue.feeds``)."""

from catalogue.feeds.documents import (
    PREFIXES,
    CatalogPage,
    HarvestParamError,
    PageNotFoundError,
    Paging,
    SitemapEntry,
    parse_paging,
    sitemap_index,
    sitemap_part,
    sitemap_parts,
    urlset,
)
from catalogue.feeds.public import Feeds

__all__ = ["PREFIXES", "CatalogPage", "Feeds", "HarvestParamError", "PageNotFoundError", "Paging",
           "SitemapEntry", "parse_paging", "sitemap_index", "sitemap_part", "sitemap_parts", "urlset"]
