"""Walk the One Healthcare ID pages over plain HTTP, as a person would, without a browser.

``Journey`` keeps cookies like a browser, reads each page's forms (fields by
their label or name, buttons by their text) and answers each OHID step the way
its person would: identifier, password, "Verify your identity" (authenticator,
text, call, email, recovery code or passkey), consent ("Allow"), Create One
Healthcare ID, "Verify Your Email Address" (the code from the outbox) and its
"Continue", "Verify Phone Number" by text or call, the security-methods offer,
"Remind Me Later" on an expiring password, a new one on an expired password. It
stops when the browser is sent back to the portal and returns that callback::

    from idp.testing import QAClient
    from idp.testing.journey import Journey

    journey = Journey(issuer, QAClient(issuer))
    callback = journey.sign_in("jane.doe1", "Password1", client_id=..., redirect_uri=...)
    tokens = journey.exchange(callback, client_secret=...)

Any page it cannot answer, or an error shown on a page, raises ``JourneyError``
with the path and the page's own error sentence.
"""

from __future__ import annotations

import json
import secrets
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any
from urllib.parse import parse_qs, urlencode, urljoin, urlsplit

import requests


class JourneyError(Exception):
    """The journey stopped: ``path`` is the page, ``detail`` what it said."""

    def __init__(self, path: str, detail: str):
        super().__init__(f"{path}: {detail}")
        self.path, self.detail = path, detail


@dataclass
class Form:
    """One HTML form: where it posts, its fields' values, labels and buttons."""

    action: str
    method: str = "get"
    values: dict[str, str] = field(default_factory=dict)
    labels: dict[str, str] = field(default_factory=dict)  # label text -> field name
    buttons: list[tuple[str, str | None, str | None]] = field(default_factory=list)

    def button(self, text: str) -> tuple[str, str | None, str | None] | None:
        return next((b for b in self.buttons if b[0] == text), None)


class _FormParser(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.forms: list[Form] = []
        self.alerts: list[str] = []
        self._form: Form | None = None
        self._forms_by_id: dict[str, Form] = {}  # for buttons outside with form="id"
        self._button_form: Form | None = None
        self._ids: dict[str, str] = {}  # element id -> field name
        self._label_for: str | None = None
        self._label_text: list[str] = []
        self._button: dict | None = None
        self._alert_depth = 0
        self._alert_text: list[str] = []
        self._pending_labels: list[tuple[str, str]] = []
        self._select: str | None = None
        self._select_set = False

    def handle_starttag(self, tag, attrs):
        a = {k: v or "" for k, v in attrs}
        if self._alert_depth:
            self._alert_depth += 1
        elif a.get("role") == "alert":
            self._alert_depth, self._alert_text = 1, []
        if tag == "form":
            self._form = Form(a.get("action", ""), a.get("method", "get").lower())
            self.forms.append(self._form)
            if a.get("id"):
                self._forms_by_id[a["id"]] = self._form
        elif tag == "label":
            self._label_for, self._label_text = a.get("for"), []
        elif tag in ("input", "textarea", "select") and self._form is not None and a.get("name"):
            kind = a.get("type", "text").lower()
            if kind == "submit":
                self._form.buttons.append((a.get("value", ""), a["name"], a.get("value")))
            elif kind in ("checkbox", "radio"):
                if "checked" in a:
                    self._form.values[a["name"]] = a.get("value", "on")
            elif tag == "select":
                self._select, self._select_set = a["name"], False
                self._form.values.setdefault(a["name"], "")
            else:
                self._form.values.setdefault(a["name"], a.get("value", ""))
            if a.get("id"):
                self._ids[a["id"]] = a["name"]
        elif tag == "option" and self._form is not None and self._select is not None:
            # A select sends its selected option, else its first.
            if "selected" in a or not self._select_set:
                self._form.values[self._select] = a.get("value", "")
                self._select_set = True
        elif tag == "button" and (self._form is not None or a.get("form") in self._forms_by_id):
            # A button's form attribute names its form wherever the button stands (HTML).
            self._button_form = self._forms_by_id.get(a.get("form", ""), self._form)
            self._button = {"name": a.get("name"), "value": a.get("value"), "text": []}

    def handle_data(self, data):
        if self._label_for is not None:
            self._label_text.append(data)
        if self._button is not None:
            self._button["text"].append(data)
        if self._alert_depth:
            self._alert_text.append(data)

    def handle_endtag(self, tag):
        if self._alert_depth:
            self._alert_depth -= 1
            if not self._alert_depth:
                text = " ".join(" ".join(self._alert_text).split())
                if text:
                    self.alerts.append(text)
        if tag == "label" and self._label_for is not None:
            self._pending_labels.append(
                (" ".join("".join(self._label_text).split()), self._label_for)
            )
            self._label_for = None
        elif tag == "button" and self._button is not None and self._button_form is not None:
            text = " ".join("".join(self._button["text"]).split())
            if self._button["name"] is None or self._button["value"] is not None:
                self._button_form.buttons.append(
                    (text, self._button["name"], self._button["value"])
                )
            self._button = None
        elif tag == "select":
            self._select = None
        elif tag == "form":
            self._form = None

    def close(self):
        super().close()
        for form in self.forms:
            for text, target in self._pending_labels:
                name = self._ids.get(target)
                if name is not None and name in form.values:
                    form.labels[text] = name


@dataclass
class Page:
    """An OHID page as the journey sees it."""

    url: str
    status: int
    html: str
    forms: list[Form]
    alerts: list[str]

    @property
    def path(self) -> str:
        return urlsplit(self.url).path

    def form(self, button: str) -> Form:
        """The form with a button labelled ``button``."""
        for candidate in self.forms:
            if candidate.button(button):
                return candidate
        raise JourneyError(self.path, f"no {button!r} button on the page")


@dataclass
class Callback:
    """Where OHID sent the browser back to the portal, and its query parameters."""

    url: str
    params: dict[str, str]

    @property
    def code(self) -> str | None:
        return self.params.get("code")

    @property
    def state(self) -> str | None:
        return self.params.get("state")


class Journey:
    """A cookie-keeping HTTP browser that walks OHID's pages by their labels.

    ``qa`` (a ``QAClient``) reads the codes a person would receive (outbox,
    authenticator app); ``passkey`` (a ``SoftAuthenticator``) answers passkey
    ceremonies.
    """

    def __init__(self, issuer: str, qa=None, passkey=None, timeout: float = 10.0):
        self.issuer = issuer.rstrip("/")
        self.qa = qa
        self.passkey = passkey
        self.timeout = timeout
        self.http = requests.Session()
        self.trail: list[str] = []  # the paths of the pages answered, in order
        self._who: dict[str, Any] = {}

    # --- entry points ---------------------------------------------------------------

    def sign_in(
        self,
        username: str,
        password: str,
        *,
        client_id: str,
        redirect_uri: str,
        scope: str = "openid",
        second_factor: str | None = None,
        recovery_code: str | None = None,
        new_password: str | None = None,
        **params,
    ) -> Callback:
        """Sign ``username`` in to the portal ``client_id``; returns its callback.

        ``second_factor``: the method name to verify with when asked (default: the
        first the page offers); ``recovery_code``: the code for ``"recovery"``;
        ``new_password``: what to type when "Your password has expired";
        ``params``: more authorization parameters (``acr_values``, ``prompt``, ...).
        """
        self._who = {
            "username": username,
            "password": password,
            "second_factor": second_factor,
            "recovery_code": recovery_code,
            "new_password": new_password,
        }
        page = self.authorize(client_id, redirect_uri, scope, **params)
        if isinstance(page, Callback):
            return page
        if page.path == "/signin":
            page = self._post(page, "Continue", {"identifier": username})
        return self._walk(page)

    def sign_in_with_passkey(
        self, *, client_id: str, redirect_uri: str, scope: str = "openid", **params
    ) -> Callback:
        """Sign in with the passkey in ``self.passkey`` alone (no ID typed)."""
        self._who = {}
        page = self.authorize(client_id, redirect_uri, scope, **params)
        if isinstance(page, Callback):
            return page
        return self._walk(self._passkey_answer(page, "/signin/passkey/options", "/signin/passkey"))

    def register(
        self,
        *,
        client_id: str,
        redirect_uri: str,
        username: str,
        email: str,
        password: str,
        first_name: str = "Quinn",
        last_name: str = "Tester",
        year_of_birth: int = 1985,
        phone: str | None = None,
        phone_by: str | None = "sms",
        scope: str = "openid",
        **params,
    ) -> Callback:
        """Create One Healthcare ID from the portal (``prompt=create``) and come back.

        ``phone_by``: ``"sms"`` or ``"call"`` verifies the phone that way, None skips.
        """
        self._who = {"username": username, "email": email, "phone_by": phone_by}
        page = self.authorize(client_id, redirect_uri, scope, prompt="create", **params)
        values = {
            "first_name": first_name,
            "last_name": last_name,
            "year_of_birth": str(year_of_birth),
            "email": email,
            "username": username,
            "password": password,
            "password_again": password,
            "phone": phone or "",
        }
        # "I Agree" is the agreement: its button sends agreed=y.
        form = page.form("I Agree")
        for position, question in enumerate(self._questions(page), start=1):
            values[f"question_{position}"] = question
            values[f"answer_{position}"] = ("Rex", "Duluth", "Saab")[position - 1]
        return self._walk(self._submit(page, form, "I Agree", values))

    def authorize(self, client_id: str, redirect_uri: str, scope: str = "openid", **params):
        """The portal's authorization request: the first OHID page (or a callback)."""
        query = {
            "response_type": "code",
            "client_id": client_id,
            "redirect_uri": redirect_uri,
            "scope": scope,
            "state": params.pop("state", None) or secrets.token_urlsafe(12),
            **params,
        }
        return self._follow(self._get(f"{self.issuer}/authorize?{urlencode(query)}"))

    def exchange(self, callback: Callback, client_secret: str | None = None, **data) -> dict:
        """Exchange the callback's code at the token endpoint as the portal would."""
        query = parse_qs(urlsplit(self._authorize_url).query)
        client_id, redirect_uri = query["client_id"][0], query["redirect_uri"][0]
        form = {
            "grant_type": "authorization_code",
            "code": callback.code,
            "redirect_uri": redirect_uri,
            **data,
        }
        auth = (client_id, client_secret) if client_secret else None
        if auth is None:
            form["client_id"] = client_id
        response = requests.post(f"{self.issuer}/token", data=form, auth=auth, timeout=self.timeout)
        body = response.json()
        if response.status_code != 200:
            raise JourneyError("/token", f"{body.get('error')}: {body.get('error_description')}")
        return body

    # --- the walk -------------------------------------------------------------------

    def _walk(self, page: Page | Callback) -> Callback:
        for _ in range(40):
            if isinstance(page, Callback):
                return page
            step = _STEPS.get(page.path)
            if step is None:
                detail = page.alerts[0] if page.alerts else f"no step answers {page.path}"
                raise JourneyError(page.path, detail)
            self.trail.append(page.path)
            page = step(self, page)
        raise JourneyError(page.path, "the journey went round in circles")

    def _password(self, page: Page) -> Page | Callback:
        return self._post(page, "Sign In", {"password": self._who["password"]})

    def _second_factor(self, page: Page) -> Page | Callback:
        if any(urlsplit(f.action).path == "/signin/verify/continue" for f in page.forms):
            # The recovery code was spent: its replacement is shown once, then "Continue".
            return self._post(page, "Continue", {})
        offered = _offered_method(page)
        wanted = self._who.get("second_factor") or offered
        if wanted != offered:
            page = self._get_page(f"/signin/verify?method={wanted}")
        if wanted == "passkey":
            return self._passkey_answer(page, "/signin/verify/passkey/options", "/signin/verify")
        if wanted == "authenticator":
            code = self._qa().totp(self._who["username"])["code"]
        elif wanted == "recovery":
            code = self._who.get("recovery_code")
            if not code:
                raise JourneyError(page.path, "give recovery_code= to verify with it")
        else:
            code = self._sent_code(page, wanted)
            page = self._get_page(f"/signin/verify?method={wanted}")
        return self._post(page, "Verify", {"code": code})

    def _sent_code(self, page: Page, method: str) -> str:
        form = next((f for f in page.forms if f.values.get("method") == method), None)
        if form is None:
            raise JourneyError(page.path, f"no way to send a {method} code on the page")
        button = form.buttons[0][0]
        since = self._qa().clock()["now"]
        self._submit(page, form, button, {})
        channel = {"sms": "sms", "call": "voice", "email": "email"}[method]
        user = self._qa().user(self._who["username"])
        to = user["email"] if channel == "email" else user["phone"]
        return self._qa().latest(to=to, channel=channel, since=since)["code"]

    def _passkey_answer(self, page: Page, options_path: str, action: str) -> Page | Callback:
        if self.passkey is None:
            raise JourneyError(page.path, "give passkey= (a SoftAuthenticator) to use a passkey")
        token = _csrf(page)
        response = self.http.post(
            f"{self.issuer}{options_path}",
            headers={"X-CSRFToken": token},
            timeout=self.timeout,
        )
        credential = self.passkey.get(response.json())
        return self._follow(
            self.http.post(
                f"{self.issuer}{action}",
                data={"csrf_token": token, "credential": json.dumps(credential)},
                allow_redirects=False,
                timeout=self.timeout,
            )
        )

    def _password_expired(self, page: Page) -> Page | Callback:
        new = self._who.get("new_password")
        if not new:
            raise JourneyError(page.path, "Your password has expired: give new_password=")
        return self._post(page, "Continue", {"New password": new, "Type password again": new})

    def _consent(self, page: Page) -> Page | Callback:
        return self._post(page, "Allow", {})

    def _continue(self, page: Page) -> Page | Callback:
        return self._post(page, "Continue", {})

    def _remind_later(self, page: Page) -> Page | Callback:
        return self._post(page, "Remind Me Later", {})

    def _verify_email(self, page: Page) -> Page | Callback:
        email = self._who.get("email") or self._qa().user(self._who["username"])["email"]
        code = self._qa().latest(to=email, channel="email", purpose="email_activation")["code"]
        return self._post(page, "Verify", {"code": code})

    def _verify_phone(self, page: Page) -> Page | Callback:
        how = self._who.get("phone_by")
        buttons = {b[0] for f in page.forms for b in f.buttons}
        if how is None:
            return self._post(page, "Skip", {})
        if "I have entered the code" in buttons:
            user = self._qa().user(self._who["username"])
            call = self._qa().latest(to=user["phone"], channel="voice")
            self._qa().answer_call(user["phone"], call["code"] + "#")
            return self._post(page, "I have entered the code", {})
        if "Verify" in buttons:
            user = self._qa().user(self._who["username"])
            code = self._qa().latest(to=user["phone"], channel="sms")["code"]
            return self._post(page, "Verify", {"code": code})
        return self._post(page, "Call Me" if how == "call" else "Text Message", {})

    # --- HTTP -------------------------------------------------------------------------

    def _qa(self):
        if self.qa is None:
            raise JourneyError("", "give qa= (a QAClient) to read codes from the outbox")
        return self.qa

    def _questions(self, page: Page) -> list[str]:
        parser = _OptionParser()
        parser.feed(page.html)
        # A different question for each select, the placeholder ("Choose ...") skipped.
        chosen = []
        questions = {k: v for k, v in parser.selects.items() if k.startswith("question_")}
        for _, options in sorted(questions.items()):
            real = [o for o in options if o and not o.lower().startswith("choose")]
            real = [o for o in real if o not in chosen]
            if real:
                chosen.append(real[0])
        return chosen[:3]

    def _get(self, url: str) -> requests.Response:
        if "/authorize?" in url:
            self._authorize_url = url
        return self.http.get(url, allow_redirects=False, timeout=self.timeout)

    def _get_page(self, path: str) -> Page:
        page = self._follow(self._get(urljoin(self.issuer + "/", path.lstrip("/"))))
        if isinstance(page, Callback):
            raise JourneyError(path, "sent back to the portal unexpectedly")
        if page.status >= 400:
            raise JourneyError(page.path, page.alerts[0] if page.alerts else str(page.status))
        return page

    def _post(self, page: Page, button: str, values: dict) -> Page | Callback:
        return self._submit(page, page.form(button), button, values)

    def _submit(self, page: Page, form: Form, button: str, values: dict) -> Page | Callback:
        data = dict(form.values)
        for key, value in values.items():
            data[form.labels.get(key, key)] = value
        _, name, value = form.button(button)
        if name:
            data[name] = value or ""
        action = urljoin(page.url, form.action or page.url)
        response = self.http.post(action, data=data, allow_redirects=False, timeout=self.timeout)
        result = self._follow(response)
        if isinstance(result, Page) and result.status >= 400 and result.alerts:
            raise JourneyError(result.path, result.alerts[0])
        return result

    def _follow(self, response: requests.Response) -> Page | Callback:
        for _ in range(20):
            if not response.is_redirect:
                parser = _FormParser()
                parser.feed(response.text)
                parser.close()
                return Page(
                    response.url, response.status_code, response.text, parser.forms, parser.alerts
                )
            target = urljoin(response.url, response.headers["Location"])
            if not target.startswith(self.issuer + "/"):
                params = {k: v[0] for k, v in parse_qs(urlsplit(target).query).items()}
                return Callback(target, params)
            response = self._get(target)
        raise JourneyError(urlsplit(response.url).path, "too many redirects")


class _OptionParser(HTMLParser):
    """The options of each <select> (the security questions)."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.selects: dict[str, list[str]] = {}
        self._select: str | None = None
        self._option: list[str] | None = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "select":
            self._select = a.get("name")
            self.selects[self._select] = []
        elif tag == "option" and self._select is not None:
            self._option = []

    def handle_data(self, data):
        if self._option is not None:
            self._option.append(data)

    def handle_endtag(self, tag):
        if tag == "option" and self._option is not None and self._select is not None:
            self.selects[self._select].append(" ".join("".join(self._option).split()))
            self._option = None
        elif tag == "select":
            self._select = None


def _csrf(page: Page) -> str:
    for form in page.forms:
        if form.values.get("csrf_token"):
            return form.values["csrf_token"]
    raise JourneyError(page.path, "the page has no CSRF token")


def _offered_method(page: Page) -> str:
    query = parse_qs(urlsplit(page.url).query)
    if query.get("method"):
        return query["method"][0]
    for form in page.forms:
        action = parse_qs(urlsplit(form.action).query)
        if urlsplit(form.action).path == "/signin/verify" and action.get("method"):
            return action["method"][0]
        if form.values.get("method"):
            return form.values["method"]
    raise JourneyError(page.path, "no verification method on the page")


_STEPS = {
    "/signin/password": Journey._password,
    "/signin/verify": Journey._second_factor,
    "/consent": Journey._consent,
    "/register/verify-email": Journey._verify_email,
    "/register/email-verified": Journey._continue,
    "/register/verify-phone": Journey._verify_phone,
    "/register/phone-verified": Journey._continue,
    "/register/security": Journey._continue,
    "/recover/password/expiring": Journey._remind_later,
    "/recover/password/expired": Journey._password_expired,
}
