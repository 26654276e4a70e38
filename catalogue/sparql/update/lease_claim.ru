#+ title: Claim a background job's lease
#+ description: Drops the lease's expired claims, then adds this claim unless another live one is there. Two processes may still both add theirs at the same moment (a store without write conflicts, such as Oxigraph, runs both): the caller reads the claims back after a pause and marks its claim only if it is the earliest live one (lease_mark.ru).
#+ param: leases iri The leases graph (private)
#+ param: lease iri The lease
#+ param: now literal The time claims are compared with (xsd:dateTime)
#+ param: data triples The claim: cat:claims, cat:leaseOwner, cat:leaseTaken, cat:leaseUntil
PREFIX cat: <https://catalogue.example.org/def/catalogue#>
DELETE { GRAPH ?leases { ?old ?p ?o } }
WHERE { GRAPH ?leases { ?old cat:claims ?lease ; cat:leaseUntil ?until ; ?p ?o FILTER (?until <= ?now) } } ;
INSERT { GRAPH ?leases {
#+ triples data
} }
WHERE { FILTER NOT EXISTS { GRAPH ?leases { ?other cat:claims ?lease ; cat:leaseUntil ?live FILTER (?live > ?now) } } }
