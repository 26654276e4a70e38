#+ title: Release a claim on a background job's lease
#+ description: Drops this process's claim (a claim that lost to an earlier one, or a process stopping): another process may take the lease at once instead of after it expires.
#+ param: leases iri The leases graph (private)
#+ param: claim iri This process's claim
DELETE { GRAPH ?leases { ?claim ?p ?o } }
WHERE { GRAPH ?leases { ?claim ?p ?o } }
