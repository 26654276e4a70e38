#+ title: Set or remove a membership
#+ description: One membership's facts are replaced (none given: the membership ends) and the act is recorded, in one update.
#+ param: membership iri The membership graph
#+ param: node iri The membership
#+ param: data triples The new membership, if any, and the act
DELETE WHERE { GRAPH ?membership { ?node ?p ?o } } ;
INSERT DATA { GRAPH ?membership {
#+ triples data
} }
