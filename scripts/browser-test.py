#!/usr/bin/python3
"""Drives the web page in headless Chromium against a real `biliup server`.

    /usr/bin/python3 scripts/browser-test.py --biliup .build/debug/biliup [--standin PATH] [--screenshots DIR]

Makes a temporary data directory with one user, starts the server on a free loopback port, and checks
in the browser: the login page (and a wrong password's message), logging in, the dashboard, adding,
editing and pausing a streamer, a state line arriving over the WebSocket on the live-log page, a
recorded segment (a 6-second clip served once by a local HTTP-FLV source, recorded as MP4) playing in a
<video> element, a Bilibili QR login from the Accounts page against the `bilibili-standin` executable
(the QR image shown, the login confirmed after a few polls, the account listed), a cookie import, the
account offered in the template form, the Uploads page with a queued and a submitted archive, adding a template, setting and resetting a global option, the language switch (kept
across a reload), escaping of server text, the pages at phone width (no sideways overflow), and signing
out. A PNG is saved after every step. Exits 0 only if every step held; otherwise prints the failed step,
the browser's console and the server's output tail. Needs Debian's python3-selenium, chromium,
chromium-driver, and ffmpeg for the playback step (skipped with a note without it).
"""

import argparse
import base64
import json
import os
import shutil
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
import traceback
import urllib.error
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from threading import Thread

from selenium import webdriver
from selenium.common.exceptions import StaleElementReferenceException, TimeoutException
from selenium.webdriver.chrome.options import Options
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select, WebDriverWait

TIMEOUT = 20  # seconds for any one thing to appear in the page
SERVER_START_TIMEOUT = 60  # the first start creates the database
USER = "admin"
PASSWORD = "browser-test-secret"
STREAMER = "browser-test"
STREAMER_URL = "http://127.0.0.1:9/live.flv"  # the discard port: never live
TEMPLATE = "browser-template"
PLAY_STREAMER = "browser-play"
PLAY_TIMEOUT = 120  # seconds for the recording of a 6-second clip to show up as a finished segment
XSS_NAME = '<img src=x onerror="window.__xss=1">'
DESKTOP = (1280, 900)
PHONE = (390, 844)
STANDIN_QR_POLLS = 3  # the stand-in confirms a QR code after this many polls
STANDIN_UNAME = "standin-up"  # the stand-in's first account, which confirms QR codes
IMPORTED = "imported-cookies"
SUBMITTED_BVID = "BV1browserTst"
CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"


class StepFailed(Exception):
    pass


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def http(base, method, path, body=None, token=None):
    """One API call with urllib: (status, parsed JSON or None)."""
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(base + path, data=data, method=method)
    request.add_header("Accept", "application/json")
    if data is not None:
        request.add_header("Content-Type", "application/json")
    if token:
        request.add_header("Authorization", f"Bearer {token}")
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            text = response.read().decode()
            return response.status, (json.loads(text) if text else None)
    except urllib.error.HTTPError as e:
        text = e.read().decode(errors="replace")
        try:
            return e.code, json.loads(text)
        except ValueError:
            return e.code, text


class Server:
    def __init__(self, binary, data_dir):
        self.binary = binary
        self.data_dir = data_dir
        self.host_remaps = []
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.stderr_path = os.path.join(data_dir, "server.stderr")
        self.process = None

    def add_user(self):
        result = subprocess.run([self.binary, "user", "add", "--data-dir", self.data_dir, USER],
                                input=PASSWORD + "\n", capture_output=True, text=True, timeout=60,
                                cwd=self.data_dir)
        if result.returncode != 0:
            raise StepFailed(f"`biliup user add` exited {result.returncode}: {result.stderr.strip()}")

    def start(self):
        stderr = open(self.stderr_path, "w")
        self.process = subprocess.Popen(
            [self.binary, "server", "--data-dir", self.data_dir, "--port", str(self.port)]
            + [arg for rule in self.host_remaps for arg in ("--host-remap", rule)],
            stdin=subprocess.DEVNULL, stdout=stderr, stderr=subprocess.STDOUT, cwd=self.data_dir)
        stderr.close()
        deadline = time.monotonic() + SERVER_START_TIMEOUT
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise StepFailed(f"the server exited with status {self.process.returncode}")
            try:
                status, me = http(self.base, "GET", "/api/me")
                if status == 200:
                    return me
            except OSError:
                pass
            time.sleep(0.2)
        raise StepFailed(f"GET /api/me did not answer within {SERVER_START_TIMEOUT} s")

    def stderr_tail(self, lines=40):
        try:
            with open(self.stderr_path, errors="replace") as f:
                return "".join(f.readlines()[-lines:])
        except OSError:
            return "(no server output)"

    def stop(self):
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


class OneShotSource:
    """Serves one FLV file once at /clip.flv (a broadcast that ends); later requests get a 404."""

    def __init__(self, path):
        data = open(path, "rb").read()
        served = []

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                if self.path.split("?")[0] != "/clip.flv" or served:
                    self.send_error(404)
                    return
                served.append(True)
                self.send_response(200)
                self.send_header("Content-Type", "video/x-flv")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args):
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/clip.flv"
        Thread(target=self.httpd.serve_forever, daemon=True).start()

    def stop(self):
        self.httpd.shutdown()
        self.httpd.server_close()


class StandIn:
    """The `bilibili-standin` executable: a local Bilibili that confirms QR codes after a few polls."""

    def __init__(self, binary, directory):
        self.process = subprocess.Popen([binary, "--dir", directory, "--qr-after", str(STANDIN_QR_POLLS)],
                                        stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        line = self.process.stdout.readline()
        if not line:
            raise StepFailed(f"bilibili-standin exited with status {self.process.wait()} before saying where it listens")
        info = json.loads(line)
        self.remap = info["remap"]
        self.cookies = info["cookies"]

    def stop(self):
        if self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)


def make_driver():
    options = Options()
    options.binary_location = CHROMIUM
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                f"--window-size={DESKTOP[0]},{DESKTOP[1]}", "--lang=en-US", "--mute-audio",
                "--no-first-run", "--disable-extensions"):
        options.add_argument(arg)
    options.add_experimental_option("prefs", {"intl.accept_languages": "en-US,en"})
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    return webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)


class BrowserTest:
    def __init__(self, binary, shots_dir, standin):
        self.binary = os.path.abspath(binary)
        self.standin_binary = os.path.abspath(standin)
        self.standin = None
        self.shots_dir = shots_dir
        self.tmp = tempfile.mkdtemp(prefix="biliup-browser-test-")
        self.server = Server(self.binary, self.tmp)
        self.driver = None
        self.token = None
        self.streamer_id = None
        self.shot_number = 0
        self.notes = []
        self.console = []

    # ---- helpers -------------------------------------------------------------------------------

    def wait(self, condition, what, timeout=TIMEOUT):
        try:
            return WebDriverWait(self.driver, timeout, ignored_exceptions=(StaleElementReferenceException,)).until(
                lambda d: condition(d))
        except TimeoutException:
            raise StepFailed(f"waited {timeout} s for {what}") from None

    def visible(self, css, what=None):
        def find(d):
            for el in d.find_elements(By.CSS_SELECTOR, css):
                if el.is_displayed():
                    return el
            return None
        return self.wait(find, what or f"`{css}` to be visible")

    def go(self, page):
        self.driver.find_element(By.CSS_SELECTOR, f'[data-testid="nav-{page}"]').click()
        self.wait(lambda d: d.execute_script("return document.getElementById('view').dataset.page") == page,
                  f"the {page} page")

    def loaded(self, container_css, what):
        """Waits until `container_css` exists and holds no loading placeholder."""
        self.wait(lambda d: d.execute_script(
            "const el = document.querySelector(arguments[0]);"
            "return el !== null && el.querySelector('[data-testid=loading]') === null;", container_css), what)

    def streamer_row(self, name):
        return self.visible(f'[data-testid="streamer-row"][data-name="{name}"]', f"the row of streamer {name}")

    def api(self, method, path, body=None):
        return http(self.server.base, method, path, body, self.token)

    def screenshot(self, name, full_page=True):
        self.shot_number += 1
        path = os.path.join(self.shots_dir, f"{self.shot_number:02d}-{name}.png")
        try:
            if not full_page:
                raise RuntimeError("viewport only")
            metrics = self.driver.execute_cdp_cmd("Page.getLayoutMetrics", {})
            size = metrics.get("cssContentSize") or metrics["contentSize"]
            width = metrics.get("cssLayoutViewport", metrics["layoutViewport"])["clientWidth"]
            shot = self.driver.execute_cdp_cmd("Page.captureScreenshot", {
                "format": "png", "captureBeyondViewport": True,
                "clip": {"x": 0, "y": 0, "width": width, "height": min(size["height"], 6000), "scale": 1}})
            with open(path, "wb") as f:
                f.write(base64.b64decode(shot["data"]))
        except Exception:
            self.driver.save_screenshot(path)
        print(f"    screenshot {path}")

    def collect_console(self):
        try:
            self.console.extend(self.driver.get_log("browser"))
        except Exception:
            pass

    # ---- steps ---------------------------------------------------------------------------------

    def step_server(self):
        self.standin = StandIn(self.standin_binary, os.path.join(self.tmp, "standin"))
        self.server.host_remaps = self.standin.remap
        self.server.add_user()
        me = self.server.start()
        if not me.get("login_required") or me.get("user") is not None:
            raise StepFailed(f"GET /api/me without a session should need a login: {me}")
        status, body = http(self.server.base, "POST", "/api/login", {"username": USER, "password": PASSWORD})
        if status != 200 or not body.get("token"):
            raise StepFailed(f"POST /api/login answered {status}: {body}")
        self.token = body["token"]
        self.driver = make_driver()

    def step_login_page(self):
        self.driver.get(self.server.base + "/")
        self.visible("#login-form", "the login form")
        self.visible("#login-username")
        self.screenshot("login")

    def step_bad_password(self):
        self.visible("#login-username").send_keys(USER)
        self.visible("#login-password").send_keys("wrong password")
        self.visible("#login-submit").click()
        self.wait(lambda d: d.find_element(By.ID, "login-error").text.strip() != "",
                  "an error message for a wrong password")
        self.screenshot("login-error")

    def step_login(self):
        password = self.visible("#login-password")
        password.clear()
        password.send_keys(PASSWORD)
        self.visible("#login-submit").click()
        self.visible('[data-testid="nav-dashboard"]', "the navigation after logging in")
        self.wait(lambda d: d.execute_script("return document.getElementById('view').dataset.page") == "dashboard",
                  "the dashboard")
        self.visible('[data-testid="stat-version"]', "the status (GET /api/status) on the dashboard")
        self.visible("#dash-disk .meter", "the disk meter")
        self.loaded("#dash-events", "the recent events")
        name = self.driver.find_element(By.ID, "me-name").text
        if name != USER:
            raise StepFailed(f"the top bar shows user {name!r}, expected {USER!r}")
        self.screenshot("dashboard")

    def step_add_streamer(self):
        self.go("streamers")
        self.loaded("#streamer-list", "the streamer list")
        self.visible("#streamer-add").click()
        self.visible("#streamer-form", "the add-streamer form")
        self.visible("#streamer-name").send_keys(STREAMER)
        self.visible("#streamer-urls").send_keys(STREAMER_URL)
        self.screenshot("streamer-form")
        self.visible("#streamer-save").click()
        row = self.visible(f'[data-testid="streamer-row"][data-name="{STREAMER}"]', "the new streamer in the list")
        self.streamer_id = row.get_attribute("data-id")
        if STREAMER_URL not in row.text:
            raise StepFailed(f"the row does not show the URL: {row.text!r}")
        status, body = self.api("GET", f"/api/streamers/{self.streamer_id}")
        if status != 200 or body.get("urls") != [STREAMER_URL] or body.get("origin") != "api":
            raise StepFailed(f"GET /api/streamers/{self.streamer_id} answered {status}: {body}")
        self.screenshot("streamer-added")

    def step_edit_streamer(self):
        self.streamer_row(STREAMER).find_element(By.CSS_SELECTOR, '[data-testid="streamer-edit"]').click()
        self.visible("#streamer-form", "the edit form")
        self.wait(lambda d: d.find_element(By.ID, "streamer-name").get_attribute("value") == STREAMER,
                  "the form filled with the streamer")
        Select(self.visible("#streamer-format")).select_by_value("mkv")
        self.visible("#streamer-split_time").send_keys("1800")
        self.visible("#streamer-schedule").send_keys("20:00-02:00")
        self.visible("#streamer-options").send_keys("qn=10000")
        self.visible("#streamer-danmaku").click()
        self.visible("#streamer-danmaku-detail").click()
        self.screenshot("streamer-edit")
        self.visible("#streamer-save").click()
        self.streamer_row(STREAMER)
        status, body = self.api("GET", f"/api/streamers/{self.streamer_id}")
        expected = {"overrides": {"format": "mkv", "split_time": 1800}, "schedule": ["20:00-02:00"],
                    "options": {"qn": 10000}, "urls": [STREAMER_URL],
                    "danmaku": True, "danmaku_detail": True, "danmaku_ass": False}
        got = {key: body.get(key) for key in expected} if status == 200 else body
        if got != expected:
            raise StepFailed(f"after the edit the API has {got}, expected {expected}")

    def step_pause(self):
        row = self.streamer_row(STREAMER)
        row.find_element(By.CSS_SELECTOR, '[data-testid="streamer-pause"]').click()
        self.wait(lambda d: self.streamer_row(STREAMER).find_element(
            By.CSS_SELECTOR, '[data-testid="streamer-state"]').get_attribute("data-state") == "paused",
            "the streamer's state to show paused")
        self.visible(f'[data-testid="streamer-row"][data-id="{self.streamer_id}"] [data-testid="streamer-resume"]',
                     "a resume button")
        status, body = self.api("GET", f"/api/streamers/{self.streamer_id}")
        if status != 200 or body.get("paused") is not True:
            raise StepFailed(f"the API does not have the streamer paused: {status} {body}")
        self.screenshot("streamer-paused")

    def step_live_log(self):
        self.go("logs")
        self.wait(lambda d: d.find_element(By.ID, "logs-status").get_attribute("data-state") == "open",
                  "the WebSocket to open (#logs-status)")
        # The pause/resume itself: a `state` message about this streamer (its check may log more).
        line = f'#log-list [data-testid="log-line"][data-type="state"][data-streamer="{STREAMER}"]'
        before = len(self.driver.find_elements(By.CSS_SELECTOR, line))
        paused = True
        # The socket's subscription may start a moment after the handshake; a second toggle covers that.
        for attempt in range(3):
            verb = "resume" if paused else "pause"
            status, body = self.api("POST", f"/api/streamers/{self.streamer_id}/{verb}")
            if status != 200:
                raise StepFailed(f"POST /api/streamers/{self.streamer_id}/{verb} answered {status}: {body}")
            paused = not paused
            try:
                self.wait(lambda d: len(d.find_elements(By.CSS_SELECTOR, line)) > before,
                          f"a state line for {STREAMER} after /{verb}", timeout=TIMEOUT if attempt == 2 else 8)
                if attempt:
                    self.notes.append(f"live log: the event arrived only after toggle #{attempt + 1}")
                break
            except StepFailed:
                if attempt == 2:
                    raise
        if paused:
            self.api("POST", f"/api/streamers/{self.streamer_id}/resume")
        arrived = self.driver.find_elements(By.CSS_SELECTOR, line)[before]
        print(f"    log line: {arrived.text!r} (type {arrived.get_attribute('data-type')}, "
              f"kind {arrived.get_attribute('data-kind')})")
        self.screenshot("live-log")

    def step_play_segment(self):
        if not shutil.which("ffmpeg"):
            self.notes.append("playback check skipped: no ffmpeg to make a clip")
            print("    skipped: no ffmpeg")
            return
        clip = os.path.join(self.tmp, "clip.flv")
        subprocess.run(["ffmpeg", "-loglevel", "error", "-f", "lavfi", "-i", "testsrc=size=320x240:rate=25",
                        "-f", "lavfi", "-i", "sine=frequency=440", "-t", "6", "-c:v", "libx264", "-g", "25",
                        "-pix_fmt", "yuv420p", "-c:a", "aac", "-f", "flv", "-y", clip], check=True, timeout=120)
        source = OneShotSource(clip)
        status, streamer = self.api("POST", "/api/streamers", {
            "name": PLAY_STREAMER, "url": source.url,
            "overrides": {"format": "mp4", "min_segment_size": 0, "delay": 1}})
        if status != 201:
            source.stop()
            raise StepFailed(f"POST /api/streamers for the playback streamer answered {status}: {streamer}")
        try:
            segment = None
            deadline = time.monotonic() + PLAY_TIMEOUT
            while segment is None and time.monotonic() < deadline:
                status, body = self.api("GET", f"/api/sessions?streamer_id={streamer['id']}")
                if status != 200:
                    raise StepFailed(f"GET /api/sessions answered {status}: {body}")
                for session in body.get("items", []):
                    for seg in session.get("segments", []):
                        if seg.get("state") == "finished" and (seg.get("bytes") or 0) > 0:
                            segment = seg
                time.sleep(0.5)
            if segment is None:
                raise StepFailed(f"no finished segment of {PLAY_STREAMER} within {PLAY_TIMEOUT} s "
                                 f"(last GET /api/sessions: {json.dumps(body)[:400]})")
            self.driver.execute_script("location.hash = arguments[0]", f"#/history?streamer_id={streamer['id']}")
            row = self.visible(f'[data-testid="segment-row"][data-id="{segment["id"]}"]', "the segment in the history")
            row.find_element(By.CSS_SELECTOR, '[data-testid="segment-play"]').click()
            self.wait(lambda d: d.execute_script(
                "const v = document.getElementById('player-video'); return v !== null && v.readyState >= 1 && !v.error"),
                "the <video> element to load the segment's metadata")
            length = self.driver.execute_script("return document.getElementById('player-video').duration")
            print(f"    playing {segment.get('file_name')}: {length:.1f} s in the <video> element")
            self.screenshot("history-playing")
        finally:
            self.api("POST", f"/api/streamers/{streamer['id']}/pause")
            source.stop()

    def step_other_pages(self):
        self.go("history")
        self.loaded("#session-list", "the session list")
        self.screenshot("history")
        self.go("templates")
        self.loaded("#template-list", "the template list")
        self.visible("#template-add").click()
        self.visible("#template-name").send_keys(TEMPLATE)
        self.visible("#template-fields").send_keys('{"title": "{streamer} %Y-%m-%d", "tid": 171}')
        self.visible("#template-save").click()
        self.visible(f'[data-testid="template-row"][data-name="{TEMPLATE}"]', "the new template in the list")
        status, body = self.api("GET", "/api/templates")
        fields = [t.get("fields") for t in body.get("items", []) if t.get("name") == TEMPLATE] if status == 200 else body
        if fields != [{"title": "{streamer} %Y-%m-%d", "tid": 171}]:
            raise StepFailed(f"GET /api/templates has {fields} for {TEMPLATE}")
        self.screenshot("templates")
        self.go("settings")
        self.visible("#config-form", "the recording options (GET /api/config)")
        source = lambda d: d.find_element(
            By.CSS_SELECTOR, '[data-testid="config-row"][data-key="max_recordings"] [data-testid="config-source"]').text
        box = self.visible("#config-max_recordings", "the max_recordings option")
        default = box.get_attribute("value")
        box.clear()
        box.send_keys("7")
        self.visible("#config-save").click()
        self.wait(lambda d: source(d) == "set here", "max_recordings to show it was set here")
        status, body = self.api("GET", "/api/config")
        if status != 200 or body["options"].get("max_recordings") != 7 or body["sources"].get("max_recordings") != "api":
            raise StepFailed(f"GET /api/config after saving max_recordings = 7: {status} {body}")
        self.visible('[data-testid="config-row"][data-key="max_recordings"] [data-testid="config-reset"]').click()
        value = lambda d: d.find_element(By.ID, "config-max_recordings").get_attribute("value")
        self.wait(lambda d: value(d) == default, f"max_recordings to be back at {default} after Reset")
        self.wait(lambda d: source(d) != "set here", "max_recordings' source to stop saying \"set here\" after Reset")
        self.visible('#settings-users [data-testid="user-row"]', "the user list")
        self.loaded("#settings-tokens", "the token list")
        self.screenshot("settings")
        self.go("dashboard")
        self.visible('[data-testid="stat-version"]', "the dashboard again")
        self.visible('#dash-events [data-testid="event"]', "an event among the recent events")
        self.screenshot("dashboard-events")

    def step_accounts(self):
        self.go("accounts")
        self.loaded("#accounts-list", "the account list")
        self.visible("#qr-start", "the QR login button").click()
        image = self.visible("#qr-image", "the QR code image")
        self.wait(lambda d: d.execute_script(
            "const i = document.getElementById('qr-image'); return i !== null && i.complete && i.naturalWidth > 100"),
            "the QR image (a PNG from POST /api/accounts/qr) to be drawn")
        if not image.get_attribute("src").startswith("data:image/png;base64,"):
            raise StepFailed(f"the QR image is not a PNG data URL: {image.get_attribute('src')[:60]}")
        self.screenshot("accounts-qr")
        row = self.visible(f'[data-testid="account-row"][data-name="{STANDIN_UNAME}"]',
                           "the account after the stand-in confirmed the QR login")
        if row.get_attribute("data-state") != "ok":
            raise StepFailed(f"the new account's state is {row.get_attribute('data-state')}")
        self.visible("#qr-start", "the QR login button again once the login is done")
        with open(self.standin.cookies) as f:
            cookies = f.read()
        self.driver.execute_script("document.getElementById('import-cookies').value = arguments[0]", cookies)
        self.visible("#import-name").send_keys(IMPORTED)
        self.visible('[data-testid="import-submit"]').click()
        self.visible(f'[data-testid="account-row"][data-name="{IMPORTED}"]', "the imported account")
        status, body = self.api("GET", "/api/accounts")
        names = sorted(a.get("name") for a in body.get("items", [])) if status == 200 else body
        if names != sorted([STANDIN_UNAME, IMPORTED]):
            raise StepFailed(f"GET /api/accounts lists {names}")
        page = self.driver.page_source
        with open(self.standin.cookies) as f:
            secrets = [c["value"] for c in json.load(f)["cookie_info"]["cookies"] if c["name"] in ("SESSDATA", "bili_jct")]
        if any(secret in page for secret in secrets):
            raise StepFailed("a cookie value is in the page")
        self.screenshot("accounts")
        self.driver.execute_script("location.hash = '#/templates/new'")
        select = self.visible("#template-account", "the account choice in the template form")
        self.wait(lambda d: any(o.get_attribute("value") == STANDIN_UNAME for o in Select(select).options),
                  "the account among the template form's choices")
        Select(select).select_by_value(STANDIN_UNAME)
        fields = json.loads(self.visible("#template-fields").get_attribute("value"))
        if fields.get("account") != STANDIN_UNAME:
            raise StepFailed(f"choosing the account did not set the fields' account: {fields}")

    def seed_uploads(self):
        """A failed archive with two parts and a submitted one, written to the store as the engine writes them."""
        path = next(os.path.join(root, name) for root, _, files in os.walk(self.tmp) for name in files
                    if name.endswith(".sqlite3"))
        now = time.time()
        db = sqlite3.connect(path, timeout=30)
        with db:
            failed = db.execute("INSERT INTO archive (title, studio, state, tries, error, createdAt, updatedAt) "
                                "VALUES ('browser failed archive', '{}', 'failed', 3, 'submit: code 21003', ?, ?)", (now, now)).lastrowid
            for position, state in enumerate(["uploaded", "failed"]):
                db.execute("INSERT INTO archivePart (archiveId, position, path, title, state, tries, error, bytes, createdAt, updatedAt) "
                           "VALUES (?, ?, ?, ?, ?, 0, ?, 1048576, ?, ?)",
                           (failed, position, f"/recordings/part{position}.flv", f"P{position + 1}", state,
                            "chunk 2: HTTP 500" if state == "failed" else None, now, now))
            done = db.execute("INSERT INTO archive (title, studio, state, aid, bvid, submittedAt, createdAt, updatedAt) "
                              "VALUES ('browser submitted archive', '{}', 'submitted', 170001, ?, ?, ?, ?)",
                              (SUBMITTED_BVID, now, now, now)).lastrowid
            db.execute("INSERT INTO archivePart (archiveId, position, path, title, state, bytes, createdAt, updatedAt) "
                       "VALUES (?, 0, '/recordings/done.flv', 'P1', 'uploaded', 2048, ?, ?)", (done, now, now))
        db.close()
        return failed

    def step_uploads(self):
        failed = self.seed_uploads()
        self.go("uploads")
        card = self.visible(f'[data-testid="upload-archive"][data-archive="{failed}"]', "the failed archive in the queue")
        parts = card.find_elements(By.CSS_SELECTOR, '[data-testid="upload-part"]')
        if [p.get_attribute("data-state") for p in parts] != ["uploaded", "failed"]:
            raise StepFailed(f"the queue shows parts {[p.get_attribute('data-state') for p in parts]}")
        if "chunk 2: HTTP 500" not in card.text:
            raise StepFailed(f"the part's error is not shown: {card.text!r}")
        link = self.visible(f'[data-testid="archive-row"][data-bvid="{SUBMITTED_BVID}"] a', "the submitted archive's link")
        if link.get_attribute("href") != f"https://www.bilibili.com/video/{SUBMITTED_BVID}":
            raise StepFailed(f"the archive links to {link.get_attribute('href')}")
        self.wait(lambda d: d.find_element(By.CSS_SELECTOR, '[data-testid="uploads-live"]').get_attribute("data-state") == "open",
                  "the Uploads page's WebSocket to open")
        self.screenshot("uploads")
        self.driver.execute_script("window.confirm = () => true")
        card.find_element(By.CSS_SELECTOR, '[data-testid="upload-cancel"]').click()
        self.wait(lambda d: "cancelled by the user" in d.find_element(
            By.CSS_SELECTOR, f'[data-testid="upload-archive"][data-archive="{failed}"]').text,
            "the archive to show it was cancelled")
        self.go("dashboard")

    def step_language(self):
        nav = lambda d: d.find_element(By.CSS_SELECTOR, '[data-testid="nav-streamers"]').text
        if nav(self.driver) != "Streamers":
            raise StepFailed(f"expected English first (--lang=en-US), the nav says {nav(self.driver)!r}")
        self.visible("#lang-switch").click()
        self.wait(lambda d: nav(d) == "主播", "the navigation in Chinese")
        self.driver.refresh()
        self.wait(lambda d: d.execute_script("return document.documentElement.lang") == "zh-CN"
                  and nav(d) == "主播", "Chinese to be remembered after a reload")
        self.visible('[data-testid="stat-version"]', "the dashboard after the reload")
        self.screenshot("dashboard-zh")
        self.visible("#lang-switch").click()
        self.wait(lambda d: nav(d) == "Streamers", "the navigation back in English")

    def step_escaping(self):
        status, body = self.api("POST", "/api/streamers", {"name": XSS_NAME, "url": "http://127.0.0.1:9/xss.flv"})
        if status != 201:
            self.notes.append(f"escaping check skipped: the server refused the name ({status}: {body})")
            print(f"    skipped: the server refused the name ({status})")
            return
        try:
            self.go("streamers")
            row = self.visible(f'[data-testid="streamer-row"][data-id="{body["id"]}"]', "the streamer with markup in its name")
            if XSS_NAME not in row.text:
                raise StepFailed(f"the name is not shown as text: {row.text!r}")
            if row.find_elements(By.TAG_NAME, "img") or self.driver.execute_script("return window.__xss === 1"):
                raise StepFailed("markup from a streamer name was rendered")
            self.go("history")
            self.go("logs")
            if self.driver.execute_script("return window.__xss === 1"):
                raise StepFailed("markup from a streamer name was rendered")
        finally:
            self.api("DELETE", f"/api/streamers/{body['id']}")

    def step_phone(self):
        width, height = PHONE
        self.driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", {
            "width": width, "height": height, "deviceScaleFactor": 2, "mobile": True})
        self.go("streamers")
        self.streamer_row(STREAMER)
        self.loaded("#streamer-list", "the streamer list")
        overflow = self.driver.execute_script(
            "return document.documentElement.scrollWidth - document.documentElement.clientWidth")
        if overflow > 1:
            raise StepFailed(f"the streamers page is {overflow}px wider than a {width}px screen")
        self.screenshot("phone-streamers", full_page=False)
        self.go("dashboard")
        self.visible('[data-testid="stat-version"]')
        self.screenshot("phone-dashboard", full_page=False)
        self.go("history")
        self.loaded("#session-list", "the session list")
        self.screenshot("phone-history", full_page=False)
        self.go("settings")
        self.visible("#config-form", "the recording options")
        self.screenshot("phone-settings", full_page=False)
        self.go("logs")
        self.screenshot("phone-logs", full_page=False)
        self.driver.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})

    def step_logout(self):
        self.go("settings")
        self.visible("#logout").click()
        self.visible("#login-form", "the login form after signing out")
        self.screenshot("logged-out")

    # ---- running -------------------------------------------------------------------------------

    STEPS = [
        ("start the server with one user", step_server),
        ("the login page is shown", step_login_page),
        ("a wrong password shows the server's message", step_bad_password),
        ("log in and see the dashboard", step_login),
        ("add a streamer and see it listed", step_add_streamer),
        ("edit the streamer's options", step_edit_streamer),
        ("pause the streamer and see it paused", step_pause),
        ("a live-log line arrives over the WebSocket", step_live_log),
        ("a recorded segment plays in the browser", step_play_segment),
        ("history, templates (add one) and settings (set and reset an option) work", step_other_pages),
        ("log in to Bilibili by QR code and import cookies on the Accounts page", step_accounts),
        ("the Uploads page shows the queue and the submitted archives", step_uploads),
        ("switch the language and keep it after a reload", step_language),
        ("server text is escaped", step_escaping),
        ("the streamers page fits a phone screen", step_phone),
        ("sign out", step_logout),
    ]

    def run(self):
        os.makedirs(self.shots_dir, exist_ok=True)
        failed = None
        try:
            for number, (name, step) in enumerate(self.STEPS, 1):
                print(f"step {number}: {name}", flush=True)
                try:
                    step(self)
                except Exception as e:
                    failed = (number, name, e)
                    break
                finally:
                    if self.driver:
                        self.collect_console()
            errors = [entry for entry in self.console if entry.get("level") == "SEVERE"
                      and "Failed to load resource" not in entry.get("message", "")]
            if failed is None and errors:
                failed = (len(self.STEPS) + 1, "no JavaScript errors in the console",
                          StepFailed("; ".join(entry["message"] for entry in errors)))
            if failed:
                number, name, error = failed
                print(f"\nFAILED step {number} ({name}): {error}", file=sys.stderr)
                if not isinstance(error, StepFailed):
                    traceback.print_exception(type(error), error, error.__traceback__, file=sys.stderr)
                if self.driver:
                    try:
                        self.screenshot("failure", full_page=False)
                        print(f"page: {self.driver.current_url}", file=sys.stderr)
                    except Exception:
                        pass
                print("--- browser console ---", file=sys.stderr)
                for entry in self.console[-30:]:
                    print(f"{entry.get('level')}: {entry.get('message')}", file=sys.stderr)
                print("--- server output (tail) ---", file=sys.stderr)
                print(self.server.stderr_tail(), file=sys.stderr)
                return 1
            for note in self.notes:
                print(f"note: {note}")
            print(f"\nall {len(self.STEPS)} steps passed; screenshots in {self.shots_dir}")
            return 0
        finally:
            if self.driver:
                try:
                    self.driver.quit()
                except Exception:
                    pass
            self.server.stop()
            if self.standin:
                self.standin.stop()
            shutil.rmtree(self.tmp, ignore_errors=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--biliup", required=True, help="the biliup binary to test")
    parser.add_argument("--standin", help="the bilibili-standin binary (default: beside --biliup)")
    parser.add_argument("--screenshots", default="test-output/screenshots", help="where PNGs go")
    args = parser.parse_args()
    standin = args.standin or os.path.join(os.path.dirname(os.path.abspath(args.biliup)), "bilibili-standin")
    for binary in (args.biliup, standin):
        if not os.access(binary, os.X_OK):
            parser.error(f"not an executable: {binary}")
    sys.exit(BrowserTest(args.biliup, os.path.abspath(args.screenshots), standin).run())


if __name__ == "__main__":
    main()
