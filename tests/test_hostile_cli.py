"""Hostile input to the command line, as a table: every case gives one line on stderr naming
what is wrong and what is allowed, exit status 2, no traceback, nothing written, and (for
--out) no simulation started.

The cases reproduce issue 9 ("Files, paths and signals", "serve") and their neighbours:
numbers too large for a float, TOML nested 1000 deep, devices, FIFOs, huge files, unreadable
files, names over 255 bytes, symlink loops and dangling links, busy ports, foreign addresses.
Most run in this process (fast); the ones that used to exhaust memory, block, or blow the
stack also run as real processes, where a traceback or a hang cannot hide.
"""

from __future__ import annotations

import os
import socket
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from hebblab.cli.main import main
from hebblab.sim.labs import get_lab

BIG = "9" * 400  # an integer no float can hold
DEEP = 1000


def _files(tmp: Path) -> dict:
    """Every file and link below tmp (not following links), for "nothing written"."""
    def describe(path):
        try:
            info = os.lstat(path)
        except OSError:
            return None
        return (stat.S_IFMT(info.st_mode), info.st_size if stat.S_ISREG(info.st_mode) else 0)

    out = {}
    for root, dirs, files in os.walk(tmp):
        for name in dirs + files:
            path = os.path.join(root, name)
            out[os.path.relpath(path, tmp)] = describe(path)
    return out


def _unreadable(tmp: Path) -> str:
    """A regular file this process cannot read (root reads anything chmod forbids: use a
    write-only sysctl then)."""
    path = tmp / "secret.toml"
    path.write_text('lab = "lif"\n')
    path.chmod(0)
    candidates = [str(path), "/proc/sys/vm/drop_caches", "/proc/sys/vm/compact_memory"]
    for candidate in candidates:
        try:
            os.close(os.open(candidate, os.O_RDONLY | os.O_NONBLOCK))
        except PermissionError:
            return candidate
        except OSError:
            continue
    pytest.skip("no file here is unreadable to this user")


def _setup(tmp: Path) -> dict[str, str]:
    """The hostile files and links the table refers to as {name}."""
    def config(name, text):
        (tmp / name).write_text(text, encoding="utf-8")
        return str(tmp / name)

    os.mkfifo(tmp / "fifo.toml")
    with (tmp / "huge.toml").open("wb") as f:  # sparse: 300 MB on paper, no disk used
        f.truncate(300 * 2**20)
    (tmp / "just_over.toml").write_bytes(b'lab = "lif"\n' + b"#" * (2**20))  # 1 MiB + 12 bytes
    (tmp / "latin1.toml").write_bytes(b'lab = "l\xeff"\n')
    (tmp / "cfgdir").mkdir()
    os.mkfifo(tmp / "cfgdir" / "experiment.toml")
    (tmp / "emptydir").mkdir()
    (tmp / "full").mkdir()
    (tmp / "full" / "keep.txt").write_text("mine")
    (tmp / "a_file").write_text("x")
    os.symlink("loop_b", tmp / "loop_a")
    os.symlink("loop_a", tmp / "loop_b")
    os.symlink("nowhere", tmp / "dangling")
    os.symlink("a_file", tmp / "link_to_file")
    names = {
        "tmp": str(tmp),
        "fifo": str(tmp / "fifo.toml"),
        "huge": str(tmp / "huge.toml"),
        "just_over": str(tmp / "just_over.toml"),
        "latin1": str(tmp / "latin1.toml"),
        "cfgdir": str(tmp / "cfgdir"),
        "emptydir": str(tmp / "emptydir"),
        "full": str(tmp / "full"),
        "a_file": str(tmp / "a_file"),
        "loop": str(tmp / "loop_a"),
        "dangling": str(tmp / "dangling"),
        "link_to_file": str(tmp / "link_to_file"),
        "unreadable": _unreadable(tmp),
        "long_name": str(tmp / ("n" * 256)),
        "long_path": str(tmp / "/".join(["d" * 250] * 17)),
        "dur_big": config("dur_big.toml", f'lab = "lif"\nduration_ms = {BIG}\n'),
        "dur_neg": config("dur_neg.toml", f'lab = "lif"\nduration_ms = -{BIG}\n'),
        "dur_inf": config("dur_inf.toml", 'lab = "lif"\nduration_ms = 1e400\n'),
        "dur_5000": config("dur_5000.toml", 'lab = "lif"\nduration_ms = ' + "9" * 5000 + "\n"),
        "seed_big": config("seed_big.toml", f'lab = "lif"\nseed = {BIG}\n'),
        "param_big": config("param_big.toml", f'lab = "lif"\n[params]\nI_ext_nA = {BIG}\n'),
        "param_neg": config("param_neg.toml", f'lab = "lif"\n[params]\nI_ext_nA = -{BIG}\n'),
        "param_int_big": config("param_int_big.toml", f'lab = "hebb"\n[params]\nn_pre = {BIG}\n'),
        "param_int_64": config("param_int_64.toml", 'lab = "hebb"\n[params]\nn_pre = 9223372036854775807\n'),
        "deep_array": config("deep_array.toml", 'lab = "lif"\n[params]\nI_ext_nA = ' + "[" * DEEP + "]" * DEEP + "\n"),
        "deep_table": config("deep_table.toml",
                             'lab = "lif"\n[params]\nI_ext_nA = ' + "{a = " * DEEP + "1" + " }" * DEEP + "\n"),
        "deep_top": config("deep_top.toml", 'lab = "lif"\nnote = ' + "[" * DEEP + "]" * DEEP + "\n"),
        "shallow_array": config("shallow_array.toml",
                                'lab = "lif"\n[params]\nI_ext_nA = ' + "[" * 50 + "1" + "]" * 50 + "\n"),
        "param_table": config("param_table.toml", 'lab = "lif"\n[params.I_ext_nA]\nx = 1\n'),
        "note_table": config("note_table.toml", 'lab = "lif"\nnote = {a = 1}\n'),
        "long_lab": config("long_lab.toml", 'lab = "' + "x" * 5000 + '"\n'),
        "good": config("good.toml", 'lab = "lif"\nduration_ms = 20\n'),
        "deep_json": config("deep.json", "[" * 100_000 + "]" * 100_000),
        "digits_json": config("digits.json", '{"a": ' + "9" * 5000 + "}"),
    }
    return names


RUN = ["run", "lif", "--duration", "3600000"]  # an hour: too long to finish if --out were checked after
SWEEP = ["sweep", "lif", "--vary", "I_ext_nA=1:2:1", "--duration", "3600000", "--jobs", "1"]

# (id, argv with {names}, texts the one line must contain)
CASES = [
    # --config: numbers no float can hold
    ("dur 400 digits", ["run", "--config", "{dur_big}"], ["duration_ms", "out of range", "(0, 3600000]", "400-digit"]),
    ("dur -400 digits", ["run", "--config", "{dur_neg}"], ["duration_ms", "(0, 3600000]", "negative 400-digit"]),
    ("dur 1e400", ["run", "--config", "{dur_inf}"], ["duration_ms", "finite"]),
    ("dur 5000 digits", ["run", "--config", "{dur_5000}"], ["dur_5000.toml", "invalid TOML", "too many digits"]),
    ("seed 400 digits", ["run", "--config", "{seed_big}"], ["seed_big.toml:2", "seed", "[0, 4294967295]", "400-digit"]),
    ("param 400 digits", ["run", "--config", "{param_big}"],
     ["param_big.toml:3", "I_ext_nA", "[-10, 10]", "400-digit"]),
    ("param -400 digits", ["run", "--config", "{param_neg}"], ["I_ext_nA", "[-10, 10]", "negative 400-digit"]),
    ("int param 400 digits", ["run", "--config", "{param_int_big}"], ["n_pre", "[1, 64]", "400-digit"]),
    ("int param int64 max", ["run", "--config", "{param_int_64}"], ["n_pre", "out of range", "[1, 64]"]),
    # --config: nesting
    ("arrays 1000 deep", ["run", "--config", "{deep_array}"], ["deep_array.toml", "nested too deeply"]),
    ("tables 1000 deep", ["run", "--config", "{deep_table}"], ["deep_table.toml", "nested too deeply"]),
    ("top key 1000 deep", ["run", "--config", "{deep_top}"], ["deep_top.toml", "nested too deeply"]),
    ("array 50 deep", ["run", "--config", "{shallow_array}"], ["I_ext_nA", "[-10, 10]", "got an array"]),
    ("param as table", ["run", "--config", "{param_table}"], ["I_ext_nA", "got a table"]),
    ("note as table", ["run", "--config", "{note_table}"], ["note", "expected a string, got a table"]),
    # --config: not a regular file of sane size
    ("/dev/zero", ["run", "--config", "/dev/zero"], ["--config", "/dev/zero is a character device", "experiment.toml"]),
    ("/dev/null", ["run", "--config", "/dev/null"], ["--config", "character device"]),
    ("fifo", ["run", "--config", "{fifo}"], ["--config", "named pipe (FIFO)"]),
    ("dir holding a fifo", ["run", "--config", "{cfgdir}"], ["--config", "experiment.toml is a named pipe"]),
    ("300 MB", ["run", "--config", "{huge}"], ["--config", "huge.toml is 300 MiB", "at most 1 MiB"]),
    ("1 MiB + 12 bytes", ["run", "--config", "{just_over}"], ["--config", "1048588 bytes", "at most 1 MiB"]),
    ("unreadable", ["run", "--config", "{unreadable}"], ["--config", "cannot read: permission denied"]),
    ("not UTF-8", ["run", "--config", "{latin1}"], ["--config", "not UTF-8"]),
    ("dir without config", ["run", "--config", "{emptydir}"], ["--config", "experiment.toml: no such file"]),
    ("config symlink loop", ["run", "--config", "{loop}"], ["--config", "symbolic link in the path loops"]),
    ("config dangling link", ["run", "--config", "{dangling}"], ["--config", "no such file"]),
    ("config name 256 bytes", ["run", "--config", "{long_name}"], ["--config", "256 bytes", "at most 255"]),
    ("config path over 4096 bytes", ["run", "--config", "{long_path}"], ["--config", "bytes long; at most 4095"]),
    ("config ''", ["run", "--config", ""], ["--config", "expected a file name"]),
    ("lab 5000 chars", ["run", "--config", "{long_lab}"], ["long_lab.toml:1", "lab"]),
    # --out: checked before the run
    ("out name 256 bytes", [*RUN, "--out", "{long_name}"], ["--out", "256 bytes", "at most 255"]),
    ("out path over 4096 bytes", [*RUN, "--out", "{long_path}"], ["--out", "at most 4095"]),
    ("out symlink loop", [*RUN, "--out", "{loop}"], ["--out", "loop_a is a symbolic link loop"]),
    ("out dangling link", [*RUN, "--out", "{dangling}"], ["--out", "dangling is a symbolic link to nowhere",
                                                         "does not exist"]),
    ("out below a loop", [*RUN, "--out", "{loop}/run"], ["--out", "symbolic link in the path loops"]),
    ("out below a dangling link", [*RUN, "--out", "{dangling}/run"], ["--out", "symbolic link to nowhere"]),
    ("out link to a file", [*RUN, "--out", "{link_to_file}"], ["--out", "not a directory"]),
    ("out below a file", [*RUN, "--out", "{a_file}/run"], ["--out", "a_file is a file"]),
    ("out not empty", [*RUN, "--out", "{full}"], ["--out", "not empty"]),
    ("out ''", [*RUN, "--out", ""], ["--out", "expected a directory name"]),
    ("sweep out name 256 bytes", [*SWEEP, "--out", "{long_name}"], ["--out", "at most 255"]),
    ("sweep out symlink loop", [*SWEEP, "--out", "{loop}"], ["--out", "symbolic link loop"]),
    ("sweep out dangling link", [*SWEEP, "--out", "{dangling}"], ["--out", "does not exist"]),
    # `export --out` writes one file
    ("export out name 256 bytes", ["export", "lif", "--to", "brian2", "--out", "{long_name}"], ["--out", "at most 255"]),
    ("export out path over 4096 bytes", ["export", "lif", "--to", "brian2", "--out", "{long_path}"],
     ["--out", "at most 4095"]),
    ("export out symlink loop", ["export", "lif", "--to", "brian2", "--out", "{loop}"], ["--out", "symbolic link loop"]),
    ("export out dangling link", ["export", "lif", "--to", "brian2", "--out", "{dangling}"],
     ["--out", "symbolic link to nowhere"]),
    # `compare --config` reads a compare.json (or the directory holding one) the same careful way
    ("compare config name 256 bytes", ["compare", "--config", "{long_name}"], ["--config", "256 bytes", "at most 255"]),
    ("compare config path over 4096 bytes", ["compare", "--config", "{long_path}"], ["--config", "at most 4095"]),
    ("compare config fifo", ["compare", "--config", "{fifo}"], ["--config", "named pipe (FIFO)", "compare.json"]),
    ("compare config /dev/zero", ["compare", "--config", "/dev/zero"], ["--config", "character device"]),
    ("compare config 300 MB", ["compare", "--config", "{huge}"], ["--config", "300 MiB", "at most 16 MiB"]),
    ("compare config symlink loop", ["compare", "--config", "{loop}"], ["--config", "symbolic link in the path loops"]),
    ("compare config unreadable", ["compare", "--config", "{unreadable}"], ["--config", "permission denied"]),
    ("compare config not UTF-8", ["compare", "--config", "{latin1}"], ["--config", "not UTF-8"]),
    ("compare config not JSON", ["compare", "--config", "{a_file}"], ["--config", "invalid JSON", "line 1"]),
    ("compare config deep JSON", ["compare", "--config", "{deep_json}"], ["--config", "nested too deeply"]),
    ("compare config 5000 digits", ["compare", "--config", "{digits_json}"], ["--config", "too many digits"]),
    ("compare config dir without", ["compare", "--config", "{emptydir}"], ["--config", "compare.json: no such file"]),
    ("compare config ''", ["compare", "--config", ""], ["--config", "expected a file name"]),
    # the command line's own numbers
    ("--duration 400 digits", ["run", "lif", "--duration", BIG], ["--duration", "(0, 3600000]"]),
    ("--seed 400 digits", ["run", "lif", "--seed", BIG], ["seed", "[0, 4294967295]"]),
    ("--set 400 digits", ["run", "lif", "--set", f"I_ext_nA={BIG}"], ["I_ext_nA", "[-10, 10]"]),
    ("--vary 400 digits", ["sweep", "lif", "--vary", f"I_ext_nA=1:{BIG}:1"],
     ["I_ext_nA", "STOP is too large, got a 400-digit number", "(413 characters)"]),
    ("--jobs 400 digits", ["sweep", "lif", "--vary", "I_ext_nA=1:2:1", "--jobs", BIG], ["--jobs", "[1, 256]"]),
    ("--port 400 digits", ["serve", "--port", BIG], ["--port", "1, 65535"]),
    # serve: what cannot be bound is refused before anything is announced
    ("serve foreign address", ["serve", "--host", "192.0.2.1", "--port", "{free_port}"],
     ["--host", "192.0.2.1 is not an address of this machine", "127.0.0.1"]),
    ("serve unresolvable host", ["serve", "--host", "no-such-host.invalid", "--port", "{free_port}"],
     ["--host", "cannot resolve 'no-such-host.invalid'"]),
    ("serve bad host text", ["serve", "--host", "exa mple..com", "--port", "{free_port}"],
     ["--host", "cannot resolve"]),
    ("serve port in use", ["serve", "--port", "{busy_port}"], ["--port", "already in use on 127.0.0.1"]),
    ("serve port in use, [::1]", ["serve", "--host", "[::1]", "--port", "{busy_port6}"],
     ["--port", "already in use on ::1"]),
    ("serve empty host", ["serve", "--host", " "], ["--host", "expected an address"]),
    ("serve public url no scheme", ["serve", "--public-url", "example.com:8000"], ["--public-url", "http://HOST"]),
    ("serve public url ftp", ["serve", "--public-url", "ftp://example.com"], ["--public-url", "http://HOST"]),
    ("serve public url bad port", ["serve", "--public-url", "http://example.com:99999"], ["--public-url"]),
    ("serve public url query", ["serve", "--public-url", "http://example.com/?a=1"], ["--public-url"]),
]


@pytest.fixture
def ports():
    """A free port, one held by a listening socket (IPv4 loopback), and one on ::1."""
    held = []
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        free = probe.getsockname()[1]
    busy = socket.socket()
    busy.bind(("127.0.0.1", 0))
    busy.listen(1)
    held.append(busy)
    busy6 = None
    try:
        s6 = socket.socket(socket.AF_INET6)
        s6.bind(("::1", 0))
        s6.listen(1)
        held.append(s6)
        busy6 = s6.getsockname()[1]
    except OSError:
        pass
    yield {"free_port": str(free), "busy_port": str(busy.getsockname()[1]), "busy_port6": str(busy6)}
    for s in held:
        s.close()


def _argv(argv, names):
    return [a.format(**names) if "{" in a else a for a in argv]


def one_line_error(code, out, err, expected):
    assert code == 2, err
    assert out == ""
    assert err.startswith("hebblab: error: ") and err.count("\n") == 1, err
    assert "Traceback" not in err
    for text in expected:
        assert text in err, err


@pytest.mark.parametrize("argv, expected", [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_hostile_input_is_one_line_exit_2_and_writes_nothing(argv, expected, tmp_path, ports, capsys,
                                                              monkeypatch):
    names = {**_setup(tmp_path), **ports}
    if "{busy_port6}" in argv and ports["busy_port6"] == "None":
        pytest.skip("no IPv6 loopback here")
    lab_cls = get_lab("lif")

    def no_run(*args, **kwargs):
        raise AssertionError("the simulation started before the input was refused")

    monkeypatch.setattr(lab_cls, "run", no_run)
    monkeypatch.setattr("hebblab.sim.sweep.run_sweep", no_run)
    monkeypatch.setattr("hebblab.cli.commands.serve.bound_server_class", lambda: no_run)
    monkeypatch.chdir(tmp_path)
    before = _files(tmp_path)
    code = main(_argv(argv, names))
    out, err = capsys.readouterr()
    one_line_error(code, out, err, expected)
    assert _files(tmp_path) == before  # nothing written, not even a probe or a temp dir


# The cases that used to take the process down (MemoryError, RecursionError, a hang) run as real
# processes too: a hang shows as a timeout, a traceback in stderr.
PROCESS = ["dur 400 digits", "param 400 digits", "arrays 1000 deep", "tables 1000 deep", "/dev/zero", "fifo",
           "300 MB", "config name 256 bytes", "out symlink loop", "out dangling link", "serve port in use"]


@pytest.mark.parametrize("case", PROCESS)
def test_hostile_input_in_a_real_process(case, tmp_path, ports):
    names = {**_setup(tmp_path), **ports}
    argv, expected = next(c[1:] for c in CASES if c[0] == case)
    before = _files(tmp_path)
    proc = subprocess.run([sys.executable, "-m", "hebblab", *_argv(argv, names)], cwd=tmp_path,
                          capture_output=True, text=True, timeout=60, stdin=subprocess.DEVNULL)
    one_line_error(proc.returncode, proc.stdout, proc.stderr, expected)
    assert _files(tmp_path) == before


# -- the neighbours that must keep working ----------------------------------------------------------
def test_out_through_a_link_to_an_empty_directory_fills_the_target(tmp_path, capsys):
    (tmp_path / "target").mkdir()
    os.symlink("target", tmp_path / "link")
    assert main(["run", "lif", "--duration", "20", "--out", str(tmp_path / "link"), "--json"]) == 0
    assert (tmp_path / "link").is_symlink()
    assert (tmp_path / "target" / "experiment.toml").is_file()
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]


def test_out_below_a_link_to_a_directory_works(tmp_path, capsys):
    (tmp_path / "real").mkdir()
    os.symlink("real", tmp_path / "link")
    assert main(["run", "lif", "--duration", "20", "--out", str(tmp_path / "link" / "new" / "run"), "--json"]) == 0
    assert (tmp_path / "real" / "new" / "run" / "metrics.json").is_file()


def test_a_255_byte_name_is_allowed(tmp_path, capsys):
    out = tmp_path / ("n" * 255)
    assert main(["run", "lif", "--duration", "20", "--out", str(out), "--json"]) == 0
    assert (out / "experiment.toml").is_file()
    assert main(["run", "--config", str(out / "experiment.toml"), "--json"]) == 0


def test_a_config_of_exactly_the_limit_is_read(tmp_path, capsys):
    from hebblab.runfiles import MAX_CONFIG_BYTES

    head = b'lab = "lif"\nduration_ms = 20\n'
    path = tmp_path / "max.toml"
    path.write_bytes(head + b"#" * (MAX_CONFIG_BYTES - len(head) - 1) + b"\n")
    assert path.stat().st_size == MAX_CONFIG_BYTES
    assert main(["run", "--config", str(path), "--json"]) == 0


def test_a_config_in_a_directory_is_read(tmp_path, capsys):
    (tmp_path / "experiment.toml").write_text('lab = "lif"\nduration_ms = 20\n')
    assert main(["run", "--config", str(tmp_path), "--json"]) == 0


def test_reading_a_fifo_config_never_opens_it_for_long(tmp_path):
    """Even a FIFO with a writer waiting is refused, not read: the writer is not fed."""
    from hebblab.errors import UsageError
    from hebblab.runfiles import load_config

    os.mkfifo(tmp_path / "p")
    with pytest.raises(UsageError, match="named pipe"):
        load_config(tmp_path / "p")


def test_bind_skips_an_address_family_the_machine_lacks(monkeypatch):
    """localhost names ::1 too; without IPv6 that address is skipped, not an error."""
    from hebblab.cli.commands import serve

    real = socket.getaddrinfo

    def both(host, port, *args, **kwargs):
        v4 = real("127.0.0.1", port, *args, **kwargs)
        fake6 = [(socket.AF_INET6, socket.SOCK_STREAM, 6, "", ("2001:db8::1", port, 0, 0))]
        return fake6 + v4

    monkeypatch.setattr(socket, "getaddrinfo", both)
    socks = serve.bind("localhost", 0)
    try:
        assert [s.family for s in socks] == [socket.AF_INET]
    finally:
        for s in socks:
            s.close()


@pytest.mark.parametrize("host, port, url", [
    ("127.0.0.1", 8000, "http://127.0.0.1:8000"),
    ("::1", 8000, "http://[::1]:8000"),
    ("localhost", 9001, "http://localhost:9001"),
    ("fe80::1%eth0", 80, "http://[fe80::1%eth0]:80"),
])
def test_urls_put_ipv6_addresses_in_brackets(host, port, url):
    from hebblab.cli.commands.serve import default_public_url

    assert default_public_url(host, port) == url


@pytest.mark.parametrize("host", ["0.0.0.0", "::"])
def test_a_wildcard_host_is_published_as_a_reachable_address(host):
    from hebblab.cli.commands.serve import default_public_url, is_wildcard

    url = default_public_url(host, 8000)
    published = url.removeprefix("http://").rsplit(":", 1)[0].strip("[]")
    assert url.startswith("http://") and url.endswith(":8000")
    assert not is_wildcard(published), url  # a browser elsewhere cannot fetch from 0.0.0.0


@pytest.mark.parametrize("text, url", [
    ("http://lab.example.org:8000/", "http://lab.example.org:8000"),
    ("https://lab.example.org/hebblab", "https://lab.example.org/hebblab"),
    (" http://[::1]:8000 ", "http://[::1]:8000"),
])
def test_public_url_accepts_http_urls_without_the_trailing_slash(text, url):
    from hebblab.cli.commands.serve import check_public_url

    assert check_public_url(text) == url

