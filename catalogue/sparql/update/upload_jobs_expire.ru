#+ title: End upload jobs whose process stopped
#+ description: The jobs still queued or running, not held by this process, and (lease_only) with an expired (leaseUntil at or before now) or no lease, end as failed with the reason; a job its live owner renewed or ended meanwhile is left alone.
#+ param: jobs iri The jobs graph
#+ param: job iris The jobs to end
#+ param: owner literal This process, which holds its own jobs
#+ param: now literal The time leases are compared with (xsd:dateTime)
#+ param: lease_only literal Whether only jobs with an expired or no lease end (xsd:boolean)
#+ param: ended literal When they ended (xsd:dateTime)
#+ param: report literal Their report, saying why (rdf:JSON)
PREFIX cat: <https://catalogue.example.org/def/catalogue#>
DELETE { GRAPH ?jobs { ?job cat:status ?s . ?job cat:leaseUntil ?until } }
INSERT { GRAPH ?jobs { ?job cat:status "failed" ; cat:ended ?ended ; cat:report ?report } }
WHERE {
#+ values job
  GRAPH ?jobs { ?job a cat:UploadJob ; cat:status ?s . FILTER (?s IN ("queued", "running"))
    OPTIONAL { ?job cat:leaseUntil ?until } OPTIONAL { ?job cat:leaseOwner ?leaseOwner }
    FILTER (!BOUND(?leaseOwner) || ?leaseOwner != ?owner)
    FILTER (!?lease_only || !BOUND(?until) || ?until <= ?now) } }
