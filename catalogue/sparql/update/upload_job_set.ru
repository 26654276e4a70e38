#+ title: Record an upload job's new state
#+ description: The given properties of the job are replaced by the new ones (an end state replaces whatever end was recorded).
#+ param: jobs iri The jobs graph
#+ param: job iri The job
#+ param: replaced iris The properties replaced
#+ param: data triples The job's new state
DELETE { GRAPH ?jobs { ?job ?replaced ?o } } WHERE { GRAPH ?jobs { ?job ?replaced ?o }
#+ values replaced
} ;
INSERT DATA { GRAPH ?jobs {
#+ triples data
} }
