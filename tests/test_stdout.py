"""Standard output that cannot take the output: a reader that stops early (`| head`) and a
full disk (`> out.txt`, /dev/full). Never a traceback; a full disk says so in one line."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

COMMANDS = [["labs"], ["compare", "lif", "--pair", "ex1", "--duration", "200"], ["run", "lif", "--duration", "200"],
            ["export", "lif", "--to", "brian2"]]


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="no /dev/full here")
@pytest.mark.parametrize("argv", COMMANDS, ids=[a[0] for a in COMMANDS])
def test_a_full_disk_is_one_line_and_exit_1(argv):
    with open("/dev/full", "w") as full:
        proc = subprocess.run([sys.executable, "-m", "hebblab", *argv], stdout=full, stderr=subprocess.PIPE,
                              text=True, timeout=120)
    assert proc.returncode == 1
    assert proc.stderr == "hebblab: error: No space left on device\n", proc.stderr


@pytest.mark.parametrize("argv", COMMANDS, ids=[a[0] for a in COMMANDS])
def test_a_reader_that_stops_early_ends_it_quietly(argv):
    proc = subprocess.Popen([sys.executable, "-m", "hebblab", *argv], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    proc.stdout.read(1)  # as `| head -c 1`: one byte, then the pipe is closed
    proc.stdout.close()
    err = proc.stderr.read().decode()
    assert proc.wait(timeout=120) in (0, 1)  # 0 when everything fitted in the pipe before it closed
    assert err == "", err
