#+ title: Renew a claim on a background job's lease
#+ description: Pushes back the end of this process's claim, if it is still there (a claim dropped as expired is not revived).
#+ param: leases iri The leases graph (private)
#+ param: claim iri This process's claim
#+ param: until literal The new end of the claim (xsd:dateTime)
PREFIX cat: <https://catalogue.example.org/def/catalogue#>
DELETE { GRAPH ?leases { ?claim cat:leaseUntil ?old } }
INSERT { GRAPH ?leases { ?claim cat:leaseUntil ?until } }
WHERE { GRAPH ?leases { ?claim cat:claims ?lease ; cat:leaseUntil ?old } }
