"""Post and comment templates for generated content. Placeholders in braces are filled by
``compose.Composer`` from the community's vocabulary; ``{mention}`` becomes an @handle."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Template:
    title: str | None
    body: str
    code: bool = False  # needs a code snippet (technical communities only)
    replies: tuple[str, ...] = ()  # comments that fit this post (interest, cafe and site posts)


# --- work communities ---------------------------------------------------------------

WORK_QUESTIONS: tuple[Template, ...] = (
    Template(
        "Anyone using {tool} for {task}?",
        "We are evaluating **{tool}** for {task} in {site}. Before we go further: has anyone here "
        "used it in production?\n\nWhat I'd like to know:\n\n- how it copes with {thing}\n"
        "- how long the roll-out took\n- whether you would choose it again\n\n{signoff} #{topic}",
    ),
    Template(
        "How do you deal with {thing}?",
        "Question for the experts here: we keep running into {thing} in our {task}. We tried {tool} and a "
        "checklist, but the problem returns every few weeks.\n\nHow do your teams handle it? Any rule "
        "of thumb, template or person I should talk to? #{topic} #{topic2}",
    ),
    Template(
        "{tool} or {tool2} for {task}?",
        "We have to choose between **{tool}** and **{tool2}** for {task}. Budget is not the main "
        "concern; long-term support is.\n\n| | {tool} | {tool2} |\n|---|---|---|\n"
        "| Already used at our site | yes | no |\n| Internal experts we know of | {n} | ? |\n\n"
        "If you have used either, I'd love a 15-minute call. {mention} I think you looked at this "
        "last year? #{topic}",
    ),
    Template(
        "Looking for someone who has solved {thing}",
        "Our team in {site} is stuck on {thing} during {task}. We need someone who has been through "
        "it for a one-hour review next week. Happy to return the favour! #{topic}",
    ),
    Template(
        "Template or checklist for {task}?",
        "Does anyone have a good template or checklist for {task}? Ours is {n} pages long and nobody "
        "reads it. Short and practical is what we need.\n\n{signoff} #{topic}",
    ),
    Template(
        "Is there a company standard for {task}?",
        "In {site} we do it one way, colleagues in {site2} another. Is there a company standard for "
        "{task}? I searched the wiki but only found a document from 2019. #{topic}",
    ),
    Template(
        "Who owns {tool} globally?",
        "We need extra access to {tool} for {task}. Who owns it at group level? Our local contact "
        "didn't know and the service catalogue entry is empty. #{topic}",
    ),
    Template(
        "Why does this behave differently on the build server?",
        "This works on my laptop but not on the shared runner:\n\n{snippet}\n\nSame versions as far as "
        "I can tell. Any idea what I'm missing? #{topic}",
        code=True,
    ),
    Template(
        "Review request: {snippet_title}",
        "I'd appreciate a second pair of eyes on {snippet_title} before I roll it out to the "
        "{site} team:\n\n{snippet}\n\nIs there a cleaner way? #{topic}",
        code=True,
    ),
)

WORK_POSTS: tuple[Template, ...] = (
    Template(
        None,
        "Just wrapped up {task} with the team in {site}: {pct}% faster than last quarter, mostly "
        "thanks to {tool}. Special thanks to {mention} for the late nights! #{topic}",
    ),
    Template(
        None,
        "Sharing the slides from yesterday's session on {thing}. Key points:\n\n1. {lesson}\n"
        "2. {lesson2}\n3. {lesson3}\n\nThe recording is linked on the community wiki. #{topic}",
    ),
    Template(
        None,
        "Reminder: the monthly {community} call is next {weekday} at {hour}:00 CET. Agenda: "
        "{thing}, open questions, and a short demo of {tool} by {mention}. Everyone welcome, cameras "
        "optional. #{topic}",
    ),
    Template(
        None,
        "Good read on {thing}: https://www.example.com/articles/{slug}\n\nThe part about {task} "
        "matches what we saw in {site}. Curious what others think. #{topic}",
    ),
    Template(
        None,
        "Small win worth sharing: we replaced a manual spreadsheet for {task} with {tool}. It took "
        "{weeks} weeks and saves about {hours} hours a month. Happy to show anyone interested. #{topic}",
    ),
    Template(
        None, "Snippet of the day: {snippet_title}.\n\n{snippet}\n\nCredit to {mention}. #{topic}", code=True
    ),
    Template(
        None,
        "We're hiring! The team in {site} is looking for someone who knows {tool} and enjoys "
        "{task}. Internal applicants very welcome: message me or {mention}. #{topic}",
    ),
    Template(
        None,
        "Congratulations to the {site} team for closing {task} with zero open findings. "
        "Proof that {lesson}. #{topic} #{topic2}",
    ),
    Template(
        None,
        "Quick poll: how many of you still track {thing} by hand?\n\n- 👍 yes, spreadsheet\n"
        "- ❤️ we moved to {tool}\n- 😮 we don't track it at all\n\n#{topic}",
    ),
)

WORK_BLOGS: tuple[Template, ...] = (
    Template(
        "What we learned from {n} months of {task}",
        "## Context\n\nWhen we started {task} in {site}, {thing} was our biggest headache. We picked "
        "{tool} after a short trial.\n\n## What worked\n\n- {lesson}\n- {lesson2}\n- We ran a weekly "
        "15-minute review, no slides\n\n## What didn't\n\nWe underestimated {thing2}. Next time we "
        "will {tip}.\n\n## Results\n\n| metric | before | after |\n|---|---|---|\n"
        "| lead time | {n} weeks | {n2} weeks |\n| rework | {pct}% | {pct2}% |\n\nThanks to {mention} "
        "and everyone who joined the pilot. Questions welcome below. #{topic} #{topic2}",
    ),
    Template(
        "A practical guide to {thing}",
        "Many of you asked how we tackle {thing}, so here is the short version.\n\n### 1. Make it "
        "visible\n\nPut the numbers where people see them every day. We use {tool}.\n\n### 2. Fix the "
        "process, not the people\n\n{lesson}.\n\n### 3. Keep it going\n\nReview every {weekday}; "
        "{lesson2}.\n\nMore detail on the [community wiki](https://intranet.example.com/wiki/{slug}). "
        "#{topic}",
    ),
    Template(
        "Field notes: {task} in {site}",
        "I spent {n} days with the team in {site} looking at {task}. Three observations:\n\n"
        "1. **{thing}** costs more than anyone had measured.\n2. The team already had a fix in mind: "
        "{lesson}.\n3. {tool} is used very differently from site to site.\n\nI'll bring this to the "
        "next {community} call. {mention}, {mention2}: would you present your side? #{topic}",
    ),
    Template(
        "Five mistakes we made with {tool}",
        "So you don't have to:\n\n1. We skipped training. Don't.\n2. We imported dirty data — "
        "{tip}.\n3. We customised too early.\n4. Nobody owned it after go-live.\n5. We didn't "
        "measure {thing} before the change, so we couldn't show the win.\n\nIt ended well: {pct}% "
        "less effort on {task}. #{topic}",
    ),
    Template(
        "How we automated {task}",
        "A short write-up of our automation for {task}. The core of it:\n\n{snippet}\n\nRunning "
        "every night since {month}; {hours} hours a month saved. Source is in the team repository, "
        "ask {mention} for access. #{topic}",
        code=True,
    ),
)

WORK_ANSWERS: tuple[str, ...] = (
    "We use {tool} for exactly that in {site}. Works well once you {tip}.",
    "Talk to {mention}: they solved the same problem last year.",
    "Our approach: {lesson}. It took us a while to get there, but {thing} is mostly gone.",
    "We tried {tool2} first and moved to {tool}: cheaper licence and much better support in {region}.",
    "Have a look at the community wiki, there's a page on {task}. Short version: {tip}.",
    "Two things helped us:\n\n1. {lesson}\n2. {tip}\n\nHappy to do a call if you want details.",
    "Yes, {site} has been running it for {n} months. Biggest lesson: {lesson}.",
    "Ran into this too. The root cause for us was {thing2}, not the tool itself.",
)
# Comments on work posts, each with the replies its post's author might give (none: no reply).
_REACTIONS_AND_REPLIES: tuple[tuple[str, tuple[str, ...]], ...] = (
    (
        "+1, we see the same in {site}. Following this thread.",
        ("Glad it's not just us. Let's compare notes.",),
    ),
    ("Great write-up, thanks for sharing!", ("Thanks! Credit goes to the whole team.",)),
    (
        "Do you have before/after numbers? Would help me convince my manager.",
        ("Good question: we measured over {weeks} weeks, about {pct}% on average.",),
    ),
    (
        "Can you share the template? Happy to try it in {site}.",
        ("Sure, I'll put it on the wiki this week.", "Done, link added to the post."),
    ),
    (
        "Interesting. How did you handle {thing}?",
        ("Not yet, that's next on our list.", "Honestly: {lesson}."),
    ),
    ("Thanks, exactly what I needed.", ()),
    (
        "We measured roughly {pct}% improvement after a similar change, consistent with yours.",
        ("Agreed, that matches our experience.",),
    ),
    ("Saving this for our next {community} call.", ("Happy to present it there.",)),
    ("Adding {mention}, who will want to see this.", ()),
    (
        "Very useful. Is there a recording for colleagues in {region}?",
        ("Yes, the recording is linked on the community wiki.",),
    ),
    ("Well done team! 👏", ("Thanks! Credit goes to the whole team.",)),
)
WORK_REACTIONS: tuple[str, ...] = tuple(text for text, _ in _REACTIONS_AND_REPLIES)
QUESTION_REACTIONS: tuple[str, ...] = (
    "+1, following. Same problem in {site}.",
    "Following this thread, very interested in the answers.",
    "Adding {mention}, who looked at this last year.",
    "Good question. We never found a clean answer either.",
)
_ANSWER_REPLIES = (
    "Thanks, very helpful!",
    "Could we do a quick call? I have a few follow-up questions.",
    "Useful, I'll try that in {site}.",
)
FOLLOW_UPS: dict[str, tuple[str, ...]] = {
    **dict(_REACTIONS_AND_REPLIES),
    **{answer: _ANSWER_REPLIES for answer in WORK_ANSWERS},
}
THANKS_ACCEPTED: tuple[str, ...] = (
    "That was it, thank you! Marking this as the answer.",
    "Worked perfectly, thanks a lot.",
    "Thanks, problem solved.",
    "Brilliant, that fixed it. Thanks for the quick help!",
)

# --- interest communities (each post brings the replies that fit it) -------------------

_T = Template

HOBBY_POSTS: tuple[Template, ...] = (
    _T(
        None,
        "{event} this {weekday}! Meeting at {place} at {hour}:30. Everyone welcome, whatever your level. "
        "#{topic}",
        replies=(
            "Count me in!",
            "Can't make it this time, next one for sure.",
            "Where exactly at {place}?",
            "I'll be there, and I'm bringing a colleague from {site}.",
            "Is it OK for complete beginners?",
            "{mention} you should come!",
        ),
    ),
    _T(
        None,
        "Recommendation thread: what's your favourite {hthing}? Share yours below, I'll collect them on "
        "the community wiki. #{topic}",
        replies=(
            "Mine: {item}. Never disappoints.",
            "{item}, no contest.",
            "Following, I need ideas.",
            "Hard to choose, but {item}.",
            "{mention} will have an opinion on this one!",
        ),
    ),
    _T(
        None,
        "Anyone in {site} interested in {event}? Thinking of starting a lunchtime group. #{topic}",
        replies=(
            "Yes! Count me in.",
            "Great idea, a few of us in {site} would join.",
            "Interested, but only after 12:30.",
            "{mention} you were asking about this last week.",
        ),
    ),
    _T(
        None,
        "Just done: {achievement}. {feeling} #{topic}",
        replies=(
            "Congrats, well deserved! 🎉",
            "Amazing, well done!",
            "Inspiring. How long did you prepare?",
            "Respect! 👏",
            "Next one together?",
        ),
    ),
    _T(
        None,
        "Question for the group: {question} #{topic}",
        replies=(
            "Good question, following.",
            "Ask the {site} crowd, they have done it for years.",
            "I asked the same last year: {mention} had great tips.",
            "Depends a lot on the season, honestly.",
            "I'd also like to know!",
        ),
    ),
    _T(
        None,
        "Thanks to everyone who came to {event} last week, {n} of us from {n2} countries! Photos in the "
        "comments please. #{topic}",
        replies=(
            "Great photo!",
            "Thanks for organising! 🙏",
            "Loved it, same time next month?",
            "Here's mine, the light was perfect.",
            "Sorry I missed it, next time!",
        ),
    ),
    _T(
        None,
        "Tried {item} for the first time. Verdict: {feeling} #{topic}",
        replies=(
            "Nice! How does it compare?",
            "I've had the same for a year, love it.",
            "Adding it to my list, thanks!",
            "Same here. {feeling}",
        ),
    ),
    _T(
        "{event}: sign-up open",
        "We're organising **{event}** at {place}, next {weekday} at {hour}:00.\n\n- Who: everyone, all levels\n"
        "- Contact: {mention}\n\nReply below so we know numbers. #{topic}",
        replies=(
            "Count me in!",
            "Me too, plus one guest.",
            "Can't make it this time, next one for sure.",
            "Signed up! 🙌",
        ),
    ),
)
HOBBY_COMMENTS: tuple[str, ...] = ("Love this. 😍", "Great idea!", "Following.", "{mention} this is for you!")
AUTHOR_REPLIES: tuple[str, ...] = (
    "Thanks!",
    "Glad you like it!",
    "See you there!",
    "Noted 👍",
    "Yes, exactly!",
)

# --- the Cafe, site communities, vendors, champions, private strategy ----------------

CAFE_POSTS: tuple[Template, ...] = (
    _T(
        None,
        "The coffee machine on floor 3 in building B is fixed! Whoever reported it: thank you. ☕",
        replies=("Finally! ☕", "Best news this week.", "The one on floor 2 is next, please."),
    ),
    _T(
        None,
        "Lost: a blue umbrella, probably in meeting room 2.14 on {weekday}. It has sentimental value (and "
        "it's raining). #cafe",
        replies=(
            "I think I saw one at reception.",
            "{mention} look, is it the one you found?",
            "Reception keeps a lost-and-found box, worth a look.",
        ),
    ),
    _T(
        None,
        "Friday question: what was your first job ever? Mine was selling ice cream on the beach.",
        replies=(
            "Delivering newspapers at 6am.",
            "Washing dishes in a pizzeria. Best pizza of my life.",
            "Tutoring maths. Still doing it, for my kids.",
            "Strawberry picking, every summer.",
        ),
    ),
    _T(
        None,
        "Happy Diwali to everyone celebrating! Our Pune colleagues brought sweets for the whole floor. 🪔",
        replies=("Happy Diwali! 🪔", "The sweets were amazing, thank you!", "Happy Diwali from {site}!"),
    ),
    _T(
        None,
        "Who else is watching the football tonight? The {site} office has the big screen booked.",
        replies=("Count me in for the football.", "I'll bring snacks.", "Different team, same screen. 😄"),
    ),
    _T(
        None,
        "Recipe swap: I'll trade my grandmother's {item} recipe for a good vegetarian lasagne. #food",
        replies=(
            "Deal! Sending you mine.",
            "Can I get the {item} recipe too?",
            "This needs its own thread in Cooking & Recipes!",
        ),
    ),
    _T(
        None,
        "Photo of the week: sunrise from the {site} car park. Sometimes the commute is worth it. #photos",
        replies=("Great photo!", "Wow, that sky.", "You should post it in Photography too."),
    ),
    _T(
        None,
        "Unpopular opinion: meetings should be 25 minutes by default. Change my mind.",
        replies=(
            "Agreed 100%.",
            "Completely disagree, but respect. 😄",
            "Make it 20 and you have a deal.",
            "Our team did it last quarter. Never going back.",
        ),
    ),
    _T(
        None,
        "It's {hour}:00 and I've had {n} coffees. Send help (or biscuits). ☕ #coffee",
        replies=("Biscuits are on the way 🍪", "Only {n}? Amateur.", "Switch to tea, it's a slippery slope."),
    ),
    _T(
        None,
        "Book, film or series that made your weekend? Mine: {film}.",
        replies=(
            "{film}, loved it.",
            "Adding it to my list, thanks!",
            "Reading 'Project Hail Mary', can't stop.",
        ),
    ),
    _T(
        None,
        "Shout-out to the canteen team in {site}: the {item} today was excellent.",
        replies=("Thank you canteen team! 👏", "Second helping was worth it.", "Is it on again next week?"),
    ),
    _T(
        None,
        "Three years at the company today. Thanks to everyone who made it fun, especially {mention} and "
        "{mention2}! 🎉",
        replies=("Congratulations! 🎉", "Happy anniversary!", "Three years already? Time flies."),
    ),
    _T(
        None,
        "What's on your desk that you can't work without? Mine: a very old mechanical keyboard.",
        replies=("A plant called Kevin.", "Noise-cancelling headphones, obviously.", "My second screen."),
    ),
    _T(
        None,
        "Weekend plans? I'm going to try {place} for the first time. #weekend",
        replies=(
            "Try the new bakery next to the station, you won't regret it.",
            "Enjoy! Report back.",
            "I went last month, go early.",
        ),
    ),
    _T(
        None,
        "Public service announcement: the lift in building A is being serviced all week, stairs it is. 🏃",
        replies=("Good for the step count.", "Thanks for the heads-up!"),
    ),
    _T(
        None,
        "Does anyone speak {language}? My neighbour needs help reading a letter and I promised to ask.",
        replies=(
            "I can help, send me a message.",
            "{mention} speaks it fluently!",
            "Happy to help after 5pm.",
        ),
    ),
)
CAFE_COMMENTS: tuple[str, ...] = ("Ha, same here!", "This made my day.", "Love this.")

SITE_POSTS: tuple[Template, ...] = (
    _T(
        None,
        "The canteen is trying a new menu this week: {dish} on {weekday}. Feedback welcome! #{topic}",
        replies=(
            "Tried it, excellent!",
            "More vegetarian options please.",
            "A bit salty, but good.",
            "Can we have it every week?",
        ),
    ),
    _T(
        None,
        "Reminder: {event} next {weekday} from {hour}:00 at {place}. #{topic}",
        replies=("See you there!", "Will there be parking for visitors?", "Thanks for organising!"),
    ),
    _T(
        None,
        "The car park level -2 will be closed on {weekday} for painting. Please use the visitor spaces. "
        "#{topic}",
        replies=("Thanks for the heads-up.", "Does that include the EV chargers?", "Bike it is, then. 🚲"),
    ),
    _T(
        None,
        "Question: {question} #{topic}",
        replies=(
            "Ask at reception, they know everything.",
            "{mention} handles that, I think.",
            "Same question here, following.",
        ),
    ),
    _T(
        None,
        "Great turnout for {event} yesterday, thank you all! Special thanks to {mention} for organising. "
        "#{topic}",
        replies=("Thanks to you for the idea!", "Great photo!", "Best one so far."),
    ),
    _T(
        "New EV chargers in the car park",
        "Eight new chargers are live on level 0. Please move your car when it's charged so others can use them: "
        "the app sends a reminder. Questions to {mention}. #{topic}",
        replies=("Finally!", "Are they free for employees?", "Can we book a slot?"),
    ),
)

VENDOR_POSTS: tuple[Template, ...] = (
    Template(
        "Experience with {tool} for {task}?",
        "We're about to sign a three-year contract with **{tool}** for {task}. Has anyone worked with "
        "them? Particularly interested in {thing} and how their support behaves after the sale. "
        "#vendors",
    ),
    Template(
        None,
        "Heads-up: {tool} announced a price increase from {month}. If you're mid-contract, check "
        "the indexation clause; ours capped it at 3%. #contracts",
    ),
    Template(
        "Review: {tool} after one year",
        "Summary of our first year with {tool} for {task} in {site}:\n\n- **Quality:** good, "
        "{n} minor issues\n- **Support:** responsive in English, slower in local languages\n- "
        "**Price:** mid-range\n- **Watch out for:** {thing}\n\nWould we renew? Yes, with a tighter "
        "SLA. #vendors #suppliers",
    ),
    Template(
        "RFP for {task}: who should we invite?",
        "Procurement is preparing an RFP for {task} covering {n} countries. Which vendors should be on "
        "the list, and which ones should not? Replies here or to {mention}. #rfp",
    ),
    Template(
        None,
        "Shout-out to {tool}: they re-ran a failed batch over the weekend at no cost. That's the "
        "kind of partner we want. #suppliers",
    ),
)

CHAMPION_POSTS: tuple[Template, ...] = (
    Template(
        None,
        "Adoption update for {site}: {pct}% of people came back to Atrium at least once a week "
        "last month. The trick that worked: asking questions in communities instead of email. "
        "#adoption",
    ),
    Template(
        "Tip: follow topics, not just people",
        "A small thing that makes the feed much better: follow a few **#topics**. Click a hashtag on "
        "any post and choose *Follow*. Mine: #security, #python, #sustainability. #atrium #tips",
    ),
    Template(
        None,
        "Running a 30-minute 'Atrium basics' session for the {site} team next {weekday}. Slides "
        "are on the wiki, feel free to reuse. #training",
    ),
    Template(
        None,
        "Champion of the month: {mention}, who moved their whole team off a 400-person "
        "distribution list into a community. 🏆 #champions",
    ),
    Template(
        None, "Question for fellow champions: how do you get managers to post, not just read? #adoption"
    ),
    Template(
        "Offline mode is a game changer for travellers",
        "Tried the desktop offline on a 12-hour flight: read the whole {community} backlog, wrote "
        "three answers, and they went out the moment I landed. Tell your travelling colleagues! "
        "#atrium",
    ),
)

PRIVATE_POSTS: dict[str, tuple[Template, ...]] = {
    "leadership-team": (
        Template(
            "Pre-read for the quarterly business review",
            "The pre-read is attached to the calendar invite. Please come with your top three risks "
            "for the next two quarters. #strategy",
        ),
        Template(
            None,
            "Draft budget envelope for next year is in the shared folder. Comments by {weekday}. #budget",
        ),
        Template(
            "Town hall messages",
            "Proposed key messages for the town hall:\n\n1. Growth in energy management\n"
            "2. Investment in our people\n3. Simplification\n\nComms needs feedback by Friday. "
            "#leadership",
        ),
    ),
    "project-falcon": (
        Template(
            "Data room access",
            "Access to the Falcon data room is now live. Reminder: you are on the insiders list, do "
            "not discuss the project outside this community. #falcon",
        ),
        Template(
            None,
            "Integration workstream leads, please update the synergy tracker before {weekday}. #integration",
        ),
        Template(
            "Day-one checklist, first draft",
            "- Welcome message from the CEO\n- IT: accounts and Atrium access for {n} new colleagues\n"
            "- HR: contracts and payroll cut-over\n- Legal: entity names on invoices\n\n#falcon "
            "#integration",
        ),
        Template(None, "Legal confirms the competition filing went in on time. #diligence"),
    ),
    "hr-business-partners": (
        Template(
            None,
            "Talent review calibration sessions are booked for {weekday}. Please upload your "
            "9-box grids beforehand. #talent-review",
        ),
        Template(
            None,
            "Reorganisation in the {site} plant: consultation starts next month, keep it "
            "confidential until then. #reorganisation",
        ),
    ),
}

# --- posts the demo user wrote (fixed, so the demo always has them) --------------------


@dataclass(frozen=True)
class DemoPost:
    community: str  # slug
    kind: str
    title: str | None
    body: str
    days_ago: float
    attach: str = ""  # "adoption" | "expenses"
    pinned: bool = False


DEMO_POSTS: tuple[DemoPost, ...] = (
    DemoPost(
        "it-support",
        "post",
        "Read me first: how to get help fast",
        "Welcome to IT Support! A few habits that get you an answer quickly:\n\n1. **Search first**: most "
        "questions were answered before, and solved ones come first in the results.\n2. Say where you "
        "are (site, office or home), what you already tried, and paste the exact error message.\n"
        "3. One problem per question.\n4. When an answer works, **accept it** so the next person finds "
        "it.\n\nOutages are announced by the IT Status app in this community. Security incidents: call "
        "the service desk. #itsupport",
        175,
        pinned=True,
    ),
    DemoPost(
        "digital-workplace",
        "blog",
        "Windows 11 pilot: what we learned from the first 500 laptops",
        "## Where we are\n\n500 laptops in Grenoble, Pune and Boston run the new image since "
        "{month}.\n\n## What went well\n\n- Upgrade time: **84 minutes** on average, files untouched\n"
        "- Only 3% of users called the service desk\n\n## What we fix before the roll-out\n\n"
        "| issue | status |\n|---|---|\n| USB-C docks flicker | firmware in Company Portal |\n"
        "| Old VPN client on 40 laptops | removed by Intune |\n| Teams camera not found | "
        "privacy shutter (really!) |\n\nThanks to everyone in the Workplace Pilot Group. Questions "
        "below, or in IT Support with #windows11.",
        40,
    ),
    DemoPost(
        "digital-workplace",
        "question",
        "Which Teams Rooms kit for small huddle rooms?",
        "We are equipping 60 huddle rooms (4 people). Bars with a built-in camera or a separate "
        "camera + speakerphone? Experiences from your sites welcome, especially noise and echo. "
        "#teams #meetingrooms",
        18,
    ),
    DemoPost(
        "atrium-champions",
        "post",
        None,
        "Adoption update: **70%** of people who signed in this quarter came back every week, up from "
        "31% at launch. Chart and per-site numbers attached. Biggest driver: questions asked in "
        "communities instead of email. Thank you, champions! #adoption #atrium",
        6,
        attach="adoption",
    ),
    DemoPost(
        "hybrid-work",
        "post",
        None,
        "From the engagement survey: meeting-free Friday afternoons start next week. Tip: set your "
        "Teams status to *Focusing* and let Atrium notifications wait until Monday. #hybridwork",
        25,
    ),
    DemoPost(
        "workplace-pilot",
        "post",
        "Pilot image 24.3 is ready",
        "The next image is ready for the pilot group: new VPN client, Teams camera fix, and the "
        "Atrium desktop preinstalled. Install from Company Portal → *Pilot*. Report anything odd "
        "here. #pilot",
        2,
    ),
    DemoPost(
        "travel-tips",
        "post",
        None,
        "Expenses tip: the new Expenses app in the app bar keeps your entries even offline. Example "
        "of a Paris trip attached, so you see which categories to use. #travel #tips",
        12,
        attach="expenses",
    ),
)
