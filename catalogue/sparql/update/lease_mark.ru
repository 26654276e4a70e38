#+ title: Mark a claim on a background job's lease as holding it
#+ description: Marks this process's claim once the claims read back showed it the earliest live one and none other marked; the caller then reads the claims once more and withdraws if another live claim is marked too (two claimants that read different claims), so at most one process ever holds a lease (catalogue/background/lease.py).
#+ param: leases iri The leases graph (private)
#+ param: claim iri This process's claim
PREFIX cat: <https://catalogue.example.org/def/catalogue#>
INSERT { GRAPH ?leases { ?claim cat:leaseHeld true } }
WHERE { GRAPH ?leases { ?claim cat:claims ?lease } }
