#+ title: Record how a harvest ended
#+ description: The end, status and message of the run that started at the given time, if no other run took over since.
#+ param: registry iri The registry graph
#+ param: source iri The source's resource
#+ param: started literal When the run started (xsd:dateTime)
#+ param: predicate iris The end state's properties, replaced
#+ param: data triples The new end state
PREFIX cat: <https://catalogue.example.org/def/catalogue#>
DELETE { GRAPH ?registry { ?source ?predicate ?o } }
INSERT { GRAPH ?registry {
#+ triples data
} }
WHERE { GRAPH ?registry {
  ?source cat:lastHarvestStarted ?last FILTER(?last = ?started)
  OPTIONAL { ?source ?predicate ?o
#+ values predicate
  }
} }
