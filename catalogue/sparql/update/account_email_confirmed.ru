#+ title: Give an account a confirmed address
#+ description: An address someone else verified (an OpenID Connect provider) becomes the account's, confirmed.
#+ param: accounts iri The accounts graph
#+ param: user iri The account
#+ param: data triples The account's address and its confirmation
PREFIX cat: <https://catalogue.example.org/def/catalogue#>
PREFIX foaf: <http://xmlns.com/foaf/0.1/>
DELETE WHERE { GRAPH ?accounts { ?user foaf:mbox ?mbox } } ;
DELETE WHERE { GRAPH ?accounts { ?user cat:emailVerified ?verified } } ;
INSERT DATA { GRAPH ?accounts {
#+ triples data
} }
