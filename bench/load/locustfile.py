"""The load test's visitors and editors, for locust (run by bench/load.py and bench/pg_restart.py).

Two kinds of users, each waiting 1 to 5 seconds between two actions (a person reads a page before the
next click; ``LOAD_THINK_MIN`` and ``LOAD_THINK_MAX`` change it):

- ``Visitor`` (anonymous, 9 users in 10): home page, searches with words and facets taken from the data,
  project sheets of random projects, the map page and the GeoJSON its script loads first, a page of the
  API's project list, and the CSV export of a small search result;
- ``Editor`` (1 in 10): signs in once with a demonstration account that needs no second factor (the two
  authority agents), then lists its sheets in the professional space, opens one and edits it: the edit
  form, a pause, then the save, which carries the form's ``expected_version``. Each editor has a sheet of
  its own; one edit in ten is made on another sheet of its authority, so two editors may save the same
  sheet: the later save is refused with 409 (the conflict page), which is counted on its own line,
  "space: save — 409 conflict", and not as an error.

Requests are named by endpoint (``name=``), so locust's table has one line per endpoint. Any status of 400
or more (except that 409), any connection error and any answer slower than ``LOAD_TIMEOUT`` seconds (30) is
a failure. Words, facets, slugs and the editors' sheets come from the JSON file named by ``LOAD_DATA``,
written by bench/load.py from the database. Every request carries ``X-Forwarded-Proto: https``, as behind
the production proxy (the production settings redirect plain http to https), and the session's Secure
cookies are sent over the loopback's plain http as a browser sends them over https.

Each task has a tag (home, search, sheet, map, api, export, space, edit): bench/load.py --cpu-per-request
runs them one at a time. ``LOAD_MAX_REQUESTS`` (when set) stops the run after that many requests, whatever
``--run-time`` says. ``LOAD_EVENTS`` (when set) names a file that gets one tab-separated line per request:
time, name, status, milliseconds, the page's <title> for answers of 500 and more, the error
(bench/pg_restart.py).
"""

from __future__ import annotations

import http.cookiejar
import itertools
import json
import os
import random
import re
import time
from collections import defaultdict
from html.parser import HTMLParser
from urllib.parse import urlencode

import gevent
from locust import FastHttpUser, between, events, tag, task
from locust.exception import StopUser

PASSWORD = "demonstration-locale-2026"  # noqa: S105 - the demonstration accounts' published password
CONFLICT = "space: save — 409 conflict"
LOGIN = "/compte/connexion/"
TITLE = re.compile(rb"<title>\s*(.*?)\s*</title>", re.S)
# The first message of a form refused with 400 (Django's error list), for the failure's text.
FIELD_ERROR = re.compile(r'<ul class="errorlist[^"]*"[^>]*>\s*<li>([^<]+)')

# Which page a simulated person opens next: load generation, not secrets.
RNG = random.Random()  # noqa: S311
DATA: dict = {}
STATE: dict = {"sent": 0, "events": None, "environment": None}
# Editors of each account, numbered in the order they start: the n-th takes the account's n-th sheet.
_editors = defaultdict(itertools.count)
_started = itertools.count()


@events.init.add_listener
def on_init(environment, **_kwargs):
    path = os.environ.get("LOAD_DATA", "")
    if not path:
        raise SystemExit("LOAD_DATA must name the data file written by bench/load.py")
    with open(path, encoding="utf-8") as source:
        DATA.update(json.load(source))
    STATE["environment"] = environment
    if os.environ.get("LOAD_EVENTS"):
        STATE["events"] = open(os.environ["LOAD_EVENTS"], "a", encoding="utf-8")  # noqa: SIM115 - whole run


@events.request.add_listener
def on_request(name, response_time, response=None, exception=None, **_kwargs):
    STATE["sent"] += 1
    limit = int(os.environ.get("LOAD_MAX_REQUESTS", "0") or 0)
    if limit and STATE["sent"] == limit:
        # Stop from a greenlet of its own: quitting kills every user, including the one running this.
        gevent.spawn(STATE["environment"].runner.quit)
    if STATE["events"] is not None:
        status = getattr(response, "status_code", 0) or 0
        title = ""
        if status >= 500:
            found = TITLE.search(getattr(response, "content", None) or b"")
            title = found.group(1).decode("utf-8", "replace") if found else "(no title)"
        error = type(exception).__name__ if exception else ""
        line = f"{time.time():.3f}\t{name}\t{status}\t{response_time:.0f}\t{title}\t{error}\n"
        STATE["events"].write(line)
        STATE["events"].flush()


class SecureOverLoopback(http.cookiejar.DefaultCookiePolicy):
    """Send the Secure cookies (session, CSRF) over the loopback's plain http.

    In production the browser speaks https to the proxy, which passes ``X-Forwarded-Proto: https`` to
    gunicorn; here the load generator plays both, so it must send what a browser sends over https.
    """

    def return_ok_secure(self, cookie, request):
        return True


class Portal(FastHttpUser):
    abstract = True
    wait_time = between(
        float(os.environ.get("LOAD_THINK_MIN", "1")), float(os.environ.get("LOAD_THINK_MAX", "5"))
    )
    # A hung worker must show as a failure instead of holding the user forever.
    network_timeout = float(os.environ.get("LOAD_TIMEOUT", "30"))
    connection_timeout = network_timeout
    default_headers = {"X-Forwarded-Proto": "https", "Accept-Language": "fr"}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.client.cookiejar.set_policy(SecureOverLoopback())

    def get(self, path: str, name: str):
        return self.client.get(path, name=name)


class Visitor(Portal):
    weight = 9

    @tag("home")
    @task(2)
    def home(self):
        self.get("/", "home")

    @tag("search")
    @task(6)
    def search(self):
        """Words only (3 in 10), a facet only (3 in 10) or both; one in five on a later page."""
        pairs = []
        kind = RNG.random()
        if kind < 0.7:
            pairs.append(("q", RNG.choice(DATA["words"])))
        if kind >= 0.3:
            facet = RNG.choice(sorted(DATA["facets"]))
            pairs.append((facet, RNG.choice(DATA["facets"][facet])))
        if RNG.random() < 0.2:
            pairs.append(("page", str(RNG.randint(2, 5))))
        self.get("/atlas/recherche/?" + urlencode(pairs), "search")

    @tag("sheet")
    @task(8)
    def sheet(self):
        self.get(f"/atlas/projets/{RNG.choice(DATA['slugs'])}/", "sheet")

    @tag("map")
    @task(1)
    def map(self):
        self.get("/atlas/carte/", "map")
        # What the map's script asks for at its first view (world view, zoom 2).
        self.get("/atlas/carte/pays.geojson", "map: countries GeoJSON")
        self.get("/atlas/carte/points.geojson?zoom=2&bbox=-180,-85,180,85", "map: points GeoJSON")

    @tag("api")
    @task(1)
    def api(self):
        self.get(
            "/api/v1/projects?" + urlencode({"q": RNG.choice(DATA["words"]), "page_size": 20}),
            "API: projects",
        )

    @tag("export")
    @task(1)
    def export(self):
        self.get(f"/api/v1/projects?{RNG.choice(DATA['exports'])}&format=csv", "export: CSV")


class FormFields(HTMLParser):
    """The fields of one form of a page as a browser sends them: checked boxes, selected options, text."""

    def __init__(self, form_id: str):
        super().__init__(convert_charrefs=True)
        self.form_id = form_id
        self.inside = False
        self.fields: list[tuple[str, str]] = []
        self._select: str | None = None
        self._options: list[tuple[str, bool]] = []
        self._textarea: str | None = None
        self._text = ""

    def handle_starttag(self, tag, attrs):
        a = {key: value or "" for key, value in attrs}
        if tag == "form":
            self.inside = a.get("id") == self.form_id
        elif not self.inside:
            return
        elif tag == "input" and "name" in a:
            kind = a.get("type", "text")
            if kind in ("checkbox", "radio") and "checked" not in a:
                return
            if kind not in ("submit", "button", "image", "file"):
                self.fields.append((a["name"], a.get("value", "on" if kind == "checkbox" else "")))
        elif tag == "select" and "name" in a:
            self._select, self._options = a["name"], []
        elif tag == "option" and self._select is not None:
            self._options.append((a.get("value", ""), "selected" in a))
        elif tag == "textarea" and "name" in a:
            self._textarea, self._text = a["name"], ""

    def handle_data(self, data):
        if self._textarea is not None:
            self._text += data

    def handle_endtag(self, tag):
        if tag == "form":
            self.inside = False
        elif tag == "select" and self._select is not None:
            chosen = [value for value, selected in self._options if selected] or [
                value for value, _selected in self._options[:1]
            ]
            self.fields += [(self._select, value) for value in chosen]
            self._select = None
        elif tag == "textarea" and self._textarea is not None:
            # Browsers drop the newline that follows <textarea>; the parser keeps it.
            self.fields.append((self._textarea, self._text.removeprefix("\n")))
            self._textarea = None


def form_fields(html: str, form_id: str) -> list[tuple[str, str]]:
    parser = FormFields(form_id)
    parser.feed(html)
    return parser.fields


def csrf_token(html: str) -> str:
    found = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)
    return found.group(1) if found else ""


class Editor(Portal):
    weight = 1

    def on_start(self):
        accounts = DATA["editors"]
        # Three editors in four work for the first account (the authority with many sheets).
        account = accounts[0] if next(_started) % 4 or len(accounts) == 1 else accounts[1]
        self.sheets = account["sheets"]
        self.own = self.sheets[next(_editors[account["email"]]) % len(self.sheets)]
        # Behind the proxy the browser's Origin is https; Django's CSRF check compares it with the host.
        self.origin = {"Origin": self.host.replace("http://", "https://", 1)}
        page = self.get(LOGIN, "login: form")
        with self.client.post(
            LOGIN,
            data={
                "csrfmiddlewaretoken": csrf_token(page.text or ""),
                "identifier": account["email"],
                "password": PASSWORD,
            },
            headers=self.origin,
            name="login: password",
            allow_redirects=False,
            catch_response=True,
        ) as response:
            if response.status_code != 302:
                response.failure(f"login refused: status {response.status_code}")
        if response.status_code != 302:
            raise StopUser()

    def signed_in(self, path: str, name: str):
        """A page of the space; a redirect (to the login page) means the session was lost: a failure."""
        with self.client.get(path, name=name, allow_redirects=False, catch_response=True) as response:
            if response.status_code in (301, 302):
                response.failure("redirected: session lost")
        return response

    @tag("space")
    @task(1)
    def sheets_list(self):
        self.signed_in("/espace/atlas/projets/", "space: sheets list")

    @tag("space")
    @task(1)
    def sheet(self):
        self.signed_in(f"/espace/atlas/projets/{self.own}/", "space: sheet")

    @tag("edit")
    @task(2)
    def edit(self):
        slug = self.own if RNG.random() < 0.9 else RNG.choice(self.sheets)
        path = f"/espace/atlas/projets/{slug}/modifier/"
        form = self.signed_in(path, "space: edit form")
        if form.status_code != 200:
            return
        fields = [
            (key, value) for key, value in form_fields(form.text or "", "project-form") if key != "results"
        ]
        fields += [
            ("results", f"Point d'étape n° {RNG.randint(1, 10**6)} (essai de charge)."),
            ("_save", "1"),
        ]
        # A person reads and types before saving: someone else may have saved the sheet meanwhile.
        self.wait()
        with self.client.post(
            path,
            data=urlencode(fields),
            headers={**self.origin, "Content-Type": "application/x-www-form-urlencoded"},
            name="space: save",
            allow_redirects=False,
            catch_response=True,
        ) as response:
            if response.status_code == 409:
                response.request_meta["name"] = CONFLICT
                response.success()
            elif response.status_code != 302:
                found = FIELD_ERROR.search(response.text or "")
                why = f": {found.group(1).strip()}" if found else ""
                response.failure(f"save answered {response.status_code}, not a redirect{why}")
