"""`confide serve`: waitress, in one process or in several sharing one listening socket.

Python runs one thread at a time per process, so on a machine with more than one core a single
process leaves the others idle (bench/RESULTS.md, web). With several, the parent only starts,
watches and stops them.

A browser keeps its connection open and sends page after page down it, so whichever process
accepted the connection serves that person until it closes. Left to the kernel, one process could
take every connection while another sat idle (seen in bench/web.py: ten users, all on one of two
processes, and pages twice as slow). So the processes share out connections: each publishes how
many it holds, and one that holds more than another waits a moment before accepting, letting the
less busy one take the connection first. If that one does not (it is stuck, say), the busier one
accepts after the wait anyway: a connection is never left waiting for long.

The parent process (or the one process) also signs the audit log's head every
CONFIDE_AUDIT_CHECKPOINT_MINUTES when events were added, from one thread of its own
(confide/audit/checkpoint.py), and once more as it stops.
"""

from __future__ import annotations

import errno
import os
import signal
import socket
import threading
import time
from multiprocessing.sharedctypes import RawArray

# How long a busier process lets the others go first. A less busy process may need one turn of
# Python's thread switching (5 ms) to run its accept, so a little more than that.
YIELD_SECONDS = 0.008


class PortUnavailable(Exception):
    """The address to serve on cannot be listened on (another program holds the port, say). The
    message is one sentence for a person; `port` is the port asked for."""

    def __init__(self, message: str, port: int):
        super().__init__(message)
        self.port = port


def listen(host: str, port: int) -> socket.socket:
    """The listening socket to serve on, taken before anything else is done, so a port another
    program holds is said in one line at the start (never a traceback from deep in waitress), and
    nothing can take it between the check and the serving."""
    try:
        return socket.create_server((host, port), backlog=1024)
    except OverflowError:
        raise PortUnavailable(f"Port {port} is not a port number (1 to 65535).", port) from None
    except PermissionError:
        raise PortUnavailable(f"Port {port} needs administrator rights.", port) from None
    except OSError as exc:
        if exc.errno == errno.EADDRINUSE:
            raise PortUnavailable(f"Port {port} is in use.", port) from None
        if exc.errno in (errno.EADDRNOTAVAIL, errno.EAFNOSUPPORT) or isinstance(exc, socket.gaierror):
            raise PortUnavailable(f"Cannot listen on {host}: it is not an address of this machine.", port) from None
        raise


def free_port_after(host: str, port: int, tries: int = 20) -> int | None:
    """The first port after `port` that is free to listen on now (to suggest one), or None."""
    for candidate in range(port + 1, min(port + 1 + tries, 65536)):
        try:
            socket.create_server((host, candidate)).close()
        except OSError:
            continue
        return candidate
    return None


def serve(application, listener: socket.socket, processes: int, options: dict) -> int:
    """Serve on `listener` (from listen()) until stopped."""
    import waitress

    if processes <= 1:
        checkpointer = _checkpointer()
        try:
            waitress.serve(application, sockets=[listener], **options)
        finally:
            checkpointer.stop()
            listener.close()
        return 0
    return _serve_forked(application, listener, processes, options)


def _checkpointer():
    """The audit checkpoint thread, in this process only (never in a served child)."""
    from django.conf import settings

    from confide.audit.checkpoint import Checkpointer

    return Checkpointer(settings.AUDIT_CHECKPOINT_MINUTES).start()


def _balanced(held, index: int):
    """waitress.create_server, with this process's listening server taking connections in turn."""
    import waitress.server

    def create(application, **kw):
        server = waitress.server.create_server(application, **kw)
        channels = server._map  # every dispatcher of this process: its connections, listener, wake-up pipe
        readable, accept = server.readable, server.accept

        def publish():
            held[index] = len(channels)  # the same two non-connections in every process
            return readable()

        def accept_in_turn():
            mine = len(channels)
            if any(theirs < mine for n, theirs in enumerate(held) if n != index):
                time.sleep(YIELD_SECONDS)  # a less busy process may take it; if not, this one does
            return accept()  # non-blocking: None when another process took the connection

        server.readable, server.accept = publish, accept_in_turn
        return server

    return create


def _exit_with_parent(parent: int) -> None:
    """A served process never outlives the `confide serve` that started it (killed outright, say)."""

    def watch():
        while os.getppid() == parent:
            time.sleep(1)
        os._exit(0)

    threading.Thread(target=watch, daemon=True, name="confide-parent-watch").start()


def _serve_forked(application, listener: socket.socket, processes: int, options: dict) -> int:
    import waitress
    from django.db import connections

    from confide.keys import runtime

    held = RawArray("i", processes)  # shared memory: how many dispatchers each process holds
    connections.close_all()  # no database connection may be shared across a fork
    runtime.forget()
    children: list[int] = []
    for index in range(processes):
        pid = os.fork()
        if pid == 0:  # the child serves until it is told to stop, or its parent is gone
            signal.signal(signal.SIGINT, signal.SIG_DFL)
            signal.signal(signal.SIGTERM, signal.SIG_DFL)
            _exit_with_parent(os.getppid())
            try:
                # `_server` is waitress's own hook for the server factory (its tests use it), and
                # `_map` its table of this process's dispatchers: both private, so waitress is
                # pinned below 4 and tests/test_demo.py checks the sharing out still happens.
                waitress.serve(application, sockets=[listener], _server=_balanced(held, index), **options)
            finally:
                os._exit(0)
        children.append(pid)
    checkpointer = _checkpointer()  # started after the forks: a fork copies only the thread that forks

    def stop(signum, frame):
        for pid in children:
            try:
                os.kill(pid, signal.SIGTERM)
            except ProcessLookupError:
                pass

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    status = 0
    for pid in children:
        _, code = os.waitpid(pid, 0)
        if os.waitstatus_to_exitcode(code) not in (0, -signal.SIGTERM):
            status = 1
            stop(None, None)  # one child failed: stop the rest rather than serve at half strength
    listener.close()
    checkpointer.stop()
    return status
