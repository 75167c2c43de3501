#!/usr/bin/env python3
"""A Cairn actor written in Python: a persisted counter.

The node starts this script as a process-mode guest and talks to it with the host protocol
(protocols/README.md, "Host protocol"): on stdin/stdout, frames that are a 4-byte big-endian
length followed by a MessagePack map. The node keeps the mailbox (order, retries, dead letters,
acks, persisted state); this script keeps the live state and runs the handler, one message at a
time. stdout carries frames only: log to stderr, or send `log` frames.

Needs only the standard library and msgpack (Debian: python3-msgpack).

Messages:
  {type: 'inc', by}        adds `by` to the counter
  {type: 'get'}            replies with the counter
  {type: 'config'}         replies with the actor's config (the init frame's "config")
  {type: 'boom'}           fails (retried, then dead-lettered; the actor keeps going)
  {type: 'crash'}          the process exits with code 3 on the first attempt; the supervisor
                           restarts the actor and the retry replies 'survived'
  {type: 'forward', to, by, ttl?}  sends {type: 'inc', by} to actor `to` on this site (with a time to live of ttl ms)
  {type: 'ask-other', to}  asks actor `to` for {type: 'get'} and replies with its answer
"""
import os
import struct
import sys

import msgpack

PROTOCOL_VERSION = 1
ASK_TIMEOUT_MS = 5000

stdin = sys.stdin.buffer
stdout = sys.stdout.buffer


def read_exact(size):
    data = b""
    while len(data) < size:
        chunk = stdin.read(size - len(data))
        if not chunk:
            return None  # the node closed our stdin: it is gone
        data += chunk
    return data


def read_frame():
    header = read_exact(4)
    if header is None:
        return None
    (size,) = struct.unpack(">I", header)
    body = read_exact(size)
    return None if body is None else msgpack.unpackb(body, raw=False)


def write_frame(frame):
    body = msgpack.packb(frame, use_bin_type=True)
    stdout.write(struct.pack(">I", len(body)) + body)
    stdout.flush()


def log(level, msg):
    write_frame({"t": "log", "level": level, "msg": msg})


class Failed(Exception):
    """An error to report with a Cairn error code (e.g. one an ask returned)."""

    def __init__(self, code, message):
        super().__init__(message)
        self.code = code


class Guest:
    def __init__(self):
        self.site = None
        self.config = {}
        self.state = None
        self.asks = 0

    def ask(self, to, body):
        """Asks another actor through the node, and waits for its answer."""
        self.asks += 1
        n = self.asks
        write_frame({"t": "ask", "n": n, "to": to, "body": body, "timeout": ASK_TIMEOUT_MS})
        while True:
            frame = read_frame()
            if frame is None:
                sys.exit(0)
            if frame.get("t") == "asked" and frame.get("n") == n:
                if frame["ok"]:
                    return frame.get("value")
                error = frame["error"]
                raise Failed(error["code"], error["message"])
            # One message at a time: nothing else is sent to us while we handle one.
            raise Failed("CAIRN_UNDECODABLE", "unexpected frame %r while waiting for an ask" % frame.get("t"))

    def handle(self, body, env, attempt):
        """Returns (reply, new state or None, sends). Raising fails the message."""
        kind = body.get("type")
        n = self.state["n"]
        if kind == "inc":
            return None, {"n": n + body["by"]}, []
        if kind == "get":
            return n, None, []
        if kind == "config":
            return self.config, None, []
        if kind == "boom":
            raise RuntimeError("boom")
        if kind == "crash":
            if attempt == 1:
                os._exit(3)
            return "survived", None, []
        if kind == "forward":
            # Deterministic ids (<incoming id>/<n>): a retried handler re-sends the same ids and
            # the mailbox drops the duplicates.
            send = {"to": "%s/%s" % (self.site, body["to"]), "id": "%s/1" % env["id"], "body": {"type": "inc", "by": body["by"]}}
            if "ttl" in body:
                send["ttl"] = body["ttl"]  # ms: the node drops it unhandled once that has passed
            return None, None, [send]
        if kind == "ask-other":
            return self.ask("%s/%s" % (self.site, body["to"]), {"type": "get"}), None, []
        raise ValueError("unknown message type %r" % kind)

    def on_frame(self, frame):
        t = frame.get("t")
        if t == "init":
            if frame.get("v") != PROTOCOL_VERSION:
                write_frame({"t": "failed", "error": "host protocol v%r is not supported (this guest speaks v%d)" % (frame.get("v"), PROTOCOL_VERSION)})
                return
            self.site = frame["site"]
            self.config = frame.get("config") or {}  # the actor's config, as ctx.config in JS
            stored = frame.get("state")
            if stored is not None:
                self.state = stored["value"]
                write_frame({"t": "ready"})
            else:
                self.state = {"n": 0}
                write_frame({"t": "ready", "state": {"value": self.state}})
            log("info", "py-counter %s started in pid %d with n=%d" % (frame["id"], os.getpid(), self.state["n"]))
        elif t == "msg":
            env = frame["env"]
            try:
                reply, new_state, sends = self.handle(env["body"], env, frame["attempt"])
            except Failed as err:
                write_frame({"t": "error", "n": frame["n"], "error": str(err), "code": err.code})
                return
            except Exception as err:  # a failing handler fails its message, not the guest
                write_frame({"t": "error", "n": frame["n"], "error": "%s: %s" % (type(err).__name__, err)})
                return
            done = {"t": "done", "n": frame["n"], "reply": reply, "sends": sends}
            if new_state is not None:
                self.state = new_state
                done["state"] = {"value": new_state}
            write_frame(done)
        elif t == "stop":
            write_frame({"t": "stopped"})
            sys.exit(0)


def main():
    guest = Guest()
    while True:
        frame = read_frame()
        if frame is None:
            return
        guest.on_frame(frame)


if __name__ == "__main__":
    main()
