#+ title: An invitation is used
#+ description: The invitation link stops working.
#+ param: membership iri The membership graph
#+ param: invitation iri The invitation
DELETE WHERE { GRAPH ?membership { ?invitation ?p ?o } }
