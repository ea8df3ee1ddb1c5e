"""typst kept warm between builds: a process of its own that compiles the PDF for every `doit`.

typst lays out a 150-page thesis in about a second from cold, and in a third of that when it has
laid the document out before and one chapter changed: it remembers what it laid out, in memory.
Each `doit` is a new process and would start cold, so the PDF is compiled by a server process
instead: started by the first build that needs it, it keeps a typst compiler per document
(thesis.typ, a chapter's draft; the last two) and ends after IDLE_SECONDS without a request.

The PDF is the same, byte for byte, as the build's own compiler makes: typst's memory only saves
work (tests/test_typst_server.py compares them). At every compile typst reads thesis.typ and the images
from disk again; a change to the fonts it was given (a file added to the thesis's fonts/) makes
a new compiler.

There is one server per user, Python environment and version of thesisbuild and typst, listening
on a Unix socket in a folder only that user can open. When no server can be reached or started,
or one fails during a request, the build compiles in its own process, as it does on a system
without Unix sockets and with THESISBUILD_TYPST_SERVER=off."""

from __future__ import annotations

import hashlib
import json
import os
import socket
import stat
import struct
import subprocess
import sys
import tempfile
import time
from collections import OrderedDict
from pathlib import Path

from ..fsutil import code_digest, package_stamp, stamp

IDLE_SECONDS = 20 * 60          # THESISBUILD_TYPST_SERVER_IDLE sets another
_KEEP = 2                       # compilers kept (the thesis and a draft), the least recently used dropped
_START_SECONDS = 10.0           # how long a build waits for a server it started
_REPLY_SECONDS = 600.0          # how long a build waits for a compile
_HEADER = struct.Struct(">I")


class TypstFailure(Exception):
    """typst's error for a document, as the server reported it (render/pdf.py reads its message
    and `diagnostic` as it reads the error of a compiler of its own)."""

    def __init__(self, message: str, diagnostic: str):
        super().__init__(message)
        self.diagnostic = diagnostic


def enabled() -> bool:
    return (os.environ.get("THESISBUILD_TYPST_SERVER", "").strip().lower() not in ("off", "0", "no", "false")
            and hasattr(socket, "AF_UNIX") and hasattr(os, "fork"))


def socket_path() -> Path | None:
    """The server's socket, in a folder of this user's that no one else can open; None when no
    such folder can be had (then every build compiles on its own)."""
    base = Path(os.environ.get("THESISBUILD_TYPST_SERVER_DIR") or os.environ.get("XDG_RUNTIME_DIR")
                or tempfile.gettempdir())
    folder = base / f"thesisbuild-{os.getuid()}"
    try:
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        info = os.lstat(folder)             # not through a link, which another user may have made
    except OSError:
        return None
    if not stat.S_ISDIR(info.st_mode) or info.st_uid != os.getuid() or info.st_mode & 0o077:
        return None
    # The environment by its folder (`python` and `python3` in it are one), not by the command.
    key = hashlib.sha256("\0".join([code_digest(Path(__file__)), package_stamp("typst"), sys.prefix,
                                    sys.version]).encode()).hexdigest()[:16]
    path = folder / f"typst-{key}.sock"
    return path if len(str(path).encode()) < 100 else None       # a socket's path has ~104 bytes


def fonts_key(folders: list[str]) -> str:
    """The font files typst is given, by name, size and time: a change makes a new compiler."""
    digest = hashlib.sha256()
    for folder in folders:
        for path in sorted(Path(folder).rglob("*")):
            if path.suffix.lower() in (".ttf", ".otf", ".ttc", ".otc"):
                digest.update(stamp(path).encode() + b"\0")
    return digest.hexdigest()


# ---------------------------------------------------------------- the build's side

class RemoteCompiler:
    """A typst compiler for one document, kept in the server: compile() and query() as typst's
    own Compiler has them. When the server cannot be reached or fails, the rest of the build
    uses a compiler of its own (`local`, made when first needed)."""

    def __init__(self, document: dict, local):
        self.document = document
        self.make_local = local
        self.local = None

    def compile(self, **options):
        reply, payload = self._ask({"op": "compile", "options": options})
        if reply is None:
            return self._local().compile(**options)
        return payload

    def query(self, selector: str, **options) -> str:
        reply, _ = self._ask({"op": "query", "selector": selector, "options": options})
        if reply is None:
            return self._local().query(selector, **options)
        return reply["result"]

    def _local(self):
        if self.local is None:
            self.local = self.make_local()
        return self.local

    def _ask(self, request: dict) -> tuple[dict | None, bytes]:
        if self.local is not None:
            return None, b""
        try:
            with _connect() as conn:
                conn.settimeout(_REPLY_SECONDS)
                _send(conn, {**request, "document": self.document})
                reply, payload = _receive(conn)
        except (OSError, ValueError, EOFError, subprocess.SubprocessError):
            self._local()                           # from now on, this build compiles on its own
            return None, b""
        if not reply.get("ok"):
            if reply.get("failed"):                 # the server's own failure, not the document's
                self._local()
                return None, b""
            raise TypstFailure(reply.get("error", ""), reply.get("diagnostic", ""))
        return reply, payload


def status() -> dict | None:
    """What the running server holds: "documents", the files it keeps a compiler for (thesis.typ
    files), and "compiles", how many PDFs it has compiled; None when no server runs (none is
    started)."""
    path = socket_path()
    if path is None:
        return None
    try:
        with _open(path) as conn:
            _send(conn, {"op": "status"})
            reply, _ = _receive(conn)
    except (OSError, ValueError, EOFError):
        return None
    return {"documents": list(reply.get("documents", [])), "compiles": int(reply.get("compiles", 0))}


def _connect() -> socket.socket:
    """A connection to the server, started now if none listens."""
    path = socket_path()
    if path is None:
        raise OSError("no folder for the server's socket")
    try:
        return _open(path)
    except OSError:
        pass
    # The starter returns once the server listens (exit 0) or could not start (1): nothing is left
    # to wait for.
    subprocess.run([sys.executable, "-m", __name__, str(path), str(idle_seconds())], stdin=subprocess.DEVNULL,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, close_fds=True, check=True,
                   cwd=str(path.parent), timeout=_START_SECONDS)
    return _open(path)


def idle_seconds() -> float:
    try:
        return max(1.0, float(os.environ.get("THESISBUILD_TYPST_SERVER_IDLE", "") or IDLE_SECONDS))
    except ValueError:
        return float(IDLE_SECONDS)


def _open(path: Path) -> socket.socket:
    conn = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        conn.connect(str(path))
    except OSError:
        conn.close()
        raise
    return conn


def _send(conn: socket.socket, header: dict, payload: bytes = b"") -> None:
    data = json.dumps({**header, "size": len(payload)}).encode("utf-8")
    conn.sendall(_HEADER.pack(len(data)) + data + payload)


def _receive(conn: socket.socket) -> tuple[dict, bytes]:
    (length,) = _HEADER.unpack(_exactly(conn, _HEADER.size))
    header = json.loads(_exactly(conn, length))
    return header, _exactly(conn, int(header.get("size", 0)))


def _exactly(conn: socket.socket, count: int) -> bytes:
    chunks, left = [], count
    while left:
        chunk = conn.recv(min(left, 1 << 20))
        if not chunk:
            raise EOFError("the connection closed")
        chunks.append(chunk)
        left -= len(chunk)
    return b"".join(chunks)


# ---------------------------------------------------------------- the server's side

def serve(path: Path, idle: float, ready: int | None = None) -> None:
    """Listen at `path` until `idle` seconds pass without a connection; `ready`, a pipe written to
    once it listens (or once another server is found listening there).

    The server holds a lock beside its socket from before it binds it until after it removed it,
    so that of two servers started at once one serves and the other finds it; and a server that
    is ending is not taken for one that has ended."""
    import fcntl
    import signal

    import typst

    def say_ready() -> None:
        if ready is not None:
            os.write(ready, b"1")
            os.close(ready)

    lock = open(path.with_suffix(".lock"), "a+b")      # noqa: SIM115 - held for the server's life
    deadline = time.monotonic() + _START_SECONDS
    while True:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
            break
        except OSError:
            pass
        try:
            _open(path).close()
            say_ready()
            return                                  # another server listens there
        except OSError:
            if time.monotonic() > deadline:
                return                              # one that neither serves nor ends: the builds compile alone
            time.sleep(0.02)
    # SIGTERM ends it through the cleanup below, as an idle end does.
    signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(0))
    path.unlink(missing_ok=True)                    # a server that ended without removing it
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    pid = path.with_suffix(".pid")
    try:
        listener.bind(str(path))
        listener.listen(8)
        listener.settimeout(idle)
        pid.write_text(f"{os.getpid()}\n", encoding="utf-8")      # for a look at the server (its memory)
        say_ready()
        compilers: OrderedDict[str, object] = OrderedDict()
        answered = {"compile": 0}
        while True:
            try:
                conn, _ = listener.accept()
            except socket.timeout:
                return
            with conn:
                conn.settimeout(_REPLY_SECONDS)
                try:
                    request, _ = _receive(conn)
                    reply, payload = _answer(typst, compilers, request, answered)
                    _send(conn, reply, payload)
                except (OSError, ValueError, EOFError):
                    continue                        # the build went away (Ctrl-C): the next one
    finally:
        listener.close()
        path.unlink(missing_ok=True)
        pid.unlink(missing_ok=True)
        lock.close()                                # the lock goes with it


def _answer(typst, compilers: OrderedDict, request: dict, answered: dict) -> tuple[dict, bytes]:
    if request.get("op") == "status":
        return {"ok": True, "documents": [json.loads(held)["typ"] for held in compilers],
                "compiles": answered["compile"]}, b""
    document = request["document"]
    key = json.dumps(document, sort_keys=True)
    try:
        compiler = compilers.pop(key, None)
        if compiler is None:
            compiler = typst.Compiler(document["typ"], root=document["root"], font_paths=document["fonts"],
                                      ignore_system_fonts=True)
        compilers[key] = compiler
        while len(compilers) > _KEEP:
            compilers.popitem(last=False)
    except Exception as err:    # noqa: BLE001 - a compiler that cannot be made: the build makes its own
        return {"ok": False, "failed": True, "error": str(err)}, b""
    try:
        if request["op"] == "compile":
            pdf = compiler.compile(**request.get("options", {}))
            answered["compile"] += 1
            return {"ok": True}, pdf
        if request["op"] == "query":
            return {"ok": True, "result": compiler.query(request["selector"], **request.get("options", {}))}, b""
    except Exception as err:    # noqa: BLE001 - typst reports a document's errors as exceptions
        return {"ok": False, "error": str(err), "diagnostic": str(getattr(err, "diagnostic", "") or "")}, b""
    return {"ok": False, "failed": True, "error": f"unknown request {request['op']!r}"}, b""


def main(argv: list[str]) -> int:
    """Start the server detached from the build that asks for it (in a session of its own, it
    outlives that build) and return once it listens: 0, or 1 when it could not start."""
    path, idle = Path(argv[1]), float(argv[2])
    ready, said = os.pipe()
    if os.fork():
        os.close(said)
        with os.fdopen(ready, "rb") as answer:
            return 0 if answer.read(1) else 1
    os.close(ready)
    os.setsid()
    serve(path, idle, said)
    return 0


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit("usage: python -m thesisbuild.render.typst_server SOCKET IDLE_SECONDS")
    sys.exit(main(sys.argv))
