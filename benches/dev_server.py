"""What benches/serve.py and benches/serve_start.py share: starting a dev
server with its output in a log file, fetching a page from it, stopping it."""
import os
import signal
import subprocess
import urllib.request


def start(command, log_file):
    log = open(log_file, "w")
    return subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)


def fetch(base, path, timeout):
    """The page's text, or None if the server did not answer it."""
    try:
        with urllib.request.urlopen(base + path, timeout=timeout) as r:
            return r.read().decode("utf-8", "replace")
    except Exception:
        return None


def stop(server):
    """Ctrl-C, as a user would; killed if it does not stop in 20 s."""
    os.killpg(server.pid, signal.SIGINT)
    try:
        server.wait(timeout=20)
    except subprocess.TimeoutExpired:
        os.killpg(server.pid, signal.SIGKILL)
