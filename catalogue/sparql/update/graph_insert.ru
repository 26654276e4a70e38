#+ title: Add triples to a graph
#+ description: The triples as they are: an account, a role, a token, a moderator's decision on duplicates.
#+ param: graph iri The graph
#+ param: data triples The triples to add
INSERT DATA { GRAPH ?graph {
#+ triples data
} }
