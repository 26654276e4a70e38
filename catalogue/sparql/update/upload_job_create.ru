#+ title: Create an upload job, within the source's limit
#+ description: One conditional update counts the source's jobs queued or running under a live lease and creates the job only below the limit, so two requests cannot both take the last place.
#+ param: jobs iri The jobs graph
#+ param: source literal The source's slug
#+ param: now literal The time leases are compared with (xsd:dateTime)
#+ param: limit literal How many jobs a source may have at once (xsd:integer)
#+ param: data triples The new job
PREFIX cat: <https://catalogue.example.org/def/catalogue#>
INSERT { GRAPH ?jobs {
#+ triples data
} }
WHERE { { SELECT (COUNT(?other) AS ?n) WHERE { GRAPH ?jobs {
  ?other a cat:UploadJob ; cat:source ?source ; cat:status ?s ; cat:leaseUntil ?until .
  FILTER (?s IN ("queued", "running") && ?until > ?now) } } }
  FILTER (?n < ?limit) }
