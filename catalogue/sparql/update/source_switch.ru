#+ title: Make a version of a source current
#+ description: The registry's pointers to the source's current graph and quarantine replaced, and the run's provenance added: one operation (so one transaction on every server, Virtuoso included, which keeps the earlier operations of a request when a later one fails), so readers see the old version or the new one, never a mix, whatever the size of the data. Only if the source's current graph is still the one the run started from (cat:none: it had none): otherwise nothing changes, as when another process stored a version of the source meanwhile (the per-source lock is per process). Only, too, if every other source's current graph is one of those the run's ownership check saw (seen): a record belongs to the source that publishes it first, so a run must not publish a record another source's run made its own meanwhile; the run checks again and retries when another source's version changed.
#+ param: registry iri The registry graph
#+ param: source iri The source's resource
#+ param: expected iri The current graph the run started from (cat:none for none)
#+ param: seen iris The other sources' current graphs when the run checked ownership
#+ param: pointers triples The source, its slug, its current graph and quarantine
#+ param: provenance iri The provenance graph
#+ param: activity triples The run's provenance
PREFIX cat: <https://catalogue.example.org/def/catalogue#>
DELETE { GRAPH ?registry { ?source ?p ?o } }
INSERT {
  GRAPH ?registry {
#+ triples pointers
  }
  GRAPH ?provenance {
#+ triples activity
  }
}
WHERE {
  OPTIONAL { GRAPH ?registry { ?source cat:graph ?now } }
  FILTER (COALESCE(?now, cat:none) = ?expected)
  FILTER NOT EXISTS {
    GRAPH ?registry { ?other cat:slug ?slug ; cat:graph ?theirs }
    FILTER (?other != ?source)
    FILTER NOT EXISTS {
#+ values seen
      FILTER (?seen = ?theirs)
    }
  }
  OPTIONAL { GRAPH ?registry { ?source ?p ?o } VALUES ?p { cat:graph cat:quarantine } }
}
