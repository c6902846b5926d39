"""hebblab's NEST extension module: pair STDP that transmits an input spike with the weight
it had before the spike's depression (hebblab's order and that of Song, Miller & Abbott 2000;
NEST's own stdp_synapse depresses first, which lowers the stdp lab's rates by ~18 %).

    python -m hebblab.engines.nest_module      builds it for the NEST this Python imports

It goes beside NEST's Python package (NEST_PACKAGE/extension_modules/hebblabmodule.so),
where the exported stdp script and `--engine nest` look for it. Needs cmake, a C++ compiler
and NEST's nest-config and headers (the nest-simulator wheel ships both).
"""

from __future__ import annotations

import glob
import importlib.util
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from hebblab.errors import UsageError

MODULE = "hebblabmodule"
SYNAPSES = ("stdp_transmit_first_synapse", "stdp_nn_symm_transmit_first_synapse")  # all-to-all, nearest
SOURCE = Path(__file__).resolve().parent
BUILD_COMMAND = "python -m hebblab.engines.nest_module"
SYSTEM_INCLUDES = ("/usr/include", "/usr/local/include")  # searched anyway; -I there reorders the system's


def nest_package() -> Path:
    """NEST's Python package directory, found without starting NEST's kernel."""
    spec = importlib.util.find_spec("nest")
    if spec is None or not spec.submodule_search_locations:
        raise UsageError("nest_module: needs nest, which is not installed here; install the 'nest' extra: "
                         "pip install 'hebblab[nest]'")
    return Path(list(spec.submodule_search_locations)[0])


def module_dir() -> Path:
    return nest_package() / "extension_modules"


def tool(name: str, what: str) -> str:
    """The path of a build tool: on PATH or beside this Python (a venv's bin/)."""
    found = shutil.which(name) or shutil.which(name, path=str(Path(sys.executable).parent))
    if not found:
        raise UsageError(f"nest_module: needs {what} ({name}), which is not found on PATH or beside "
                         f"{sys.executable}; install it and run {BUILD_COMMAND} again")
    return found


def compiler() -> str:
    for name in filter(None, (os.environ.get("CXX"), "c++", "g++", "clang++")):
        if shutil.which(name):
            return shutil.which(name)
    raise UsageError(f"nest_module: needs a C++ compiler (CXX, c++, g++ or clang++), none found on PATH; "
                     f"install one (e.g. apt-get install g++) and run {BUILD_COMMAND} again")


def named_includes(nest_config: str) -> list[Path]:
    """The header directories `nest-config --includes` names, in its order."""
    out = subprocess.run([nest_config, "--includes"], capture_output=True, text=True).stdout.split()
    return [Path(x[2:]) for x in out if x.startswith("-I")]


def include_dir(named: list[Path], package: Path) -> Path:
    """NEST's headers: where nest-config says (`named`), else in the package (wheels relocate them)."""
    places = [*named, package / "include" / "nest"]
    for place in places:
        if (place / "nest_extension_interface.h").is_file():
            return place
    raise UsageError(f"nest_module: NEST's headers (nest_extension_interface.h) are not in "
                     f"{', '.join(map(str, places))}; install a NEST that ships them (nest-simulator >= 3.10)")


def other_includes(named: list[Path], nest_dir: Path) -> list[str]:
    """The other header directories nest-config names (`named`), those that exist (a NEST
    built with MPI includes mpi.h in its headers, from MPI's own directory); not the system's."""
    dirs: list[str] = []
    for place in named:
        if place.is_dir() and place != nest_dir and str(place) not in SYSTEM_INCLUDES and str(place) not in dirs:
            dirs.append(str(place))
    return dirs


def cxx11_abi(nest_config: str, package: Path) -> str:
    """'0' or '1': the std::string ABI NEST's kernel was built with ('' if no library tells)."""
    prefix = subprocess.run([nest_config, "--prefix"], capture_output=True, text=True).stdout.strip()
    for lib in glob.glob(str(package / "nestkernel*.so")) + glob.glob(f"{prefix}/lib*/nest/libnestkernel.so"):
        data = Path(lib).read_bytes()
        if b"_ZN4nest14install_moduleERKSs" in data:  # install_module(std::string const&), old ABI
            return "0"
        if b"_ZN4nest14install_moduleERKNSt7__cxx11" in data:
            return "1"
    return ""


def build() -> Path:
    """Configure, compile and install the module; its path. UsageError (one line) on failure."""
    cmake = tool("cmake", "cmake")
    cxx = compiler()
    nest_config = tool("nest-config", "NEST's nest-config")
    package = nest_package()
    named = named_includes(nest_config)
    headers = include_dir(named, package)
    cflags = subprocess.run([nest_config, "--cflags"], capture_output=True, text=True).stdout.strip()
    target = module_dir()
    log = Path(tempfile.gettempdir()) / "hebblab-nest-module-build.log"
    with tempfile.TemporaryDirectory(prefix="hebblab-nest-module-") as build_dir, open(log, "w") as out:
        steps = [
            [cmake, "-S", str(SOURCE), "-B", build_dir, f"-DCMAKE_CXX_COMPILER={cxx}",
             f"-DNEST_INCLUDE_DIR={headers}",
             f"-DNEST_EXTRA_INCLUDE_DIRS={';'.join(other_includes(named, headers))}",
             f"-DNEST_CXXFLAGS={cflags}",
             f"-DNEST_CXX11_ABI={cxx11_abi(nest_config, package)}", f"-DMODULE_DIR={target}"],
            [cmake, "--build", build_dir],
            [cmake, "--install", build_dir],
        ]
        for step in steps:
            out.write("$ " + " ".join(step) + "\n")
            out.flush()
            if subprocess.run(step, stdout=out, stderr=subprocess.STDOUT).returncode != 0:
                raise UsageError(f"nest_module: `cmake {step[1]}` failed; its output is in {log}")
    path = target / f"{MODULE}.so"
    check_loads(path, log)
    return path


def check_loads(path: Path, log: Path) -> None:
    """Load the module into NEST in a fresh process: a module built against the wrong NEST
    fails here, not in a run."""
    probe = (f"import nest; nest.Install({str(path.with_suffix(''))!r}); "
             f"missing = set({SYNAPSES!r}) - set(nest.synapse_models); assert not missing, missing")
    proc = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                          env={**os.environ, "PYNEST_QUIET": "1"})
    if proc.returncode != 0:
        log.write_text(proc.stderr)
        last = (proc.stderr.strip().splitlines() or ["no message"])[-1]
        raise UsageError(f"nest_module: built {path} but NEST cannot load it ({last}); details in {log}")
