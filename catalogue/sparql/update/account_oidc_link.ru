#+ title: Link an OpenID Connect identity to an account
#+ description: One identity, one account: the identity leaves whichever account had it.
#+ param: accounts iri The accounts graph
#+ param: subject literal The identity ("issuer|sub")
#+ param: data triples The link
PREFIX cat: <https://catalogue.example.org/def/catalogue#>
DELETE WHERE { GRAPH ?accounts { ?u cat:oidcSubject ?subject } } ;
INSERT DATA { GRAPH ?accounts {
#+ triples data
} }
