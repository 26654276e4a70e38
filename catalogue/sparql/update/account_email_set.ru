#+ title: Set an account's e-mail address
#+ description: The account's foaf:mbox is replaced by the one given (none: removed).
#+ param: accounts iri The accounts graph
#+ param: user iri The account
#+ param: data triples The new foaf:mbox, if any
PREFIX foaf: <http://xmlns.com/foaf/0.1/>
DELETE WHERE { GRAPH ?accounts { ?user foaf:mbox ?old } } ;
INSERT DATA { GRAPH ?accounts {
#+ triples data
} }
