"""Vocabularies that generated posts draw on: per work domain (tools, tasks, recurring problems) and per
hobby (things, places, events). Phrases are written to fit the templates in ``templates.py``:
``for {task}``, ``how do you deal with {thing}?``, ``meet at {place}``."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Vocabulary:
    tools: tuple[str, ...] = ()
    tasks: tuple[str, ...] = ()
    things: tuple[str, ...] = ()
    code: tuple[str, ...] = ()  # snippet languages that suit the domain
    # interest communities
    items: tuple[str, ...] = ()
    places: tuple[str, ...] = ()
    events: tuple[str, ...] = ()
    achievements: tuple[str, ...] = ()
    questions: tuple[str, ...] = ()
    extra: dict[str, tuple[str, ...]] = field(default_factory=dict)


def _t(text: str) -> tuple[str, ...]:
    return tuple(part.strip() for part in text.split("|") if part.strip())


WORK: dict[str, Vocabulary] = {
    "it": Vocabulary(
        tools=_t(
            "Intune | ServiceNow | Microsoft Teams | OneDrive | Zscaler | GlobalProtect | Autopilot | "
            "Jamf | Okta | Power Automate | Atrium"
        ),
        tasks=_t(
            "laptop refreshes | Windows 11 migration | onboarding new joiners | meeting-room upgrades | "
            "the VPN replacement | software packaging | mailbox migrations | site network upgrades"
        ),
        things=_t(
            "slow logins on Monday mornings | shared mailboxes nobody owns | Teams rooms that lose "
            "audio | devices that miss their patches | local admin rights requests | "
            "users with three laptops"
        ),
        code=("powershell", "bash"),
    ),
    "adoption": Vocabulary(
        tools=_t("Atrium | Atrium insights | the Atrium desktop | Microsoft Teams | the intranet"),
        tasks=_t(
            "champion training | community launches | site roll-outs | onboarding new communities | "
            "moving a team off email distribution lists"
        ),
        things=_t(
            "communities that go quiet after launch | managers who only read | questions posted "
            "by email instead | duplicate communities | people who never set a profile picture"
        ),
    ),
    "software": Vocabulary(
        tools=_t(
            "GitLab CI | GitHub Actions | pytest | Renovate | SonarQube | Terraform | Docker | Helm | "
            "Grafana | OpenTelemetry | ruff | Bazel | Azure DevOps | Artifactory"
        ),
        tasks=_t(
            "code reviews | release automation | dependency upgrades | on-call handovers | "
            "migrating services to Kubernetes | static analysis in CI | secure boot on the new gateway"
        ),
        things=_t(
            "flaky tests | long CI pipelines | secrets in repositories | unpinned dependencies | "
            "merge requests that wait for days | memory leaks that only show in production | "
            "build agents running out of disk"
        ),
        code=("python", "yaml", "bash", "c", "sql"),
    ),
    "data": Vocabulary(
        tools=_t(
            "Power BI | Databricks | Snowflake | dbt | Airflow | pandas | scikit-learn | MLflow | "
            "PostgreSQL | Excel | Great Expectations"
        ),
        tasks=_t(
            "demand forecasting | the sales dashboard refresh | master data clean-up | "
            "predictive maintenance models | migrating reports off Access | monthly KPI packs"
        ),
        things=_t(
            "duplicated customer records | dashboards nobody trusts | slow queries at month end | "
            "models that drift after a price change | manual CSV exports | unclear data ownership"
        ),
        code=("python", "sql", "dax"),
    ),
    "security": Vocabulary(
        tools=_t(
            "Microsoft Defender | CrowdStrike | Splunk | Tenable | Burp Suite | Zscaler | CyberArk | Claroty"
        ),
        tasks=_t(
            "phishing simulations | vulnerability management | remote access for suppliers | "
            "network segmentation in plants | privileged access reviews | incident response drills"
        ),
        things=_t(
            "unpatched controllers on the shop floor | shared admin accounts | USB sticks from "
            "visitors | MFA fatigue | shadow IT | legacy Windows 7 HMIs"
        ),
        code=("powershell", "bash"),
    ),
    "finance_systems": Vocabulary(
        tools=_t("SAP S/4HANA | Fiori | SAP GUI | Ariba | Concur | SAP Analytics Cloud | BlackLine"),
        tasks=_t(
            "the S/4HANA migration | vendor master clean-up | intercompany invoicing | "
            "purchase order approvals | goods receipt in the warehouse | month-end close"
        ),
        things=_t(
            "blocked invoices | duplicate vendor records | roles nobody can explain | "
            "transactions that only work in SAP GUI | authorisation errors after go-live"
        ),
        code=("sql",),
    ),
    "electrical": Vocabulary(
        tools=_t(
            "PLECS | LTspice | SIMetrix | Altium | MATLAB/Simulink | a Keysight power analyser | "
            "PSIM | Ansys Maxwell"
        ),
        tasks=_t(
            "the 50 kW inverter redesign | SiC MOSFET qualification | gate driver layout | "
            "magnetics design | EMC pre-compliance | derating analysis | the new charger platform"
        ),
        things=_t(
            "ringing on the gate signal | common-mode noise | hot spots on the DC link capacitors | "
            "parasitic inductance in the power loop | thermal runaway in the test chamber | "
            "long lead times on SiC devices"
        ),
        code=("python", "c"),
    ),
    "automation": Vocabulary(
        tools=_t(
            "TIA Portal | EcoStruxure Machine Expert | Codesys | Ignition | Node-RED | OPC UA | "
            "Modbus TCP | BACnet"
        ),
        tasks=_t(
            "commissioning the new packaging line | PLC code reviews | HMI redesign | "
            "retrofitting old controllers | cell safety validation | remote diagnostics"
        ),
        things=_t(
            "spaghetti ladder logic | undocumented I/O changes | cycle times creeping up | "
            "nuisance trips | safety circuits bypassed during maintenance | firmware versions per line"
        ),
        code=("iec", "python"),
    ),
    "mechanical": Vocabulary(
        tools=_t("Creo | SolidWorks | Ansys Fluent | Abaqus | COMSOL | Windchill | a Stratasys printer"),
        tasks=_t(
            "the enclosure redesign | tolerance analysis | drop testing | airflow simulation of the "
            "cabinet | design for assembly reviews | printing jigs and fixtures"
        ),
        things=_t(
            "mesh convergence | tolerance stack-ups | simulation results that disagree with tests | "
            "supplier drawings in old formats | warping on large prints"
        ),
    ),
    "manufacturing": Vocabulary(
        tools=_t(
            "value-stream maps | A3 reports | OEE dashboards | kanban cards | SMED workshops | "
            "the MES | andon boards | TPM checklists"
        ),
        tasks=_t(
            "the 5S audit | changeover reduction | line balancing | gemba walks | kaizen weeks | "
            "the new assembly line ramp-up | preventive maintenance planning"
        ),
        things=_t(
            "long changeovers | micro-stoppages | missing parts at the line | near misses on the "
            "forklift routes | overtime at quarter end | sustaining 5S after the audit"
        ),
    ),
    "quality": Vocabulary(
        tools=_t(
            "8D reports | Minitab | control charts | FMEA | PPAP packages | Ishikawa diagrams | "
            "the QMS | measurement system analysis"
        ),
        tasks=_t(
            "supplier audits | customer complaint handling | the ISO 9001 recertification | "
            "incoming inspection | first article inspection | root cause analysis"
        ),
        things=_t(
            "repeat defects | complaints closed without a root cause | gauge R&R failures | "
            "suppliers that ship before approval | too many open corrective actions"
        ),
    ),
    "agile": Vocabulary(
        tools=_t("Jira | Miro | Confluence | SAFe PI planning | OKRs | story maps | Azure Boards"),
        tasks=_t(
            "PI planning | retrospectives | backlog refinement | roadmap reviews | "
            "stakeholder updates | risk reviews | scaling Scrum across three sites"
        ),
        things=_t(
            "retros that repeat the same actions | too much work in progress | dependencies "
            "between teams | estimates treated as promises | meetings that eat the sprint"
        ),
    ),
    "supply": Vocabulary(
        tools=_t("SAP IBP | Kinaxis | the TMS | Ariba | Coupa | Incoterms 2020 | supplier scorecards"),
        tasks=_t(
            "the S&OP cycle | dual sourcing of electronic components | freight tenders | "
            "safety-stock reviews | supplier onboarding | customs classification"
        ),
        things=_t(
            "lead times on semiconductors | expedite fees | forecast bias | containers stuck in port | "
            "single-source parts | inventory that never moves"
        ),
    ),
    "finance": Vocabulary(
        tools=_t("SAP | Anaplan | Power BI | BlackLine | OneStream | Excel"),
        tasks=_t(
            "the budget cycle | month-end close | business case reviews | capex approvals | "
            "the rolling forecast | intercompany reconciliations"
        ),
        things=_t(
            "late accruals | forecasts that change every week | business cases without a baseline | "
            "manual journal entries | currency effects"
        ),
    ),
    "hr": Vocabulary(
        tools=_t("Workday | LinkedIn Recruiter | the learning portal | Culture Amp | Teams webinars"),
        tasks=_t(
            "onboarding new joiners | interview training | talent reviews | the engagement survey | "
            "mentoring programmes | graduate rotations"
        ),
        things=_t(
            "offers declined at the last minute | new joiners without a laptop on day one | "
            "low survey response in plants | training nobody finishes | unclear career paths"
        ),
    ),
    "sales": Vocabulary(
        tools=_t(
            "Salesforce | the configurator | LinkedIn Sales Navigator | Gong | CPQ | the partner portal"
        ),
        tasks=_t(
            "account planning | tender responses | pricing approvals | quarterly business reviews | "
            "renewals | partner onboarding"
        ),
        things=_t(
            "discount creep | CRM data nobody updates | long approval chains | losing on lead time | "
            "churn after the first year"
        ),
    ),
    "marketing": Vocabulary(
        tools=_t("HubSpot | Google Analytics | Canva | the brand portal | Adobe Express | LinkedIn Ads"),
        tasks=_t(
            "the product launch campaign | trade show planning | website localisation | "
            "webinar series | case study interviews"
        ),
        things=_t(
            "leads that sales never follow up | off-brand slides | translations that miss the "
            "point | low webinar attendance"
        ),
    ),
    "legal": Vocabulary(
        tools=_t("the contract database | DocuSign | the compliance hotline | OneTrust | the DPA template"),
        tasks=_t(
            "supplier contract reviews | data processing agreements | export control checks | "
            "subject access requests | the code of conduct refresh"
        ),
        things=_t(
            "contracts signed on old templates | unclear retention periods | gifts from "
            "suppliers | personal data in shared drives | sanctions screening"
        ),
    ),
    "sustainability": Vocabulary(
        tools=_t("the carbon dashboard | EcoVadis | life-cycle assessments | solar PPAs | heat pumps"),
        tasks=_t(
            "scope 3 reporting | the energy audit | packaging reduction | site decarbonisation plans | "
            "supplier carbon surveys"
        ),
        things=_t(
            "missing supplier emission data | compressed-air leaks | single-use packaging | "
            "business travel emissions | heating empty offices"
        ),
    ),
    "comms": Vocabulary(
        tools=_t("Atrium | the newsletter tool | Teams live events | the intranet | video subtitles"),
        tasks=_t(
            "the town hall | leadership blogs | site newsletters | change announcements | employee stories"
        ),
        things=_t(
            "announcements nobody reads | comment moderation | translations into 20 languages | "
            "managers who forward instead of explain"
        ),
    ),
    "design": Vocabulary(
        tools=_t("Figma | the design system | Maze | screen readers | axe DevTools | Vale"),
        tasks=_t(
            "usability testing | the design system refresh | accessibility audits | "
            "user interviews | writing release notes"
        ),
        things=_t(
            "inconsistent buttons | missing alt text | jargon in error messages | low colour contrast | "
            "research findings nobody reads"
        ),
        code=("css",),
    ),
    "strategy": Vocabulary(
        tools=_t("the board pack | the strategy deck | the synergy model | the data room"),
        tasks=_t("the three-year plan | portfolio review | integration planning | the budget envelope"),
        things=_t("overlapping initiatives | synergies without owners | timing of the announcement"),
    ),
    "vendors": Vocabulary(
        tools=_t(
            "Kestrel Logistics | Norwave Components | Brightline Staffing | Octavia Cloud | "
            "Meridian Travel | Castellan Facilities | Lumen Translation | Ardent Test Labs | "
            "Polaris Print | Veritas Calibration"
        ),
        tasks=_t(
            "freight between Europe and Asia | temporary staffing | cloud hosting | calibration of test "
            "equipment | translation of manuals | facility cleaning | EMC certification | "
            "travel booking | printing of marketing material"
        ),
        things=_t(
            "price increases mid-contract | slow invoicing | account managers who change every "
            "quarter | missing certificates | minimum order quantities"
        ),
    ),
}

HOBBY: dict[str, Vocabulary] = {
    "photography": Vocabulary(
        items=_t(
            "a 35 mm prime | the Fujifilm X100 | Lightroom presets | a cheap ND filter | "
            "a travel tripod | film cameras"
        ),
        places=_t(
            "the old town at blue hour | the river near the Grenoble campus | Marina Bay | "
            "the Bastille cable cars | the harbour at sunrise"
        ),
        events=_t("the monthly photo challenge | a photo walk | the office exhibition"),
        achievements=_t("my first photo printed in A2 | a full roll of film without a single blurry shot"),
        questions=_t(
            "which lens would you take on a one-week trip? | how do you back up your photos? | "
            "is a phone good enough for street photography?"
        ),
        extra={"thing": _t("lens for portraits | editing app | camera bag")},
    ),
    "running": Vocabulary(
        items=_t("carbon-plate shoes | a GPS watch | energy gels | a head torch | trail shoes"),
        places=_t("the canal path | the park behind building B | the riverside loop | the stadium track"),
        events=_t("a lunchtime 5K | the corporate relay | Sunday long run | the city half marathon"),
        achievements=_t("my first half marathon | a sub-50 10K | 1,000 km this year"),
        questions=_t(
            "how do you fit training around business travel? | any tips for running in the "
            "heat? | what do you eat before a long run?"
        ),
        extra={"thing": _t("running route near the office | training plan | pair of shoes")},
    ),
    "cycling": Vocabulary(
        items=_t("a gravel bike | good rain gear | a bike computer | panniers | a folding bike"),
        places=_t("the col above the campus | the lake loop | the cycle path along the river"),
        events=_t("bike-to-work week | a Saturday group ride | the charity sportive"),
        achievements=_t("cycling to work every day in January | my first 100 km ride"),
        questions=_t("where do you park bikes at the Rueil site? | e-bike or regular for a 15 km commute?"),
        extra={"thing": _t("commute route | bike shop near the office")},
    ),
    "books": Vocabulary(
        items=_t(
            "'Project Hail Mary' | 'The Goal' | 'Thinking, Fast and Slow' | 'Klara and the Sun' | "
            "'The Ministry for the Future' | 'Team of Teams' | 'Pachinko'"
        ),
        places=_t("the library corner | the canteen after lunch | our Teams channel"),
        events=_t("this month's discussion | the book swap"),
        achievements=_t("finishing 30 books this year | reading a book in Spanish for the first time"),
        questions=_t("what should we read next month? | audiobooks: do they count?"),
        extra={"thing": _t("book for a long flight | business book that is actually readable")},
    ),
    "games": Vocabulary(
        items=_t("Wingspan | Azul | Ticket to Ride | Codenames | Catan | Terraforming Mars"),
        places=_t("the canteen on Thursdays | meeting room 2.14 | the lobby"),
        events=_t("the lunchtime game session | game night | the blitz tournament"),
        achievements=_t("winning my first tournament game | teaching Wingspan to six colleagues"),
        questions=_t("what's a good game for eight players? | anyone up for online games across sites?"),
        extra={"thing": _t("game for a lunch break")},
    ),
    "gardening": Vocabulary(
        items=_t("tomato seedlings | a worm composter | lavender | a self-watering pot | chilli plants"),
        places=_t("the roof terrace | the office courtyard | my balcony"),
        events=_t("the seed swap | planting day on the roof terrace"),
        achievements=_t("my first harvest of courgettes | keeping the office fern alive for a year"),
        questions=_t("which office plants survive the air conditioning? | how do you stop slugs?"),
        extra={"thing": _t("plant for a north-facing balcony")},
    ),
    "food": Vocabulary(
        items=_t(
            "shakshuka | a Thai green curry | pão de queijo | Swedish cinnamon buns | dal tadka | "
            "tiramisu | Korean pancakes"
        ),
        places=_t("the canteen | the team kitchen | the food market near the office"),
        events=_t("the international potluck | recipe of the week"),
        achievements=_t(
            "baking sourdough that actually rose | cooking a dish from every country in our team"
        ),
        questions=_t("what's your go-to 20-minute dinner? | best lunch to bring to the office?"),
        extra={"thing": _t("weeknight recipe | dessert for a team celebration")},
    ),
    "outdoors": Vocabulary(
        items=_t("a lightweight tent | trekking poles | a waterproof jacket | a dry bag"),
        places=_t("the Chartreuse massif | the coast path | the national park | the lake"),
        events=_t("a Saturday hike | the weekend trip | a sailing taster day"),
        achievements=_t("my first overnight hike | sailing across the bay solo"),
        questions=_t("which trails are good for beginners? | any tips for hiking in the rainy season?"),
        extra={"thing": _t("day hike near the office")},
    ),
    "sports": Vocabulary(
        items=_t("indoor court shoes | a carbon racket | the new sports hall booking app"),
        places=_t("the sports hall | the pitch behind the car park | the club courts"),
        events=_t("the inter-site tournament | Wednesday five-a-side | the badminton ladder"),
        achievements=_t("our site team reaching the final | scoring in the inter-site cup"),
        questions=_t("who is up for a match on Friday? | does anyone have a spare racket?"),
        extra={"thing": _t("sports club near the office")},
    ),
    "music": Vocabulary(
        items=_t("a practice amp | a digital piano | in-ear monitors | a cajón"),
        places=_t("the auditorium | the rehearsal room downstairs"),
        events=_t("the summer party gig | an open jam session"),
        achievements=_t("playing our first gig at the summer party"),
        questions=_t("does anyone play bass? | where do you rehearse near the office?"),
        extra={"thing": _t("album for focused work")},
    ),
    "languages": Vocabulary(
        items=_t(
            "a tandem call in Spanish | a Mandarin podcast for learners | a German conversation class | "
            "a 100-day app streak | French films with French subtitles"
        ),
        places=_t("a Teams call | the canteen at lunch | the coffee corner"),
        events=_t("tandem speed-matching | the monthly conversation club"),
        achievements=_t("passing my B2 exam | giving a presentation in German"),
        questions=_t("which app worked for you? | how do you keep practising when you're busy?"),
        extra={"thing": _t("podcast for learners")},
    ),
    "family": Vocabulary(
        items=_t("a shared family calendar | the site holiday camp | a school-run rota"),
        places=_t("the family room | the site creche"),
        events=_t("the take-your-kids-to-work day | school holidays"),
        achievements=_t("surviving the first week back after parental leave"),
        questions=_t(
            "how do you handle meetings during the school run? | any good holiday camps near the site?"
        ),
        extra={"thing": _t("tip for working from home with toddlers")},
    ),
    "pets": Vocabulary(
        items=_t("an automatic feeder | a pet camera | a new dog harness | a self-cleaning litter box"),
        places=_t("the dog park next to the campus | the office garden | the terrace"),
        events=_t("bring-your-dog Friday | pet photo Friday"),
        achievements=_t("our dog finally passing obedience class"),
        questions=_t(
            "dog-friendly hotels for a road trip? | how do you stop a cat walking across the keyboard?"
        ),
        extra={"thing": _t("pet-sitter tip")},
    ),
    "travel": Vocabulary(
        items=_t(
            "a universal adapter | noise-cancelling headphones | an eSIM | a carry-on that fits everywhere"
        ),
        places=_t("Shanghai Pudong | Frankfurt airport | Bangalore | Monterrey | Dubai | Singapore Changi"),
        events=_t("a two-week site visit | the customer tour | the conference"),
        achievements=_t("getting through a 20-hour trip without jet lag"),
        questions=_t(
            "best hotel near the Shenzhen site? | how long does a business visa for India take? | "
            "is the airport train faster than a taxi in Bangalore?"
        ),
        extra={"thing": _t("hotel near our Monterrey plant | travel app")},
    ),
    "volunteering": Vocabulary(
        items=_t("the volunteer day | a food bank shift | a coding club for kids"),
        places=_t("the local food bank | the primary school next to the site | the river clean-up"),
        events=_t("the river clean-up | the charity run | the volunteer day"),
        achievements=_t("collecting 400 kg of food for the local food bank"),
        questions=_t("how do I log my volunteer day? | any projects near the Pune site?"),
        extra={"thing": _t("charity to support")},
    ),
    "network": Vocabulary(
        items=_t("the mentoring programme | the speaker list | the graduate rotation"),
        places=_t("the auditorium | a Teams live event | the Bangalore hub"),
        events=_t("the panel on career paths | the coffee roulette | the summer meetup"),
        achievements=_t("my first conference talk | joining the mentoring programme as a mentor"),
        questions=_t("how did you choose your first rotation? | anyone been to the engineering summit?"),
        extra={"thing": _t("career advice you got early on")},
    ),
    "techhobby": Vocabulary(
        items=_t(
            "Home Assistant | a Raspberry Pi | a Prusa printer | a Dobsonian telescope | "
            "a heat pump | a wallbox | an SDR dongle"
        ),
        places=_t("the garage | the roof | a dark-sky site"),
        events=_t("the Perseids | the maker meetup | a road trip in the EV"),
        achievements=_t(
            "automating the whole heating system | printing a working gearbox | "
            "a 1,000 km road trip on one charge per day"
        ),
        questions=_t(
            "Zigbee or Wi-Fi for sensors? | which filament for outdoor parts? | "
            "is a home battery worth it yet?"
        ),
        extra={"thing": _t("starter kit")},
    ),
    "wellbeing": Vocabulary(
        items=_t("a standing desk | a meditation app | a walking pad | breathing exercises"),
        places=_t("the quiet room | the terrace | a Teams session"),
        events=_t("Monday lunchtime yoga | the mindfulness week | the step challenge"),
        achievements=_t("30 days of meditation in a row | finishing the step challenge"),
        questions=_t(
            "how do you switch off after a long day of calls? | any tips for back pain at the desk?"
        ),
        extra={"thing": _t("habit that helped you")},
    ),
    "film": Vocabulary(
        items=_t("'Perfect Days' | 'Past Lives' | 'The Bear' | 'Severance' | 'Drive My Car'"),
        places=_t("the auditorium | the cinema near the office"),
        events=_t("the film night | this month's pick"),
        achievements=_t("watching all the Best Picture nominees this year"),
        questions=_t("which series is worth starting? | anyone seen the new documentary on energy?"),
        extra={"thing": _t("film for a long flight")},
    ),
    "site": Vocabulary(
        items=_t("the new canteen menu | the shuttle timetable | the EV chargers | the bike shelter"),
        places=_t("the main lobby | building B | the car park | the canteen | the terrace"),
        events=_t("the site open day | the summer party | the blood donation drive | the family day"),
        achievements=_t("the site reaching zero waste to landfill"),
        questions=_t(
            "is the car park open on Saturday? | who do I ask about a locker? | "
            "why is the coffee machine on floor 3 always broken?"
        ),
        extra={
            "thing": _t("lunch place near the site"),
            "dish": _t(
                "a Thai green curry | fresh pasta | a poke bowl station | paella | a salad bar | "
                "biryani | ramen"
            ),
        },
    ),
}

CAFE = Vocabulary(
    items=_t("pão de queijo | masala chai | apple strudel | chicken adobo | banana bread | dal | baklava"),
    places=_t(
        "the new bakery near the station | the lake trail | the night market | the climbing gym | "
        "the Sunday flea market"
    ),
    extra={
        "film": _t("'Perfect Days' | 'Severance' | 'The Bear' | 'Past Lives' | 'Dune: Part Two' | 'Shōgun'"),
        "language": _t("Polish | Turkish | Vietnamese | Portuguese | Hungarian | Korean"),
    },
)

WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday")
LESSONS = _t(
    "start small: one line, one shift, one team | agree on the definition of done before you start | "
    "get the site manager to the first review | write it down in the wiki the same day | "
    "automate the boring part first | measure before you change anything | "
    "ask the operators, they already know the answer | keep the pilot to six weeks | "
    "make one person accountable, not a committee | celebrate the first small win loudly | "
    "budget time for training, not just licences | check what other sites already built"
)
TIPS = _t(
    "clean up the master data first | train two key users per site | tune the defaults to your process | "
    "switch off the features you don't need | schedule the jobs outside working hours | "
    "agree the naming convention up front | keep the configuration in version control"
)
SIGNOFFS = _t(
    "Thanks in advance! | Any pointers appreciated. | Happy to share what we learn. | "
    "Thanks! | Grateful for any experience you can share."
)
FEELINGS = _t(
    "Still smiling. | Legs are sore but worth it. | Couldn't have done it without this group. | "
    "Highly recommended. | Next goal already set."
)
