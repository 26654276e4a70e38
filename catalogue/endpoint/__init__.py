"""The public SPARQL endpoint's domain side: what a query may do and on which graphs
(``checks``), and the worker processes and public snapshot that answer it (``workers``)."""

from catalogue.endpoint.checks import graph_formats

__all__ = ["graph_formats"]
