"""French building blocks of the demonstration dataset, and the shape of the real Atlas it imitates.

The figures come from the published facts of the Atlas (seeds/000: 4,805 authorities, about 9,000 to 10,000
foreign partners, about 12,700 to 13,000 projects in 146 countries; Paris 456 projects, Grand Est 282, …).
Everything a person reads (titles, texts, names, functions) is written in French and is fictional: names
of people come from lists of common first and last names, e-mails use example.org and phone numbers the
01 99 00 range that ARCEP keeps for fiction.
"""

# --- Scale 1 targets ------------------------------------------------------------------------------------

PROJECTS = 13_000
PARTNERSHIPS = 10_500
FRENCH_AUTHORITIES = 4_800
FOREIGN_AUTHORITIES = 10_000

# The six authorities with the most projects, with their published counts. Keys are
# (organisation kind, reference code).
ANCHORS = {
    ("commune", "75056"): 456,  # Paris
    ("region", "44"): 282,  # Grand Est
    ("region", "84"): 168,  # Auvergne-Rhône-Alpes
    ("region", "11"): 153,  # Île-de-France
    ("region", "75"): 115,  # Nouvelle-Aquitaine
    ("commune", "67482"): 109,  # Strasbourg
}

# Partnerships per country at scale 1, before normalisation. The first seven are the countries with the
# most ties (seeds/000); the others are ordered roughly as in the Atlas. 145 countries.
COUNTRY_WEIGHTS = {
    "DE": 2150, "GB": 1000, "IT": 720, "ES": 540, "ML": 400, "BF": 350, "SN": 310,
    "PL": 260, "MA": 215, "BE": 205, "CA": 200, "PT": 190, "RO": 180, "BJ": 170, "MG": 160, "TN": 150,
    "NE": 130, "CN": 130, "US": 130, "IE": 120, "CM": 110, "HT": 110, "VN": 110, "CI": 100, "JP": 100,
    "DZ": 90, "TG": 90, "HU": 90, "LB": 90, "CH": 80, "CZ": 80, "PS": 80, "AT": 70, "UA": 70, "BR": 70,
    "KH": 70, "NL": 60, "GR": 60, "MR": 60, "GN": 50, "LU": 50, "AM": 50, "IL": 50, "IN": 50, "SK": 40,
    "BG": 40, "MD": 40, "RU": 40, "GE": 40, "KM": 40, "MX": 40, "CL": 40, "LA": 40, "KR": 40, "TR": 30,
    "SE": 30, "CD": 30, "BI": 30, "TD": 30, "EG": 30, "AR": 30, "NI": 30, "DK": 25, "HR": 25, "RS": 25,
    "CG": 25, "ZA": 25, "PE": 25, "CO": 25, "CU": 25, "SI": 20, "LT": 20, "AL": 20, "BA": 20, "GA": 20,
    "RW": 20, "MU": 20, "BO": 20, "TH": 20, "NO": 15, "FI": 15, "LV": 15, "EE": 15, "MK": 15, "CF": 15,
    "CV": 15, "GH": 15, "ET": 15, "EC": 15, "UY": 15, "ID": 15, "MN": 15, "UZ": 15, "AU": 15, "CY": 10,
    "MT": 10, "DJ": 10, "NG": 10, "KE": 10, "SC": 10, "MZ": 10, "GM": 10, "GW": 10, "TZ": 10, "UG": 10,
    "DO": 10, "GT": 10, "SV": 10, "CR": 10, "PH": 10, "JO": 10, "KZ": 10, "AZ": 10, "LK": 10, "NP": 10,
    "NZ": 10, "VU": 10, "IS": 5, "ME": 5, "BY": 5, "LY": 5, "ST": 5, "SL": 5, "AO": 5,
    "SR": 5, "HN": 5, "PY": 5, "VE": 5, "PA": 5, "BZ": 5, "AF": 5, "IR": 5, "BD": 5, "MY": 5, "SG": 5,
    "TW": 5, "KG": 5, "TJ": 5, "FJ": 5, "LI": 3, "MC": 3, "SM": 3, "AD": 3, "JM": 3, "QA": 3, "PK": 3,
}  # fmt: skip

# Affinities of French regions (INSEE code of the lead authority's region) with countries: neighbours,
# languages, diasporas, overseas neighbourhoods. They move partnerships between French regions, never the
# countries' totals (the generator balances rows and columns).
REGION_AFFINITIES = {
    "44": {"DE": 2.5, "LU": 4, "BE": 1.5, "CH": 1.5, "PL": 1.5},
    "84": {"IT": 2, "CH": 2.5, "AM": 2},
    "93": {"IT": 2.5, "DZ": 2.5, "TN": 2, "MA": 1.5, "LB": 1.5},
    "76": {"ES": 2.5, "MA": 1.5, "AD": 4},
    "75": {"ES": 2.5, "PT": 2, "CA": 1.5},
    "53": {"GB": 2, "IE": 3},
    "52": {"GB": 1.5, "PT": 1.5},
    "28": {"GB": 2.5, "CA": 1.5},
    "32": {"GB": 2, "BE": 2.5, "PL": 1.5},
    "27": {"DE": 1.5, "CH": 2},
    "24": {"DE": 1.2},
    "11": {"ML": 1.5, "SN": 1.5, "CN": 2, "JP": 2, "VN": 1.5, "LB": 1.5, "PS": 1.5, "US": 1.5},
    "94": {"IT": 4},
    "01": {"HT": 6, "CU": 4, "DO": 6},
    "02": {"HT": 6, "CU": 4, "DO": 6},
    "03": {"BR": 8, "SR": 10},
    "04": {"MG": 8, "KM": 8, "MU": 8, "SC": 8, "ZA": 3},
    "06": {"MG": 8, "KM": 12, "MU": 4, "SC": 4},
}

# Zones decide the kind of partnership and the themes: twinning Europe, development partners, and the
# other (rich, distant) partners.
EUROPE = "europe"
DEVELOPMENT = "developpement"
DISTANT = "lointain"
DISTANT_COUNTRIES = {
    "CA", "US", "JP", "KR", "CN", "TW", "SG", "AU", "NZ", "IL", "QA", "CL", "UY", "AR", "MX", "BR",
}  # fmt: skip

# Theme weights per zone, chosen so that the published ranking holds nationally: culture & patrimoine
# well ahead, then education, social, research, sustainable economy.
THEME_WEIGHTS = {
    EUROPE: {
        "culture-patrimoine": 34, "education-formation": 26, "jeunesse": 8, "social-sante": 12,
        "recherche-enseignement-superieur": 11, "economie-developpement-durable": 7, "eau-assainissement": 1,
        "agriculture-securite-alimentaire": 2, "environnement-climat-energie": 6, "gouvernance-locale": 3,
        "urbanisme-services-urbains": 3, "tourisme": 5, "egalite-femmes-hommes": 2, "humanitaire-urgence": 1,
    },
    DEVELOPMENT: {
        "culture-patrimoine": 14, "education-formation": 16, "jeunesse": 4, "social-sante": 16,
        "recherche-enseignement-superieur": 8, "economie-developpement-durable": 12, "eau-assainissement": 12,
        "agriculture-securite-alimentaire": 11, "environnement-climat-energie": 7, "gouvernance-locale": 9,
        "urbanisme-services-urbains": 6, "tourisme": 2, "egalite-femmes-hommes": 4, "humanitaire-urgence": 3,
    },
    DISTANT: {
        "culture-patrimoine": 30, "education-formation": 22, "jeunesse": 5, "social-sante": 8,
        "recherche-enseignement-superieur": 16, "economie-developpement-durable": 13, "eau-assainissement": 1,
        "agriculture-securite-alimentaire": 2, "environnement-climat-energie": 8, "gouvernance-locale": 3,
        "urbanisme-services-urbains": 6, "tourisme": 8, "egalite-femmes-hommes": 2, "humanitaire-urgence": 1,
    },
}  # fmt: skip

# --- Titles and texts -----------------------------------------------------------------------------------
# Placeholders: {fr} the French authority as written in a sentence ("la région Grand Est", "Lyon"),
# {fr_name} its name ("Région Grand Est"), {fo} the foreign authority ("Kayes", "le Land de Bavière"),
# {fo_name} its name ("Land de Bavière"), {fo_loc} where it is ("à Kayes", "dans le Land de Bavière"),
# {country} the country's French name.

TITLES = {
    "culture-patrimoine": [
        "Échanges culturels entre {fr} et {fo}",
        "Valorisation du patrimoine bâti {fo_loc}",
        "Festival des cultures croisées {fr_name} – {fo_name}",
        "Résidences d'artistes entre {fr} et {fo}",
        "Numérisation des archives municipales {fo_loc}",
        "Restauration du centre historique {fo_loc}",
        "Saison culturelle partagée avec {fo}",
        "Réseau de lecture publique {fo_loc}",
    ],
    "education-formation": [
        "Échanges scolaires entre {fr} et {fo}",
        "Construction et équipement d'écoles primaires {fo_loc}",
        "Formation des enseignants {fo_loc}",
        "Appariement d'établissements scolaires entre {fr} et {fo}",
        "Alphabétisation des adultes {fo_loc}",
        "Centre de formation aux métiers du bâtiment {fo_loc}",
        "Classes bilingues et mobilité des élèves avec {fo}",
    ],
    "jeunesse": [
        "Chantiers internationaux de jeunes {fo_loc}",
        "Conseil des jeunes {fr_name} – {fo_name}",
        "Mobilité des jeunes entre {fr} et {fo}",
        "Maison des jeunes et de la culture {fo_loc}",
    ],
    "social-sante": [
        "Appui au centre de santé communautaire {fo_loc}",
        "Santé maternelle et infantile {fo_loc}",
        "Accompagnement des personnes âgées : échanges entre {fr} et {fo}",
        "Inclusion des personnes handicapées {fo_loc}",
        "Équipement du dispensaire {fo_loc}",
        "Prévention et accès aux soins {fo_loc}",
    ],
    "recherche-enseignement-superieur": [
        "Coopération universitaire entre {fr} et {fo}",
        "Chaire partagée sur la gouvernance des territoires avec {fo}",
        "Programme de recherche sur les villes durables avec {fo}",
        "Mobilité des étudiants et des chercheurs entre {fr} et {fo}",
    ],
    "economie-developpement-durable": [
        "Soutien à l'entrepreneuriat local {fo_loc}",
        "Filières courtes et marchés de producteurs {fo_loc}",
        "Incubateur d'entreprises de l'économie sociale {fo_loc}",
        "Missions économiques croisées entre {fr} et {fo}",
        "Appui à l'artisanat et aux coopératives {fo_loc}",
    ],
    "eau-assainissement": [
        "Accès à l'eau potable {fo_loc}",
        "Assainissement et gestion des boues de vidange {fo_loc}",
        "Réhabilitation des forages et des bornes-fontaines {fo_loc}",
        "Service public de l'eau {fo_loc} : appui à la régie",
    ],
    "agriculture-securite-alimentaire": [
        "Sécurité alimentaire et maraîchage {fo_loc}",
        "Appui aux groupements de producteurs {fo_loc}",
        "Banques de céréales et stockage {fo_loc}",
        "Agroécologie et semences paysannes {fo_loc}",
    ],
    "environnement-climat-energie": [
        "Plan climat territorial {fo_loc}",
        "Électrification solaire des équipements publics {fo_loc}",
        "Gestion des déchets ménagers {fo_loc}",
        "Reboisement et lutte contre l'érosion {fo_loc}",
        "Transition énergétique : échanges entre {fr} et {fo}",
    ],
    "gouvernance-locale": [
        "Renforcement des capacités de l'administration locale {fo_loc}",
        "État civil et fiscalité locale {fo_loc}",
        "Démocratie participative : échanges entre {fr} et {fo}",
        "Appui à la décentralisation {fo_loc}",
    ],
    "urbanisme-services-urbains": [
        "Schéma d'aménagement urbain {fo_loc}",
        "Mobilité et transports urbains {fo_loc}",
        "Adressage et cadastre {fo_loc}",
        "Éclairage public et voirie {fo_loc}",
    ],
    "tourisme": [
        "Tourisme durable et solidaire {fo_loc}",
        "Promotion touristique croisée entre {fr} et {fo}",
        "Office de tourisme {fo_loc} : accompagnement",
    ],
    "egalite-femmes-hommes": [
        "Autonomisation économique des femmes {fo_loc}",
        "Participation des femmes à la vie locale {fo_loc}",
    ],
    "humanitaire-urgence": [
        "Aide d'urgence aux populations {fo_loc}",
        "Reconstruction après la crise {fo_loc}",
        "Accueil et soutien aux déplacés {fo_loc}",
    ],
}

OBJECTIVES = {
    "culture-patrimoine": [
        "Faire connaître la culture de chaque territoire auprès des habitants de l'autre.",
        "Former les agents {fo_loc} à la conservation et à la mise en valeur du patrimoine.",
        "Soutenir la création artistique et la circulation des œuvres entre {fr} et {fo}.",
    ],
    "education-formation": [
        "Permettre à chaque élève de vivre un échange avec un établissement partenaire.",
        "Améliorer les conditions d'apprentissage et le taux de scolarisation {fo_loc}.",
        "Former les équipes pédagogiques aux méthodes actives.",
    ],
    "jeunesse": [
        "Donner aux jeunes des deux territoires l'occasion d'un premier engagement international.",
        "Associer les jeunes aux décisions qui les concernent.",
    ],
    "social-sante": [
        "Améliorer l'accès aux soins de premier recours {fo_loc}.",
        "Échanger les pratiques des services sociaux des deux collectivités.",
        "Réduire la mortalité maternelle et infantile dans la zone du projet.",
    ],
    "recherche-enseignement-superieur": [
        "Développer des programmes de recherche communs et la mobilité des doctorants.",
        "Mettre la recherche au service des politiques publiques locales.",
    ],
    "economie-developpement-durable": [
        "Créer des emplois durables et soutenir les porteurs de projets locaux.",
        "Structurer les filières et faciliter l'accès des producteurs aux marchés.",
    ],
    "eau-assainissement": [
        "Garantir un accès durable à l'eau potable pour les habitants {fo_loc}.",
        "Mettre en place un service d'assainissement géré par la collectivité partenaire.",
    ],
    "agriculture-securite-alimentaire": [
        "Améliorer les revenus des exploitations familiales et la sécurité alimentaire.",
        "Diffuser des pratiques agroécologiques adaptées au climat local.",
    ],
    "environnement-climat-energie": [
        "Réduire les émissions de gaz à effet de serre et l'exposition aux risques climatiques.",
        "Organiser la collecte et la valorisation des déchets.",
    ],
    "gouvernance-locale": [
        "Renforcer la maîtrise d'ouvrage communale et les ressources propres de la collectivité.",
        "Associer les habitants à la définition des priorités locales.",
    ],
    "urbanisme-services-urbains": [
        "Doter la collectivité partenaire d'outils de planification urbaine.",
        "Améliorer la qualité des services urbains de base.",
    ],
    "tourisme": [
        "Développer un tourisme respectueux des habitants et des sites.",
        "Valoriser l'offre touristique des deux territoires.",
    ],
    "egalite-femmes-hommes": [
        "Favoriser l'accès des femmes aux responsabilités locales et à l'activité économique.",
    ],
    "humanitaire-urgence": [
        "Répondre aux besoins immédiats des populations touchées.",
        "Préparer le relèvement et la reconstruction des équipements publics.",
    ],
}

DESCRIPTIONS = {
    "culture-patrimoine": [
        "Le projet organise chaque année des échanges d'artistes, d'associations culturelles et de "
        "bibliothécaires, et une semaine culturelle dans chacune des deux villes.",
        "Un inventaire du patrimoine est mené avec les services techniques {fo_loc}, suivi de chantiers de "
        "restauration ouverts à la formation de jeunes artisans.",
    ],
    "education-formation": [
        "Les établissements scolaires des deux territoires sont appariés ; les classes correspondent toute "
        "l'année et se rendent visite à tour de rôle.",
        "Le projet finance la construction de salles de classe, leur équipement et la formation des "
        "directeurs d'école, en lien avec les services de l'éducation.",
    ],
    "jeunesse": [
        "Des groupes de jeunes des deux territoires préparent ensemble des chantiers solidaires et des "
        "rencontres, encadrés par les services jeunesse.",
    ],
    "social-sante": [
        "Le projet équipe le centre de santé, forme le personnel soignant et appuie un système de "
        "mutuelle communautaire.",
        "Les travailleurs sociaux des deux collectivités échangent leurs pratiques lors de missions "
        "croisées et de séminaires communs.",
    ],
    "recherche-enseignement-superieur": [
        "Les universités des deux territoires co-encadrent des thèses et accueillent des étudiants en "
        "mobilité ; les résultats sont présentés aux élus.",
    ],
    "economie-developpement-durable": [
        "Un fonds d'appui accompagne les porteurs de projets ; des formations à la gestion et des "
        "rencontres entre entreprises des deux territoires sont organisées.",
        "Le projet soutient la structuration des coopératives et l'aménagement d'un marché couvert.",
    ],
    "eau-assainissement": [
        "Les travaux portent sur la réalisation de forages, d'un château d'eau et de bornes-fontaines, "
        "et sur la formation du comité de gestion de l'eau.",
        "Le service d'assainissement est organisé avec la collectivité partenaire : latrines familiales, "
        "collecte des boues et station de traitement.",
    ],
    "agriculture-securite-alimentaire": [
        "Le projet accompagne les groupements de producteurs : formation, petits équipements, accès à "
        "l'eau d'irrigation et stockage des récoltes.",
    ],
    "environnement-climat-energie": [
        "Le projet installe des équipements solaires sur les bâtiments publics et accompagne la "
        "collectivité partenaire dans son plan climat.",
        "Une filière de collecte et de tri des déchets est créée avec des opérateurs locaux.",
    ],
    "gouvernance-locale": [
        "Des agents des deux collectivités échangent sur l'état civil, les finances locales et la "
        "concertation avec les habitants ; des outils de gestion sont installés.",
    ],
    "urbanisme-services-urbains": [
        "Les services d'urbanisme des deux villes travaillent ensemble au schéma d'aménagement, à "
        "l'adressage des rues et à l'amélioration de la voirie.",
    ],
    "tourisme": [
        "Des circuits de découverte sont créés avec les habitants et les professionnels du tourisme ; "
        "les offices de tourisme échangent leurs savoir-faire.",
    ],
    "egalite-femmes-hommes": [
        "Le projet soutient des groupements de femmes (formation, crédit, accès à la terre) et la "
        "participation des élues aux instances locales.",
    ],
    "humanitaire-urgence": [
        "La collectivité mobilise un fonds d'urgence, en lien avec le Centre de crise et de soutien, puis "
        "accompagne la reconstruction des équipements publics.",
    ],
}

HISTORY = [
    "Les relations entre {fr} et {fo} remontent à {year}, date de la signature du premier accord.",
    "Le partenariat est né en {year} de liens entre associations des deux territoires.",
    "Engagée depuis {year}, la coopération s'est élargie au fil des mandats à de nouveaux domaines.",
    "Une première mission d'élus en {year} a permis d'identifier les priorités communes.",
]

CONTEXT = {
    EUROPE: [
        "Les deux collectivités partagent des enjeux comparables et souhaitent faire vivre la citoyenneté "
        "européenne auprès de leurs habitants.",
        "Le jumelage s'appuie sur un comité très actif et sur des échanges réguliers entre habitants.",
    ],
    DEVELOPMENT: [
        "La collectivité partenaire, récemment dotée de compétences nouvelles par la décentralisation, "
        "dispose de ressources limitées pour les exercer.",
        "La croissance rapide de la population accroît les besoins en services de base ({country}).",
        "Le projet s'inscrit dans le plan de développement communal adopté par le conseil de la "
        "collectivité partenaire.",
    ],
    DISTANT: [
        "Les deux territoires partagent des filières d'excellence et un intérêt commun pour l'innovation "
        "et l'attractivité.",
        "La francophonie et les liens universitaires anciens fondent cette coopération.",
    ],
}

RESULTS = [
    "{n} personnes ont bénéficié directement des actions menées.",
    "{n} agents et bénévoles ont été formés au cours du projet.",
    "Les équipements réalisés sont gérés par la collectivité partenaire depuis {year}.",
    "Une évaluation à mi-parcours a conduit à recentrer les actions sur les quartiers prioritaires.",
    "Les échanges ont associé {n} habitants, élèves et membres d'associations des deux territoires.",
]

# --- Participants, funders, people ----------------------------------------------------------------------

PARTICIPANTS = {
    "association": [
        "Comité de jumelage de {fr_city}",
        "Association {fr_city} – {fo_name} Solidarité",
        "Association des amis de {fo_name}",
        "Maison de l'Europe de {fr_city}",
    ],
    "universite": ["Université de {fr_city}", "Institut universitaire de technologie de {fr_city}"],
    "hopital": ["Centre hospitalier de {fr_city}", "Hôpital régional de {fo_name}"],
    "entreprise": ["Société d'études {fr_city} Conseil", "Coopérative artisanale de {fo_name}"],
    "etablissement_public": ["Lycée professionnel de {fr_city}", "Office de tourisme de {fr_city}"],
}

ROLES = {
    "association": [
        "Animation des échanges entre habitants",
        "Opérateur de terrain",
        "Accueil des délégations",
    ],
    "universite": ["Appui scientifique et formation", "Accueil d'étudiants en mobilité"],
    "hopital": ["Formation des soignants", "Dons de matériel médical et expertise"],
    "entreprise": ["Assistance technique", "Études et maîtrise d'œuvre"],
    "etablissement_public": ["Accueil de stagiaires", "Expertise technique"],
}

FIRST_NAMES = [
    "Marie", "Nathalie", "Isabelle", "Sylvie", "Catherine", "Sophie", "Christine", "Julie", "Camille",
    "Claire", "Émilie", "Anne", "Céline", "Aurélie", "Laure", "Léa", "Manon", "Pauline", "Fatou", "Amina",
    "Jean", "Philippe", "Michel", "Alain", "Nicolas", "Christophe", "Pierre", "Laurent", "Thomas", "Julien",
    "David", "Sébastien", "Antoine", "Mathieu", "Olivier", "François", "Karim", "Mamadou", "Hugo", "Lucas",
]  # fmt: skip
LAST_NAMES = [
    "Martin", "Bernard", "Thomas", "Petit", "Robert", "Richard", "Durand", "Dubois", "Moreau", "Laurent",
    "Simon", "Michel", "Lefebvre", "Leroy", "Roux", "David", "Bertrand", "Morel", "Fournier", "Girard",
    "Bonnet", "Dupont", "Lambert", "Fontaine", "Rousseau", "Vincent", "Muller", "Lefèvre", "Faure",
    "André", "Mercier", "Blanc", "Guérin", "Boyer", "Garnier", "Chevalier", "François", "Legrand",
    "Gauthier", "Garcia", "Perrin", "Robin", "Clément", "Morin", "Nicolas", "Henry", "Roussel", "Mathieu",
    "Diallo", "Traoré", "Benali", "Nguyen", "Da Silva", "Rossi", "Schmitt", "Weber", "Meyer", "Klein",
]  # fmt: skip
FUNCTIONS = [
    ("Chargée de mission relations internationales", "Chargé de mission relations internationales"),
    ("Directrice des relations internationales", "Directeur des relations internationales"),
    ("Adjointe au maire déléguée aux jumelages", "Adjoint au maire délégué aux jumelages"),
    (
        "Vice-présidente chargée de l'action internationale",
        "Vice-président chargé de l'action internationale",
    ),
    ("Responsable de la coopération décentralisée", "Responsable de la coopération décentralisée"),
    ("Chargée de projets Europe et international", "Chargé de projets Europe et international"),
]
# Female first names are the first half of FIRST_NAMES: the function is written to agree with them.
FEMALE_FIRST_NAMES = 20

OTHER_FUNDERS = [
    ("Agence de l'eau Seine-Normandie", "agence-eau-seine-normandie"),
    ("Agence de l'eau Loire-Bretagne", "agence-eau-loire-bretagne"),
    ("Agence de l'eau Rhône Méditerranée Corse", "agence-eau-rhone-mediterranee-corse"),
    ("Agence de l'eau Adour-Garonne", "agence-eau-adour-garonne"),
    ("Agence de l'eau Rhin-Meuse", "agence-eau-rhin-meuse"),
    ("Agence de l'eau Artois-Picardie", "agence-eau-artois-picardie"),
]

# French words for ISO 3166-2 subdivision types, with their gender (for "le"/"la"), used to name foreign
# regional authorities ("Land de Bavière", "région de Kayes").
SUBDIVISION_TYPES = {
    "Region": ("région", "f"), "Province": ("province", "f"), "State": ("État", "m"),
    "Department": ("département", "m"), "County": ("comté", "m"), "Governorate": ("gouvernorat", "m"),
    "Prefecture": ("préfecture", "f"), "Land": ("Land", "m"),
    "Autonomous community": ("communauté autonome", "f"),
    "Canton": ("canton", "m"), "Oblast": ("oblast", "m"), "Voivodship": ("voïvodie", "f"),
    "Metropolitan city": ("ville métropolitaine", "f"), "Administrative region": ("région", "f"),
    "Autonomous region": ("région autonome", "f"), "District": ("district", "m"),
    "Municipality": ("municipalité", "f"),
    "Wilaya": ("wilaya", "f"), "Commune": ("commune", "f"), "City": ("ville", "f"),
}  # fmt: skip

# Country names that take "au"/"aux" or "à" rather than "en" after "Ambassade de France".
EMBASSY_PREPOSITION = {
    "Cambodge": "au", "Mexique": "au", "Mozambique": "au", "Zimbabwe": "au", "Belize": "au",
    "Suriname": "au", "Israël": "en", "Cuba": "à", "Madagascar": "à", "Malte": "à", "Chypre": "à",
    "Singapour": "à", "Monaco": "à", "Haïti": "en", "Maurice": "à", "Sao Tomé-et-Principe": "à",
    "Saint-Marin": "à", "Andorre": "en", "Bahreïn": "à", "Taïwan": "à", "Viêt Nam": "au",
    "Territoires palestiniens": "dans les", "Liechtenstein": "au", "Djibouti": "à",
    "Royaume-Uni": "au", "Sierra Leone": "en", "Fidji": "aux",
    "Samoa": "aux", "Vanuatu": "au",
}  # fmt: skip
PLURAL_COUNTRY_PREFIXES = (
    "États-Unis",
    "Pays-Bas",
    "Émirats",
    "Comores",
    "Philippines",
    "Seychelles",
    "Îles",
)
