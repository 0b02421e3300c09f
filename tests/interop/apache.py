"""Apache httpd with mod_auth_openidc, from Debian's packages, on a free loopback port.

The configuration is generated per test: a static client (``OIDCClientID``)
or, without one, mod_auth_openidc's own dynamic registration against the
mock's ``registration_endpoint`` (``OIDCMetadataDir``).
"""

from __future__ import annotations

import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

from tests.live import free_port, stop_process, wait_for_http

MODULES = Path("/usr/lib/apache2/modules")
APACHE = shutil.which("apache2") or "/usr/sbin/apache2"
PASSPHRASE = "interop-crypto-passphrase-0123456789"


def missing() -> str | None:
    """Why Apache with mod_auth_openidc cannot run here, or None when it can."""
    if not os.path.exists(APACHE):
        return "Debian's apache2 is not installed"
    if not (MODULES / "mod_auth_openidc.so").exists():
        return "libapache2-mod-auth-openidc is not installed"
    return None


def version() -> str:
    """``Apache/2.4.x`` as the binary reports it."""
    out = subprocess.run([APACHE, "-v"], capture_output=True, text=True, timeout=10).stdout
    return out.splitlines()[0].split(": ", 1)[-1] if out else "unknown"


@dataclass
class Apache:
    """A running httpd: its base URL, redirect URI and folder."""

    base: str
    redirect_uri: str
    root: Path
    process: subprocess.Popen | None = None

    @property
    def protected(self) -> str:
        return f"{self.base}/protected/"

    def info(self) -> str:
        """mod_auth_openidc's session info hook (tokens, claims, userinfo) as JSON."""
        return f"{self.redirect_uri}?info=json"

    def logout(self, then: str) -> str:
        return f"{self.redirect_uri}?logout={quote(then, safe='')}"

    def error_log(self) -> str:
        logs = [self.root / "stderr.log", self.root / "error.log"]
        return "".join(path.read_text() for path in logs if path.exists())


def _config(root: Path, port: int, issuer: str, oidc: str) -> str:
    modules = [
        ("mpm_event_module", "mod_mpm_event.so"),
        ("authn_core_module", "mod_authn_core.so"),
        ("authz_core_module", "mod_authz_core.so"),
        ("authz_user_module", "mod_authz_user.so"),
        ("dir_module", "mod_dir.so"),
        ("auth_openidc_module", "mod_auth_openidc.so"),
    ]
    loads = "\n".join(f"LoadModule {name} {MODULES / file}" for name, file in modules)
    base = f"http://localhost:{port}"
    return f"""
ServerRoot {root}
ServerName localhost
Listen 127.0.0.1:{port}
PidFile {root}/httpd.pid
ErrorLog {root}/error.log
LogLevel warn auth_openidc:info
{loads}
User nobody
Group nogroup
StartServers 1
ServerLimit 1
ThreadsPerChild 32
MaxRequestWorkers 32
DocumentRoot {root}/htdocs
DirectoryIndex index.html
<Directory {root}/htdocs>
  Require all granted
</Directory>

OIDCRedirectURI {base}/protected/redirect_uri
OIDCCryptoPassphrase {PASSPHRASE}
OIDCScope "openid profile email offline_access"
OIDCSessionType server-cache
OIDCInfoHook iat access_token access_token_expires id_token userinfo refresh_token session
OIDCHTTPTimeoutLong 10
OIDCHTTPTimeoutShort 5
{oidc}

<Location /protected/>
  AuthType openid-connect
  Require valid-user
</Location>
"""


def start_apache(root: Path, issuer: str, oidc_directives: str) -> Apache:
    """Write the config, start httpd in the foreground, wait until it answers."""
    port = free_port()
    (root / "htdocs" / "protected").mkdir(parents=True)
    (root / "htdocs" / "protected" / "index.html").write_text("<h1>Portal home</h1>\n")
    (root / "htdocs" / "loggedout.html").write_text("<h1>Signed out of the portal</h1>\n")
    base = f"http://localhost:{port}"
    config = root / "httpd.conf"
    directives = oidc_directives.format(base=base, issuer=issuer)
    config.write_text(_config(root, port, issuer, directives))
    # httpd's children run as "nobody": they must be able to read the folder.
    for path in [root, *root.rglob("*")]:
        path.chmod(0o755 if path.is_dir() else 0o644)
    with (root / "stderr.log").open("w") as stderr:
        process = subprocess.Popen(
            [APACHE, "-f", str(config), "-DFOREGROUND"],
            stdout=subprocess.DEVNULL,
            stderr=stderr,
            start_new_session=True,
        )
    apache = Apache(base, f"{base}/protected/redirect_uri", root, process)
    try:
        wait_for_http(f"{base}/loggedout.html", process)
    except AssertionError:
        stop_process(process)
        raise AssertionError(apache.error_log()) from None
    return apache
