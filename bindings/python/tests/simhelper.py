"""simhelper.py - runs navoi-sim for the Python binding tests.

Environment (set by bindings/meson.build): NAVOI_SIM (the navoi-sim
program), NAVOI_TEST_DATA (tests/data), NAVOI_NAV_DATA (NAV's schemas and
samples). Without NAVOI_SIM the tests that need the simulator are skipped.
"""
import atexit
import ctypes
import os
import signal
import subprocess
import tempfile
import threading
import unittest
import urllib.request
from pathlib import Path
from typing import Optional

TEST_DATA = Path(os.environ.get("NAVOI_TEST_DATA")
                 or Path(__file__).resolve().parents[3] / "tests" / "data")
NAV_DATA = Path(os.environ.get("NAVOI_NAV_DATA")
                or Path(__file__).resolve().parents[4] / "shared" / "nav")
SIM_CONFIG = TEST_DATA / "bindings" / "sim.ini"
INVOICES = TEST_DATA / "invoices"

# The user of tests/data/bindings/sim.ini (invented, simulator only).
LOGIN = "navoibind01"
PASSWORD = "Bind-Teszt-Jelszo-06"
TAX_NUMBER = "12345676"
SIGN_KEY = "b1-4d2a-9c7e3f51a0b8BINDKEY2Q7XW"
EXCHANGE_KEY = "7kQ2BINDx9LmP4Zr"
SOFTWARE_ID = "HU12345676-NAVOIPY"


def _die_with_parent() -> None:
    """In the child: SIGTERM when the test process dies (PR_SET_PDEATHSIG),
    so a killed test run leaves no simulator behind."""
    try:
        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGTERM, 0, 0, 0)
    except Exception:
        pass


class Sim:
    """One navoi-sim process on an ephemeral port."""

    def __init__(self) -> None:
        exe = os.environ.get("NAVOI_SIM")
        if not exe or not os.path.exists(exe):
            raise unittest.SkipTest("navoi-sim not built (NAVOI_SIM unset)")
        args = [exe, "--config", str(SIM_CONFIG), "--port", "0"]
        if (NAV_DATA / "schemas" / "invoiceApi.xsd").exists():
            args += ["--schemas", str(NAV_DATA / "schemas")]
        # stderr to a file: a pipe nobody reads could fill up and stall the server
        self.err = tempfile.TemporaryFile()
        self.proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=self.err,
                                     text=True, preexec_fn=_die_with_parent)
        atexit.register(self.stop)  # also when a test run is cut short
        line: list = []
        reader = threading.Thread(target=lambda: line.append(self.proc.stdout.readline()),
                                  daemon=True)
        reader.start()
        reader.join(60)  # a bound on a hang, not a timing assertion
        first = line[0] if line else ""
        if "listening on " not in first:
            self.stop(keep_log=True)
            raise RuntimeError("navoi-sim did not start: %r %s" % (first, self.stderr()))
        self.url = first.split("listening on ", 1)[1].strip()
        self.root = self.url.split("/invoiceService", 1)[0]

    def stderr(self) -> str:
        try:
            self.err.seek(0)
            return self.err.read().decode("utf-8", "replace")[-2000:]
        except Exception:
            return ""

    def admin(self, what: str, body: Optional[bytes] = None) -> str:
        req = urllib.request.Request(self.root + "/admin/" + what, data=body or b"",
                                     method="POST")
        with urllib.request.urlopen(req, timeout=30) as r:
            return r.read().decode()

    def stop(self, keep_log: bool = False) -> None:
        if self.proc.stdout is None or self.proc.stdout.closed:
            return
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.proc.stdout.close()
        if not keep_log:
            self.err.close()


def client_config(sim: Sim, **over):
    import navoi
    cfg = dict(base_url=sim.url, login=LOGIN, password=PASSWORD, tax_number=TAX_NUMBER,
               signing_key=SIGN_KEY, exchange_key=EXCHANGE_KEY,
               software=navoi.Software(SOFTWARE_ID, "navoi python binding tests",
                                       navoi.SoftwareOperation.LOCAL, "0.1", "navoi",
                                       "dev@example.com", "HU"))
    cfg.update(over)
    return cfg
