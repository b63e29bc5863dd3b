"""Company announcements from the Communications team, with the comments employees leave on them."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Announcement:
    title: str
    body: str
    comments: tuple[str, ...] = ()
    # replies from the comms team: (index of the comment answered, text)
    answers: tuple[tuple[int, str], ...] = ()
    pinned: bool = False
    comments_enabled: bool = True


ANNOUNCEMENTS: tuple[Announcement, ...] = (
    Announcement(
        "Welcome to Atrium: one window onto the company",
        "Today we open **Atrium** to everyone, after a pilot with 6,000 colleagues.\n\nAtrium brings "
        "together what used to live in a dozen places:\n\n- **Communities** of experts, practice and "
        "interest — over 100 of them already\n- **IT Support** as questions and answers: ask, colleagues "
        "answer, you accept what worked\n- The company **wiki**\n- Our **business apps**, in the same "
        "window\n\nThe desktop app works offline too, so you can catch up on a plane and your posts go "
        "out when you land.\n\nStart here: [Getting started](https://intranet.example.com/wiki/atrium) · "
        "ask anything in the comments below. #atrium #announcements",
        (
            "Finally! Goodbye 400-person email threads. 🎉",
            "Is there a mobile app as well?",
            "Can we create our own communities or does it need approval?",
            "The offline mode is great, tried it on the train this morning.",
            "Will the old intranet forums be migrated?",
        ),
        (
            (1, "Mobile is on the roadmap for next year. For now, the web version works on phones."),
            (
                2,
                "Anyone can create a public community. Private ones need a short justification, see the wiki.",
            ),
        ),
        pinned=True,
    ),
    Announcement(
        "Town hall: Q3 results and what comes next",
        "Join the quarterly town hall on **Thursday at 14:00 CET**, streamed live in Teams with subtitles "
        "in 12 languages.\n\nAgenda:\n\n1. Q3 results\n2. Energy management growth plan\n3. Your questions "
        "— post them below and upvote with 👍; we'll take the most liked ones live.\n\n#townhall",
        (
            "How will the new growth plan affect the manufacturing sites?",
            "Can the recording be shared for colleagues in APAC? 14:00 CET is late evening for us.",
            "Question: is the hiring freeze in Finance lifted?",
            "Thanks for doing these with open questions, it makes a real difference.",
        ),
        ((1, "Yes: the recording and a summary will be posted here within 24 hours."),),
    ),
    Announcement(
        "New travel policy from 1 March",
        "The updated travel policy applies from **1 March**. Main changes:\n\n- Train instead of flights "
        "for trips under 4 hours\n- Economy class for flights under 6 hours\n- Hotels booked through "
        "Meridian Travel only\n- Expenses filed within 30 days in the new **Expenses** app (in Atrium's "
        "app bar)\n\nFull text in the wiki: *Travel policy*. #travel #policy",
        (
            "What about trips with heavy test equipment? The train isn't really an option.",
            "Does the 4-hour rule include the trip to the station?",
            "Great for the carbon footprint. 🌱",
            "Can we still book hotels directly if they are cheaper?",
        ),
        (
            (0, "Equipment trips are an exception: note it in the booking and your manager approves."),
            (1, "Door to door, yes. If the train is over 4 hours door to door, flying is fine."),
        ),
    ),
    Announcement(
        "Cybersecurity month: the phishing test results",
        "Last month 30,000 colleagues received a simulated phishing email. **82% did not click**, and "
        "4,100 of you used the *Report phishing* button — thank you!\n\nThe three tricks that worked "
        "best on us:\n\n1. A fake parcel delivery notice\n2. A 'salary review' spreadsheet\n3. An MFA "
        "reset request\n\nWhen in doubt, report it. #security #phishing",
        (
            "I fell for the parcel one. Lesson learned. 😅",
            "Could we get a short training video per site?",
            "Reporting button is very handy, didn't know it existed before.",
        ),
        (),
    ),
    Announcement(
        "Our 2030 sustainability commitments",
        "Today we publish our updated commitments:\n\n- **Net-zero operations** by 2030\n- **50% less "
        "scope 3 emissions** from our top 1,000 suppliers\n- **100% green electricity** at every site by "
        "2028\n\nEvery site has a local plan; find yours in the Sustainability & Carbon community. "
        "#sustainability",
        (
            "Proud to work here. 🌍",
            "How will suppliers be supported to report their emissions?",
            "Our site is already at 80% green electricity, happy to share how.",
        ),
        ((1, "Procurement will run supplier webinars from next month; details in Vendor Exchange."),),
    ),
    Announcement(
        "Office closure: Rueil headquarters, 24–26 December",
        "The Rueil headquarters will be closed from 24 to 26 December. Remote access works as usual; the "
        "service desk is reachable on the usual number.\n\nHappy holidays! #rueil",
        (),
        (),
        comments_enabled=False,
    ),
    Announcement(
        "Welcome to our new colleagues from the Lyon acquisition",
        "Please join us in welcoming 350 new colleagues who joined us this week. They already have "
        "Atrium accounts: say hello in the Cafe, and invite them to your communities. #welcome",
        (
            "Welcome everyone! 👋",
            "Looking forward to working together.",
            "Welcome! The Lean Manufacturing community would love to hear about your line layouts.",
        ),
        (),
    ),
    Announcement(
        "Engagement survey: results and actions",
        "Thank you to the **71%** of you who answered the engagement survey.\n\nWhat you told us:\n\n"
        "- Pride in our purpose is high (86%)\n- Career development is the weakest score (54%)\n"
        "- Too many meetings, especially across time zones\n\nActions: a new internal job board, "
        "meeting-free Friday afternoons, and a mentoring circle open to all. #engagement",
        (
            "Meeting-free Friday afternoons, yes please!",
            "How will the job board differ from the current one?",
            "54% on career development matches what I hear in my team.",
        ),
        ((1, "The new board shows every internal opening worldwide and lets you set alerts."),),
    ),
    Announcement(
        "IT: Windows 11 roll-out starts next month",
        "Every laptop will be upgraded to Windows 11 over the next six months, site by site. You'll get "
        "an email two weeks before your turn. The upgrade takes about 90 minutes and keeps your files.\n\n"
        "Questions? Ask in **IT Support**, tagged #windows11.",
        ("Will our engineering tools be tested before the upgrade?", "Can I volunteer to go first?"),
        (
            (0, "Yes: each site's critical applications are tested in the pilot group first."),
            (1, "Yes! Join the Workplace Pilot Group: ask @demo, who runs it."),
        ),
    ),
    Announcement(
        "Leadership blog: why we want your comments",
        "When we started Atrium, some of us in Communications were nervous about comments on "
        "announcements. A year later, the comments are the best part: your questions tell us what we "
        "explained badly, and the answers reach everyone.\n\nSo please keep commenting, agreeing, "
        "disagreeing. #leadership #comms",
        (
            "Appreciated. It feels much less top-down than a year ago.",
            "Could leadership answer in the comments more often?",
        ),
        ((1, "Fair point. We'll aim to answer every question within two working days."),),
    ),
)
