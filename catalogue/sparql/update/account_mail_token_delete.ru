#+ title: A link sent by mail is used
#+ description: The link stops working.
#+ param: accounts iri The accounts graph
#+ param: token iri The link
DELETE WHERE { GRAPH ?accounts { ?token ?p ?o } }
