#+ title: Set or end a subscription
#+ description: A subscription's facts are replaced (none given: it ends).
#+ param: subscriptions iri The subscriptions graph
#+ param: subscription iri The subscription
#+ param: data triples The subscription, if any
DELETE WHERE { GRAPH ?subscriptions { ?subscription ?p ?o } } ;
INSERT DATA { GRAPH ?subscriptions {
#+ triples data
} }
