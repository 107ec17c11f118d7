"""Run moto server (DynamoDB, Secrets Manager, ...) on 127.0.0.1 for tests and the local stack.

Usage: moto_server.py PORT   (0 picks any free port)

Prints exactly one line, `moto listening on http://127.0.0.1:PORT`, once the server accepts
connections. Exits by itself on SIGTERM/SIGINT or as soon as the process that started it dies,
so a crashed or killed test run never leaves a server behind.
"""

import os
import signal
import sys
import threading

from moto.server import ThreadedMotoServer

PARENT_POLL_SECONDS = 0.2


def main() -> None:
    if len(sys.argv) != 2:
        sys.exit("usage: moto_server.py PORT")
    port = int(sys.argv[1])
    parent_pid = os.getppid()

    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    _, bound_port = server.get_host_and_port()
    print(f"moto listening on http://127.0.0.1:{bound_port}", flush=True)

    while not stop.wait(PARENT_POLL_SECONDS):
        if os.getppid() != parent_pid:
            break
    server.stop()


if __name__ == "__main__":
    main()
