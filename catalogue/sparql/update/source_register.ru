#+ title: Register or rename a source
#+ description: The source's name replaced; its data is untouched.
#+ param: registry iri The registry graph
#+ param: source iri The source's resource
#+ param: data triples The source, its slug and its name
PREFIX foaf: <http://xmlns.com/foaf/0.1/>
DELETE WHERE { GRAPH ?registry { ?source foaf:name ?n } } ;
INSERT DATA { GRAPH ?registry {
#+ triples data
} }
