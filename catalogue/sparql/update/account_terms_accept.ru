#+ title: An account accepts the terms of use
#+ description: The version accepted and when replace the earlier acceptance.
#+ param: accounts iri The accounts graph
#+ param: user iri The account
#+ param: data triples The version accepted and when
PREFIX cat: <https://catalogue.example.org/def/catalogue#>
DELETE WHERE { GRAPH ?accounts { ?user cat:acceptedTerms ?version } } ;
DELETE WHERE { GRAPH ?accounts { ?user cat:acceptedTermsAt ?at } } ;
INSERT DATA { GRAPH ?accounts {
#+ triples data
} }
