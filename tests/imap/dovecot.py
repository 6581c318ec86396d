#!/usr/bin/env python3
# SPDX-License-Identifier: ISC
"""A private, throw-away Dovecot for sagi's IMAP tests, and an independent
client (imaplib) to look at what the server really holds.

Runs only on 127.0.0.1, from its own config and mail root under DIR; never
touches /etc/dovecot or the system service.  Python 3 standard library only.

    dovecot.py start DIR [--no-move] [--no-specialuse] [--no-uidplus]
                         [--no-condstore] [--no-qresync] [--no-junk-folder]
                         [--separator C] [--quota-messages N] [--oauth2]
                         [--no-sasl-ir] [--rawlog]
                         [--lifetime SECS] [--watch-pid PID]
    dovecot.py token DIR [--expired] [--bad-signature] [--sub USER]
    dovecot.py stop DIR...
    dovecot.py append DIR FOLDER [--flags FLAGS] FILE|MAILDIR|GLOB...
    dovecot.py gen DIR FOLDER N [--prefix P] [--seed S]
    dovecot.py ids DIR FOLDER [--long]
    dovecot.py count DIR FOLDER
    dovecot.py folders DIR
    dovecot.py caps DIR
    dovecot.py fetch DIR FOLDER UID
    dovecot.py pids DIR

--oauth2 adds OAuth 2 logins (XOAUTH2, OAUTHBEARER) next to the password:
Dovecot validates JSON Web Tokens itself (introspection_mode = local) with
an HS256 key made at the first start; "token" prints a token signed with
it (or an expired one, or one with a wrong signature).  --no-sasl-ir hides
SASL-IR (RFC 4959), so a client must send its initial response only after
the server's empty continuation.  --no-qresync hides QRESYNC but keeps
CONDSTORE.  --rawlog records every session after login (commands in
DIR/mail/sagi/dovecot.rawlog/*.in), so a test can see what a client sent.

Exit status: 0 ok, 1 a check or lookup failed, 77 Dovecot (or openssl) is
not installed, 99 the harness itself failed (the Dovecot log tail is shown).

Who runs what (the part that has to work both as root in CI and as an
ordinary user on a developer's machine):

  * As an ordinary user, Dovecot runs "rootless": every process, the login
    processes and the mail process included, runs as the invoking user
    (default_internal_user = default_login_user = that user, userdb uid =
    getuid()).  Nothing needs a chroot or a privilege change, so DIR can be
    anywhere the user can write.

  * As root that is impossible: Dovecot refuses to run imap-login as root
    ("This process must not be run as root") and refuses mail access as
    root ("Mail access not allowed for root"; passwd-file even rejects
    UID 0).  So the internal processes (master, auth, config, log) stay
    root, which lets them read DIR whatever its permissions; imap-login
    runs as the package's "dovenull" user, chrooted into base_dir/login by
    the master while still root; and the mail process runs as the
    package's "dovecot" user, chrooted into DIR/mail (the "/./" in the
    userdb home), with DIR/mail/sagi chowned to it.  Both chroots are
    entered while still root, so neither unprivileged user ever has to
    traverse DIR's parents -- a mktemp -d directory (mode 0700, owned by
    root) works as is, and nothing outside DIR gets its mode changed.
"""

import argparse
import base64
import glob
import hashlib
import hmac
import imaplib
import json
import os
import pwd
import grp
import random
import re
import secrets
import shlex
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import tempfile
import time

SKIP = 77
HARD = 99

USER = "sagi"
HOST = "127.0.0.1"

# What Dovecot 2.3.19 advertises after LOGIN with this config: its
# CAPABILITY_STRING (src/imap/imap-common.h), then LITERAL+, NOTIFY and
# SPECIAL-USE, which it appends itself -- SPECIAL-USE even when no mailbox
# has a special_use.  An explicit imap_capability replaces the whole list,
# the appended ones included, so the hiding options write the full list
# minus the hidden items, and a hidden-MOVE server differs from the default
# one in MOVE alone.
DEFAULT_CAPS = (
    "IMAP4rev1 SASL-IR LOGIN-REFERRALS ID ENABLE IDLE SORT SORT=DISPLAY "
    "THREAD=REFERENCES THREAD=REFS THREAD=ORDEREDSUBJECT MULTIAPPEND "
    "URL-PARTIAL CATENATE UNSELECT CHILDREN NAMESPACE UIDPLUS LIST-EXTENDED "
    "I18NLEVEL=1 CONDSTORE QRESYNC ESEARCH ESORT SEARCHRES WITHIN "
    "CONTEXT=SEARCH LIST-STATUS BINARY MOVE SNIPPET=FUZZY PREVIEW=FUZZY "
    "PREVIEW STATUS=SIZE SAVEDATE LITERAL+ NOTIFY SPECIAL-USE").split()

# Debian puts them in /usr/lib/dovecot; other builds use libexec.
LIBEXEC_DIRS = ("/usr/lib/dovecot", "/usr/libexec/dovecot",
                "/usr/local/libexec/dovecot", "/usr/local/lib/dovecot")

START_TIMEOUT = 10.0
STOP_TIMEOUT = 10.0
DEFAULT_LIFETIME = 1800

# A unix socket path is at most 107 bytes; Dovecot's longest under base_dir
# is about 26 ("/token-login/imap-urlauth").
BASE_DIR_MAX = 72


class DovecotError(Exception):
    """status is the exit code the CLI uses: SKIP (77) or HARD (99)."""

    def __init__(self, msg, status=HARD, log_tail=""):
        Exception.__init__(self, msg)
        self.status = status
        self.log_tail = log_tail


# --- small helpers ---------------------------------------------------------

def _which(prog):
    path = os.environ.get("PATH", "") + ":/usr/sbin:/sbin:/usr/local/sbin"
    return shutil.which(prog, path=path)


def _write(path, data, mode=0o644):
    if isinstance(data, str):
        data = data.encode("utf-8")
    tmp = path + ".tmp"
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, mode)
    with os.fdopen(fd, "wb") as f:
        f.write(data)
    os.chmod(tmp, mode)
    os.replace(tmp, path)


def _read(path, default=None):
    try:
        with open(path, encoding="utf-8") as f:
            return f.read()
    except OSError:
        return default


def _log_tail(d, n=30):
    text = _read(os.path.join(d, "log"), "")
    return "".join(text.splitlines(True)[-n:])


def _free_port():
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        s.bind((HOST, 0))
        return s.getsockname()[1]
    finally:
        s.close()


def _port_free(port):
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    # As Dovecot binds: SO_REUSEADDR, so TIME_WAIT left by the previous
    # run does not count as taken.
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        s.bind((HOST, port))
        return True
    except OSError:
        return False
    finally:
        s.close()


def _instance(d):
    # Shows up in every process title ("dovecot-sagi1a2b3c4d/imap"), which
    # is how leftovers of one DIR are told apart from any other Dovecot.
    return "sagi" + hashlib.sha256(d.encode()).hexdigest()[:8]


def _proc_cmdline(pid):
    try:
        with open("/proc/%d/cmdline" % pid, "rb") as f:
            return f.read().replace(b"\0", b" ").strip()
    except OSError:
        return None


def _proc_stat(pid):
    """(ppid, starttime) or None."""
    try:
        with open("/proc/%d/stat" % pid, "rb") as f:
            s = f.read()
    except OSError:
        return None
    # The command name may hold spaces and parentheses; fields follow the
    # last ')'.
    rest = s[s.rindex(b")") + 2:].split()
    if rest[0] == b"Z":
        return None
    return int(rest[1]), int(rest[19])


def _alive(pid):
    return _proc_stat(pid) is not None


def _all_pids():
    for name in os.listdir("/proc"):
        if name.isdigit():
            yield int(name)


def _env_path(d):
    return os.path.join(d, "env")


def load_env(d):
    """The KEY=VALUE pairs of DIR/env as a dict (raises if not started)."""
    text = _read(_env_path(os.path.abspath(d)))
    if text is None:
        raise DovecotError("%s: not started (no env file)" % d, 1)
    env = {}
    for line in text.splitlines():
        k, _, v = line.partition("=")
        env[k] = shlex.split(v)[0] if v else ""
    return env


# --- modified UTF-7 (RFC 3501 5.1.3) -------------------------------------

def mutf7_encode(name):
    out = []
    buf = []

    def flush():
        if buf:
            b = "".join(buf).encode("utf-16-be")
            import base64
            out.append("&" + base64.b64encode(b).decode().rstrip("=")
                       .replace("/", ",") + "-")
            del buf[:]

    for ch in name:
        if 0x20 <= ord(ch) <= 0x7e:
            flush()
            out.append("&-" if ch == "&" else ch)
        else:
            buf.append(ch)
    flush()
    return "".join(out)


def mutf7_decode(name):
    import base64

    def dec(m):
        s = m.group(1)
        if s == "":
            return "&"
        s = s.replace(",", "/")
        s += "=" * (-len(s) % 4)
        return base64.b64decode(s).decode("utf-16-be")
    return re.sub(r"&([^-]*)-", dec, name)


def _quote(s):
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _mbox(folder):
    return _quote(mutf7_encode(folder))


# --- certificates ----------------------------------------------------------

def _make_certs(d):
    openssl = _which("openssl")
    if not openssl:
        raise DovecotError("openssl is not installed", SKIP)
    ext = os.path.join(d, "leaf.ext")
    _write(ext, "basicConstraints = critical, CA:FALSE\n"
                "keyUsage = critical, digitalSignature, keyEncipherment\n"
                "extendedKeyUsage = serverAuth\n"
                "subjectAltName = IP:127.0.0.1, DNS:localhost\n")
    p = lambda name: os.path.join(d, name)
    ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
          "-nodes"]
    cmds = [
        [openssl, "req", "-x509"] + ec + [
            "-keyout", p("ca.key"), "-out", p("ca.pem"), "-days", "3650",
            "-subj", "/CN=sagi test CA " + secrets.token_hex(4),
            "-addext", "basicConstraints=critical,CA:TRUE",
            "-addext", "keyUsage=critical,keyCertSign,cRLSign"],
        [openssl, "req"] + ec + [
            "-keyout", p("key.pem"), "-out", p("leaf.csr"),
            "-subj", "/CN=localhost"],
        [openssl, "x509", "-req", "-in", p("leaf.csr"), "-CA", p("ca.pem"),
         "-CAkey", p("ca.key"), "-set_serial",
         "0x" + secrets.token_hex(8), "-days", "3650", "-extfile", ext,
         "-out", p("cert.pem")],
    ]
    for cmd in cmds:
        r = subprocess.run(cmd, stdin=subprocess.DEVNULL,
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        if r.returncode != 0:
            raise DovecotError("openssl failed: %s\n%s" % (
                " ".join(cmd[1:3]), r.stdout.decode(errors="replace")))
    os.chmod(p("key.pem"), 0o600)
    os.chmod(p("ca.key"), 0o600)
    os.unlink(p("leaf.csr"))
    os.unlink(ext)
    der = ssl.PEM_cert_to_DER_cert(_read(p("cert.pem")))
    hexd = hashlib.sha256(der).hexdigest().upper()
    fp = "sha256:" + ":".join(hexd[i:i + 2] for i in range(0, 64, 2))
    _write(p("fingerprint"), fp + "\n")
    return fp


# --- OAuth 2 --------------------------------------------------------------

# Dovecot 2.3 looks the key of a JWT up in local_validation_key_dict as
# "shared/AZP/ALG/KID" (src/lib-oauth2/oauth2-jwt.c; AZP "default" when the
# token has no azp claim) and base64-decodes the value; dict-fs drops the
# "shared/" and appends the rest to its prefix.  So the key is the file
# DIR/oauth-keys/default/HS256/default holding the base64 of the HMAC key.
OAUTH_KID = "default"


def _oauth_key_path(d):
    return os.path.join(d, "oauth-keys", "default", "HS256", OAUTH_KID)


def _oauth_key(d):
    """The HS256 key of the Dovecot in d (bytes), made on first use."""
    path = _oauth_key_path(d)
    text = _read(path)
    if text is None:
        os.makedirs(os.path.dirname(path), exist_ok=True)
        # No newline: the whole file is the dict value.
        _write(path, base64.b64encode(secrets.token_bytes(32)).decode(),
               0o600)
        text = _read(path)
    return base64.b64decode(text)


def _b64url(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def token(d, sub=USER, expired=False, bad_signature=False, lifetime=3600):
    """An HS256 JSON Web Token for sub that the Dovecot in d accepts (with
    --oauth2), unless it is expired or its signature made with another
    key.  Standard library only."""
    now = int(time.time())
    header = {"alg": "HS256", "typ": "JWT", "kid": OAUTH_KID}
    claims = {"sub": sub, "iat": now - 60,
              "exp": now - 30 if expired else now + lifetime,
              "jti": secrets.token_hex(8)}
    blob = _b64url(json.dumps(header, separators=(",", ":")).encode()) + \
        "." + _b64url(json.dumps(claims, separators=(",", ":")).encode())
    key = secrets.token_bytes(32) if bad_signature else _oauth_key(d)
    sig = hmac.new(key, blob.encode(), hashlib.sha256).digest()
    return blob + "." + _b64url(sig)


# --- configuration ---------------------------------------------------------

def _capability_setting(opts):
    drop = set()
    if opts.get("no_move"):
        drop.add("MOVE")
    if opts.get("no_uidplus"):
        drop.add("UIDPLUS")
    if opts.get("no_condstore"):
        drop |= {"CONDSTORE", "QRESYNC"}
    if opts.get("no_qresync"):
        drop.add("QRESYNC")
    if opts.get("no_specialuse"):
        drop.add("SPECIAL-USE")
    if opts.get("no_sasl_ir"):
        drop.add("SASL-IR")
    if not drop:
        return None
    return " ".join(c for c in DEFAULT_CAPS if c not in drop)


def _users(as_root):
    """(internal, login, mail_uid, mail_gid, mail_user_name)."""
    if not as_root:
        pw = pwd.getpwuid(os.getuid())
        gr = grp.getgrgid(os.getgid())
        return ((pw.pw_name, gr.gr_name), pw.pw_name, os.getuid(),
                os.getgid(), pw.pw_name)
    try:
        pwd.getpwnam("dovenull")
        login = "dovenull"
    except KeyError:
        login = "nobody"
    try:
        mail = pwd.getpwnam("dovecot")
    except KeyError:
        mail = pwd.getpwnam("nobody")
    return (("root", "root"), login, mail.pw_uid, mail.pw_gid, mail.pw_name)


def _write_config(d, base_dir, ports, password, opts):
    as_root = os.geteuid() == 0
    (internal_user, internal_group), login_user, uid, gid, _ = _users(as_root)
    mail_root = os.path.join(d, "mail")
    home = os.path.join(d, "mail", USER)
    os.makedirs(home, exist_ok=True)
    if as_root:
        # The mail process is chrooted to DIR/mail, see the top comment;
        # it must be able to enter the new root whatever the umask was.
        os.chmod(mail_root, 0o755)
        userdb_home = os.path.join(mail_root, ".", USER)
        for root, dirs, files in os.walk(home):
            for n in dirs + files:
                os.lchown(os.path.join(root, n), uid, gid)
        os.chown(home, uid, gid)
        mail_location = "maildir:~"
    else:
        userdb_home = home
        mail_location = "maildir:%s/%%u" % mail_root

    _write(os.path.join(d, "password"), password, 0o600)
    _write(os.path.join(d, "users"), "%s:{PLAIN}%s:%d:%d::%s::\n" % (
        USER, password, uid, gid, userdb_home), 0o600)

    special = not opts.get("no_specialuse")
    boxes = []
    for name, use in (("Junk", r"\Junk"), ("Trash", r"\Trash"),
                      ("Sent", r"\Sent")):
        if name == "Junk" and opts.get("no_junk_folder"):
            continue
        boxes.append("  mailbox %s {\n    auto = subscribe\n%s  }\n" % (
            name, "    special_use = %s\n" % use if special else ""))
    sep = opts.get("separator")
    caps = _capability_setting(opts)
    oauth = opts.get("oauth2")
    oauth_passdb = ""
    if oauth:
        # Tokens are checked by Dovecot alone (no HTTP): the signature with
        # the key in DIR/oauth-keys, exp, and that sub is the login user.
        _oauth_key(d)
        _write(os.path.join(d, "oauth2.conf.ext"),
               "introspection_mode = local\n"
               "local_validation_key_dict = fs:posix:prefix=%s/\n"
               "username_attribute = sub\n" % os.path.join(d, "oauth-keys"),
               0o600)
        # Only for the token mechanisms, so a password is never tried as
        # a token nor a token as a password.
        oauth_passdb = ("passdb {\n  driver = oauth2\n"
                        "  mechanisms = xoauth2 oauthbearer\n"
                        "  args = %s/oauth2.conf.ext\n}\n" % d)

    conf = """# Written by tests/imap/dovecot.py; private to this directory.
base_dir = {base_dir}
state_dir = {d}/state
log_path = {d}/log
instance_name = {instance}
protocols = imap
listen = {host}
shutdown_clients = yes

default_internal_user = {internal_user}
default_internal_group = {internal_group}
default_login_user = {login_user}
first_valid_uid = {uid}
last_valid_uid = {uid}
first_valid_gid = {gid}
last_valid_gid = {gid}
valid_chroot_dirs = {mail_root}

ssl = yes
ssl_cert = <{d}/cert.pem
ssl_key = <{d}/key.pem

auth_mechanisms = plain login{oauth_mechs}
disable_plaintext_auth = no
auth_cache_size = 0
auth_failure_delay = 0
auth_verbose = yes
{oauth_passdb}passdb {{
  driver = passwd-file
  args = {d}/users
{passwd_mechs}}}
userdb {{
  driver = passwd-file
  args = {d}/users
}}

mail_location = {mail_location}
mail_fsync = never
mail_max_userip_connections = 1000
namespace inbox {{
  inbox = yes
{separator}{boxes}}}

service imap-login {{
  inet_listener imap {{
    address = {host}
    port = {port}
  }}
  inet_listener imaps {{
    address = {host}
    port = {ports}
    ssl = yes
  }}
}}
# Repeated failed logins from one IP would otherwise be delayed up to 15 s,
# which tests of a wrong password must not pay for.
service anvil {{
  unix_listener anvil-auth-penalty {{
    mode = 0
  }}
}}
""".format(base_dir=base_dir, d=d, instance=_instance(d), host=HOST,
           internal_user=internal_user, internal_group=internal_group,
           login_user=login_user, uid=uid, gid=gid, mail_root=mail_root,
           mail_location=mail_location, port=ports[0], ports=ports[1],
           boxes="".join(boxes),
           separator="  separator = %s\n" % sep if sep else "",
           oauth_mechs=" xoauth2 oauthbearer" if oauth else "",
           oauth_passdb=oauth_passdb,
           passwd_mechs="  mechanisms = plain login\n" if oauth else "")
    quota = opts.get("quota_messages")
    if quota is not None:
        # At most N messages in the account: a copy or move that would go
        # past it fails with NO [OVERQUOTA] (a move copies first).
        conf += ("mail_plugins = $mail_plugins quota\n"
                 "plugin {\n  quota = maildir:User quota\n"
                 "  quota_rule = *:messages=%d\n}\n" % quota)
    if opts.get("rawlog"):
        # What each session said, both ways, after login (so never a
        # password), in ~/dovecot.rawlog/*.in and *.out: tests read which
        # commands sagi sent.  Under the home, which is inside the chroot.
        raw = os.path.join(home, "dovecot.rawlog")
        os.makedirs(raw, exist_ok=True)
        if as_root:
            os.chown(raw, uid, gid)
        conf += "protocol imap {\n  rawlog_dir = %h/dovecot.rawlog\n}\n"
    if caps:
        conf += "protocol imap {\n  imap_capability = %s\n}\n" % caps
    if not as_root:
        # chroot() needs root; these are the services that have one by
        # default and can run here.
        for svc in ("anvil", "imap-login", "imap-urlauth-login", "ipc",
                    "old-stats", "aggregator", "director"):
            conf += "service %s {\n  chroot =\n}\n" % svc
    _write(os.path.join(d, "dovecot.conf"), conf)


def _libexec():
    for p in LIBEXEC_DIRS:
        if os.access(os.path.join(p, "imap"), os.X_OK) and \
                os.access(os.path.join(p, "imap-login"), os.X_OK):
            return p
    return None


def _base_dir(d):
    link = os.path.join(d, "run")
    if len(link) <= BASE_DIR_MAX:
        if os.path.islink(link):
            os.unlink(link)
        os.makedirs(link, exist_ok=True)
        return link
    # DIR is too deep for unix sockets: put them in a short directory in
    # /tmp, reachable as DIR/run; stop removes it.
    if os.path.islink(link):
        real = os.readlink(link)
        if os.path.isdir(real):
            return real
        os.unlink(link)
    real = tempfile.mkdtemp(prefix="sagi-dovecot-", dir="/tmp")
    os.symlink(real, link)
    return real


# --- start / stop ----------------------------------------------------------

def _wait_ready(d, ports, password, deadline):
    """Up when both ports answer and the user can log in and list."""
    last = None
    while time.monotonic() < deadline:
        try:
            # A full handshake, so a broken certificate fails here.
            ctx = ssl.create_default_context(
                cafile=os.path.join(d, "ca.pem"))
            with socket.create_connection((HOST, ports[1]), timeout=2) as s:
                with ctx.wrap_socket(s, server_hostname=HOST) as t:
                    if not t.recv(64).startswith(b"* OK"):
                        raise DovecotError("imaps: no greeting")
            c = imaplib.IMAP4(HOST, ports[0], timeout=2)
            try:
                c.login(USER, password)
                typ, data = c.list()
                if typ != "OK":
                    raise DovecotError("LIST failed: %r" % data)
            finally:
                try:
                    c.logout()
                except Exception:
                    pass
            return
        except (OSError, imaplib.IMAP4.error) as e:
            if isinstance(e, ssl.SSLCertVerificationError):
                raise DovecotError("imaps: %s" % e)
            last = e
            time.sleep(0.05)
    raise DovecotError("dovecot did not become ready in %.0f s (%s)" %
                       (START_TIMEOUT, last))


def start(d, no_move=False, no_specialuse=False, no_uidplus=False,
          no_condstore=False, no_junk_folder=False, separator=None,
          quota_messages=None, oauth2=False, no_sasl_ir=False,
          no_qresync=False, rawlog=False,
          lifetime=DEFAULT_LIFETIME, watch_pid=None):
    """Starts a private Dovecot in directory d (created if needed) and
    returns the env dict that is also written to d/env.  Raises
    DovecotError (status SKIP or HARD)."""
    d = os.path.abspath(d)
    opts = dict(no_move=no_move, no_specialuse=no_specialuse,
                no_uidplus=no_uidplus, no_condstore=no_condstore,
                no_junk_folder=no_junk_folder, separator=separator,
                quota_messages=quota_messages, oauth2=oauth2,
                no_sasl_ir=no_sasl_ir, no_qresync=no_qresync, rawlog=rawlog)
    dovecot = _which("dovecot")
    if not dovecot or not _libexec():
        raise DovecotError("dovecot-imapd is not installed", SKIP)
    os.makedirs(d, exist_ok=True)
    if _master_pid(d) is not None:
        raise DovecotError("%s: a Dovecot is already running here" % d)
    os.makedirs(os.path.join(d, "state"), exist_ok=True)
    for f in ("master.pid", os.path.join("run", "master.pid")):
        # Stale: Dovecot would refuse to start if the pid was reused.
        try:
            os.unlink(os.path.join(d, f))
        except FileNotFoundError:
            pass
    # A restart in the same DIR (after stop) keeps the server's identity:
    # password, certificates and, when still free, the ports, so a test can
    # restart the server under a client that reconnects.
    prev = _read(_env_path(d)) and load_env(d)
    fp = (_read(os.path.join(d, "fingerprint")) or "").strip()
    if not (fp and all(os.path.exists(os.path.join(d, f))
                       for f in ("ca.pem", "cert.pem", "key.pem"))):
        fp = _make_certs(d)
    password = _read(os.path.join(d, "password")) or \
        secrets.token_urlsafe(18)

    # A free port may be taken again between probing and Dovecot binding
    # it; that shows as a bind error in the log, and a retry fixes it.
    for attempt in range(3):
        if attempt == 0 and prev and _port_free(int(prev["IMAP_PORT"])) \
                and _port_free(int(prev["IMAPS_PORT"])):
            ports = (int(prev["IMAP_PORT"]), int(prev["IMAPS_PORT"]))
        else:
            ports = (_free_port(), _free_port())
        if ports[0] == ports[1]:
            continue
        base_dir = _base_dir(d)
        _write_config(d, base_dir, ports, password, opts)
        log_size = os.path.getsize(os.path.join(d, "log")) \
            if os.path.exists(os.path.join(d, "log")) else 0
        # Not a pipe: the daemonized master keeps stderr open for good,
        # and reading a pipe to EOF would wait for it.
        with open(os.path.join(d, "start.out"), "w+b") as f:
            r = subprocess.run(
                [dovecot, "-c", os.path.join(d, "dovecot.conf")],
                stdin=subprocess.DEVNULL, stdout=f, stderr=f)
            f.seek(0)
            out = f.read().decode(errors="replace")
        if r.returncode != 0:
            log = _read(os.path.join(d, "log"), "")[log_size:]
            if "Address already in use" in out + log and attempt < 2:
                continue
            raise DovecotError("dovecot failed to start (exit %d)\n%s" %
                               (r.returncode, out), HARD, _log_tail(d))
        try:
            _wait_ready(d, ports, password,
                        time.monotonic() + START_TIMEOUT)
            # The daemonized master writes base_dir/master.pid a moment
            # after "dovecot" returns; it is certainly there by now.
            pid = _master_pid(d)
            if pid is None:
                raise DovecotError("no master.pid in %s" % base_dir)
            _write(os.path.join(d, "master.pid"), "%d\n" % pid)
        except DovecotError as e:
            log = _read(os.path.join(d, "log"), "")[log_size:]
            stop(d)
            if "Address already in use" in log and attempt < 2:
                continue
            e.log_tail = _log_tail(d)
            raise
        break
    else:
        raise DovecotError("could not find two free ports", HARD,
                           _log_tail(d))

    env = {
        "IMAP_HOST": HOST,
        "IMAP_PORT": str(ports[0]),
        "IMAPS_PORT": str(ports[1]),
        "IMAP_USER": USER,
        "IMAP_PASSWORD_FILE": os.path.join(d, "password"),
        "CA_FILE": os.path.join(d, "ca.pem"),
        "TLS_FINGERPRINT": fp,
        "DOVECOT_DIR": d,
    }
    _write(_env_path(d), "".join("%s=%s\n" % (k, shlex.quote(v))
                                 for k, v in env.items()))
    if lifetime or watch_pid:
        _spawn_watchdog(d, lifetime or 0, watch_pid or 0)
    return env


def _master_pid(d):
    """The running master's pid, checked against /proc, or None."""
    conf = os.path.join(d, "dovecot.conf").encode()
    for f in (os.path.join(d, "master.pid"),
              os.path.join(d, "run", "master.pid")):
        pid = (_read(f) or "").strip()
        if not pid.isdigit():
            continue
        cmd = _proc_cmdline(int(pid))
        # A recycled pid belongs to some other program; leave it alone.
        if cmd and b"dovecot" in cmd and conf in cmd and _alive(int(pid)):
            return int(pid)
    return None


def pids(d):
    """Pids of every process of the Dovecot in d: the master, its
    descendants, and strays whose title carries this instance name."""
    d = os.path.abspath(d)
    master = _master_pid(d)
    tag = ("dovecot-%s/" % _instance(d)).encode()
    conf = os.path.join(d, "dovecot.conf").encode()
    found = set()
    children = {}
    for pid in _all_pids():
        st = _proc_stat(pid)
        if st is None:
            continue
        children.setdefault(st[0], []).append(pid)
        cmd = _proc_cmdline(pid) or b""
        if cmd.startswith(tag) or (b"dovecot" in cmd.split(b" ")[0] and
                                   b"-c " + conf in cmd):
            found.add(pid)
    if master is not None:
        todo = [master]
        while todo:
            p = todo.pop()
            found.add(p)
            todo.extend(children.get(p, []))
    found.discard(os.getpid())
    return sorted(found)


def _kill(pid, sig):
    try:
        os.kill(pid, sig)
    except ProcessLookupError:
        pass


def stop(*dirs):
    """Stops the Dovecot in each directory and waits until every one of its
    processes is gone.  Idempotent; a missing directory is fine.  Several
    directories are stopped in parallel: the master's shutdown alone sleeps
    a second."""
    todo = []
    for d in dirs:
        d = os.path.abspath(d)
        if not os.path.isdir(d):
            continue
        wd = (_read(os.path.join(d, "watchdog.pid")) or "").strip()
        if wd.isdigit() and int(wd) != os.getpid():
            cmd = _proc_cmdline(int(wd)) or b""
            if b"_watchdog" in cmd and d.encode() in cmd:
                _kill(int(wd), signal.SIGKILL)
        victims = {p: _proc_stat(p) for p in pids(d)}
        master = _master_pid(d)
        if master is not None:
            _kill(master, signal.SIGTERM)
        todo.append((d, master, victims))
    deadline = time.monotonic() + STOP_TIMEOUT
    while any(m is not None and _alive(m) for _, m, _ in todo) and \
            time.monotonic() < deadline:
        time.sleep(0.02)
    for d, master, victims in todo:
        _stop_rest(d, victims)


def _stop_rest(d, victims):
    # Whatever outlived the master (or a master that was SIGKILLed earlier
    # left behind) is killed outright, if it is still the same process.
    deadline = time.monotonic() + 2
    while True:
        left = []
        for p, st in victims.items():
            now = _proc_stat(p)
            if st and now and now[1] == st[1]:
                left.append(p)
        left += [p for p in pids(d) if p not in victims]
        if not left:
            break
        if time.monotonic() > deadline:
            for p in left:
                _kill(p, signal.SIGKILL)
            if time.monotonic() > deadline + 3:
                raise DovecotError("processes %s would not die" % left)
        time.sleep(0.02)
    for f in ("master.pid", "watchdog.pid"):
        try:
            os.unlink(os.path.join(d, f))
        except FileNotFoundError:
            pass
    link = os.path.join(d, "run")
    if os.path.islink(link):
        shutil.rmtree(os.readlink(link), ignore_errors=True)
        os.unlink(link)


def _spawn_watchdog(d, lifetime, watch_pid):
    # Detached and with every descriptor closed, so "$(dovecot.py start)"
    # returns at once; it stops Dovecot when the test that started it is
    # gone (DIR removed, --watch-pid dead) or after --lifetime seconds, so
    # a test killed with SIGKILL cannot leave a server running forever.
    link = os.path.join(d, "run")
    # Passed in: DIR may be gone before the watchdog gets to read the link.
    outside = os.readlink(link) if os.path.islink(link) else ""
    p = subprocess.Popen(
        [sys.executable, os.path.abspath(__file__), "_watchdog", d,
         str(lifetime), str(watch_pid), outside],
        stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL, close_fds=True, start_new_session=True,
        cwd="/")
    _write(os.path.join(d, "watchdog.pid"), "%d\n" % p.pid)


def _watchdog(d, lifetime, watch_pid, outside):
    end = time.monotonic() + lifetime if lifetime > 0 else None
    conf = os.path.join(d, "dovecot.conf")
    while True:
        time.sleep(0.5)
        if _master_pid(d) is None and os.path.exists(conf):
            return 0
        if (not os.path.exists(conf) or
                (end is not None and time.monotonic() > end) or
                (watch_pid > 0 and not _alive(watch_pid))):
            break
    if os.path.isdir(d):
        try:
            stop(d)
        except Exception:
            pass
    # DIR gone, or stop failed: find what is left by process title.
    for sig in (signal.SIGTERM, signal.SIGKILL):
        for p in pids(d):
            _kill(p, sig)
        deadline = time.monotonic() + 3
        while pids(d) and time.monotonic() < deadline:
            time.sleep(0.1)
    if outside and not os.path.exists(d):
        shutil.rmtree(outside, ignore_errors=True)
    return 0


# --- client side -----------------------------------------------------------

def client(d, tls=None, timeout=30):
    """A logged-in imaplib client.  tls: None (plain port), "starttls", or
    "imaps"; TLS verifies the chain against d/ca.pem and the name
    127.0.0.1."""
    env = load_env(d)
    password = _read(env["IMAP_PASSWORD_FILE"])
    if tls is None:
        c = imaplib.IMAP4(env["IMAP_HOST"], int(env["IMAP_PORT"]),
                          timeout=timeout)
    else:
        ctx = ssl.create_default_context(cafile=env["CA_FILE"])
        if tls == "imaps":
            c = imaplib.IMAP4_SSL(env["IMAP_HOST"], int(env["IMAPS_PORT"]),
                                  ssl_context=ctx, timeout=timeout)
        else:
            c = imaplib.IMAP4(env["IMAP_HOST"], int(env["IMAP_PORT"]),
                              timeout=timeout)
            c.starttls(ssl_context=ctx)
    c.login(env["IMAP_USER"], password)
    # imaplib keeps the pre-login list, which lacks MULTIAPPEND and others.
    typ, data = c.capability()
    if typ == "OK":
        c.capabilities = tuple(data[-1].decode().upper().split())
    return c


def _check(typ, data, what):
    if typ != "OK":
        raise DovecotError("%s: %s" % (what, b" ".join(
            x for x in data if isinstance(x, bytes)).decode(
                errors="replace")), 1)
    return data


def _select(c, folder):
    _check(*c.select(_mbox(folder), readonly=True), what="select " + folder)


def _create(c, folder):
    typ, data = c.create(_mbox(folder))
    if typ != "OK" and b"ALREADYEXISTS" not in b"".join(
            x for x in data if isinstance(x, bytes)):
        _check(typ, data, "create " + folder)


def to_crlf(data):
    """IMAP messages have CRLF line ends: a bare LF becomes CRLF, every
    other byte (a lone CR, 8-bit, NUL) is kept as is."""
    return re.sub(rb"(?<!\r)\n", b"\r\n", data)


def multiappend(c, folder, messages):
    """APPENDs (bytes, flags) pairs, 500 per write: one MULTIAPPEND command
    when advertised, else pipelined APPENDs.  Needs LITERAL+, which Dovecot
    always advertises, so there is no round trip per message.  Returns the
    APPENDUID text of the last response or ""."""
    caps = {x.upper() for x in c.capabilities}
    if "LITERAL+" not in caps:
        raise DovecotError("server lacks LITERAL+", 1)
    multi = "MULTIAPPEND" in caps
    mbox = _mbox(folder).encode()
    last = ""
    for i in range(0, len(messages), 500):
        out = []
        tags = []
        for j, (data, flags) in enumerate(messages[i:i + 500]):
            data = to_crlf(data)
            if j == 0 or not multi:
                if j > 0:
                    out.append(b"\r\n")
                tags.append(b"S%d" % (i + j))
                out.append(tags[-1] + b" APPEND " + mbox)
            if flags:
                out.append(b" (" + flags.encode() + b")")
            out.append(b" {%d+}\r\n" % len(data))
            out.append(data)
        out.append(b"\r\n")
        # One write: a small write per message meets Nagle and delayed ACKs
        # and costs milliseconds each.
        c.send(b"".join(out))
        tags = set(tags)
        while tags:
            line = c.readline()
            if not line:
                raise DovecotError("connection closed during APPEND", 1)
            tag = line.split(b" ", 1)[0]
            if tag not in tags:
                continue
            tags.discard(tag)
            if not line.startswith(tag + b" OK"):
                raise DovecotError("APPEND to %s failed: %s" % (
                    folder, line.decode(errors="replace").strip()), 1)
            m = re.search(rb"\[APPENDUID ([^\]]*)\]", line)
            last = m.group(1).decode() if m else ""
    return last


def _maildir_flags(name):
    m = re.search(r":2,([A-Za-z]*)$", name)
    if not m:
        return ""
    table = {"S": r"\Seen", "R": r"\Answered", "F": r"\Flagged",
             "T": r"\Deleted", "D": r"\Draft"}
    return " ".join(table[f] for f in m.group(1) if f in table)


def _expand(paths):
    """(path, flags) for files, Maildir directories (new/ then cur/) and
    glob patterns; a file in a cur/ directory keeps the flags in its name
    (":2,FS" is \\Flagged \\Seen)."""
    out = []
    for p in paths:
        if os.path.isdir(os.path.join(p, "cur")) or \
                os.path.isdir(os.path.join(p, "new")):
            for sub in ("new", "cur"):
                sd = os.path.join(p, sub)
                if os.path.isdir(sd):
                    for n in sorted(os.listdir(sd)):
                        if not n.startswith("."):
                            out.append((os.path.join(sd, n),
                                        _maildir_flags(n)))
        elif os.path.isfile(p):
            cur = os.path.basename(os.path.dirname(os.path.abspath(p)))
            out.append((p, _maildir_flags(p) if cur == "cur" else ""))
        else:
            hits = sorted(glob.glob(p))
            if not hits:
                raise DovecotError("%s: no such file" % p, 1)
            out.extend(_expand(hits))
    return out


def append(d, folder, paths, flags=""):
    """Appends the files (see _expand) to folder, creating it."""
    msgs = []
    for path, fl in _expand(paths):
        with open(path, "rb") as f:
            msgs.append((f.read(), " ".join(x for x in (flags, fl) if x)))
    c = client(d)
    try:
        _create(c, folder)
        return multiappend(c, folder, msgs)
    finally:
        c.logout()


JP_SUBJECTS = ["お支払い方法の確認", "アカウントの一時停止について",
               "【重要】ご本人様確認のお願い", "配送状況のお知らせ",
               "明日の会議について"]


def gen_messages(n, prefix="gen", seed=0):
    """n small messages as bytes; Message-ID <PREFIX-I@sagi.test>."""
    import base64
    rnd = random.Random(seed)
    out = []
    for i in range(n):
        k = rnd.randrange(4)
        if k == 0:
            subj = "=?UTF-8?B?%s?=" % base64.b64encode(
                rnd.choice(JP_SUBJECTS).encode()).decode()
        elif k == 1:
            subj = "=?ISO-2022-JP?B?%s?=" % base64.b64encode(
                rnd.choice(JP_SUBJECTS).encode("iso-2022-jp")).decode()
        else:
            subj = "test message %d" % i
        out.append((
            "Date: Mon, 06 Mar 2023 10:%02d:%02d +0900\r\n"
            "From: sender%d@example.jp\r\n"
            "To: sagi@example.jp\r\n"
            "Subject: %s\r\n"
            "Message-ID: <%s-%d@sagi.test>\r\n"
            "MIME-Version: 1.0\r\n"
            "Content-Type: text/plain; charset=UTF-8\r\n"
            "Content-Transfer-Encoding: 8bit\r\n"
            "\r\n"
            "こんにちは。message %d.\r\n" % (
                i // 60 % 60, i % 60, rnd.randrange(100), subj, prefix, i,
                i)).encode("utf-8"))
    return out


def gen(d, folder, n, prefix="gen", seed=0):
    """Generates n messages (see gen_messages) into folder by MULTIAPPEND
    over one session."""
    c = client(d, timeout=300)
    try:
        _create(c, folder)
        return multiappend(c, folder,
                           [(m, "") for m in gen_messages(n, prefix, seed)])
    finally:
        c.logout()


def _unfold_header(raw, name):
    lines = raw.replace(b"\r\n", b"\n").split(b"\n")
    val = None
    for line in lines:
        if val is not None:
            if line[:1] in (b" ", b"\t"):
                val = (val + b" " + line.strip()).strip()
                continue
            break
        k, sep, v = line.partition(b":")
        if sep and k.strip().lower() == name.lower():
            val = v.strip()
    return None if val is None else val.decode("utf-8", "replace")


def fetch_all(d, folder):
    """[(uid, [flags], message_id or None)] in UID order."""
    c = client(d)
    try:
        _select(c, folder)
        typ, data = c.uid("FETCH", "1:*",
                          "(UID FLAGS BODY.PEEK[HEADER.FIELDS (MESSAGE-ID)])")
        _check(typ, data, "fetch")
    finally:
        c.logout()
    out = []
    i = 0
    while i < len(data):
        item = data[i]
        if isinstance(item, tuple):
            meta = item[0]
            hdr = item[1]
            if i + 1 < len(data) and isinstance(data[i + 1], bytes):
                meta += data[i + 1]
                i += 1
            uid = int(re.search(rb"UID (\d+)", meta).group(1))
            fl = re.search(rb"FLAGS \(([^)]*)\)", meta).group(1).decode()
            # \Recent depends on which session saw the message first.
            fl = [f for f in fl.split() if f.lower() != "\\recent"]
            out.append((uid, fl, _unfold_header(hdr, b"message-id")))
        i += 1
    out.sort()
    return out


def ids(d, folder):
    """Sorted Message-ID values of folder; <none:UID> when missing."""
    return sorted(mid or "<none:%d>" % uid
                  for uid, _, mid in fetch_all(d, folder))


def count(d, folder):
    c = client(d)
    try:
        typ, data = c.status(_mbox(folder), "(MESSAGES)")
        _check(typ, data, "status " + folder)
        return int(re.search(rb"MESSAGES (\d+)", data[0]).group(1))
    finally:
        c.logout()


def folders(d):
    """[(name, [attributes])], names decoded from modified UTF-7."""
    c = client(d)
    try:
        typ, data = c.list('""', '"*"')
        _check(typ, data, "list")
    finally:
        c.logout()
    out = []
    for item in data:
        line = item[0] if isinstance(item, tuple) else item
        m = re.match(rb'\(([^)]*)\) (?:"(?:[^"\\]|\\.)*"|NIL) (.*)$', line)
        if not m:
            continue
        name = m.group(2)
        if isinstance(item, tuple):
            name = item[1]
        elif name.startswith(b'"'):
            name = re.sub(rb'\\(.)', rb'\1', name[1:-1])
        out.append((mutf7_decode(name.decode()), m.group(1).decode().split()))
    return sorted(out)


def caps(d):
    """Capabilities advertised after LOGIN."""
    c = client(d)
    try:
        typ, data = c.capability()
        _check(typ, data, "capability")
        return data[0].decode().split()
    finally:
        c.logout()


def fetch(d, folder, uid):
    """The raw bytes of message uid in folder (BODY.PEEK[])."""
    c = client(d)
    try:
        _select(c, folder)
        typ, data = c.uid("FETCH", str(uid), "(BODY.PEEK[])")
        _check(typ, data, "fetch")
    finally:
        c.logout()
    for item in data:
        if isinstance(item, tuple):
            return item[1]
    raise DovecotError("%s: no message with UID %s" % (folder, uid), 1)


# --- command line ----------------------------------------------------------

def _main(argv):
    if argv[:1] == ["_watchdog"]:
        return _watchdog(argv[1], float(argv[2]), int(argv[3]), argv[4])
    ap = argparse.ArgumentParser(prog="dovecot.py",
                                 description="private Dovecot for tests")
    sub = ap.add_subparsers(dest="cmd", required=True)
    p = sub.add_parser("start")
    p.add_argument("dir")
    for o in ("no-move", "no-specialuse", "no-uidplus", "no-condstore",
              "no-qresync", "no-junk-folder", "oauth2", "no-sasl-ir",
              "rawlog"):
        p.add_argument("--" + o, action="store_true")
    p.add_argument("--separator", help="hierarchy separator (default .)")
    p.add_argument("--quota-messages", type=int, default=None,
                   help="the account holds at most this many messages")
    p.add_argument("--lifetime", type=float, default=DEFAULT_LIFETIME,
                   help="stop by itself after SECS (0: never; default "
                   "%(default)s)")
    p.add_argument("--watch-pid", type=int, default=0,
                   help="stop by itself when process PID is gone")
    p = sub.add_parser("stop")
    p.add_argument("dir", nargs="+")
    p = sub.add_parser("token")
    p.add_argument("dir")
    p.add_argument("--expired", action="store_true")
    p.add_argument("--bad-signature", action="store_true")
    p.add_argument("--sub", default=USER, help="the user (default %(default)s)")
    p = sub.add_parser("pids")
    p.add_argument("dir")
    p = sub.add_parser("append")
    p.add_argument("dir")
    p.add_argument("folder")
    p.add_argument("--flags", default="", help=r'e.g. "\Seen \Flagged"')
    p.add_argument("files", nargs="+")
    p = sub.add_parser("gen")
    p.add_argument("dir")
    p.add_argument("folder")
    p.add_argument("n", type=int)
    p.add_argument("--prefix", default="gen")
    p.add_argument("--seed", type=int, default=0)
    p = sub.add_parser("ids")
    p.add_argument("dir")
    p.add_argument("folder")
    p.add_argument("--long", action="store_true")
    for name in ("count",):
        p = sub.add_parser(name)
        p.add_argument("dir")
        p.add_argument("folder")
    for name in ("folders", "caps"):
        p = sub.add_parser(name)
        p.add_argument("dir")
    p = sub.add_parser("fetch")
    p.add_argument("dir")
    p.add_argument("folder")
    p.add_argument("uid", type=int)
    a = ap.parse_args(argv)

    out = sys.stdout
    if a.cmd == "start":
        try:
            env = start(a.dir, no_move=a.no_move,
                        no_specialuse=a.no_specialuse,
                        no_uidplus=a.no_uidplus, no_condstore=a.no_condstore,
                        no_junk_folder=a.no_junk_folder,
                        separator=a.separator, lifetime=a.lifetime,
                        quota_messages=a.quota_messages,
                        oauth2=a.oauth2, no_sasl_ir=a.no_sasl_ir,
                        no_qresync=a.no_qresync, rawlog=a.rawlog,
                        watch_pid=a.watch_pid)
        except DovecotError:
            raise
        except Exception as e:
            d = os.path.abspath(a.dir)
            try:
                stop(d)
            except Exception:
                pass
            raise DovecotError("start failed: %r" % e, HARD, _log_tail(d))
        out.write(_read(_env_path(env["DOVECOT_DIR"])))
    elif a.cmd == "stop":
        stop(*a.dir)
    elif a.cmd == "token":
        if not os.path.exists(_oauth_key_path(os.path.abspath(a.dir))):
            raise DovecotError("%s: not started with --oauth2" % a.dir, 1)
        out.write(token(os.path.abspath(a.dir), a.sub, a.expired,
                        a.bad_signature) + "\n")
    elif a.cmd == "pids":
        out.write("".join("%d\n" % p for p in pids(a.dir)))
    elif a.cmd == "append":
        append(a.dir, a.folder, a.files, a.flags)
    elif a.cmd == "gen":
        gen(a.dir, a.folder, a.n, a.prefix, a.seed)
    elif a.cmd == "ids":
        if a.long:
            for uid, fl, mid in fetch_all(a.dir, a.folder):
                out.write("%d %s %s\n" % (uid, ",".join(fl) or "-",
                                          mid or "<none:%d>" % uid))
        else:
            out.write("".join(m + "\n" for m in ids(a.dir, a.folder)))
    elif a.cmd == "count":
        out.write("%d\n" % count(a.dir, a.folder))
    elif a.cmd == "folders":
        for name, attrs in folders(a.dir):
            out.write("%s\t%s\n" % (name, " ".join(attrs)))
    elif a.cmd == "caps":
        out.write("".join(x + "\n" for x in caps(a.dir)))
    elif a.cmd == "fetch":
        out.flush()
        sys.stdout.buffer.write(fetch(a.dir, a.folder, a.uid))
    return 0


def main(argv=None):
    try:
        return _main(sys.argv[1:] if argv is None else argv)
    except DovecotError as e:
        sys.stderr.write("dovecot.py: %s\n" % e)
        if e.log_tail:
            sys.stderr.write("--- dovecot log (tail) ---\n%s" % e.log_tail)
        return e.status
    except (OSError, imaplib.IMAP4.error) as e:
        sys.stderr.write("dovecot.py: %s\n" % e)
        return 1


if __name__ == "__main__":
    sys.exit(main())
