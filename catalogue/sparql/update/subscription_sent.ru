#+ title: A subscription's mail went
#+ description: The moment of its last mail moves forward: what was published before it is not sent again.
#+ param: subscriptions iri The subscriptions graph
#+ param: subscription iri The subscription
#+ param: data triples The new moment
PREFIX cat: <https://catalogue.example.org/def/catalogue#>
DELETE WHERE { GRAPH ?subscriptions { ?subscription cat:lastSent ?old } } ;
INSERT DATA { GRAPH ?subscriptions {
#+ triples data
} }
