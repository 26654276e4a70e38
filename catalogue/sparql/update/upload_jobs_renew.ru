#+ title: Renew the leases of upload jobs
#+ description: Pushes back the lease of the given jobs this process holds that are still queued or running.
#+ param: jobs iri The jobs graph
#+ param: job iris The jobs
#+ param: owner literal This process
#+ param: until literal The new end of the lease (xsd:dateTime)
PREFIX cat: <https://catalogue.example.org/def/catalogue#>
DELETE { GRAPH ?jobs { ?job cat:leaseUntil ?old } }
INSERT { GRAPH ?jobs { ?job cat:leaseUntil ?until } }
WHERE {
#+ values job
  GRAPH ?jobs { ?job cat:leaseOwner ?owner ; cat:status ?s ; cat:leaseUntil ?old
    FILTER (?s IN ("queued", "running")) } }
