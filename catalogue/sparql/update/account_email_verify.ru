#+ title: An address is confirmed
#+ description: The address a confirmation link was sent to becomes the account's, confirmed; the link stops working.
#+ param: accounts iri The accounts graph
#+ param: user iri The account
#+ param: token iri The link that was opened
#+ param: data triples The account's address and its confirmation
PREFIX cat: <https://catalogue.example.org/def/catalogue#>
PREFIX foaf: <http://xmlns.com/foaf/0.1/>
DELETE WHERE { GRAPH ?accounts { ?token ?p ?o } } ;
DELETE WHERE { GRAPH ?accounts { ?user foaf:mbox ?mbox } } ;
DELETE WHERE { GRAPH ?accounts { ?user cat:emailVerified ?verified } } ;
INSERT DATA { GRAPH ?accounts {
#+ triples data
} }
