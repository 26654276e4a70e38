#+ title: Claim a source for a harvest
#+ description: Marks a harvest running, unless one that started after the stale time still is, and only while the source is configured: one transaction, so of two claimants one wins.
#+ param: registry iri The registry graph
#+ param: source iri The source's resource
#+ param: stale literal A running harvest that started before this is taken for dead (xsd:dateTime)
#+ param: predicate iris The harvest state's properties, replaced
#+ param: data triples The new state (started, running, message)
PREFIX cat: <https://catalogue.example.org/def/catalogue#>
DELETE { GRAPH ?registry { ?source ?predicate ?o } }
INSERT { GRAPH ?registry {
#+ triples data
} }
WHERE { GRAPH ?registry {
  ?source cat:harvestURL ?url .
  FILTER NOT EXISTS { ?source cat:lastHarvestStatus "running" ;
    cat:lastHarvestStarted ?since FILTER(?since > ?stale) }
  OPTIONAL { ?source ?predicate ?o
#+ values predicate
  }
} }
