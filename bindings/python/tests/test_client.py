"""Configuration, errors mapped to exceptions, secrets, library functions."""
import os
import pickle
import re
import tempfile
import unittest
from pathlib import Path

import navoi
import simhelper as sh

sim = None


def setUpModule():
    global sim
    sim = sh.Sim()


def tearDownModule():
    if sim:
        sim.stop()


class Configuration(unittest.TestCase):
    def test_keyword_configuration(self):
        with navoi.Client(**sh.client_config(sim, connect_timeout=2, query_timeout=8,
                                             max_response=1 << 20)) as c:
            self.assertFalse(c.closed)
            c.configure(manage_timeout=65)  # keeps the other timeouts
        self.assertTrue(c.closed)
        with self.assertRaises(ValueError):
            c.token_exchange()

    def test_bad_settings_raise_mapped_exceptions(self):
        cases = [
            (dict(login="ab"), navoi.InvalidArgumentError, navoi.ErrorCode.EINVAL),
            (dict(tax_number="1234"), navoi.InvalidArgumentError, navoi.ErrorCode.EINVAL),
            (dict(signing_key="short"), navoi.KeyFormatError, navoi.ErrorCode.EKEY),
            (dict(exchange_key="x" * 15), navoi.KeyFormatError, navoi.ErrorCode.EKEY),
            (dict(password="Sz3cr3t-Jelszo\n"), navoi.KeyFormatError, navoi.ErrorCode.EKEY),
            (dict(base_url="ftp://x"), navoi.InvalidArgumentError, navoi.ErrorCode.EINVAL),
            (dict(base_url="http://api.onlineszamla.nav.gov.hu/invoiceService/v3"),
             navoi.TLSError, navoi.ErrorCode.ETLS),
        ]
        for kw, cls, code in cases:
            with self.subTest(kw=list(kw)):
                with self.assertRaises(cls) as cm:
                    navoi.Client(**kw)
                e = cm.exception
                self.assertEqual(e.code, code)
                self.assertEqual(e.name, code.name)
                self.assertTrue(e.message)
                self.assertIsInstance(e.category, navoi.Category)
                self.assertEqual(e.operation, list(kw)[0])
                for v in kw.values():
                    if "key" in list(kw)[0] or "password" in list(kw)[0]:
                        self.assertNotIn(v.strip(), str(e))
        self.assertEqual(navoi.live_handles(), {})  # failed constructors freed their handle

    def test_invalid_argument_is_value_error(self):
        with self.assertRaises(ValueError):
            navoi.Client(login="no")

    def test_missing_credentials_is_config_error(self):
        with navoi.Client(base_url=sim.url) as c:
            with self.assertRaises(navoi.NavoiError) as cm:
                c.query_taxpayer(sh.TAX_NUMBER)
        self.assertEqual(cm.exception.category, navoi.Category.CONFIG)

    def test_log_callback_gets_lines_without_secrets(self):
        lines = []
        with navoi.Client(**sh.client_config(sim), log=lambda *a: lines.append(a),
                          log_level=navoi.LogLevel.TRACE) as c:
            c.token_exchange()
            c.query_taxpayer(sh.TAX_NUMBER)
            c.set_log(None)  # removes it: no more lines
            n = len(lines)
            c.query_taxpayer(sh.TAX_NUMBER)
            self.assertEqual(len(lines), n)
        self.assertTrue(lines)
        for level, corr, msg in lines:
            self.assertIsInstance(level, navoi.LogLevel)
            for secret in (sh.PASSWORD, sh.SIGN_KEY, sh.EXCHANGE_KEY):
                self.assertNotIn(secret, msg)
        self.assertTrue(any("tokenExchange" in m for _, _, m in lines))


class NavErrors(unittest.TestCase):
    def test_wrong_password_is_nav_error(self):
        with navoi.Client(**sh.client_config(sim, password="Wrong-Jelszo-99")) as c:
            with self.assertRaises(navoi.NavError) as cm:
                c.token_exchange()
        e = cm.exception
        self.assertEqual(e.code, navoi.ErrorCode.ENAV)
        self.assertEqual(e.nav_error_code, "INVALID_SECURITY_USER")
        self.assertEqual(e.http_status, 401)
        self.assertEqual(e.category, navoi.Category.CONFIG)
        self.assertEqual(e.operation, "tokenExchange")
        self.assertIn("INVALID_SECURITY_USER", str(e))
        self.assertNotIn("Wrong-Jelszo-99", str(e) + e.message)
        again = pickle.loads(pickle.dumps(e))
        self.assertIsInstance(again, navoi.NavError)
        self.assertEqual(again.nav_error_code, "INVALID_SECURITY_USER")

    def test_wrong_exchange_key_is_crypto_error(self):
        with navoi.Client(**sh.client_config(sim, exchange_key="0000000000000000")) as c:
            with self.assertRaises(navoi.CryptoError) as cm:
                c.token_exchange()
        self.assertEqual(cm.exception.code, navoi.ErrorCode.ECRYPTO)

    def test_unreachable_server_is_transient(self):
        with navoi.Client(**sh.client_config(sim, base_url="http://127.0.0.1:9/invoiceService/v3"
                                             )) as c:
            with self.assertRaises(navoi.NetworkError) as cm:
                c.query_taxpayer(sh.TAX_NUMBER)
        self.assertEqual(cm.exception.category, navoi.Category.TRANSIENT)

    def test_error_category_function(self):
        self.assertEqual(navoi.error_category(navoi.ErrorCode.ENAV, "INVALID_SECURITY_USER"),
                         navoi.Category.CONFIG)
        self.assertEqual(navoi.error_category(navoi.ErrorCode.ENAV, "MAINTENANCE_MODE"),
                         navoi.Category.TRANSIENT)
        self.assertEqual(navoi.strerror(navoi.ErrorCode.ENAV), "NAV reported an error")
        self.assertEqual(navoi.status_name(navoi.Status.DONE), "DONE")


class Secrets(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.TemporaryDirectory()
        self.addCleanup(self.dir.cleanup)

    def write(self, name, content, mode=0o600):
        p = Path(self.dir.name) / name
        p.write_text(content + "\n")
        os.chmod(p, mode)
        return p

    def test_key_files_configure_the_client(self):
        pw = self.write("password", sh.PASSWORD)
        sk = self.write("sign.key", sh.SIGN_KEY)
        ek = self.write("exchange.key", sh.EXCHANGE_KEY, 0o400)
        cfg = sh.client_config(sim, password_file=pw, signing_key_file=sk,
                               exchange_key_file=ek)
        for k in ("password", "signing_key", "exchange_key"):
            del cfg[k]
        with navoi.Client(**cfg) as c:
            c.token_exchange()

    def test_secret_as_bytes_and_bytearray(self):
        with navoi.Client(**sh.client_config(sim, password=bytearray(sh.PASSWORD.encode()),
                                             signing_key=sh.SIGN_KEY.encode())) as c:
            c.token_exchange()

    def test_unsafe_key_file_refused(self):
        p = self.write("sign.key", sh.SIGN_KEY, 0o644)
        with self.assertRaises(navoi.UnsafeKeyFileError) as cm:
            navoi.Client(signing_key_file=p)
        self.assertEqual(cm.exception.category, navoi.Category.SECURITY)
        self.assertNotIn(sh.SIGN_KEY, str(cm.exception))
        with self.assertRaises(navoi.UnsafeKeyFileError):
            navoi.secret_file_read(p)

    def test_secret_file_read(self):
        p = self.write("sign.key", sh.SIGN_KEY)
        v = navoi.secret_file_read(p)
        self.assertIsInstance(v, bytearray)
        self.assertEqual(v, sh.SIGN_KEY.encode())
        with self.assertRaises(navoi.FileIOError):
            navoi.secret_file_read(Path(self.dir.name) / "missing")

    def test_client_keeps_no_secret(self):
        c = navoi.Client(**sh.client_config(sim))
        state = repr(vars(c))
        c.close()
        for secret in (sh.PASSWORD, sh.SIGN_KEY, sh.EXCHANGE_KEY):
            self.assertNotIn(secret, state)


class SignCheck(unittest.TestCase):
    def samples(self):
        d = sh.NAV_DATA / "samples" / "api"
        files = sorted(d.glob("*.xml")) if d.is_dir() else []
        if not files:
            self.skipTest("NAV samples not found in %s" % d)
        return files

    def test_samples_verify_and_alterations_do_not(self):
        n = 0
        for f in self.samples():
            text = f.read_bytes()
            m = re.search(rb"<!--<signKey>(.*?)</signKey>-->", text)
            if not m:
                continue
            key = m.group(1).decode()
            with self.subTest(sample=f.name):
                r = navoi.sign_check(text, key)
                self.assertTrue(r.ok, r.report)
                self.assertNotIn(key, r.report)
                altered = re.sub(rb"(<common:requestId>).", rb"\1Z", text, count=1)
                r = navoi.sign_check(altered, key)
                self.assertFalse(r.ok)
                self.assertTrue(r.report)
                n += 1
        self.assertGreater(n, 0)

    def test_not_a_request(self):
        with self.assertRaises(navoi.XMLError):
            navoi.sign_check(b"<a/>", sh.SIGN_KEY)


if __name__ == "__main__":
    unittest.main()
