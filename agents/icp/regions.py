"""Geographic vocabulary: country aliases, named regions as sets of ISO country codes, and
major cities with their country and state."""

from __future__ import annotations

COUNTRY_ALIASES: dict[str, str] = {
    "us": "US", "usa": "US", "united states": "US", "united states of america": "US",
    "america": "US",
    "uk": "GB", "gb": "GB", "great britain": "GB", "britain": "GB", "england": "GB",
    "scotland": "GB", "wales": "GB", "northern ireland": "GB", "united kingdom": "GB",
    "uae": "AE", "emirates": "AE", "united arab emirates": "AE",
    "south korea": "KR", "korea": "KR", "republic of korea": "KR",
    "russia": "RU", "vietnam": "VN", "czech republic": "CZ", "czechia": "CZ",
    "holland": "NL", "turkey": "TR", "turkiye": "TR",
    "iran": "IR", "taiwan": "TW", "bolivia": "BO", "venezuela": "VE", "tanzania": "TZ",
    "moldova": "MD", "syria": "SY", "laos": "LA", "ivory coast": "CI", "hong kong": "HK",
    "macau": "MO", "palestine": "PS", "kosovo": "XK",
    # Native names a brief may use.
    "deutschland": "DE", "espana": "ES", "italia": "IT", "schweiz": "CH", "suisse": "CH",
    "osterreich": "AT", "nederland": "NL", "sverige": "SE", "norge": "NO", "danmark": "DK",
    "suomi": "FI", "polska": "PL", "brasil": "BR", "nippon": "JP", "bharat": "IN",
}

_EU = "AT BE BG HR CY CZ DK EE FI FR DE GR HU IE IT LV LT LU MT NL PL PT RO SK SI ES SE"
_EUROPE = _EU + " GB NO IS LI CH UA RS BA ME MK AL MD BY XK AD MC SM VA GI IM JE GG FO"
_LATAM = (
    "MX GT BZ SV HN NI CR PA CU DO HT PR JM TT BS BB AR BO BR CL CO EC GY PY PE SR UY VE"
)
_SOUTH_AMERICA = "AR BO BR CL CO EC GY PY PE SR UY VE"
_SEA = "SG MY ID TH VN PH KH LA MM BN TL"
_SOUTH_ASIA = "IN PK BD LK NP BT MV AF"
_EAST_ASIA = "CN JP KR HK TW MO MN"
_OCEANIA = "AU NZ FJ PG"
_MIDDLE_EAST = "AE SA QA KW BH OM IL JO LB IQ IR SY YE TR PS"
_NORTH_AFRICA = "EG MA DZ TN LY"
_AFRICA = (
    "DZ AO BJ BW BF BI CV CM CF TD KM CG CD CI DJ EG GQ ER SZ ET GA GM GH GN GW KE LS LR LY "
    "MG MW ML MR MU MA MZ NA NE NG RW ST SN SC SL SO ZA SS SD TZ TG TN UG ZM ZW"
)
_NORTH_AMERICA = "US CA MX"

REGIONS: dict[str, frozenset[str]] = {
    name: frozenset(codes.split())
    for names, codes in [
        (("europe", "european", "continental europe"), _EUROPE),
        (("eu", "european union", "eu27", "eu member states"), _EU),
        (("north america", "northern america"), _NORTH_AMERICA),
        (("latam", "latin america", "central and south america"), _LATAM),
        (("south america",), _SOUTH_AMERICA),
        (("americas",), _NORTH_AMERICA + " " + _LATAM),
        (("apac", "asia pacific", "asia-pacific"), f"{_EAST_ASIA} {_SEA} {_SOUTH_ASIA} {_OCEANIA}"),
        (("asia",), f"{_EAST_ASIA} {_SEA} {_SOUTH_ASIA}"),
        (("southeast asia", "sea"), _SEA),
        (("south asia",), _SOUTH_ASIA),
        (("east asia",), _EAST_ASIA),
        (("oceania", "anz", "australia and new zealand"), _OCEANIA),
        (("middle east",), _MIDDLE_EAST),
        (("mena",), _MIDDLE_EAST + " " + _NORTH_AFRICA),
        (("africa",), _AFRICA),
        (("emea",), f"{_EUROPE} {_MIDDLE_EAST} {_AFRICA}"),
        (("nordics", "nordic countries", "nordic"), "DK FI IS NO SE"),
        (("scandinavia",), "DK NO SE"),
        (("dach",), "DE AT CH"),
        (("benelux",), "BE NL LU"),
        (("uk and ireland", "uk&i", "british isles"), "GB IE"),
        (("baltics",), "EE LV LT"),
        (("cee", "central and eastern europe", "eastern europe"), "PL CZ SK HU RO BG HR SI EE LV LT UA MD RS BA ME MK AL BY"),
        (("gcc", "gulf"), "AE SA QA KW BH OM"),
    ]
    for name in names
}
# Terms that mean "no location constraint".
ANYWHERE = frozenset({"anywhere", "global", "globally", "worldwide", "any location", "international"})

# city -> (ISO country, US/CA state code or "")
_CITY_TABLE = """
san francisco US CA|new york US NY|new york city US NY|brooklyn US NY|los angeles US CA|seattle US WA
austin US TX|boston US MA|chicago US IL|palo alto US CA|mountain view US CA|menlo park US CA
san jose US CA|oakland US CA|berkeley US CA|san mateo US CA|redwood city US CA|sunnyvale US CA
santa clara US CA|cupertino US CA|stanford US CA|san diego US CA|irvine US CA|santa monica US CA
denver US CO|boulder US CO|miami US FL|orlando US FL|tampa US FL|atlanta US GA|dallas US TX
houston US TX|philadelphia US PA|pittsburgh US PA|portland US OR|salt lake city US UT|lehi US UT
phoenix US AZ|minneapolis US MN|detroit US MI|nashville US TN|raleigh US NC|durham US NC
baltimore US MD|st louis US MO|columbus US OH|las vegas US NV|honolulu US HI|jersey city US NJ
toronto CA ON|vancouver CA BC|montreal CA QC|ottawa CA ON|waterloo CA ON|calgary CA AB
london GB |manchester GB |edinburgh GB |oxford GB |bristol GB |birmingham GB |glasgow GB |leeds GB
paris FR |berlin DE |munich DE |hamburg DE |amsterdam NL |rotterdam NL |stockholm SE
copenhagen DK |oslo NO |helsinki FI |dublin IE |madrid ES |barcelona ES |lisbon PT |milan IT
rome IT |zurich CH |geneva CH |vienna AT |warsaw PL |prague CZ |brussels BE |tallinn EE
budapest HU |athens GR |bucharest RO |bengaluru IN |bangalore IN |mumbai IN |delhi IN
new delhi IN |hyderabad IN |chennai IN |pune IN |gurgaon IN |gurugram IN |singapore SG
tokyo JP |seoul KR |beijing CN |shanghai CN |shenzhen CN |taipei TW |jakarta ID
manila PH |bangkok TH |ho chi minh city VN |kuala lumpur MY |sydney AU |melbourne AU
auckland NZ |tel aviv IL |dubai AE |abu dhabi AE |riyadh SA |istanbul TR |cairo EG |lagos NG
nairobi KE |cape town ZA |johannesburg ZA |sao paulo BR |rio de janeiro BR |mexico city MX
buenos aires AR |bogota CO |medellin CO |santiago CL |lima PE
"""
CITIES: dict[str, tuple[str, str]] = {}
for _entry in _CITY_TABLE.replace("\n", "|").split("|"):
    _tokens = _entry.split()
    _codes = [t for t in _tokens if t.isupper()]
    if _tokens:
        CITIES[" ".join(t for t in _tokens if not t.isupper())] = (_codes[0], "".join(_codes[1:]))

CITY_ALIASES: dict[str, str] = {
    "nyc": "new york", "new york city": "new york", "sf": "san francisco",
    "la": "los angeles", "bangalore": "bengaluru", "gurgaon": "gurugram", "new delhi": "delhi",
}
# Metro areas a brief may name; each is a set of cities.
METROS: dict[str, frozenset[str]] = {
    "bay area": frozenset({
        "san francisco", "oakland", "berkeley", "palo alto", "mountain view", "menlo park",
        "san jose", "san mateo", "redwood city", "sunnyvale", "santa clara", "cupertino", "stanford",
    }),
}
METROS["sf bay area"] = METROS["san francisco bay area"] = METROS["silicon valley"] = METROS["bay area"]

# Adjectives a brief uses for places ("European fintechs", "US-based").
DEMONYMS: dict[str, str] = {
    "american": "US", "british": "UK", "english": "UK", "european": "Europe", "german": "Germany",
    "french": "France", "canadian": "Canada", "dutch": "Netherlands", "swiss": "Switzerland",
    "spanish": "Spain", "italian": "Italy", "irish": "Ireland", "swedish": "Sweden",
    "danish": "Denmark", "norwegian": "Norway", "finnish": "Finland", "polish": "Poland",
    "nordic": "Nordics", "scandinavian": "Scandinavia", "israeli": "Israel", "indian": "India",
    "japanese": "Japan", "australian": "Australia", "brazilian": "Brazil", "mexican": "Mexico",
    "singaporean": "Singapore", "latin american": "LATAM", "african": "Africa", "asian": "Asia",
    "north american": "North America", "californian": "California",
}
