#+ title: Record an upload job's new state
#+ description: The given properties of the job are replaced by the new ones (an end state replaces whatever end was recorded).
#+ param: jobs iri The jobs graph
#+ param: job iri The job
#+ param: replaced iris The properties replaced
#+ param: data triples The job's new state
# one operation, so a reader never sees the job between its old state and its new one
# (Virtuoso runs a request's operations one by one)
DELETE { GRAPH ?jobs { ?job ?replaced ?o } }
INSERT { GRAPH ?jobs {
#+ triples data
} }
WHERE {
  OPTIONAL { GRAPH ?jobs { ?job ?replaced ?o }
#+ values replaced
  }
}
