#+ title: Remove triples from a graph
#+ description: Exactly these triples (no blank nodes): a role, a source or a collection taken from an account.
#+ param: graph iri The graph
#+ param: data triples The triples to remove
DELETE DATA { GRAPH ?graph {
#+ triples data
} }
