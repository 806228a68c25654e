"""A small IMAP4rev1 server on loopback for the poller's tests: one mailbox, the commands
imaplib sends for a UID-based read (LOGIN, SELECT, UID SEARCH/FETCH/STORE, CLOSE, LOGOUT)."""

from __future__ import annotations

import re
import socketserver
import threading
from dataclasses import dataclass, field


@dataclass
class Mailbox:
    user: str = "crm"
    password: str = "secret-pass"
    messages: list[tuple[int, bytes, set[str]]] = field(default_factory=list)  # uid, raw, flags
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, raw: bytes) -> int:
        with self.lock:
            uid = (self.messages[-1][0] + 1) if self.messages else 1
            self.messages.append((uid, raw, set()))
            return uid

    def seen(self) -> list[int]:
        with self.lock:
            return [uid for uid, _raw, flags in self.messages if "\\Seen" in flags]

    def forget_seen(self) -> None:
        with self.lock:
            for _uid, _raw, flags in self.messages:
                flags.discard("\\Seen")


class _Handler(socketserver.StreamRequestHandler):
    mailbox: Mailbox

    def send(self, line: bytes) -> None:
        self.wfile.write(line + b"\r\n")

    def handle(self) -> None:
        self.send(b"* OK IMAP4rev1 test server ready")
        authenticated = False
        while True:
            line = self.rfile.readline()
            if not line:
                return
            tag, _sp, rest = line.rstrip(b"\r\n").partition(b" ")
            command, _sp, args = rest.partition(b" ")
            command = command.upper()
            if command == b"CAPABILITY":
                self.send(b"* CAPABILITY IMAP4rev1")
            elif command == b"LOGIN":
                user, password = [a.strip(b'"') for a in args.split(b" ", 1)]
                authenticated = (user.decode(), password.decode()) == (
                    self.mailbox.user,
                    self.mailbox.password,
                )
                if not authenticated:
                    self.send(tag + b" NO LOGIN failed")
                    continue
            elif command == b"LOGOUT":
                self.send(b"* BYE logging out")
                self.send(tag + b" OK LOGOUT completed")
                return
            elif not authenticated:
                self.send(tag + b" NO not authenticated")
                continue
            elif command == b"SELECT":
                self.send(b"* %d EXISTS" % len(self.mailbox.messages))
                self.send(b"* FLAGS (\\Seen)")
                self.send(tag + b" OK [READ-WRITE] SELECT completed")
                continue
            elif command == b"CLOSE":
                pass
            elif command == b"UID":
                self._uid(args)
            else:
                self.send(tag + b" BAD unknown command")
                continue
            self.send(tag + b" OK " + command + b" completed")

    def _uid(self, args: bytes) -> None:
        sub, _sp, rest = args.partition(b" ")
        sub = sub.upper()
        with self.mailbox.lock:
            messages = list(self.mailbox.messages)
        if sub == b"SEARCH":
            uids = [str(uid).encode() for uid, _raw, flags in messages if "\\Seen" not in flags]
            self.send(b"* SEARCH " + b" ".join(uids))
            return
        uid_text, _sp, what = rest.partition(b" ")
        for seq, (uid, raw, flags) in enumerate(messages, start=1):
            if uid != int(uid_text):
                continue
            if sub == b"FETCH" and b"RFC822.SIZE" in what.upper():
                self.send(b"* %d FETCH (UID %d RFC822.SIZE %d)" % (seq, uid, len(raw)))
            elif sub == b"FETCH":
                self.wfile.write(b"* %d FETCH (UID %d BODY[] {%d}\r\n" % (seq, uid, len(raw)))
                self.wfile.write(raw)
                self.send(b")")
            elif sub == b"STORE":
                with self.mailbox.lock:
                    flags.update(re.findall(r"\\\w+", what.decode()))
                self.send(b"* %d FETCH (UID %d FLAGS (%s))" % (
                    seq, uid, " ".join(sorted(flags)).encode()))  # fmt: skip


class ImapServer:
    def __init__(self, mailbox: Mailbox) -> None:
        handler = type("Handler", (_Handler,), {"mailbox": mailbox})
        self.server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> ImapServer:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()
