"""Wiki pages for the demo company (company wiki and community wikis), written as sections so
that each page grows over several revisions the way real pages do."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class WikiSpec:
    path: str
    title: str
    intro: str
    sections: tuple[tuple[str, str], ...]
    summaries: tuple[str, ...]  # one per revision, oldest first
    community: str | None = None  # a community slug; None = company wiki
    editors: str = "IT"  # department whose people edit it

    def revision_bodies(self) -> list[str]:
        """The page body at each revision: sections arrive over time; the draft note goes last."""
        count = len(self.summaries)
        bodies = []
        for index in range(count):
            upto = max(1, -(-len(self.sections) * (index + 1) // count))
            parts = [f"# {self.title}", ""]
            if index < count - 1:
                parts += ["> Draft: comments welcome.", ""]
            parts += [self.intro, ""]
            for heading, text in self.sections[:upto]:
                parts += [f"## {heading}", "", text, ""]
            bodies.append("\n".join(parts).rstrip() + "\n")
        return bodies


PAGES: tuple[WikiSpec, ...] = (
    WikiSpec(
        "onboarding",
        "Onboarding",
        "Welcome! This page walks you through your first weeks. Your buddy and your manager will help, "
        "and the **Onboarding Buddies** community answers questions any time.",
        (
            (
                "Day one",
                "- Collect your laptop and badge at reception\n- Sign in to Atrium and set a profile "
                "picture\n- Join your site's community and *IT Support*",
            ),
            (
                "First week",
                "1. Meet your buddy\n2. Complete the mandatory trainings (security, code of "
                "conduct)\n3. Read the [Travel policy](travel-policy) if you will travel",
            ),
            (
                "First month",
                "Book a coffee with five people outside your team. Seriously: it's the fastest "
                "way to learn how things work here.",
            ),
            (
                "Useful links",
                "- [IT/New laptop](it/new-laptop)\n- [Expenses policy](expenses-policy)\n"
                "- The **Expenses**, **Room booking** and **IT Status** apps in Atrium's app bar",
            ),
        ),
        ("Create page", "Add first week and month", "Add useful links", "Fix typos, link the apps"),
        editors="HR",
    ),
    WikiSpec(
        "it/vpn-setup",
        "IT/VPN setup",
        "Working away from the office? GlobalProtect connects you to the company network.",
        (
            (
                "Install",
                "GlobalProtect is pre-installed on every laptop. If it's missing, install it from "
                "**Company Portal**.",
            ),
            (
                "Connect",
                "1. Click the globe icon in the system tray\n2. Portal: `vpn.example.com`\n3. Sign in "
                "with your usual account and approve the MFA prompt",
            ),
            (
                "Choosing a gateway",
                "'Best available' works for most people. In China, choose **Shanghai** "
                "manually. If Frankfurt is degraded (see the IT Status app), choose Amsterdam.",
            ),
            (
                "Troubleshooting",
                "- Disconnects every few minutes: disable power saving on the Wi-Fi adapter "
                "(Device Manager → adapter → Power Management)\n- Certificate errors: run *Sync* in Company "
                "Portal and restart\n- Still stuck: ask in **IT Support**, tag #vpn",
            ),
        ),
        (
            "Create page",
            "Add gateway advice",
            "Add troubleshooting from IT Support answers",
            "Update portal address",
            "Add China advice",
        ),
        editors="IT",
    ),
    WikiSpec(
        "it/printers",
        "IT/Printers",
        "All offices use follow-me printing: print anywhere, collect at any printer with your badge.",
        (
            (
                "How to print",
                "Choose the **Secure-Print** printer (installed on every laptop). Walk to any "
                "printer, tap your badge, pick your jobs.",
            ),
            ("Jobs expire", "Jobs not released within 24 hours are deleted."),
            ("Scanning", "Tap your badge, choose *Scan to me*: the PDF arrives in your mailbox."),
            (
                "Problems",
                "Blank pages from SAP: ask your SAP key user to switch the output device to "
                "`SECPRINT_PDF`. Anything else: **IT Support**, tag #printing.",
            ),
        ),
        ("Create page", "Add scanning", "Add SAP blank pages workaround"),
        editors="IT",
    ),
    WikiSpec(
        "it/new-laptop",
        "IT/New laptop",
        "Getting a replacement laptop? Most things move by themselves.",
        (
            (
                "Before",
                "Make sure everything is in OneDrive (Documents and Desktop are by default). Copy "
                "anything in `C:\\Data` into OneDrive.",
            ),
            (
                "Setup",
                "Sign in with your account on the new laptop: Autopilot installs your apps in about 30 "
                "minutes. Keep it on the charger and on the office network.",
            ),
            (
                "After",
                "Return the old laptop to your site IT within two weeks. Its disk is wiped and, if "
                "you used the Atrium desktop, revoke it under *Devices* so its cache is wiped too.",
            ),
        ),
        ("Create page", "Add the return process", "Mention revoking Atrium devices"),
        editors="IT",
    ),
    WikiSpec(
        "it/password-reset",
        "IT/Password reset",
        "Forgot your password or locked out?",
        (
            ("Network account", "Use self-service at `https://passwordreset.example.com` from any device."),
            (
                "SAP",
                "Use *SAP Password Reset* in the service portal: choose the system (P01, P02) and client.",
            ),
            ("MFA", "New phone? Add it under *Security info* before you reset the old one."),
        ),
        ("Create page", "Add SAP", "Add MFA section"),
        editors="IT",
    ),
    WikiSpec(
        "travel-policy",
        "Travel policy",
        "Travel when it adds value that a call can't. This summary is not the legal text; the full "
        "policy is linked at the bottom.",
        (
            (
                "Booking",
                "Book through **Meridian Travel** (the travel app) so we can reach you if something happens.",
            ),
            (
                "Train or plane",
                "Train for trips under 4 hours door to door. Economy class for flights under 6 "
                "hours; premium economy above.",
            ),
            ("Hotels", "Within the city caps in the travel app. Exceptions approved by your manager."),
            ("Expenses", "File within 30 days in the **Expenses** app with photos of receipts."),
            ("Safety", "Check the travel risk page before trips to high-risk countries; register your trip."),
        ),
        (
            "Create page",
            "Add hotel caps",
            "Add expenses deadline",
            "March update: train rule",
            "Add safety section",
        ),
        editors="Finance",
    ),
    WikiSpec(
        "expenses-policy",
        "Expenses policy",
        "What you can claim, and how.",
        (
            (
                "Claimable",
                "- Travel, hotels and meals within the caps\n- Internet on the road\n"
                "- Client entertainment, with the guests' names",
            ),
            ("Not claimable", "- Minibar\n- Fines\n- Upgrades you chose yourself"),
            ("How", "Use the **Expenses** app: one line per receipt, photo attached, submit within 30 days."),
        ),
        ("Create page", "Add not claimable", "Point to the Expenses app"),
        editors="Finance",
    ),
    WikiSpec(
        "security/phishing",
        "Security/Recognising phishing",
        "Phishing emails try to get your password or make you open a file.",
        (
            (
                "Warning signs",
                "- Urgency ('within 24 hours')\n- A sender address that is almost right\n"
                "- Links whose address doesn't match the text (hover to check)",
            ),
            ("What to do", "Click **Report phishing** in Outlook. Don't forward it to colleagues."),
            ("If you clicked", "Change your password now and tell the service desk. Nobody will blame you."),
        ),
        ("Create page", "Add what to do", "Add 'if you clicked'"),
        editors="IT",
    ),
    WikiSpec(
        "atrium",
        "Getting started with Atrium",
        "Atrium is one window onto conversations, communities, the wiki and business apps.",
        (
            (
                "Your feed",
                "The home feed shows what you follow: joined communities, people, #topics, "
                "mentions, and company announcements.",
            ),
            (
                "Asking a question",
                "Post in the right community with kind *Question*. When an answer works, "
                "**accept** it: the question shows as solved and search ranks it first.",
            ),
            (
                "Offline",
                "The desktop keeps everything you follow on your laptop. Write offline; posts go out "
                "when you reconnect, never twice.",
            ),
            ("Apps", "The app bar opens Expenses, Room booking and IT Status without leaving Atrium."),
        ),
        ("Create page", "Add questions and accepting answers", "Add offline and apps"),
        editors="IT",
    ),
    WikiSpec(
        "hr/holidays",
        "HR/Public holidays by country",
        "Public holidays differ across our 100 countries; your local HR page has the binding list.",
        (
            ("Planning across countries", "Check colleagues' holidays before scheduling global meetings."),
            (
                "Floating holidays",
                "Where local law allows, two floating days can be taken for holidays of your choice.",
            ),
        ),
        ("Create page", "Add floating holidays"),
        editors="HR",
    ),
    WikiSpec(
        "comms/brand-guidelines",
        "Comms/Brand guidelines",
        "How our name, logo and colours are used.",
        (
            ("Logo", "Use the files from the brand portal only; never stretch or recolour."),
            ("Colours", "| name | hex |\n|---|---|\n| Life Green | `#3DCD58` |\n| Dark Grey | `#333333` |"),
            ("Templates", "Slide and document templates are on the brand portal."),
        ),
        ("Create page", "Add colours table", "Link templates"),
        editors="Comms",
    ),
    # community wikis
    WikiSpec(
        "faq",
        "IT Support FAQ",
        "The questions asked most often in this community, with the accepted answers.",
        (
            ("VPN", "See [IT/VPN setup](it/vpn-setup)."),
            ("Outlook password prompts", "Clear the `MicrosoftOffice16_Data` entries in Credential Manager."),
            ("Printing", "Use Secure-Print and your badge."),
            ("How to ask", "Give your site, laptop model, what you tried, and a screenshot of the error."),
        ),
        ("Create FAQ", "Add printing", "Add how to ask"),
        community="it-support",
        editors="IT",
    ),
    WikiSpec(
        "getting-started",
        "Python at the company: getting started",
        "Install Python 3.12 from Company Portal and use one virtual environment per project.",
        (
            ("Packages", "Our internal package index mirrors PyPI: `pip` is configured automatically."),
            (
                "Tooling we recommend",
                "- `ruff` for linting and formatting\n- `pytest` for tests\n- `mypy` for type checks",
            ),
            ("Where to ask", "Here in the Python Guild, tag #python."),
        ),
        ("Create page", "Add tooling", "Add where to ask", "Bump to Python 3.12"),
        community="python-guild",
        editors="Engineering",
    ),
    WikiSpec(
        "5s-checklist",
        "5S audit checklist",
        "The checklist our plants use for monthly 5S audits.",
        (
            ("Sort", "- No unneeded tools or materials at the workstation"),
            ("Set in order", "- Every tool has a marked place\n- Floor markings intact"),
            ("Shine", "- Machines and floor clean, leaks reported"),
            ("Standardise", "- Standards visible at the station"),
            ("Sustain", "- Last three audits posted, actions closed"),
        ),
        ("Create checklist", "Add standardise and sustain", "Wording from the Monterrey plant"),
        community="lean-manufacturing",
        editors="Manufacturing",
    ),
    WikiSpec(
        "routes",
        "Running routes near our sites",
        "Routes shared by members, with distance and surface.",
        (
            ("Grenoble", "Isère riverside loop, 8 km, flat, asphalt."),
            ("Bangalore", "Cubbon Park, 5 km loop, go early."),
            ("Boston", "Charles River Esplanade, any distance you like."),
        ),
        ("Create page", "Add Bangalore", "Add Boston"),
        community="running-club",
        editors="",
    ),
    WikiSpec(
        "preferred-vendors",
        "How to propose a new vendor",
        "Before onboarding a new vendor, check this community for experience and talk to Procurement.",
        (
            (
                "Steps",
                "1. Search Vendor Exchange\n2. Ask for three quotes\n3. Submit the supplier onboarding form",
            ),
            ("Red flags", "- No certificates\n- Unclear subcontracting\n- Payment in advance only"),
        ),
        ("Create page", "Add red flags"),
        community="vendor-exchange",
        editors="Supply Chain",
    ),
    WikiSpec(
        "offsite-agenda",
        "Leadership offsite agenda",
        "Two days, one topic per half day.",
        (("Day 1", "Portfolio review; talent."), ("Day 2", "Falcon integration; next year's budget.")),
        ("Create agenda", "Add day 2"),
        community="leadership-team",
        editors="Strategy",
    ),
)
