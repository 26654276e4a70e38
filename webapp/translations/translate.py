"""Write the French and German catalogues from messages.pot and the tables below.

Run after changing UI strings (then compile)::

    .venv/bin/pybabel extract -F webapp/babel.cfg -k lazy_gettext -k _ -o webapp/translations/messages.pot .
    .venv/bin/python webapp/translations/translate.py
    .venv/bin/pybabel compile -d webapp/translations

A message missing from a table stays untranslated (English is shown) and is listed.
"""

from __future__ import annotations

from pathlib import Path

from babel.messages.pofile import read_po, write_po

HERE = Path(__file__).resolve().parent

FR = {
    "Solutions implementing this building block": "Solutions qui mettent en œuvre ce composant",
    "Solutions distributed under this licence": "Solutions distribuées sous cette licence",
    "Published solutions and collections": "Solutions et collections publiées",
    "Solutions on this topic": "Solutions sur ce thème",
    "Solutions covering this place": "Solutions couvrant ce territoire",
    "Solutions in this collection": "Solutions de cette collection",
    "Type": "Type",
    "EIRA building block": "Composant EIRA",
    "Topic": "Thème",
    "Spatial coverage": "Couverture géographique",
    "Licence": "Licence",
    "Publisher": "Éditeur",
    "Collection": "Collection",
    "Language": "Langue",
    "relevance": "pertinence",
    "date": "date",
    "title": "titre",
    "Interoperability solutions catalogue": "Catalogue de solutions d'interopérabilité",
    "Main": "Principal",
    "Home": "Accueil",
    "Search": "Rechercher",
    "Queries": "Requêtes",
    "Open data: every fact here is ADMS-AP / DCAT-AP RDF, queryable at":
        "Données ouvertes : chaque fait est du RDF ADMS-AP / DCAT-AP, interrogeable sur",
    "Find and reuse interoperability solutions": "Trouver et réutiliser des solutions d'interopérabilité",
    "Search solutions and collections": "Rechercher des solutions et des collections",
    "e.g. invoice, registre, Konnektor": "p. ex. facture, registre, Konnektor",
    "%(facts)s facts from %(sources)s source(s) and %(vocabularies)s vocabularies.":
        "%(facts)s faits issus de %(sources)s source(s) et de %(vocabularies)s vocabulaires.",
    "Sources": "Sources",
    "Source": "Source",
    "Records": "Fiches",
    "Triples": "Triplets",
    "No source has been loaded yet. Run catalogue init to load the demo catalogue.":
        "Aucune source n'est chargée. Lancez catalogue init pour charger le catalogue de démonstration.",
    "Vocabularies": "Vocabulaires",
    "Persistent URI:": "URI pérenne :",
    "Also as:": "Aussi en :",
    "What the catalogue says about this resource": "Ce que le catalogue dit de cette ressource",
    "Property": "Propriété",
    "Value": "Valeur",
    "All %(count)s in search, with facets": "Les %(count)s dans la recherche, avec facettes",
    "Words": "Mots",
    "Filtered by:": "Filtré par :",
    "remove this filter": "retirer ce filtre",
    "clear all filters": "retirer tous les filtres",
    ("%(num)s result", "%(num)s results"): ("%(num)s résultat", "%(num)s résultats"),
    "Sort by:": "Trier par :",
    "Narrow the results": "Affiner les résultats",
    "%(count)s more: refine the words to see them.": "%(count)s de plus : précisez les mots pour les voir.",
    "Results": "Résultats",
    "Solution": "Solution",
    "modified": "modifié",
    "There is no page %(page)s: the results end on page %(last)s.":
        "Il n'y a pas de page %(page)s : les résultats s'arrêtent à la page %(last)s.",
    "Back to the first page": "Retour à la première page",
    "Nothing matches": "Aucun résultat",
    "with these filters": "avec ces filtres",
    "Remove a filter above, or": "Retirez un filtre ci-dessus, ou",
    "search without any filter": "cherchez sans filtre",
    "Check the spelling, or use fewer or more general words: every word must appear in a title, description or keyword.":
        "Vérifiez l'orthographe, ou utilisez moins de mots ou des mots plus généraux : chaque mot doit figurer dans un titre, une description ou un mot-clé.",
    "Words in any EU language work: “facture”, “Rechnung” and “invoice” each find their own texts.":
        "Les mots de toutes les langues de l'UE fonctionnent : « facture », « Rechnung » et « invoice » trouvent chacun leurs textes.",
    "Browse everything": "Tout parcourir",
    "Pages": "Pages",
    "previous": "précédente",
    "Page %(page)s of %(pages)s": "Page %(page)s sur %(pages)s",
    "next": "suivante",
    "Not available in your language: shown in %(language)s": "Pas disponible dans votre langue : affiché en %(language)s",
    "in": "dans",
    "Published by": "Publié par",
    "Contact": "Contact",
    "Status": "Statut",
    "Last changed": "Dernière modification",
    "Topics": "Thèmes",
    "Languages": "Langues",
    "Keywords": "Mots-clés",
    "Web page": "Page web",
    "Documentation": "Documentation",
    "EIRA building blocks it implements": "Composants EIRA mis en œuvre",
    "What this building block is": "Ce qu'est ce composant",
    "Releases and downloads": "Versions et téléchargements",
    "Distributions of %(release)s": "Distributions de %(release)s",
    "Distribution": "Distribution",
    "Format": "Format",
    "No distribution published for this release.": "Aucune distribution publiée pour cette version.",
    "No release has been published yet.": "Aucune version n'a encore été publiée.",
    "Related solutions": "Solutions apparentées",
    "%(count)s building block(s) in common": "%(count)s composant(s) en commun",
    "This page as data:": "Cette page en données :",
    "Recently changed solutions": "Solutions récemment modifiées",
    "All %(count)s solutions, newest first": "Les %(count)s solutions, les plus récentes d'abord",
    "By topic": "Par thème",
    "By country": "Par pays",
    "By EIRA view": "Par vue EIRA",
}

DE = {
    "Solutions implementing this building block": "Lösungen, die diesen Baustein umsetzen",
    "Solutions distributed under this licence": "Lösungen unter dieser Lizenz",
    "Published solutions and collections": "Veröffentlichte Lösungen und Sammlungen",
    "Solutions on this topic": "Lösungen zu diesem Thema",
    "Solutions covering this place": "Lösungen für dieses Gebiet",
    "Solutions in this collection": "Lösungen in dieser Sammlung",
    "Type": "Art",
    "EIRA building block": "EIRA-Baustein",
    "Topic": "Thema",
    "Spatial coverage": "Räumliche Abdeckung",
    "Licence": "Lizenz",
    "Publisher": "Herausgeber",
    "Collection": "Sammlung",
    "Language": "Sprache",
    "relevance": "Relevanz",
    "date": "Datum",
    "title": "Titel",
    "Interoperability solutions catalogue": "Katalog für Interoperabilitätslösungen",
    "Main": "Hauptmenü",
    "Home": "Startseite",
    "Search": "Suchen",
    "Queries": "Abfragen",
    "Open data: every fact here is ADMS-AP / DCAT-AP RDF, queryable at":
        "Offene Daten: jede Angabe hier ist ADMS-AP / DCAT-AP RDF, abfragbar unter",
    "Find and reuse interoperability solutions": "Interoperabilitätslösungen finden und wiederverwenden",
    "Search solutions and collections": "Lösungen und Sammlungen suchen",
    "e.g. invoice, registre, Konnektor": "z. B. Rechnung, registre, Konnektor",
    "%(facts)s facts from %(sources)s source(s) and %(vocabularies)s vocabularies.":
        "%(facts)s Angaben aus %(sources)s Quelle(n) und %(vocabularies)s Vokabularen.",
    "Sources": "Quellen",
    "Source": "Quelle",
    "Records": "Einträge",
    "Triples": "Tripel",
    "No source has been loaded yet. Run catalogue init to load the demo catalogue.":
        "Noch keine Quelle geladen. Führen Sie catalogue init aus, um den Demo-Katalog zu laden.",
    "Vocabularies": "Vokabulare",
    "Persistent URI:": "Persistente URI:",
    "Also as:": "Auch als:",
    "What the catalogue says about this resource": "Was der Katalog über diese Ressource sagt",
    "Property": "Eigenschaft",
    "Value": "Wert",
    "All %(count)s in search, with facets": "Alle %(count)s in der Suche, mit Facetten",
    "Words": "Wörter",
    "Filtered by:": "Gefiltert nach:",
    "remove this filter": "diesen Filter entfernen",
    "clear all filters": "alle Filter entfernen",
    ("%(num)s result", "%(num)s results"): ("%(num)s Ergebnis", "%(num)s Ergebnisse"),
    "Sort by:": "Sortieren nach:",
    "Narrow the results": "Ergebnisse eingrenzen",
    "%(count)s more: refine the words to see them.": "%(count)s weitere: Suchwörter verfeinern, um sie zu sehen.",
    "Results": "Ergebnisse",
    "Solution": "Lösung",
    "modified": "geändert",
    "There is no page %(page)s: the results end on page %(last)s.":
        "Es gibt keine Seite %(page)s: die Ergebnisse enden auf Seite %(last)s.",
    "Back to the first page": "Zurück zur ersten Seite",
    "Nothing matches": "Keine Treffer",
    "with these filters": "mit diesen Filtern",
    "Remove a filter above, or": "Entfernen Sie oben einen Filter, oder",
    "search without any filter": "suchen Sie ohne Filter",
    "Check the spelling, or use fewer or more general words: every word must appear in a title, description or keyword.":
        "Prüfen Sie die Schreibweise oder verwenden Sie weniger oder allgemeinere Wörter: jedes Wort muss in einem Titel, einer Beschreibung oder einem Schlagwort vorkommen.",
    "Words in any EU language work: “facture”, “Rechnung” and “invoice” each find their own texts.":
        "Wörter in jeder EU-Sprache funktionieren: „facture“, „Rechnung“ und „invoice“ finden jeweils ihre Texte.",
    "Browse everything": "Alles durchsuchen",
    "Pages": "Seiten",
    "previous": "zurück",
    "Page %(page)s of %(pages)s": "Seite %(page)s von %(pages)s",
    "next": "weiter",
    "Not available in your language: shown in %(language)s": "In Ihrer Sprache nicht verfügbar: angezeigt auf %(language)s",
    "in": "in",
    "Published by": "Veröffentlicht von",
    "Contact": "Kontakt",
    "Status": "Status",
    "Last changed": "Zuletzt geändert",
    "Topics": "Themen",
    "Languages": "Sprachen",
    "Keywords": "Schlagwörter",
    "Web page": "Webseite",
    "Documentation": "Dokumentation",
    "EIRA building blocks it implements": "Umgesetzte EIRA-Bausteine",
    "What this building block is": "Was dieser Baustein ist",
    "Releases and downloads": "Versionen und Downloads",
    "Distributions of %(release)s": "Distributionen von %(release)s",
    "Distribution": "Distribution",
    "Format": "Format",
    "No distribution published for this release.": "Für diese Version ist keine Distribution veröffentlicht.",
    "No release has been published yet.": "Es wurde noch keine Version veröffentlicht.",
    "Related solutions": "Verwandte Lösungen",
    "%(count)s building block(s) in common": "%(count)s gemeinsame(r) Baustein(e)",
    "This page as data:": "Diese Seite als Daten:",
    "Recently changed solutions": "Zuletzt geänderte Lösungen",
    "All %(count)s solutions, newest first": "Alle %(count)s Lösungen, neueste zuerst",
    "By topic": "Nach Thema",
    "By country": "Nach Land",
    "By EIRA view": "Nach EIRA-Sicht",
}


def main() -> None:
    for lang, table in (("fr", FR), ("de", DE)):
        with (HERE / "messages.pot").open("rb") as f:
            catalog = read_po(f, locale=lang)
        missing = []
        for message in catalog:
            if not message.id:
                continue
            found = table.get(message.id)
            if found is None:
                missing.append(message.id)
            elif isinstance(found, tuple):  # plural: as many forms as the language has
                forms = list(found) + [found[-1]] * (catalog.num_plurals - len(found))
                message.string = tuple(forms[:catalog.num_plurals])
            else:
                message.string = found
        catalog.fuzzy = False  # the template's header is marked fuzzy; ours is complete
        out = HERE / lang / "LC_MESSAGES" / "messages.po"
        out.parent.mkdir(parents=True, exist_ok=True)
        with out.open("wb") as f:
            write_po(f, catalog, omit_header=False, sort_output=True, width=100)
        print(f"{lang}: {len(catalog) - len(missing)} translated, missing: {missing}")


if __name__ == "__main__":
    main()
