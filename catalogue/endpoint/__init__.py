"""The public SPARQL endpoint's domain side: what a query may do and on which graphs
(``checks``), and the worker processes and public snapshot that answer it (``workers``)."""
