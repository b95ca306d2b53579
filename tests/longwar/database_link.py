"""A link to the test database that tests cut at will, as if PostgreSQL stopped, hung or restarted."""

import socket
import threading
import time
from pathlib import Path

from django.db import connection


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class DatabaseLink:
    """A TCP proxy to the test database: the network between the site and PostgreSQL, cut at will."""

    def __init__(self, upstream):
        self.upstream = upstream  # a socket path, or (host, port)
        self.port = free_port()
        self.hang = False
        self.sockets: list[socket.socket] = []
        self.lock = threading.Lock()
        self.listening = threading.Event()
        self.open()

    def open(self) -> None:
        self.hang = False
        listener = socket.create_server(("127.0.0.1", self.port), reuse_port=False)
        listener.settimeout(0.1)
        self.listening.set()
        threading.Thread(target=self._accept, args=(listener,), daemon=True).start()

    def _accept(self, listener: socket.socket) -> None:
        with listener:
            while self.listening.is_set():
                try:
                    client, _ = listener.accept()
                except TimeoutError:
                    continue
                client.settimeout(None)
                self._keep(client)
                if self.hang:
                    continue  # accepted, never answered
                family = socket.AF_UNIX if isinstance(self.upstream, str) else socket.AF_INET
                server = socket.socket(family)
                server.connect(self.upstream)
                self._keep(server)
                for source, target in ((client, server), (server, client)):
                    threading.Thread(target=self._pump, args=(source, target), daemon=True).start()

    def _keep(self, sock: socket.socket) -> None:
        with self.lock:
            self.sockets.append(sock)

    @staticmethod
    def _pump(source: socket.socket, target: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                target.sendall(data)
        except OSError:
            pass
        for sock in (source, target):
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

    def drop_connections(self) -> None:
        with self.lock:
            doomed, self.sockets = self.sockets, []
        for sock in doomed:
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            sock.close()

    def stop(self) -> None:
        """Like a server that stops: connections drop, new ones are refused."""
        self.listening.clear()
        time.sleep(0.2)  # the accept loop sees it and closes the port
        self.drop_connections()

    def freeze(self) -> None:
        """Like a server that hangs: connections drop, new ones are accepted and never answered."""
        self.hang = True
        self.drop_connections()

    def restore(self) -> None:
        if self.listening.is_set():
            self.hang = False
            self.drop_connections()  # the hung ones
        else:
            self.open()

    def close(self) -> None:
        self.listening.clear()
        self.drop_connections()


def database_url_through(link: DatabaseLink) -> str:
    """DATABASE_URL for a process that reaches the test database through the link."""
    db = connection.settings_dict
    return f"postgresql://{db['USER']}:{db['PASSWORD'] or ''}@127.0.0.1:{link.port}/{db['NAME']}"


def upstream() -> str | tuple[str, int]:
    """Where the test database listens: its socket file, or its host and port."""
    db = connection.settings_dict
    if db["HOST"].startswith("/"):
        return str(Path(db["HOST"]) / f".s.PGSQL.{db['PORT'] or 5432}")
    return (db["HOST"], int(db["PORT"] or 5432))
