"""IT Support questions with their answers: the crowd-sourced help desk of the demo company.

Each question has the answer that worked (accepted when ``solved``), other suggestions, and a
follow-up from the asker. ``{site}`` is the asker's city; ``{mention}`` a colleague.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class SupportQuestion:
    title: str
    body: str
    answer: str  # the one that works
    others: tuple[str, ...] = ()  # suggestions that did not (or partly) help
    followup: str = ""  # the asker's reply to the answer
    solved: bool = True


QUESTIONS: tuple[SupportQuestion, ...] = (
    SupportQuestion(
        "VPN disconnects every 10 minutes from home",
        "Since yesterday GlobalProtect drops the connection roughly every ten minutes when I work from "
        "home. It reconnects by itself but Teams calls freeze each time.\n\n- Windows 11, laptop about a "
        "year old\n- Home Wi-Fi, other devices are fine\n- Colleagues in {site} don't seem to have it\n\n"
        "Anything I can try before opening a ticket? #vpn",
        "This is usually the power-saving setting on the Wi-Fi adapter. Open **Device Manager → Network "
        "adapters → your Wi-Fi adapter → Power Management** and untick *Allow the computer to turn off "
        "this device to save power*. Then in GlobalProtect choose *Refresh connection*. The full steps "
        "are on the wiki page *IT/VPN setup*.",
        (
            "Could be your router. Have you tried restarting it?",
            "Try connecting to the Frankfurt gateway instead of the automatic one.",
        ),
        "That was it, the adapter was set to power-save after the last driver update. Stable for two "
        "hours now, thanks!",
    ),
    SupportQuestion(
        "Outlook keeps asking for my password",
        "Outlook (desktop) pops up the sign-in window several times a day, even right after I enter my "
        "password. The web version works fine. #outlook",
        "Clear the cached credentials: close Outlook, open **Credential Manager → Windows Credentials**, "
        "remove every entry that starts with `MicrosoftOffice16_Data` and `ADAL`, then start Outlook "
        "again and sign in once. If it still happens, sign out of all Office apps (File → Account → "
        "Sign out) and back in.",
        ("Do you have two accounts added in Outlook? That confuses it sometimes.",),
        "Removing the old credentials fixed it. No prompt since this morning.",
    ),
    SupportQuestion(
        "Can't print to the 3rd floor printer after the move",
        "Our team moved to the 3rd floor in {site} and I can't find the printer there. It's not in the "
        "list when I click *Add printer*. #printing",
        "All printers now use follow-me printing: print to **Secure-Print** (it's already installed on "
        "every laptop) and release the job with your badge at any printer in the building. The 3rd "
        "floor one is a Secure-Print device, you won't see it by name. Wiki: *IT/Printers*.",
        ("Try \\\\printserver\\ in the Explorer address bar, you might see it there.",),
        "Ah, I didn't know about the badge release. Works, thanks!",
    ),
    SupportQuestion(
        "SAP password reset: account locked after holidays",
        "Back from three weeks of holiday and SAP P01 says my user is locked. The self-service reset page "
        "says 'user not found'. Who can unlock it? #sap",
        "The self-service page only knows your *network* account. For SAP, use the **SAP Password Reset** "
        "item in the service portal (search 'SAP unlock'); it's automated and takes about five minutes. "
        "Choose system P01, client 100.",
        ("Ask your key user, they can unlock it.",),
        "Done in five minutes as you said. Thank you!",
    ),
    SupportQuestion(
        "Laptop battery drains overnight in sleep mode",
        "My laptop loses about 40% battery overnight in sleep with the lid closed, and it's warm in my bag "
        "in the morning. Is this a known issue? #laptop",
        "It's Modern Standby waking the machine for updates. Two fixes: set the lid action to "
        "**Hibernate** (Control Panel → Power Options → Choose what closing the lid does), or run "
        "`powercfg /sleepstudy` to see what wakes it. On the current image Teams was a frequent cause; "
        "the March update fixed that.",
        ("Mine does it too. I just shut it down every evening now.",),
        "Hibernate on lid close solved it. Cold laptop, full battery. 👍",
    ),
    SupportQuestion(
        "Teams audio: people hear me but I can't hear them",
        "In Teams calls others hear me fine but I hear nothing. YouTube plays sound through the same "
        "headset. Jabra Evolve2 headset, Windows 11. #teams",
        "In Teams go to **Settings → Devices → Audio devices** and check the *Speaker* field: after a "
        "Windows update it often switches to the laptop's speakers or to 'Jabra Hands-Free'. Pick the "
        "plain 'Jabra Evolve2' entry, then make a test call.",
        (
            "Update the Jabra firmware with Jabra Direct.",
            "Restart Teams, clear the cache (%appdata%\\Microsoft\\Teams).",
        ),
        "It was on the Hands-Free profile. Fixed, thanks!",
    ),
    SupportQuestion(
        "Certificate error when opening the intranet",
        "Since this morning Edge says **NET::ERR_CERT_AUTHORITY_INVALID** on intranet pages, but only when "
        "I'm at home on VPN. In the office it's fine. #certificates",
        "Your laptop is missing the new internal root certificate that was rolled out last week. Connect "
        "to VPN, then run **Company Portal → Sync** and restart. You can check it's there with:\n\n"
        "```powershell\nGet-ChildItem Cert:\\LocalMachine\\Root | Where-Object Subject -like '*Corp Root "
        "CA 2026*'\n```\n\nIf nothing is returned after the sync, reply here and we'll push it manually.",
        ("Clear the browser cache and try again.",),
        "Sync + restart did it. The command now shows the certificate.",
    ),
    SupportQuestion(
        "MFA prompts on my old phone",
        "I got a new phone and the Authenticator prompts still go to the old one (which I traded in). "
        "How do I move MFA? #mfa",
        "Sign in at **https://mysignins.example.com** from your laptop (you're already signed in there, "
        "so no prompt), go to *Security info*, add the new phone with *Add sign-in method → Authenticator "
        "app*, then delete the old one. If you're locked out completely, the service desk can issue a "
        "temporary access pass.",
        (),
        "Moved it in two minutes, thanks!",
    ),
    SupportQuestion(
        "OneDrive shows red crosses on half my files",
        "OneDrive has red crosses on many files in my Documents folder and the status says 'Sync "
        "pending'. Nothing new is uploading. #onedrive",
        "Usually a file with a path longer than 400 characters or a name with characters OneDrive refuses. "
        "Click the OneDrive cloud icon → *View sync problems*: it lists the exact files. Rename or move "
        "them and sync resumes.",
        ("Reset OneDrive with `onedrive.exe /reset`.",),
        "There was a 'Backup_copy (final) (2)~$.xlsx' with a weird character. Renamed, all green again.",
    ),
    SupportQuestion(
        "External monitor flickers on the docking station",
        "My second screen flickers every few seconds when connected through the USB-C dock in {site}. "
        "Directly via HDMI it's fine. #laptop #docking",
        "Update the dock firmware: the Dell WD19 docks shipped with a firmware that has exactly this bug. "
        "Install **Dell Command | Update** from Company Portal, connect the dock, run it. Also use the "
        "DisplayPort output on the dock rather than HDMI if you can.",
        ("Try another cable first, USB-C cables vary a lot.",),
        "Firmware update fixed it. Cable was fine.",
    ),
    SupportQuestion(
        "Shared mailbox doesn't appear in Outlook",
        "I was given access to the shared mailbox *sales-iberia@* two days ago but it doesn't appear in "
        "Outlook. #outlook",
        "Automapping can take up to 24 hours, but if it's been two days add it manually: **File → Account "
        "Settings → Change → More Settings → Advanced → Add**, type the mailbox name. Or open it in "
        "Outlook on the web via your profile picture → *Open another mailbox*.",
        (),
        "Manual add worked. Thanks!",
    ),
    SupportQuestion(
        "Excel crashes when opening the big forecast file",
        "Excel closes without any message when I open our 80 MB forecast workbook. Colleagues can open "
        "it. #excel",
        "Probably the 32-bit Office build running out of memory: check **File → Account → About Excel**. "
        "If it says 32-bit, request the 64-bit build from the service portal ('Office 64-bit'). Until "
        "then, open the file with calculation set to manual (Formulas → Calculation Options).",
        ("Disable add-ins: start Excel with `excel /safe`.",),
        "It was 32-bit indeed. 64-bit opens it fine.",
    ),
    SupportQuestion(
        "Wi-Fi in the {site} office keeps asking to sign in",
        "Every morning the corporate Wi-Fi asks me to sign in again in a browser window. Is that expected? "
        "#wifi",
        "No: your laptop is connecting to the *Guest* network. Forget the Guest network in Wi-Fi settings "
        "so the laptop uses *Corp-Secure*, which signs in with your device certificate.",
        (),
        "Yes, it was on Guest. Forgot it, all good.",
    ),
    SupportQuestion(
        "How do I install Python on my laptop?",
        "I need Python for some data analysis scripts. The installer from python.org asks for admin "
        "rights. What's the approved way? #python",
        "Install **Python 3.12** from Company Portal (no admin needed). For packages use a virtual "
        "environment:\n\n```bash\npy -3.12 -m venv .venv\n.venv\\Scripts\\activate\npip install pandas\n```\n\n"
        "The Python Guild has a getting-started page on their wiki too.",
        ("Use Anaconda, it doesn't need admin.",),
        "Installed from Company Portal. Thanks for the venv tip!",
    ),
    SupportQuestion(
        "Screen sharing in Teams shows a black screen",
        "When I share my screen in Teams, the others only see black. Sharing a single window works. #teams",
        "That's the hardware acceleration conflict with the Intel graphics driver on some models. In "
        "Teams: **Settings → General → untick 'Disable GPU hardware acceleration'** (new Teams: Settings → "
        "About → Reset). A graphics driver update through Company Portal fixes it permanently.",
        (),
        "Driver update fixed it permanently. Thanks!",
    ),
    SupportQuestion(
        "Request admin rights to install a CAD viewer",
        "Our supplier sends drawings in a format only their free viewer opens. Can I get local admin to "
        "install it? #software",
        "Local admin isn't granted any more, but you can request the software: **Service portal → Request "
        "software → Not in catalogue**, with the download link. Packaging takes about three days. In the "
        "meantime, eDrawings Viewer (already in Company Portal) opens most formats.",
        ("I had the same need, eDrawings worked for their STEP files.",),
        "eDrawings opens them. I'll still request the viewer. Thanks!",
    ),
    SupportQuestion(
        "Atrium desktop: where are my drafts when offline?",
        "I wrote two answers on the plane with the Atrium desktop. Where do they go until I'm back "
        "online? #atrium",
        "They wait in the local outbox and go out automatically when the network comes back, in the "
        "order you wrote them. The status bar shows *2 waiting* while offline. Nothing is lost if you "
        "close the app.",
        (),
        "Landed, opened the laptop, both went out. Neat.",
    ),
    SupportQuestion(
        "New laptop: how do I move my files?",
        "My new laptop arrives next week. What's the best way to move my files and settings? #laptop",
        "If your Documents and Desktop are in OneDrive (they are by default since last year), they come "
        "back automatically when you sign in. Check for anything stored outside OneDrive (e.g. "
        "`C:\\Data`) and copy it into OneDrive first. Browser bookmarks sync with your Edge profile. "
        "Checklist: wiki page *IT/New laptop*.",
        (),
        "Easier than I feared. Thanks!",
    ),
    SupportQuestion(
        "Zscaler blocks a supplier's portal",
        "The supplier portal of one of our logistics partners is blocked ('category: newly registered "
        "domain'). I need it for customs paperwork. #security",
        "Request an exception through the service portal (*Web access exception*) with the URL and the "
        "business reason; security reviews within one working day. Newly registered domains are blocked "
        "by default for 30 days because they're common in phishing.",
        (),
        "Exception approved the next morning.",
    ),
    SupportQuestion(
        "Can't join Teams meetings from a customer's Webex room",
        "At a customer site I tried to join our Teams meeting from their Webex room system. It didn't "
        "work. Is there a way? #teams",
        "Yes: Teams meetings have a **video conferencing ID** at the bottom of the invite (if your "
        "licence includes it). Dial the SIP address shown there from the Webex system. If the invite has "
        "no VTC ID, ask the service desk to enable it for your account.",
        (),
        "No VTC ID in my invites, asked for it to be enabled.",
    ),
    SupportQuestion(
        "Phishing? Email asking me to re-validate my mailbox",
        "Got an email saying my mailbox will be deleted unless I 're-validate' it via a link. Looks "
        "official but odd. #phishing",
        "It's phishing: we never ask for that by email. Use the **Report phishing** button in Outlook "
        "(it removes it for everyone who received it) and don't click the link. If you did click and "
        "typed your password, change it right away and tell the service desk.",
        (),
        "Reported. Thanks for confirming!",
    ),
    SupportQuestion(
        "BitLocker recovery key asked after BIOS update",
        "After a BIOS update the laptop asks for a BitLocker recovery key at start-up. Where do I find it? "
        "#laptop #bitlocker",
        "Sign in to **https://myaccount.example.com/device-list** from another device (your phone works), "
        "open your laptop's entry and click *View BitLocker keys*. Type the 48-digit key. It won't ask "
        "again after the next normal restart.",
        (),
        "Found the key on my phone, laptop is back.",
    ),
    SupportQuestion(
        "Keyboard layout switches to US by itself",
        "My keyboard layout keeps switching from French AZERTY to US QWERTY, mid-sentence. #windows",
        "**Alt+Shift** switches layouts; it's easy to hit by accident. Remove the US layout in Settings → "
        "Time & language → Language & region → your language → Keyboards, or change the hotkey in "
        "*Advanced keyboard settings → Input language hot keys*.",
        (),
        "Removed the US layout. Peace at last.",
    ),
    SupportQuestion(
        "SAP GUI: 'No logon possible (no hardware key)' on P02",
        "SAP GUI shows 'No logon possible (no hardware key)' for P02 since this morning. P01 works. #sap",
        "That's on the server side (the licence key after last night's maintenance), not your laptop. "
        "Basis is on it; the incident is posted in this community by the IT status app. Use P01 or wait "
        "for the all-clear.",
        (),
        "Works again. Thanks for the quick update.",
    ),
    SupportQuestion(
        "Teams meeting recordings: who can see them?",
        "If I record a Teams meeting, who can watch the recording and how long is it kept? #teams",
        "The recording is stored in the organiser's OneDrive and shared with the meeting's invitees. It "
        "expires after 120 days unless the owner changes the expiry date. Don't record meetings with "
        "sensitive HR or M&A content.",
        (),
        "",
    ),
    SupportQuestion(
        "VPN slow from the Shanghai hotel",
        "Travelling to Shanghai next month. Last time the VPN was unusable from the hotel. Any advice? "
        "#vpn #travel",
        "Select the **Shanghai** gateway manually in GlobalProtect rather than 'Best available'; it routes "
        "through our licensed line. Download large files before the trip, and the Atrium desktop works "
        "offline in the meantime.",
        ("Use the office network in the Shanghai site whenever you can.",),
        "",
        solved=False,
    ),
    SupportQuestion(
        "Printer in {site} prints blank pages",
        "The printer next to the kitchen in {site} prints blank pages for some jobs, mostly PDFs from "
        "SAP. Other documents are fine. #printing",
        "",
        (
            "Does it happen with PDFs from Outlook too, or only SAP?",
            "We had this in Lyon: the SAP output device used an old driver. Ask your key user.",
        ),
        "",
        solved=False,
    ),
    SupportQuestion(
        "Outlook search doesn't find emails older than 6 months",
        "Searching in Outlook only finds recent emails. Anything older than six months is missing from "
        "results but the emails are there. #outlook",
        "",
        ("Is 'Download shared folders / Cached mode' set to 6 months? File → Account Settings.",),
        "",
        solved=False,
    ),
    SupportQuestion(
        "Laptop fan runs constantly after the latest update",
        "Since Tuesday's update the fan runs at full speed even when idle, CPU at 30% with 'Antimalware "
        "Service Executable'. #laptop",
        "",
        ("Same here since Tuesday, following.", "It calms down after the first full scan, give it a day."),
        "",
        solved=False,
    ),
    SupportQuestion(
        "How to get a certificate for a test web server?",
        "I'm setting up a test web server for a lab tool and browsers complain about the self-signed "
        "certificate. Can IT issue an internal certificate? #certificates",
        "",
        ("Yes, via the service portal, 'Server certificate request', you'll need the hostname.",),
        "",
        solved=False,
    ),
    SupportQuestion(
        "Can I use my personal iPad for email?",
        "Is it allowed to read company email on my personal iPad, and what do I need? #mobile",
        "",
        (),
        "",
        solved=False,
    ),
    SupportQuestion(
        "Teams camera not detected on the new laptop",
        "The built-in camera isn't detected by Teams on my brand-new laptop. The Camera app says 'No "
        "camera found'. #teams #laptop",
        "",
        ("Check the privacy shutter slider above the screen, it's tiny on the new models!",),
        "",
        solved=False,
    ),
)

# Messages the IT Status app posts into IT Support through its webhook (app_event posts).
STATUS_EVENTS: tuple[tuple[str, str], ...] = (
    (
        "Incident: VPN gateway Frankfurt degraded",
        "**Status:** investigating\n\nSome users connecting through the Frankfurt gateway see disconnects. "
        "Workaround: choose the Amsterdam gateway in GlobalProtect. Next update in 30 minutes.",
    ),
    (
        "Resolved: VPN gateway Frankfurt",
        "**Status:** resolved\n\nA faulty line card was replaced. Connections are stable since 10:42 CET. "
        "Post-mortem to follow.",
    ),
    (
        "Planned maintenance: SAP P01 on Saturday",
        "**Status:** planned\n\nSAP P01 will be unavailable on Saturday from 06:00 to 10:00 CET for the "
        "quarterly kernel update.",
    ),
    (
        "Incident: email delays in APAC",
        "**Status:** monitoring\n\nIncoming external email to APAC mailboxes is delayed by up to 20 minutes. "
        "The provider has applied a fix; we are monitoring.",
    ),
    (
        "Resolved: SAP P02 logon errors",
        "**Status:** resolved\n\nThe licence key on P02 was reinstalled. Logons work again.",
    ),
)
