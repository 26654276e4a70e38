"""Generate a seeded, realistic, fictitious ADMS-AP catalogue (Turtle or N-Triples), streaming.

Why: benchmarks (bench/ingest.py) need catalogues of any size, up to 100,000 solutions, that
look like what Joinup federates (collections, solutions with releases and distributions,
licences, publishers, contact points, EIRA building blocks, EU vocabularies, several
languages), and tests need a bundled demo catalogue (catalogue/data/demo-catalogue.ttl) and
catalogues with a known number of invalid records (``--broken K``) to exercise partial
ingest. Real dumps cannot be redistributed freely and do not scale on demand, so we make
them up: every name is invented, every URI we mint lives under https://demo.interop.example.eu/.

Properties that matter:

* deterministic: the same arguments give byte-identical output (one ``random.Random(seed)``;
  dates are derived from it, never from the clock); ``--broken`` uses a separate generator,
  so the valid records are the same with or without it;
* streaming: each resource is written as soon as it is drawn, so memory stays flat whatever
  ``--solutions`` is (collections are contiguous ranges of solutions, known up front);
* conformant: without ``--broken`` the output conforms to shapes/adms-ap.ttl and
  shapes/adms-ap-dump.ttl and raises none of Joinup's 101 ADMS-AP rules; quality shapes
  report a realistic minority (short descriptions, releases without distributions...);
* believable to a newcomer: collections are neither empty nor over a quarter of the
  catalogue, each on a domain of its own while there are domains left; no two solutions of
  a collection share a title in any language; release versions rise with their dates and
  their notes name no other version; e-mail addresses spell people's names in ASCII;
* the vocabulary URIs used (EIRA v6 and v4 building blocks, EU data themes, countries,
  languages, file types, ADMS publisher/licence types and status) are embedded below as
  constants: a clone of the project needs nothing else to run this.

Usage::

    python bench/generate.py --solutions 320 --collections 12 --seed 2026 \\
        --out catalogue/data/demo-catalogue.ttl --format ttl
    python bench/generate.py --solutions 100000 --collections 1000 --seed 7 \\
        --out /tmp/c.nt --format nt --broken 25

The IRIs of the broken solutions and how each is broken are printed to standard error.
"""

from __future__ import annotations

import argparse
import random
import re
import sys
import unicodedata
from collections.abc import Iterable, Iterator
from datetime import date, timedelta
from typing import TextIO

import pyoxigraph as ox

BASE = "https://demo.interop.example.eu/"

# --- namespaces -----------------------------------------------------------------------------

RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
XSD = "http://www.w3.org/2001/XMLSchema#"
DCAT = "http://www.w3.org/ns/dcat#"
DCT = "http://purl.org/dc/terms/"
ADMS = "http://www.w3.org/ns/adms#"
FOAF = "http://xmlns.com/foaf/0.1/"
VCARD = "http://www.w3.org/2006/vcard/ns#"
SKOS = "http://www.w3.org/2004/02/skos/core#"
OWL = "http://www.w3.org/2002/07/owl#"
SCHEMA = "http://schema.org/"
SPDX = "http://spdx.org/rdf/terms#"
EIRA = "http://data.europa.eu/dr8/"
AUTH = "http://publications.europa.eu/resource/authority/"

# Turtle prefixes, longest namespace first wins when shortening an IRI.
PREFIXES: dict[str, str] = {
    "rdf": RDF, "rdfs": RDFS, "xsd": XSD, "dcat": DCAT, "dct": DCT, "adms": ADMS,
    "foaf": FOAF, "vcard": VCARD, "skos": SKOS, "owl": OWL, "schema": SCHEMA, "spdx": SPDX,
    "eira": EIRA,
    "country": AUTH + "country/", "lang": AUTH + "language/", "theme": AUTH + "data-theme/",
    "filetype": AUTH + "file-type/",
    "status": "http://purl.org/adms/status/",
    "assettype": "http://purl.org/adms/assettype/",
    "pubtype": "http://purl.org/adms/publishertype/",
    "lictype": "http://purl.org/adms/licencetype/",
    "reptech": "http://purl.org/adms/representationtechnique/",
    "col": BASE + "collection/", "sol": BASE + "solution/", "rel": BASE + "release/",
    "dist": BASE + "distribution/", "agent": BASE + "agent/", "contact": BASE + "contact/",
    "lic": BASE + "licence/",
}
_BY_LENGTH = sorted(PREFIXES.items(), key=lambda kv: -len(kv[1]))
_SHARED_LINKS = frozenset({"http://purl.org/dc/terms/publisher", "http://www.w3.org/ns/dcat#contactPoint",
                           "http://purl.org/dc/terms/license"})
_LOCAL = re.compile(r"[A-Za-z0-9_](?:[A-Za-z0-9_.-]*[A-Za-z0-9_-])?")

# --- vocabulary URIs (embedded; sources named) ------------------------------------------------

# EIRA v6.0.0 architecture building blocks: column `puri` of rows whose `concept` is
# eira:ArchitectureBuildingBlock in DERIVED_eira_v6.0.0_elements.csv (SEMIC EIRA v6.0.0).
EIRA_V6_APPLICATION = [
    "DataExchangeApplicationService", "DataExchangeApplicationComponent",
    "APIApplicationInterface", "APICatalogueApplicationComponent",
    "AuthenticationApplicationService", "AuthorisationApplicationService",
    "ConformanceTestingApplicationService", "DataPublicationApplicationService",
    "DataQualityApplicationService", "E-ArchivingApplicationService",
    "E-SignatureCreationApplicationService", "E-SignatureVerificationAndValidationApplicationService",
    "E-SealCreationApplicationService", "FormsManagementApplicationService",
    "HumanApplicationInterface", "MachineToMachineApplicationInterface",
    "MachineTranslationApplicationService", "MetadataManagementApplicationService",
    "OrchestrationApplicationService", "PublicAdministrationSingleWindowApplicationService",
    "RegisteredElectronicDeliveryApplicationService", "DataSpaceConnectorApplicationService",
    "DataAnalyticsApplicationService", "IdentityMangementApplicationService",
    "ServiceRegistryApplicationComponent", "DigitalSolutionApplicationService",
]
EIRA_V6_SEMANTIC = [
    "ControlledVocabularyDataObject", "DataModelDataObject", "OntologyDataObject",
    "DataSyntaxDataObject", "DataMappingDataObject", "BaseRegistryDataObject",
    "ReferenceDataObject", "MetadataDataObject", "DataSetCatalogueDataObject",
    "LinkedDataRepresentation", "OpenDataRepresentation", "MasterDataObject",
    "SemanticInteroperabilityAgreementContract", "InteroperabilitySpecificationContract",
]
# EIRA v4.0.0: skos:Concept in http://data.europa.eu/dr8/ from joinup_EIRA_SKOS_v4.0.0.rdf,
# none of them a member of the dr8:Deprecated collection, none reused by v6.
EIRA_V4_APPLICATION = [
    "DataExchangeService", "DataExchangeComponent", "DataValidationService",
    "DataValidationComponent", "DataPublicationService", "DataTransformationService",
    "E-signatureCreationService", "E-signatureVerificationAndValidationService",
    "E-archivingService", "E-paymentService", "IdentityManagementService",
    "AccessManagementService", "FormsManagementService", "MachineTranslationService",
    "MetadataManagementService", "OrchestrationService", "ServiceDiscoveryService",
    "RegisteredElectronicDeliveryService", "ConformanceTestingService", "AuditService",
    "HumanInterface", "MachineToMachineInterface",
]
EIRA_V4_SEMANTIC = [
    "ControlledVocabulary", "DataModel", "CoreDataModel", "Ontology", "DataSyntax",
    "DataMapping", "SemanticInteroperabilitySpecification",
    "TechnicalInteroperabilitySpecification", "DataSetCatalogue", "OntologiesCatalogue",
    "PublicServiceCatalogue",
]

# ADMS controlled vocabularies v2.00 (adms_skos_v2.00_controlled_vocabularies.ttl).
STATUS = [("Completed", 60), ("UnderDevelopment", 25), ("Deprecated", 8), ("Withdrawn", 2)]
LICENCE_TYPE_SCHEME = "http://purl.org/adms/licencetype/1.0"
LICENCE_TYPE_LABELS = {
    "Attribution": "Attribution",
    "ViralEffect-ShareAlike": "Viral effect (a.k.a. Share-alike)",
    "PublicDomain": "Public domain",
}

# Publications Office authority tables (op-authority: data-theme, country, language, file-type).
COUNTRY_LANGUAGE = {  # country → (BCP 47 tag, language authority code)
    "FRA": ("fr", "FRA"), "BEL": ("fr", "FRA"), "LUX": ("fr", "FRA"), "DEU": ("de", "DEU"),
    "AUT": ("de", "DEU"), "ESP": ("es", "SPA"), "ITA": ("it", "ITA"), "NLD": ("nl", "NLD"),
    "POL": ("pl", "POL"), "PRT": ("pt", "POR"), "IRL": ("en", "ENG"), "FIN": ("fi", "FIN"),
    "SWE": ("sv", "SWE"), "DNK": ("da", "DAN"), "EST": ("et", "EST"), "LVA": ("lv", "LAV"),
    "LTU": ("lt", "LIT"), "CZE": ("cs", "CES"), "SVK": ("sk", "SLK"), "SVN": ("sl", "SLV"),
    "HRV": ("hr", "HRV"), "HUN": ("hu", "HUN"), "ROU": ("ro", "RON"), "BGR": ("bg", "BUL"),
    "GRC": ("el", "ELL"), "CYP": ("el", "ELL"), "MLT": ("mt", "MLT"), "EUR": ("en", "ENG"),
}
LANGUAGE_CODE = {"en": "ENG", "fr": "FRA", "de": "DEU", "es": "SPA", "it": "ITA", "nl": "NLD",
                 "pl": "POL"}
EU_COUNTRIES = ["AUT", "BEL", "BGR", "HRV", "CYP", "CZE", "DNK", "EST", "FIN", "FRA", "DEU",
                "GRC", "HUN", "IRL", "ITA", "LVA", "LTU", "LUX", "MLT", "NLD", "POL", "PRT",
                "ROU", "SVK", "SVN", "ESP", "SWE"]

# --- fictitious organisations (all names invented) -------------------------------------------

# key, name, language of the name, country, ADMS publisher type, extra English name or ""
AGENTS: list[tuple[str, str, str, str, str, str]] = [
    ("dise-fr", "Direction interministérielle des services en ligne", "fr", "FRA", "NationalAuthority", "Interministerial Directorate for Online Services"),
    ("andr-fr", "Agence nationale des données de référence", "fr", "FRA", "NationalAuthority", ""),
    ("val-de-brume", "Région Val-de-Brume", "fr", "FRA", "RegionalAuthority", ""),
    ("montclair-sur-orne", "Ville de Montclair-sur-Orne", "fr", "FRA", "LocalAuthority", ""),
    ("spf-strategie-numerique", "Service public fédéral Stratégie numérique", "fr", "BEL", "NationalAuthority", "Federal Public Service Digital Strategy"),
    ("wilgenbeek", "Stad Wilgenbeek", "nl", "BEL", "LocalAuthority", ""),
    ("alrp-lu", "Agence luxembourgeoise des registres publics", "fr", "LUX", "NationalAuthority", ""),
    ("bdv-de", "Bundesamt für digitale Verwaltungsdienste", "de", "DEU", "NationalAuthority", "Federal Office for Digital Administration Services"),
    ("lgnw-de", "Landesamt für Geoinformation Nordhessen-Weser", "de", "DEU", "RegionalAuthority", ""),
    ("lindenbrueck", "Stadt Lindenbrück", "de", "DEU", "LocalAuthority", ""),
    ("krm-sued", "Koordinierungsstelle für Registermodernisierung Süd", "de", "DEU", "NationalAuthority", ""),
    ("krz-ostfalen", "Kommunales Rechenzentrum Ostfalen-Harz", "de", "DEU", "LocalAuthority", ""),
    ("datenwerk", "Datenwerk Kommunal GmbH", "de", "DEU", "Company", ""),
    ("bez-at", "Bundesstelle für elektronische Zustellung", "de", "AUT", "NationalAuthority", ""),
    ("almtal", "Land Almtal", "de", "AUT", "RegionalAuthority", ""),
    ("sgsdc-es", "Secretaría General de Servicios Digitales Comunes", "es", "ESP", "NationalAuthority", "General Secretariat for Common Digital Services"),
    ("valdeserena", "Ayuntamiento de Valdeserena", "es", "ESP", "LocalAuthority", ""),
    ("sierra-alta", "Consorcio de Administración Electrónica de Sierra Alta", "es", "ESP", "RegionalAuthority", ""),
    ("aspd-it", "Agenzia per i Servizi Pubblici Digitali", "it", "ITA", "NationalAuthority", "Agency for Digital Public Services"),
    ("roccaverde", "Comune di Roccaverde", "it", "ITA", "LocalAuthority", ""),
    ("valdoria", "Regione Valdoria", "it", "ITA", "RegionalAuthority", ""),
    ("inid-it", "Istituto Nazionale per l'Interoperabilità dei Dati", "it", "ITA", "NationalAuthority", ""),
    ("rcda-it", "Rete Civica Dati Aperti", "it", "ITA", "NonGovernmentalOrganisation", ""),
    ("rdb-nl", "Rijksdienst voor Digitale Basisvoorzieningen", "nl", "NLD", "NationalAuthority", "National Service for Digital Base Facilities"),
    ("kesterwijk", "Gemeente Kesterwijk", "nl", "NLD", "LocalAuthority", ""),
    ("lagemeer", "Provincie Lagemeer", "nl", "NLD", "RegionalAuthority", ""),
    ("sosps-nl", "Stichting Open Standaarden Publieke Sector", "nl", "NLD", "NonProfitOrganisation", ""),
    ("muc-pl", "Ministerstwo Usług Cyfrowych", "pl", "POL", "NationalAuthority", "Ministry of Digital Services"),
    ("sosnowa-gora", "Urząd Miasta Sosnowa Góra", "pl", "POL", "LocalAuthority", ""),
    ("crp-pl", "Centrum Rejestrów Publicznych", "pl", "POL", "NationalAuthority", ""),
    ("aspd-pt", "Agência para os Serviços Públicos Digitais", "pt", "PRT", "NationalAuthority", ""),
    ("vila-serena", "Câmara Municipal de Vila Serena", "pt", "PRT", "LocalAuthority", ""),
    ("osds-ie", "Office of Shared Digital Services", "en", "IRL", "NationalAuthority", ""),
    ("ballynagreen", "Ballynagreen County Council", "en", "IRL", "LocalAuthority", ""),
    ("clia-ie", "Centre for Legal Informatics, University of Aldmoor", "en", "IRL", "Academia-ScientificOrganisation", ""),
    ("dpk-fi", "Digitaalisten palvelujen keskus", "fi", "FIN", "NationalAuthority", "Centre for Digital Services"),
    ("mget-se", "Myndigheten för gemensamma e-tjänster", "sv", "SWE", "NationalAuthority", ""),
    ("bjorkvik", "Björkvik kommun", "sv", "SWE", "LocalAuthority", ""),
    ("nosf", "Nordic Open Source Foundation for the Public Sector", "en", "SWE", "NonProfitOrganisation", ""),
    ("sfd-dk", "Styrelsen for Fællesoffentlig Digitalisering", "da", "DNK", "NationalAuthority", ""),
    ("rak-ee", "Riigi Andmevahetuse Keskus", "et", "EST", "NationalAuthority", "State Data Exchange Centre"),
    ("vdpa-lv", "Valsts Digitālo Pakalpojumu Aģentūra", "lv", "LVA", "NationalAuthority", ""),
    ("vdmc-lt", "Valstybės duomenų mainų centras", "lt", "LTU", "NationalAuthority", ""),
    ("udvs-cz", "Úřad pro digitální veřejné služby", "cs", "CZE", "NationalAuthority", "Office for Digital Public Services"),
    ("udi-sk", "Úrad pre dátovú interoperabilitu", "sk", "SVK", "NationalAuthority", ""),
    ("ddjs-si", "Direktorat za digitalne javne storitve", "sl", "SVN", "NationalAuthority", ""),
    ("sue-hr", "Središnji ured za e-usluge", "hr", "HRV", "NationalAuthority", ""),
    ("dkh-hu", "Digitális Közszolgáltatási Hivatal", "hu", "HUN", "NationalAuthority", ""),
    ("aspd-ro", "Agenția pentru Servicii Publice Digitale", "ro", "ROU", "NationalAuthority", ""),
    ("aepu-bg", "Агенция за електронни публични услуги", "bg", "BGR", "NationalAuthority", "Agency for Electronic Public Services"),
    ("ggpdy-gr", "Γενική Γραμματεία Ψηφιακών Δημόσιων Υπηρεσιών", "el", "GRC", "NationalAuthority", "General Secretariat for Digital Public Services"),
    ("dsdi-cy", "Department of Shared Digital Infrastructure", "en", "CYP", "NationalAuthority", ""),
    ("mais-mt", "Malta Agency for Interoperable Services", "en", "MLT", "NationalAuthority", ""),
    ("eiso", "European Interoperability Support Office", "en", "EUR", "SupraNationalAuthority", ""),
    ("jrudps", "Joint Research Unit for Digital Public Services", "en", "EUR", "SupraNationalAuthority", ""),
    ("ogsc", "OpenGov Solutions Cooperative", "en", "BEL", "NonProfitOrganisation", ""),
    ("epsf", "eProcurement Standards Forum", "en", "BEL", "StandardisationBody", ""),
    ("isce", "Interoperability Solutions Consortium Europe", "en", "EUR", "IndustryConsortium", ""),
]

CONTACT_ROLES = [
    ("servicedesk", {"en": "Service desk", "fr": "Service d'assistance", "de": "Servicedesk",
                     "es": "Centro de atención", "it": "Servizio di assistenza", "nl": "Servicedesk",
                     "pl": "Punkt obsługi"}),
    ("interop", {"en": "Interoperability team", "fr": "Équipe interopérabilité",
                 "de": "Team Interoperabilität", "es": "Equipo de interoperabilidad",
                 "it": "Gruppo interoperabilità", "nl": "Team interoperabiliteit",
                 "pl": "Zespół ds. interoperacyjności"}),
    ("opendata", {"en": "Open data office", "fr": "Bureau des données ouvertes",
                  "de": "Open-Data-Stelle", "es": "Oficina de datos abiertos",
                  "it": "Ufficio dati aperti", "nl": "Open-databureau", "pl": "Biuro otwartych danych"}),
]
PERSONS = ["Anouk Verbeek", "Élodie Marchand", "Jürgen Vogelsang", "Lucía Ferrández",
           "Matteo Bellandi", "Zofia Wiśniewska", "Søren Kjærgaard", "Aino Virtanen",
           "Tomás Ó Briain", "Ioana Dumitrescu", "Kristīne Ozola", "Petra Nováková",
           "Gonçalo Meireles", "Eleni Papadaki", "Márton Szabó", "Ingrid Lindqvist"]

# --- licences (SPDX identifiers where SPDX has one) -------------------------------------------

# key, title, SPDX id or "", ADMS licence type, weight for software, weight for semantic assets
LICENCES: list[tuple[str, str, str, str, int, int]] = [
    ("eupl-1.2", "European Union Public Licence 1.2", "EUPL-1.2", "ViralEffect-ShareAlike", 30, 8),
    ("eupl-1.1", "European Union Public Licence 1.1", "EUPL-1.1", "ViralEffect-ShareAlike", 6, 1),
    ("apache-2.0", "Apache License 2.0", "Apache-2.0", "Attribution", 14, 0),
    ("mit", "MIT License", "MIT", "Attribution", 9, 0),
    ("gpl-3.0", "GNU General Public License v3.0 only", "GPL-3.0-only", "ViralEffect-ShareAlike", 5, 0),
    ("lgpl-3.0", "GNU Lesser General Public License v3.0 only", "LGPL-3.0-only", "ViralEffect-ShareAlike", 4, 0),
    ("agpl-3.0", "GNU Affero General Public License v3.0 only", "AGPL-3.0-only", "ViralEffect-ShareAlike", 2, 0),
    ("mpl-2.0", "Mozilla Public License 2.0", "MPL-2.0", "ViralEffect-ShareAlike", 3, 0),
    ("bsd-3-clause", "BSD 3-Clause \"New\" or \"Revised\" License", "BSD-3-Clause", "Attribution", 3, 0),
    ("cc-by-4.0", "Creative Commons Attribution 4.0 International", "CC-BY-4.0", "Attribution", 2, 30),
    ("cc-by-sa-4.0", "Creative Commons Attribution Share Alike 4.0 International", "CC-BY-SA-4.0", "ViralEffect-ShareAlike", 0, 4),
    ("cc0-1.0", "Creative Commons Zero v1.0 Universal", "CC0-1.0", "PublicDomain", 2, 18),
    ("isa-oml-1.1", "ISA Open Metadata Licence v1.1", "", "Attribution", 0, 12),
    ("etalab-2.0", "Licence Ouverte / Open Licence 2.0", "etalab-2.0", "Attribution", 1, 5),
    ("dl-de-by-2.0", "Datenlizenz Deutschland – Namensnennung – Version 2.0", "DL-DE-BY-2.0", "Attribution", 0, 3),
]

# --- domains ----------------------------------------------------------------------------------

LANGS = ("en", "fr", "de", "es", "it", "nl", "pl")
_FRENCH_PLURAL = {"eprocurement", "base-registries", "open-data", "geospatial", "customs", "e-signature",
                  "transport"}


class Domain:
    def __init__(self, key: str, names: tuple[str, ...], themes: list[str],
                 standards: list[str], purpose: dict[str, str], audience: dict[str, str],
                 keywords: list[str]) -> None:
        self.key = key
        self.name = dict(zip(LANGS, names, strict=True))
        self.themes, self.standards, self.keywords = themes, standards, keywords
        self.purpose, self.audience = purpose, audience

    def phrase(self, lang: str) -> str:
        """The domain's name as it follows a preposition (French needs its article)."""
        name = self.name[lang]
        if lang != "fr":
            return name
        if name[0] in "aeiouéh":
            return "l'" + name
        return ("les " if self.key in _FRENCH_PLURAL else "la ") + name


DOMAINS = [
    Domain("einvoicing", ("e-Invoicing", "facturation électronique", "elektronische Rechnungsstellung",
                          "facturación electrónica", "fatturazione elettronica", "e-facturatie", "e-fakturowanie"),
           ["ECON", "GOVE"], ["EN 16931", "Peppol BIS Billing 3.0", "UBL 2.1", "UN/CEFACT CII"],
           {"en": "exchange, validate and archive structured electronic invoices",
            "fr": "échanger, valider et archiver des factures électroniques structurées",
            "de": "strukturierte elektronische Rechnungen auszutauschen, zu prüfen und zu archivieren"},
           {"en": "contracting authorities and their suppliers", "fr": "acheteurs publics et leurs fournisseurs",
            "de": "öffentliche Auftraggeber und ihre Lieferanten"},
           ["eInvoicing", "Peppol", "EN 16931", "UBL", "invoice"]),
    Domain("eprocurement", ("e-Procurement", "marchés publics électroniques", "elektronische Vergabe",
                            "contratación electrónica", "appalti elettronici", "e-aanbesteding", "e-zamówienia"),
           ["ECON", "GOVE"], ["eForms", "ESPD", "Peppol BIS Ordering", "the eProcurement Ontology"],
           {"en": "publish tenders, collect bids and reuse the European Single Procurement Document",
            "fr": "publier des avis de marché, recevoir des offres et réutiliser le DUME",
            "de": "Ausschreibungen zu veröffentlichen, Angebote entgegenzunehmen und die EEE wiederzuverwenden"},
           {"en": "buyers and economic operators", "fr": "acheteurs et opérateurs économiques",
            "de": "Vergabestellen und Bieter"},
           ["eProcurement", "eForms", "ESPD", "tendering", "public procurement"]),
    Domain("base-registries", ("base registries", "registres de base", "Basisregister", "registros base",
                               "registri di base", "basisregistraties", "rejestry podstawowe"),
           ["GOVE", "SOCI"], ["the Core Business Vocabulary", "the Core Person Vocabulary",
                              "the Core Location Vocabulary", "the once-only technical system"],
           {"en": "look up and reuse authoritative data on persons, businesses, addresses and buildings",
            "fr": "consulter et réutiliser des données de référence sur les personnes, entreprises et adresses",
            "de": "maßgebliche Daten über Personen, Unternehmen, Adressen und Gebäude abzufragen"},
           {"en": "public administrations at every level", "fr": "administrations de tous niveaux",
            "de": "Verwaltungen aller Ebenen"},
           ["base registries", "once-only", "reference data", "address register", "business register"]),
    Domain("eid", ("electronic identification", "identification électronique", "elektronische Identifizierung",
                   "identificación electrónica", "identificazione elettronica", "elektronische identificatie",
                   "identyfikacja elektroniczna"),
           ["GOVE", "TECH"], ["eIDAS", "SAML 2.0", "OpenID Connect", "the EU Digital Identity Wallet ARF"],
           {"en": "identify citizens and businesses with notified eID means across borders",
            "fr": "identifier citoyens et entreprises avec des moyens d'identification notifiés",
            "de": "Bürgerinnen, Bürger und Unternehmen grenzüberschreitend mit notifizierten eID-Mitteln zu identifizieren"},
           {"en": "online public services", "fr": "services publics en ligne", "de": "Online-Verwaltungsdienste"},
           ["eID", "eIDAS", "authentication", "digital identity", "wallet"]),
    Domain("open-data", ("open data", "données ouvertes", "offene Daten", "datos abiertos", "dati aperti",
                         "open data", "otwarte dane"),
           ["GOVE", "TECH"], ["DCAT-AP 3.0", "DCAT-AP 2.1.1", "the Open Data Directive", "SPARQL 1.1"],
           {"en": "publish, harvest and describe open datasets with DCAT-AP metadata",
            "fr": "publier, moissonner et décrire des jeux de données ouverts",
            "de": "offene Datensätze mit DCAT-AP-Metadaten zu veröffentlichen und zu harvesten"},
           {"en": "data publishers and portal operators", "fr": "producteurs de données et portails",
            "de": "Datenbereitsteller und Portalbetreiber"},
           ["open data", "DCAT-AP", "metadata", "harvesting", "data portal"]),
    Domain("geospatial", ("geospatial data (INSPIRE)", "données géographiques (INSPIRE)", "Geodaten (INSPIRE)",
                          "datos geoespaciales (INSPIRE)", "dati geospaziali (INSPIRE)", "geodata (INSPIRE)",
                          "dane przestrzenne (INSPIRE)"),
           ["ENVI", "REGI"], ["INSPIRE", "GeoDCAT-AP", "OGC API Features", "ISO 19115"],
           {"en": "share spatial datasets and services under the INSPIRE Directive",
            "fr": "partager des données et services géographiques au titre de la directive INSPIRE",
            "de": "Geodatensätze und -dienste gemäß der INSPIRE-Richtlinie bereitzustellen"},
           {"en": "environmental and mapping agencies", "fr": "services cartographiques et environnementaux",
            "de": "Umwelt- und Vermessungsbehörden"},
           ["INSPIRE", "geospatial", "GeoDCAT-AP", "maps", "WFS"]),
    Domain("health", ("eHealth", "e-santé", "E-Health", "salud electrónica", "sanità elettronica", "e-health",
                      "e-zdrowie"),
           ["HEAL"], ["HL7 FHIR R4", "the eHealth Network guidelines", "IHE XDS", "SNOMED CT"],
           {"en": "exchange patient summaries and ePrescriptions between care providers",
            "fr": "échanger résumés patients et prescriptions électroniques entre soignants",
            "de": "Patientenkurzakten und E-Rezepte zwischen Leistungserbringern auszutauschen"},
           {"en": "hospitals, pharmacies and health insurers", "fr": "hôpitaux, pharmacies et assureurs",
            "de": "Krankenhäuser, Apotheken und Krankenkassen"},
           ["eHealth", "FHIR", "ePrescription", "patient summary", "health data"]),
    Domain("justice", ("e-Justice", "justice en ligne", "E-Justiz", "justicia electrónica",
                       "giustizia elettronica", "e-justitie", "e-sądownictwo"),
           ["JUST"], ["ECLI", "e-CODEX", "the European Case Law Identifier", "Akoma Ntoso"],
           {"en": "exchange judicial documents and publish case law with stable identifiers",
            "fr": "échanger des actes judiciaires et publier la jurisprudence",
            "de": "gerichtliche Dokumente auszutauschen und Rechtsprechung zu veröffentlichen"},
           {"en": "courts, prosecutors and legal professionals", "fr": "juridictions et professionnels du droit",
            "de": "Gerichte, Staatsanwaltschaften und Rechtsberufe"},
           ["e-Justice", "ECLI", "case law", "e-CODEX", "courts"]),
    Domain("customs", ("customs", "douanes", "Zoll", "aduanas", "dogane", "douane", "cła"),
           ["ECON", "INTR"], ["the Union Customs Code", "the EU Customs Data Model", "WCO Data Model 3.10"],
           {"en": "lodge customs declarations and share risk information between customs offices",
            "fr": "déposer des déclarations en douane et partager l'analyse de risque",
            "de": "Zollanmeldungen abzugeben und Risikoinformationen auszutauschen"},
           {"en": "customs offices and traders", "fr": "bureaux de douane et opérateurs",
            "de": "Zollstellen und Wirtschaftsbeteiligte"},
           ["customs", "EUCDM", "declarations", "single window", "trade"]),
    Domain("taxation", ("taxation", "fiscalité", "Besteuerung", "fiscalidad", "fiscalità", "belastingen",
                        "podatki"),
           ["ECON"], ["SAF-T", "the VAT Information Exchange System", "DAC7", "XBRL"],
           {"en": "file returns electronically and exchange tax information between authorities",
            "fr": "déposer des déclarations en ligne et échanger des informations fiscales",
            "de": "Steuererklärungen elektronisch abzugeben und Steuerdaten auszutauschen"},
           {"en": "tax administrations, businesses and accountants", "fr": "administrations fiscales et entreprises",
            "de": "Finanzverwaltungen, Unternehmen und Steuerberater"},
           ["taxation", "VAT", "SAF-T", "tax return", "XBRL"]),
    Domain("statistics", ("official statistics", "statistique publique", "amtliche Statistik",
                          "estadística oficial", "statistica ufficiale", "officiële statistiek",
                          "statystyka publiczna"),
           ["SOCI", "ECON"], ["SDMX 3.0", "StatDCAT-AP", "the Generic Statistical Business Process Model"],
           {"en": "collect, process and disseminate statistical data and metadata",
            "fr": "collecter, traiter et diffuser des données et métadonnées statistiques",
            "de": "statistische Daten und Metadaten zu erheben, aufzubereiten und zu verbreiten"},
           {"en": "national statistical institutes", "fr": "instituts nationaux de statistique",
            "de": "statistische Ämter"},
           ["statistics", "SDMX", "StatDCAT-AP", "indicators", "census"]),
    Domain("legislation", ("legislation", "législation", "Rechtsetzung", "legislación", "legislazione",
                           "wetgeving", "legislacja"),
           ["JUST", "GOVE"], ["ELI", "Akoma Ntoso", "LegalDocML", "the European Legislation Identifier"],
           {"en": "draft, consolidate and publish legislation as machine-readable open data",
            "fr": "rédiger, consolider et publier les textes législatifs en données ouvertes",
            "de": "Rechtstexte zu entwerfen, zu konsolidieren und maschinenlesbar zu veröffentlichen"},
           {"en": "parliaments, official journals and law firms", "fr": "parlements et journaux officiels",
            "de": "Parlamente und Amtsblätter"},
           ["legislation", "ELI", "Akoma Ntoso", "official journal", "consolidation"]),
    Domain("social-security", ("social security", "sécurité sociale", "soziale Sicherheit", "seguridad social",
                               "sicurezza sociale", "sociale zekerheid", "zabezpieczenie społeczne"),
           ["SOCI", "GOVE"], ["EESSI", "the Structured Electronic Documents", "ESSPASS"],
           {"en": "exchange social security information for mobile workers and pensioners",
            "fr": "échanger des informations de sécurité sociale pour les travailleurs mobiles",
            "de": "Sozialversicherungsdaten für mobile Beschäftigte auszutauschen"},
           {"en": "social security institutions", "fr": "institutions de sécurité sociale",
            "de": "Sozialversicherungsträger"},
           ["social security", "EESSI", "pensions", "mobility", "benefits"]),
    Domain("e-signature", ("electronic signatures", "signatures électroniques", "elektronische Signaturen",
                           "firma electrónica", "firme elettroniche", "elektronische handtekeningen",
                           "podpisy elektroniczne"),
           ["TECH", "GOVE"], ["eIDAS", "ETSI EN 319 132 (XAdES)", "ETSI EN 319 142 (PAdES)", "the EU Trusted Lists"],
           {"en": "create, validate and preserve qualified electronic signatures and seals",
            "fr": "créer, valider et conserver des signatures et cachets électroniques qualifiés",
            "de": "qualifizierte elektronische Signaturen und Siegel zu erstellen und zu prüfen"},
           {"en": "administrations and trust service providers", "fr": "administrations et prestataires de confiance",
            "de": "Verwaltungen und Vertrauensdiensteanbieter"},
           ["eSignature", "eIDAS", "XAdES", "PAdES", "trust services"]),
    Domain("transport", ("transport data", "données de transport", "Verkehrsdaten", "datos de transporte",
                         "dati sui trasporti", "vervoersdata", "dane transportowe"),
           ["TRAN"], ["NeTEx", "SIRI", "DATEX II", "the Mobility DCAT-AP"],
           {"en": "publish timetables, real-time traffic and multimodal travel information",
            "fr": "publier horaires, trafic en temps réel et informations multimodales",
            "de": "Fahrpläne, Echtzeitverkehr und multimodale Reiseinformationen bereitzustellen"},
           {"en": "transport authorities and operators", "fr": "autorités organisatrices et transporteurs",
            "de": "Verkehrsbehörden und Verkehrsunternehmen"},
           ["transport", "NeTEx", "DATEX II", "timetables", "mobility"]),
    Domain("e-archiving", ("e-Archiving", "archivage électronique", "elektronische Archivierung",
                           "archivo electrónico", "archiviazione elettronica", "e-archivering",
                           "archiwizacja elektroniczna"),
           ["GOVE", "EDUC"], ["E-ARK", "OAIS (ISO 14721)", "PREMIS", "METS"],
           {"en": "transfer, preserve and give access to born-digital records",
            "fr": "verser, conserver et communiquer des archives nativement numériques",
            "de": "digitale Unterlagen zu übernehmen, dauerhaft zu erhalten und zugänglich zu machen"},
           {"en": "archives and records managers", "fr": "services d'archives", "de": "Archive und Registraturen"},
           ["e-archiving", "E-ARK", "digital preservation", "records management", "OAIS"]),
]

# solution kinds: names in LANGS order, semantic asset?, ADMS asset type, distribution kinds
KINDS: list[tuple[tuple[str, ...], bool, str]] = [
    (("Gateway", "Passerelle", "Gateway", "Pasarela", "Gateway", "Gateway", "Bramka"), False, ""),
    (("Validator", "Validateur", "Validator", "Validador", "Validatore", "Validator", "Walidator"), False, ""),
    (("Connector", "Connecteur", "Konnektor", "Conector", "Connettore", "Connector", "Konektor"), False, ""),
    (("Portal", "Portail", "Portal", "Portal", "Portale", "Portaal", "Portal"), False, ""),
    (("Registry", "Registre", "Register", "Registro", "Registro", "Register", "Rejestr"), False, ""),
    (("Toolkit", "Boîte à outils", "Werkzeugkasten", "Kit de herramientas", "Kit di strumenti",
      "Toolkit", "Zestaw narzędzi"), False, ""),
    (("API", "API", "API", "API", "API", "API", "API"), False, ""),
    (("Mobile App", "Application mobile", "Mobile App", "Aplicación móvil", "App mobile", "Mobiele app",
      "Aplikacja mobilna"), False, ""),
    (("Reference Implementation", "Implémentation de référence", "Referenzimplementierung",
      "Implementación de referencia", "Implementazione di riferimento", "Referentie-implementatie",
      "Implementacja referencyjna"), False, ""),
    (("Data Model", "Modèle de données", "Datenmodell", "Modelo de datos", "Modello di dati", "Datamodel",
      "Model danych"), True, "DomainModel"),
    (("Code List", "Liste de codes", "Codeliste", "Lista de códigos", "Elenco di codici", "Codelijst",
      "Lista kodów"), True, "CodeList"),
    (("Ontology", "Ontologie", "Ontologie", "Ontología", "Ontologia", "Ontologie", "Ontologia"), True, "Ontology"),
    (("Application Profile", "Profil d'application", "Anwendungsprofil", "Perfil de aplicación",
      "Profilo applicativo", "Applicatieprofiel", "Profil aplikacyjny"), True, "Schema"),
    (("Specification", "Spécification", "Spezifikation", "Especificación", "Specifica", "Specificatie",
      "Specyfikacja"), True, "ServiceDescription"),
]
LINKERS = {"fr": "{k} pour {d}", "de": "{k} für {d}", "es": "{k} de {d}", "it": "{k} per {d}",
           "nl": "{k} voor {d}", "pl": "{k} – {d}"}
BRANDS = ["Aurora", "Kestrel", "Hermes", "Lumen", "Baltica", "Orbis", "Veritas", "Nautilus", "Pegasus",
          "Heliotrope", "Quercus", "Saffron", "Tessera", "Vela", "Zephyr", "Alcyone", "Borealis",
          "Cassiopée", "Délos", "Fjordlink", "Gemma", "Iris", "Janus", "Kairos", "Lyra", "Mistral",
          "Nexa", "Opale", "Polaris", "Rhône", "Sirius", "Tilia", "Umbra", "Vesta", "Wega", "Xenia",
          "Ymir", "Zenit", "Ærø", "Łabędź", "Sól", "Čajka"]
ADJECTIVES = ["Open", "Common", "Cross-border", "Federated", "Shared", "National", "Interoperable",
              "Lightweight", "Unified", "Next-generation"]
# Appended, in this order, to a title still taken in its collection after TITLE_TRIES draws
# (only collections far larger than the demo's run out of brand, adjective and kind pairs).
QUALIFIERS = ["Plus", "Lite", "Cloud", "Core", "Hub", "Edge", "Flex", "Neo", "One", "Prime"]
TITLE_TRIES = 12
# No digits in these: a release's notes name its own version and no other number.
FEATURES = ["a REST API", "bulk import", "multilingual labels", "an accessibility review (WCAG level AA)",
            "a container image", "OpenAPI descriptions", "SHACL validation reports",
            "single sign-on", "audit logging", "a Linked Data export", "improved performance",
            "a new user interface", "support for the latest schema release", "a test bed"]
SOFTWARE_DISTS = [("Source code", "ZIP", "https://code.{d}.example.eu/{s}/archive/{v}.zip"),
                  ("Release package", "TAR_GZ", "https://downloads.{d}.example.eu/{s}/{s}-{v}.tar.gz"),
                  ("Installation guide", "PDF", "https://docs.{d}.example.eu/{s}/{v}/install.pdf"),
                  ("OpenAPI description", "JSON", "https://api.{d}.example.eu/{s}/{v}/openapi.json"),
                  ("Web application", "HTML", "https://{s}.{d}.example.eu/")]
SEMANTIC_DISTS = [("Vocabulary in Turtle", "RDF_TURTLE", "https://data.{d}.example.eu/{s}/{v}/{s}.ttl", "OWL"),
                  ("RDF/XML serialisation", "RDF_XML", "https://data.{d}.example.eu/{s}/{v}/{s}.rdf", "RDFSchema"),
                  ("XML Schema", "SCHEMA_XML", "https://data.{d}.example.eu/{s}/{v}/{s}.xsd", "XMLSchema"),
                  ("SKOS code list", "RDF_TURTLE", "https://data.{d}.example.eu/{s}/{v}/codes.ttl", "SKOS"),
                  ("Specification document", "PDF", "https://docs.{d}.example.eu/{s}/{v}/spec.pdf", "HumanLanguage"),
                  ("UML model", "ZIP", "https://data.{d}.example.eu/{s}/{v}/model.zip", "UML"),
                  ("Spreadsheet", "CSV", "https://data.{d}.example.eu/{s}/{v}/{s}.csv", "")]
DIST_TITLES = {"fr": {"Source code": "Code source", "Release package": "Paquet de distribution",
                      "Specification document": "Document de spécification"},
               "de": {"Source code": "Quellcode", "Installation guide": "Installationsanleitung",
                      "XML Schema": "XML-Schema"}}

BROKEN_KINDS = [
    "no-contact-point", "no-description", "publisher-is-contact-point",
    "distribution-without-access-url", "distribution-with-two-licences", "release-without-title",
    "description-is-a-link", "two-landing-pages", "two-modification-dates",
    "distribution-without-licence", "no-title", "no-publisher", "release-without-contact-point",
]

# --- terms ------------------------------------------------------------------------------------


class Iri(str):
    """An IRI (the string is the IRI itself)."""


class Lit(str):
    """A literal, already in its N-Triples form (escaped by pyoxigraph)."""


Props = list[tuple[str, "Iri | Lit | Blank"]]


class Blank(list):
    """A blank node: the list of its (predicate, object) pairs."""


_DATATYPES: dict[str, ox.NamedNode] = {}


def lit(value: str, lang: str | None = None, datatype: str | None = None) -> Lit:
    if lang:
        return Lit(str(ox.Literal(value, language=lang)))
    if datatype:
        dt = _DATATYPES.get(datatype) or _DATATYPES.setdefault(datatype, ox.NamedNode(datatype))
        return Lit(str(ox.Literal(value, datatype=dt)))
    return Lit(str(ox.Literal(value)))


def a(cls: str) -> tuple[str, Iri]:
    return (RDF + "type", Iri(cls))


# --- writers ----------------------------------------------------------------------------------


class Writer:
    """Writes resources one subject at a time, as N-Triples or as readable Turtle."""

    def __init__(self, out: TextIO, fmt: str) -> None:
        self.out, self.fmt = out, fmt
        self.blank = 0

    def comment(self, lines: Iterable[str]) -> None:
        if self.fmt == "ttl":
            self.out.write("".join(f"# {line}\n".replace("# \n", "#\n") for line in lines))

    def prefixes(self) -> None:
        if self.fmt == "ttl":
            self.out.write("".join(f"@prefix {p}: <{ns}> .\n" for p, ns in PREFIXES.items()))

    def resource(self, subject: str, props: Props,
                 tail: tuple[str, Iterator[Iri]] | None = None) -> None:
        if self.fmt == "nt":
            self._nt(f"<{subject}>", props)
            if tail:
                p = f"<{tail[0]}>"
                s = f"<{subject}>"
                self.out.writelines(f"{s} {p} <{o}> .\n" for o in tail[1])
        else:
            self._ttl(subject, props, tail)

    # N-Triples
    def _nt(self, s: str, props: Props) -> None:
        lines = []
        nested: list[tuple[str, Blank]] = []
        for p, o in props:
            if isinstance(o, Blank):
                self.blank += 1
                label = f"_:b{self.blank}"
                nested.append((label, o))
                lines.append(f"{s} <{p}> {label} .\n")
            elif isinstance(o, Iri):
                lines.append(f"{s} <{p}> <{o}> .\n")
            else:
                lines.append(f"{s} <{p}> {o} .\n")
        self.out.write("".join(lines))
        for label, b in nested:
            self._nt(label, b)

    # Turtle
    @staticmethod
    def _name(iri: str) -> str:
        for prefix, ns in _BY_LENGTH:
            if iri.startswith(ns) and _LOCAL.fullmatch(iri[len(ns):]):
                return f"{prefix}:{iri[len(ns):]}"
        return f"<{iri}>"

    def _term(self, o: Iri | Lit | Blank, indent: str) -> str:
        if isinstance(o, Iri):
            return self._name(o)
        if isinstance(o, Blank):
            inner = self._body(o, indent + "    ")
            return f"[\n{inner}\n{indent}]"
        at = o.rfind('"^^<')
        if at >= 0:
            return o[:at + 3] + self._name(o[at + 4:-1])
        return o

    def _body(self, props: Props, indent: str) -> str:
        grouped: dict[str, list[Iri | Lit | Blank]] = {}
        for p, o in props:
            grouped.setdefault(p, []).append(o)
        parts = []
        for p, objs in grouped.items():
            pred = "a" if p == RDF + "type" else self._name(p)
            parts.append(f"{indent}{pred} " + ", ".join(self._term(o, indent) for o in objs))
        return " ;\n".join(parts)

    def _ttl(self, subject: str, props: Props, tail: tuple[str, Iterator[Iri]] | None) -> None:
        body = self._body(props, "    ")
        self.out.write(f"{self._name(subject)}\n{body}")
        if tail:
            first = True
            for o in tail[1]:
                if first:
                    self.out.write(f" ;\n    {self._name(tail[0])} {self._name(o)}")
                    first = False
                else:
                    self.out.write(f",\n        {self._name(o)}")
        self.out.write(" .\n\n")


# --- the generator ----------------------------------------------------------------------------


HORIZON = date(2026, 1, 31)  # the catalogue's "today": nothing is issued or modified later


def stamp(day: date, rng: random.Random) -> Lit:
    """An xsd:dateTime on that day: midnight for a third of them (date-only sources)."""
    if rng.random() < 0.33:
        text = f"{day.isoformat()}T00:00:00Z"
    else:
        text = f"{day.isoformat()}T{rng.randint(6, 20):02d}:{rng.randint(0, 59):02d}:{rng.randint(0, 59):02d}Z"
    return lit(text, datatype=XSD + "dateTime")


def cap(text: str) -> str:
    """Capitalise the first letter, except in names like eHealth or e-Invoicing."""
    if len(text) > 1 and text[0] == "e" and (text[1].isupper() or text[1] == "-"):
        return text
    return text[0].upper() + text[1:]


# Letters that NFKD does not decompose into an ASCII letter and combining marks.
_ASCII_LETTERS = str.maketrans({"ø": "o", "Ø": "O", "ł": "l", "Ł": "L", "ß": "ss", "ẞ": "SS",
                                "æ": "ae", "Æ": "AE", "œ": "oe", "Œ": "OE", "đ": "d", "Đ": "D",
                                "ð": "d", "Ð": "D", "þ": "th", "Þ": "Th", "ħ": "h", "Ħ": "H",
                                "ı": "i"})


def to_ascii(text: str) -> str:
    """The text in ASCII letters: accents dropped (NFKD, combining marks removed), the few
    letters that do not decompose spelt out (ø → o, ł → l, ß → ss...), anything else left out.

    >>> to_ascii("Søren Kjærgaard, Kristīne Ozola, Paweł Großmann")
    'Soren Kjaergaard, Kristine Ozola, Pawel Grossmann'
    """
    decomposed = unicodedata.normalize("NFKD", text.translate(_ASCII_LETTERS))
    return "".join(c for c in decomposed if c.isascii() and not unicodedata.combining(c))


def slugify(text: str) -> str:
    """Lower-case ASCII words joined by hyphens, for URL paths: "Délos" → "delos", not "d-los"."""
    return re.sub(r"[^a-z0-9]+", "-", to_ascii(text).lower()).strip("-")


def mailbox(name: str) -> str:
    """An e-mail local part for a person: their name in ASCII, words joined by single dots
    (a valid dot-atom: no leading, trailing or double dot), "contact" if nothing is left.

    >>> mailbox("Tomás Ó Briain")
    'tomas.o.briain'
    """
    return slugify(name).replace("-", ".") or "contact"


def solution_titles(names: tuple[str, ...], brand: str, adjective: str, owner: dict, domain: Domain,
                    languages: list[str], qualifier: str = "") -> dict[str, str]:
    """A solution's title in English and in each of ``languages``, from the same parts: a
    brand, an adjective (English only: it would have to agree in the others) or the owner's
    name, then the kind of solution and the collection's domain. Two solutions with
    different parts get different titles in every language they share."""
    kind = dict(zip(LANGS, names, strict=True))
    dom_en = domain.name["en"]
    if brand:
        titles = {"en": f"{brand} – {cap(dom_en)} {kind['en']}"}
    elif adjective:
        titles = {"en": f"{adjective} {dom_en} {kind['en']}"}
    else:
        titles = {"en": f"{cap(dom_en)} {kind['en']} of {owner['english'] or owner['name']}"}
    for tl in languages:
        t = LINKERS[tl].format(k=kind[tl], d=domain.phrase(tl))
        titles[tl] = f"{brand} – {t}" if brand else cap(t) if adjective else f"{cap(t)} – {owner['name']}"
    return {tl: f"{t} {qualifier}" if qualifier else t for tl, t in titles.items()}


class Generator:
    def __init__(self, solutions: int, collections: int, seed: int, broken: int) -> None:
        if solutions < 1 or collections < 1:
            raise ValueError("--solutions and --collections must be at least 1")
        if not 0 <= broken <= solutions:
            raise ValueError("--broken must be between 0 and --solutions")
        self.n, self.m, self.seed = solutions, collections, seed
        self.rng = random.Random(seed)
        self.width = max(4, len(str(solutions)))
        brng = random.Random(f"broken:{seed}")  # separate: valid records do not depend on it
        chosen = sorted(brng.sample(range(1, solutions + 1), broken))
        kinds = [BROKEN_KINDS[i % len(BROKEN_KINDS)] for i in range(broken)]
        brng.shuffle(kinds)
        self.broken: dict[int, str] = dict(zip(chosen, kinds, strict=True))
        self.brng = brng
        self.start = date(2011, 3, 1)
        self.used: set[str] = set()
        # (language, title) of the current collection's solutions: as large as it, at most
        self.titles_taken: set[tuple[str, str]] = set()

    # shared resources

    def agents(self) -> list[dict]:
        rng = self.rng
        out = []
        for key, name, lang, country, ptype, english in AGENTS:
            contacts = []
            for j in range(rng.choice((1, 1, 2, 2, 3))):
                role, labels = CONTACT_ROLES[j]
                if j == 0 and rng.random() < 0.3:
                    person = rng.choice(PERSONS)
                    fn, local = person, mailbox(person)
                else:
                    fn, local = labels.get(lang, labels["en"]), role
                contacts.append({"iri": f"{BASE}contact/{key}-{role}", "fn": fn,
                                 "email": f"mailto:{local}@{key}.example.eu",
                                 "phone": f"+{rng.randint(30, 49)} {rng.randint(10, 99)} "
                                          f"{rng.randint(100, 999)} {rng.randint(1000, 9999)}"
                                          if rng.random() < 0.4 else None,
                                 "url": f"https://www.{key}.example.eu/contact" if rng.random() < 0.3 else None})
            out.append({"key": key, "iri": f"{BASE}agent/{key}", "name": name, "lang": lang,
                        "country": country, "type": ptype, "english": english, "contacts": contacts,
                        "domain": key})
        return out

    def write_concepts(self, w: Writer) -> None:
        """The licence types, described once (Joinup rule 101 wants a skos:Concept in a dump)."""
        for ltype in sorted({row[3] for row in LICENCES}):
            w.resource(PREFIXES["lictype"] + ltype, [
                a(SKOS + "Concept"),
                (SKOS + "prefLabel", lit(LICENCE_TYPE_LABELS[ltype], "en")),
                (SKOS + "inScheme", Iri(LICENCE_TYPE_SCHEME)),
            ])

    def mark(self, props: Props) -> None:
        """Remember the shared resources (agents, contacts, licences) these properties use."""
        for p, o in props:
            if p in _SHARED_LINKS and isinstance(o, Iri):
                self.used.add(o)

    def write_shared(self, w: Writer, agents: list[dict]) -> None:
        """Licences, publishers and contact points that the catalogue uses, after it."""
        for key, title, spdx, ltype, _sw, _se in LICENCES:
            if f"{BASE}licence/{key}" not in self.used:
                continue
            props: Props = [a(DCT + "LicenseDocument"), (DCT + "title", lit(title, "en")),
                            (RDFS + "label", lit(spdx or title)),
                            (DCT + "type", Iri(PREFIXES["lictype"] + ltype))]
            if key.startswith("eupl"):
                props.append((DCT + "title", lit(title.replace("European Union Public Licence",
                                                               "Licence publique de l'Union européenne"), "fr")))
                props.append((DCT + "title", lit(title.replace("European Union Public Licence",
                                                               "Öffentliche Lizenz der Europäischen Union"), "de")))
            if spdx:
                props.append((OWL + "sameAs", Iri(f"http://spdx.org/licenses/{spdx}")))
                props.append((RDFS + "seeAlso", Iri(f"https://spdx.org/licenses/{spdx}.html")))
            else:
                props.append((RDFS + "seeAlso", Iri("https://interoperable-europe.example.eu/licences/isa-open-metadata-licence-1.1")))
                props.append((DCT + "description", lit(
                    "Licence for the reuse of metadata and semantic assets: free reuse, "
                    "with attribution, of descriptions published by public administrations.", "en")))
            w.resource(f"{BASE}licence/{key}", props)
        for ag in agents:
            if ag["iri"] not in self.used:
                continue
            props = [a(FOAF + "Agent"), (FOAF + "name", lit(ag["name"], ag["lang"]))]
            if ag["english"]:
                props.append((FOAF + "name", lit(ag["english"], "en")))
            props.append((DCT + "type", Iri(PREFIXES["pubtype"] + ag["type"])))
            if ag["country"] != "EUR" or self.rng.random() < 0.5:
                props.append((DCT + "spatial", Iri(AUTH + "country/" + ag["country"])))
            if self.rng.random() < 0.7:
                props.append((FOAF + "homepage", Iri(f"https://www.{ag['domain']}.example.eu/")))
            w.resource(ag["iri"], props)
            for c in ag["contacts"]:
                if c["iri"] not in self.used:
                    continue
                cprops: Props = [a(VCARD + "Kind"), (VCARD + "fn", lit(c["fn"])),
                                 (VCARD + "hasEmail", Iri(c["email"]))]
                if c["phone"]:
                    cprops.append((VCARD + "hasTelephone", lit(c["phone"])))
                if c["url"]:
                    cprops.append((VCARD + "hasURL", lit(c["url"])))
                w.resource(c["iri"], cprops)

    # collections

    def collection_sizes(self) -> list[int]:
        """How many consecutive solutions each collection holds: skewed like real
        repositories, but none empty (when there are enough solutions) and none holding
        more than a quarter of the catalogue (or its fair share, with fewer than four).

        Sizes are shares of Pareto weights, capped: a share over the cap is cut to it and
        the excess shared among the others, in proportion, until none is over (at most
        ``m`` rounds); whole solutions go to the largest remainders."""
        rng = self.rng
        weights = [rng.paretovariate(1.3) for _ in range(self.m)]
        base = min(1, self.n // self.m)
        rest = self.n - base * self.m
        most = max(-(-self.n // self.m), self.n // 4) - base  # most each may get beyond its base
        shares = [0.0] * self.m
        free = set(range(self.m))
        left = float(rest)
        while free and left > 0:
            weight = sum(weights[j] for j in free)
            over = {j for j in free if left * weights[j] / weight > most}
            if not over:
                for j in free:
                    shares[j] = left * weights[j] / weight
                break
            for j in over:
                shares[j] = most
            left -= most * len(over)
            free -= over
        sizes = [int(x) for x in shares]
        by_remainder = sorted(range(self.m), key=lambda j: (sizes[j] - shares[j], j))
        for j in by_remainder[:rest - sum(sizes)]:
            sizes[j] += 1
        return [base + x for x in sizes]

    def write_collections(self, w: Writer, agents: list[dict], sizes: list[int]) -> list[tuple[int, int, dict, Domain]]:
        rng = self.rng
        ranges = []
        first = 1
        taken: set[str] = set()  # domains of this round of len(DOMAINS) collections
        for c, size in enumerate(sizes, start=1):
            owner = rng.choice(agents)
            domain = rng.choice(DOMAINS)
            if len(taken) == len(DOMAINS):
                taken.clear()
            at = DOMAINS.index(domain)
            # a domain taken already: the next free one, so that no two collections of a
            # round share their theme, and every title (which names it) is theirs alone
            domain = next(d for d in DOMAINS[at:] + DOMAINS[:at] if d.key not in taken)
            taken.add(domain.key)
            ranges.append((first, first + size, owner, domain))
            slug = f"{domain.key}-{owner['key']}" + (f"-{c}" if c > len(DOMAINS) else "")
            iri = f"{BASE}collection/{slug}"
            en = domain.name["en"]
            title = rng.choice([f"{cap(en)} community", f"{cap(en)} solutions",
                                f"{cap(en)} interoperability collection"])
            if c > len(DOMAINS):
                title += f" ({owner['name']})"
            props: Props = [a(DCAT + "Catalog"), (DCT + "title", lit(title, "en"))]
            if owner["lang"] in LINKERS:
                props.append((DCT + "title", lit(
                    {"fr": "Solutions pour {d}", "de": "Lösungen für {d}", "es": "Soluciones de {d}",
                     "it": "Soluzioni per {d}", "nl": "Oplossingen voor {d}",
                     "pl": "Rozwiązania – {d}"}[owner["lang"]].format(d=domain.phrase(owner["lang"])),
                    owner["lang"])))
            props.append((DCT + "description", lit(
                f"A collection of interoperability solutions for {en}, curated by {owner['english'] or owner['name']}. "
                f"It gathers specifications, software and reference data that help {domain.audience['en']} "
                f"{domain.purpose['en']}.", "en")))
            props.append((DCT + "publisher", Iri(owner["iri"])))
            props.append((DCAT + "contactPoint", Iri(owner["contacts"][0]["iri"])))
            props.append((FOAF + "homepage", Iri(f"https://www.{owner['domain']}.example.eu/collections/{domain.key}")))
            props.append((DCT + "issued", stamp(self.start + timedelta(days=rng.randint(0, 900)), rng)))
            props.append((DCAT + "themeTaxonomy", Iri(AUTH + "data-theme")))
            props.extend((DCAT + "keyword", lit(k, "en")) for k in domain.keywords[:rng.randint(2, 4)])
            props.append((DCT + "spatial", Iri(AUTH + "country/" + owner["country"])))
            members = (Iri(self.solution_iri(i)) for i in range(first, first + size))
            self.mark(props)
            w.resource(iri, props, tail=(DCAT + "dataset", members))
            first += size
        return ranges

    def solution_iri(self, i: int) -> str:
        return f"{BASE}solution/{i:0{self.width}d}"

    # solutions

    def solution(self, i: int, owner: dict, domain: Domain, agents: list[dict]) -> list[tuple[str, Props]]:
        """The solution, its releases and distributions as (subject, props) pairs."""
        rng = self.rng
        if rng.random() < 0.25:
            owner = rng.choice(agents)
        sid = f"{i:0{self.width}d}"
        iri = self.solution_iri(i)
        dom_en = domain.name["en"]
        lang = owner["lang"] if owner["lang"] in LINKERS else None
        extra = [x for x in ("fr", "de", "es", "it", "nl", "pl") if x != lang]
        # A title (in every language it has) is drawn again while one of them is taken in
        # the collection, then qualified: titles are unique within a collection, and across
        # the catalogue while collections have themes of their own (every title names it).
        # English is always reserved: releases are titled in English after their solution.
        for attempt in range(TITLE_TRIES + len(QUALIFIERS) + 1):
            if attempt < TITLE_TRIES:
                names, semantic, asset_type = rng.choice(KINDS)
                style = rng.random()
                brand = rng.choice(BRANDS) if style < 0.45 else ""
                adjective = rng.choice(ADJECTIVES) if not brand and style < 0.8 else ""
                title_langs = ([lang] if lang else []) + rng.sample(extra, rng.choice((0, 0, 0, 1, 1, 2)))
                qualifier = ""
            else:  # the last draw, qualified; at worst by its number, unique in the catalogue
                q = attempt - TITLE_TRIES
                qualifier = QUALIFIERS[q] if q < len(QUALIFIERS) else f"#{i}"
            titles = solution_titles(names, brand, adjective, owner, domain, title_langs, qualifier)
            if self.titles_taken.isdisjoint(titles.items()):
                break
        self.titles_taken.update(titles.items())
        kind = dict(zip(LANGS, names, strict=True))
        title_en = titles["en"]
        slug = slugify(brand or f"{dom_en}-{kind['en']}") + f"-{sid}"
        dom = owner["domain"]

        props: Props = [a(DCAT + "Dataset")]
        if rng.random() < 0.9:
            props.append(a(ADMS + "Asset"))
        english_title = not lang or rng.random() < 0.85
        if english_title:
            props.append((DCT + "title", lit(title_en, "en")))
        props.extend((DCT + "title", lit(titles[tl], tl)) for tl in title_langs)
        if rng.random() < 0.3:
            props.append((SKOS + "altLabel", lit(brand.upper() if brand else
                                                  "".join(w[0] for w in title_en.split() if w[0].isalpha()).upper())))
        # descriptions
        standard = rng.choice(domain.standards)
        bare_standard = standard.removeprefix("the ")  # for text in other languages
        short = rng.random() < 0.03
        latest: tuple[str, str] | None = None  # what the description says the newest release adds
        if short:
            desc_en = f"{title_en}: {kind['en'].lower()} for {dom_en}."
        else:
            sentences = [
                f"{title_en} is {'an' if kind['en'][0] in 'AEIOU' else 'a'} {kind['en'].lower()} that helps "
                f"{domain.audience['en']} {domain.purpose['en']}.",
                f"It implements {standard} and follows the European Interoperability Framework.",
            ]
            if rng.random() < 0.6:
                users = rng.randint(2, 140)
                countries = min(rng.randint(1, 12), users)
                sentences.append(f"It was developed by {owner['english'] or owner['name']} and is reused by "
                                 f"{users} public administrations in {countries} "
                                 f"{'country' if countries == 1 else 'countries'}.")
            if rng.random() < 0.4:
                latest = one, two = rng.sample(FEATURES, 2)
                sentences.append(f"The latest work adds {one} and {two}.")
            if rng.random() < 0.3:
                sentences.append("Feedback, issues and contributions are welcome through the project's "
                                 "public issue tracker; the roadmap is decided in an open steering committee.")
            desc_en = " ".join(sentences)
        if english_title or rng.random() < 0.5 or short:
            props.append((DCT + "description", lit(desc_en, "en")))
        if lang in ("fr", "de") or (lang is None and rng.random() < 0.2):
            dl = lang or rng.choice(("fr", "de"))
            t = titles.get(dl) or cap(LINKERS[dl].format(k=kind[dl], d=domain.phrase(dl)))
            if dl == "fr":
                d = (f"« {t} » est un outil qui permet aux {domain.audience['fr']} de "
                     f"{domain.purpose['fr']}. Il met en œuvre {bare_standard} et respecte le cadre "
                     f"d'interopérabilité européen.")
            else:
                d = (f"„{t}“ unterstützt {domain.audience['de']} dabei, "
                     f"{domain.purpose['de']}. Die Lösung setzt {bare_standard} um und folgt dem "
                     f"Europäischen Interoperabilitätsrahmen.")
            props.append((DCT + "description", lit(d, dl)))
        elif lang:
            generic = {"es": "Solución de interoperabilidad para {d}, desarrollada por {o}, que aplica {s} y "
                             "puede reutilizarse libremente por otras administraciones públicas.",
                       "it": "Soluzione di interoperabilità per {d}, sviluppata da {o}, conforme a {s} e "
                             "liberamente riutilizzabile da altre pubbliche amministrazioni.",
                       "nl": "Interoperabiliteitsoplossing voor {d}, ontwikkeld door {o}, die {s} toepast "
                             "en vrij herbruikbaar is voor andere overheden.",
                       "pl": "Rozwiązanie interoperacyjne w obszarze: {d}, opracowane przez {o}, zgodne ze "
                             "standardem {s} i dostępne do ponownego wykorzystania przez inne urzędy."}[lang]
            props.append((DCT + "description", lit(generic.format(d=domain.name[lang], o=owner["name"],
                                                                  s=bare_standard), lang)))
        contact = rng.choice(owner["contacts"])
        props.append((DCT + "publisher", Iri(owner["iri"])))
        props.append((DCAT + "contactPoint", Iri(contact["iri"])))
        # classification
        if rng.random() < 0.96:
            v6 = EIRA_V6_SEMANTIC if semantic else EIRA_V6_APPLICATION
            v4 = EIRA_V4_SEMANTIC if semantic else EIRA_V4_APPLICATION
            blocks = rng.sample(v6, rng.choice((0, 1, 1, 2))) + rng.sample(v4, rng.choice((0, 1, 1)))
            if not blocks:
                blocks = [rng.choice(v6)]
            props.extend((DCT + "type", Iri(EIRA + b)) for b in blocks)
        if asset_type:
            props.append((DCT + "type", Iri(PREFIXES["assettype"] + asset_type)))
        if rng.random() < 0.95:
            kws = rng.sample(domain.keywords, rng.randint(1, 4))
            props.extend((DCAT + "keyword", lit(k, "en")) for k in kws)
            if lang and rng.random() < 0.6:
                props.append((DCAT + "keyword", lit(domain.name[lang], lang)))
        props.extend((DCAT + "theme", Iri(AUTH + "data-theme/" + t))
                     for t in rng.sample(domain.themes, rng.randint(1, len(domain.themes))))
        if owner["country"] == "EUR" or rng.random() < 0.1:
            spatial = ["EUR"] if rng.random() < 0.6 else rng.sample(EU_COUNTRIES, rng.randint(2, 5))
        else:
            spatial = [owner["country"]]
        props.extend((DCT + "spatial", Iri(AUTH + "country/" + c)) for c in spatial)
        langs = {"ENG"} if english_title else set()
        langs.update(LANGUAGE_CODE[x] for x in title_langs)
        langs.add(COUNTRY_LANGUAGE[owner["country"]][1])
        props.extend((DCT + "language", Iri(AUTH + "language/" + x)) for x in sorted(langs))
        r = rng.random()
        acc = 0.0
        status = None
        for name, weight in STATUS:
            acc += weight / 100
            if r < acc:
                status = name
                break
        if status:
            props.append((ADMS + "status", Iri(PREFIXES["status"] + status)))
        issued = self.start + timedelta(days=rng.randint(0, 4700))
        props.append((DCT + "issued", stamp(issued, rng)))
        last = issued
        landing = f"https://www.{dom}.example.eu/solutions/{slug}"
        if rng.random() < 0.92:
            props.append((DCAT + "landingPage", Iri(landing)))
        if rng.random() < 0.75:
            props.append((FOAF + "page", Iri(f"https://docs.{dom}.example.eu/{slug}/")))
            if rng.random() < 0.15:
                props.append((FOAF + "page", Iri(f"https://wiki.{dom}.example.eu/display/{slug}")))
        if rng.random() < 0.4:
            props.append((DCT + "identifier", lit(f"{owner['key'].upper()}-{sid}")))
        if i > 1 and rng.random() < 0.06:
            props.append((DCT + "relation", Iri(self.solution_iri(rng.randint(1, i - 1)))))

        licences = [(row[0], row[4 + semantic]) for row in LICENCES if row[4 + semantic]]
        licence = rng.choices([k for k, _ in licences], [wt for _, wt in licences])[0]
        out: list[tuple[str, Props]] = []
        dist_n = 0

        def distributions(version: str, count: int, day: date) -> list[tuple[str, Props]]:
            nonlocal dist_n
            made: list[tuple[str, Props]] = []
            options = SEMANTIC_DISTS if semantic else SOFTWARE_DISTS
            for choice in rng.sample(options, min(count, len(options))):
                dist_n += 1
                title, ftype, url = choice[0], choice[1], choice[2]
                d_iri = f"{BASE}distribution/{sid}-{dist_n}"
                v = version or "latest"
                dp: Props = [a(DCAT + "Distribution"), (DCT + "title", lit(title, "en"))]
                for tl, table in DIST_TITLES.items():
                    if tl == lang and title in table:
                        dp.append((DCT + "title", lit(table[title], tl)))
                dp.append((DCAT + "accessURL", Iri(url.format(d=dom, s=slug, v=v))))
                if ftype not in ("HTML",) and rng.random() < 0.5:
                    dp.append((DCAT + "downloadURL", Iri(url.format(d=dom, s=slug, v=v))))
                dist_licence = licence if rng.random() < 0.9 else rng.choice(LICENCES)[0]
                dp.append((DCT + "license", Iri(f"{BASE}licence/{dist_licence}")))
                if rng.random() < 0.95:
                    dp.append((DCT + "format", Iri(AUTH + "file-type/" + ftype)))
                if semantic and len(choice) > 3 and choice[3]:
                    dp.append((ADMS + "representationTechnique", Iri(PREFIXES["reptech"] + choice[3])))
                if rng.random() < 0.2:
                    dp.append((DCT + "description", lit(
                        f"{title} of {title_en}{' ' + version if version else ''}.", "en")))
                dp.append((DCT + "issued", stamp(day, rng)))
                if ftype != "HTML" and rng.random() < 0.3:
                    dp.append((SCHEMA + "fileSize", lit(str(rng.randint(20_000, 300_000_000)))))
                if ftype in ("ZIP", "TAR_GZ") and rng.random() < 0.25:
                    dp.append((SPDX + "checksum", Blank([
                        a(SPDX + "Checksum"),
                        (SPDX + "algorithm", Iri(SPDX + "checksumAlgorithm_sha1")),
                        (SPDX + "checksumValue", lit(f"{rng.getrandbits(160):040x}", datatype=XSD + "hexBinary")),
                    ])))
                made.append((d_iri, dp))
            return made

        # Releases: versions rise with their dates, all before the catalogue's HORIZON; a
        # release's texts name its own version and no other number (FEATURES has no digit,
        # a standard with one is not named); only the first can be the "first public
        # release", and the newest adds what the description says the latest work adds.
        n_releases = rng.choices((0, 1, 2, 3, 4), (22, 34, 24, 13, 7))[0]
        major = rng.randint(0, 3)
        minor = rng.randint(0 if major else 1, 5)
        aligned = (f"aligned with {standard}." if not re.search(r"\d", standard)
                   else "aligned with the current edition of the standard it implements.")
        releases: list[Iri] = []
        for k in range(n_releases):
            if k and rng.random() < 0.3:
                major, minor = major + 1, 0
            elif k:
                minor += 1
            summaries = [f"adds {rng.choice(FEATURES)}.", "bug fixes and security updates.", aligned,
                         f"adds {rng.choice(FEATURES)} and fixes reported issues."]
            summary = rng.choice(summaries + ["first public release."] if k == 0 else summaries)
            newest = latest if k == n_releases - 1 else None
            if newest:
                summary = f"adds {newest[0]} and {newest[1]}."
            patch = rng.randint(0, 9) if rng.random() < 0.4 else None
            if summary == "first public release.":
                minor, patch = (0 if major else 1), None
            version = f"{major}.{minor}" + (f".{patch}" if patch is not None else "")
            room = (HORIZON - last).days // (n_releases - k)  # leaves a day for each one after
            gap = max(1, min(500, room))
            day = last + timedelta(days=rng.randint(min(20, gap), gap))
            last = day
            r_iri = f"{BASE}release/{sid}-{version}"
            rp: Props = [a(DCAT + "Dataset"),
                         (DCT + "title", lit(f"{title_en} {version}", "en"))]
            if lang and rng.random() < 0.4:
                rp.append((DCT + "title", lit(f"{titles[lang]} {version}", lang)))
            rp.append((DCT + "description", lit(f"Release {version} of {title_en}: {summary}", "en")))
            rp.append((DCT + "publisher", Iri(owner["iri"])))
            rp.append((DCAT + "contactPoint", Iri(contact["iri"])))
            rp.append((DCT + "isVersionOf", Iri(iri)))
            if rng.random() < 0.97:
                rp.append((OWL + "versionInfo", lit(version)))
            if rng.random() < 0.6 or newest:
                one, two = newest or rng.sample(FEATURES, 2)
                rp.append((ADMS + "versionNotes", lit(f"Changes in {version}: {one}; {two}.", "en")))
            rp.append((DCT + "issued", stamp(day, rng)))
            if status:
                rp.append((ADMS + "status", Iri(PREFIXES["status"] + ("Completed" if k < n_releases - 1
                                                                      else status))))
            count = 0 if rng.random() < 0.02 else rng.choices((1, 2, 3), (60, 30, 10))[0]
            made = distributions(version, count, day)
            rp.extend((DCAT + "distribution", Iri(d)) for d, _ in made)
            out.append((r_iri, rp))
            out.extend(made)
            releases.append(Iri(r_iri))
        if n_releases == 0 or rng.random() < 0.1:
            made = distributions("", rng.choice((1, 1, 2)), last)
            props.extend((DCAT + "distribution", Iri(d)) for d, _ in made)
            out.extend(made)
        props.extend((DCT + "hasVersion", r) for r in releases)
        if rng.random() < 0.97:
            last = last + timedelta(days=rng.randint(0, 200))
            props.append((DCT + "modified", stamp(min(last, HORIZON), rng)))
        out.insert(0, (iri, props))
        return out

    # breaking

    def breakage(self, kind: str, resources: list[tuple[str, Props]], owner_contact: str) -> str:
        """Make the solution (resources[0]) invalid in the given way; returns the kind applied."""
        sol = resources[0][1]
        dists = [p for _s, p in resources if (RDF + "type", Iri(DCAT + "Distribution")) in p]
        releases = [p for s, p in resources[1:] if (RDF + "type", Iri(DCAT + "Dataset")) in p]

        def drop(props: Props, pred: str) -> None:
            props[:] = [(p, o) for p, o in props if p != pred]

        if kind in ("distribution-without-access-url", "distribution-with-two-licences",
                    "distribution-without-licence") and not dists:
            kind = "no-contact-point"
        if kind in ("release-without-title", "release-without-contact-point") and not releases:
            kind = "no-title" if kind == "release-without-title" else "no-description"
        if kind == "no-contact-point":
            drop(sol, DCAT + "contactPoint")
        elif kind == "no-description":
            drop(sol, DCT + "description")
        elif kind == "no-title":
            drop(sol, DCT + "title")
        elif kind == "no-publisher":
            drop(sol, DCT + "publisher")
        elif kind == "publisher-is-contact-point":
            drop(sol, DCT + "publisher")
            sol.append((DCT + "publisher", Iri(owner_contact)))
        elif kind == "description-is-a-link":
            drop(sol, DCT + "description")
            sol.append((DCT + "description", Iri(resources[0][0].replace("/solution/", "/about/"))))
        elif kind == "two-landing-pages":
            drop(sol, DCAT + "landingPage")
            sol.append((DCAT + "landingPage", Iri(resources[0][0] + "/home")))
            sol.append((DCAT + "landingPage", Iri(resources[0][0] + "/home-old")))
        elif kind == "two-modification-dates":
            drop(sol, DCT + "modified")
            sol.append((DCT + "modified", lit("2024-02-01T00:00:00Z", datatype=XSD + "dateTime")))
            sol.append((DCT + "modified", lit("2024-03-15T09:30:00Z", datatype=XSD + "dateTime")))
        elif kind == "distribution-without-access-url":
            drop(dists[0], DCAT + "accessURL")
        elif kind == "distribution-with-two-licences":
            dists[0].append((DCT + "license", Iri(f"{BASE}licence/{self.brng.choice(LICENCES)[0]}")))
            dists[0].append((DCT + "license", Iri(f"{BASE}licence/cc0-1.0")))
            dists[0].append((DCT + "license", Iri(f"{BASE}licence/mit")))
        elif kind == "distribution-without-licence":
            drop(dists[0], DCT + "license")
        elif kind == "release-without-title":
            drop(releases[0], DCT + "title")
        elif kind == "release-without-contact-point":
            drop(releases[0], DCAT + "contactPoint")
        return kind

    # everything

    def write(self, w: Writer, command: str) -> None:
        w.comment([
            "Generated by bench/generate.py: a fictitious ADMS-AP catalogue (all names invented).",
            f"Command: {command}",
            "Do not edit by hand: regenerate it (see catalogue/data/README.md).",
        ])
        w.prefixes()
        if w.fmt == "ttl":
            w.out.write("\n")
        agents = self.agents()
        self.write_concepts(w)
        ranges = self.write_collections(w, agents, self.collection_sizes())
        for first, end, owner, domain in ranges:
            self.titles_taken.clear()
            for i in range(first, end):
                resources = self.solution(i, owner, domain, agents)
                if i in self.broken:
                    applied = self.breakage(self.broken[i], resources, owner["contacts"][0]["iri"])
                    print(f"broken: {resources[0][0]} ({applied})", file=sys.stderr)
                for subject, props in resources:
                    self.mark(props)
                    w.resource(subject, props)
        self.write_shared(w, agents)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--solutions", type=int, required=True, help="number of solutions")
    ap.add_argument("--collections", type=int, required=True, help="number of collections")
    ap.add_argument("--seed", type=int, default=0, help="random seed (same seed, same bytes)")
    ap.add_argument("--out", required=True, help="output file, or - for standard output")
    ap.add_argument("--format", choices=("ttl", "nt"), default=None,
                    help="ttl or nt (default: from the --out extension, else ttl)")
    ap.add_argument("--broken", type=int, default=0,
                    help="make this many solutions invalid, in varied ways (listed on stderr)")
    args = ap.parse_args(argv)
    fmt = args.format or ("nt" if args.out.endswith(".nt") else "ttl")
    try:
        gen = Generator(args.solutions, args.collections, args.seed, args.broken)
    except ValueError as exc:
        ap.error(str(exc))
    command = (f"python bench/generate.py --solutions {args.solutions} --collections {args.collections} "
               f"--seed {args.seed} --format {fmt}" + (f" --broken {args.broken}" if args.broken else ""))
    if args.out == "-":
        gen.write(Writer(sys.stdout, fmt), command)
    else:
        with open(args.out, "w", encoding="utf-8", newline="\n", buffering=1 << 20) as out:
            gen.write(Writer(out, fmt), command)
    return 0


if __name__ == "__main__":
    sys.exit(main())
