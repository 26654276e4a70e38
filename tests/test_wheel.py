"""The package installs: a wheel built from the tracked files runs on its own.

The wheel is built from a copy of the files git tracks (so a file that exists only on the
developer's machine cannot make it pass), without build isolation (no index is reached:
setuptools and wheel come with the test extras), and installed without dependencies into
a fresh venv outside the checkout whose dependencies are the test venv's, added as a plain
path (the checkout's own editable install stays inactive there). From a working directory
that is not the checkout, ``catalogue init`` loads the vocabularies and the demo catalogue
and ``catalogue serve`` answers pages, the SPARQL endpoint and static files.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
import venv
from pathlib import Path

import pytest
import requests

from tests.conftest import ROOT, free_port, wait_for

# what setuptools says when package data is declared badly
SETUPTOOLS_COMPLAINTS = ("would be ignored", "as data is deprecated", "SetuptoolsDeprecationWarning",
                         "no files found matching", "warning: no previously-included")


def tracked_copy(dest: Path) -> None:
    if shutil.which("git") is None or not (ROOT / ".git").exists():
        pytest.skip("not a git checkout: the wheel is built from the files git tracks")
    listed = subprocess.run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
                            cwd=ROOT, capture_output=True, check=True).stdout.decode()
    for name in filter(None, listed.split("\0")):
        src = ROOT / name
        if src.is_file():
            (dest / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, dest / name)


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> Path:
    """A fresh venv with the built wheel installed; returns its bin directory."""
    work = tmp_path_factory.mktemp("wheel")
    source, wheels, env_dir = work / "source", work / "wheels", work / "venv"
    source.mkdir()
    tracked_copy(source)
    built = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation",
                            "--no-index", "-w", str(wheels), str(source)],
                           capture_output=True, text=True, timeout=600)
    assert built.returncode == 0, built.stdout + built.stderr
    complaints = [line for line in (built.stdout + built.stderr).splitlines()
                  if any(c in line for c in SETUPTOOLS_COMPLAINTS)]
    assert not complaints, complaints
    wheel = next(wheels.glob("catalogue-*.whl"))

    venv.EnvBuilder(with_pip=False).create(env_dir)
    python = env_dir / "bin" / "python"
    purelib = subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                             capture_output=True, text=True, check=True).stdout.strip()
    # the test venv's libraries as a plain path entry: its .pth files (the editable install) stay unread
    Path(purelib, "test-venv-libraries.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    done = subprocess.run([sys.executable, "-m", "pip", "--python", str(python), "install", "--no-deps",
                           "--no-index", str(wheel)], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    return env_dir / "bin"


def test_the_installed_package_is_the_wheel_not_the_checkout(installed, tmp_path):
    found = subprocess.run([str(installed / "python"), "-c",
                            "import catalogue, catalogue_cli, webapp; "
                            "print(catalogue.__file__, catalogue_cli.__file__, webapp.__file__)"],
                           cwd=tmp_path, capture_output=True, text=True, check=True).stdout.split()
    assert len(found) == 3
    for path in found:
        assert str(installed.parent) in path and str(ROOT) not in path


def test_init_and_serve_from_the_wheel_outside_the_checkout(installed, tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("CATALOGUE_")}
    env.update(PATH=f"{installed}{os.pathsep}{env.get('PATH', '')}", PYTHONPATH="")
    init = subprocess.run([str(installed / "catalogue"), "init"], cwd=tmp_path, env=env,
                          capture_output=True, text=True, timeout=300)
    assert init.returncode == 0, init.stderr
    assert "demo: loaded" in init.stdout + init.stderr
    assert (tmp_path / "var" / "store").is_dir()  # the default store is under the working directory

    port = free_port()
    proc = subprocess.Popen([str(installed / "catalogue"), "serve", "--port", str(port)], cwd=tmp_path,
                            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    url = f"http://127.0.0.1:{port}"
    try:
        wait_for(url + "/")
        home = requests.get(url + "/", timeout=10)
        assert home.status_code == 200 and "<form" in home.text
        css = requests.get(url + "/static/site.css", timeout=10)
        assert css.status_code == 200 and css.text.strip()
        editor = requests.get(url + "/static/vendor/yasgui/yasgui.min.js", timeout=10)
        assert editor.status_code == 200
        answer = requests.get(url + "/sparql", timeout=30, headers={"Accept": "application/sparql-results+json"},
                              params={"query": "SELECT (COUNT(*) AS ?n) WHERE { ?s a <http://www.w3.org/ns/adms#Asset> }"})
        assert answer.status_code == 200
        assert int(answer.json()["results"]["bindings"][0]["n"]["value"]) > 100  # the demo catalogue
        queries = requests.get(url + "/queries", timeout=10)  # saved queries read from the package
        assert queries.status_code == 200 and "Solutions implementing an EIRA building block" in queries.text
        check = requests.get(url + "/licences/compatibility", timeout=30, headers={"Accept": "application/json"},
                             params={"use": "GPL-3.0-only", "redistribute": "EUPL-1.2"})  # rules.ttl shipped
        assert check.status_code == 200 and check.json()["rule"] == "T04"
        french = requests.get(url + "/", timeout=10, headers={"Accept-Language": "fr"})
        assert french.status_code == 200 and 'lang="fr"' in french.text  # compiled translations shipped
    finally:
        proc.terminate()
        proc.wait(10)
