#!/usr/bin/python3
"""The deskext benchmark's harness (run by tests/bench/run.sh; README.md, "Performance").

For each image size it writes the benchmark image (deskext-bench-image), pushes it to a local
docker-registry (deskext-bench-registry), then times, round after round, each of:

  deskext-cold      deskext install from the registry, empty blob cache and empty root
  deskext-warm      the same install again: the installed digest, nothing to do
  deskext-start     deskext version: starting and ending the process, the floor under warm
  deskext-update    deskext update from v1 (installed, its blobs cached) to v2 (new top layer)
  deskext-offline   deskext install oci-archive: of an archive written by skopeo
  pipeline-registry skopeo copy (host variant) + umoci raw unpack + copy_extension.sh
  pipeline-offline  umoci raw unpack of the equivalent OCI layout + copy_extension.sh
  floor             per layer, concurrently: curl the blob | sha256sum and gzip -dc
  igzip-floor       the same with openssl dgst -sha256 and ISA-L's igzip -dc
  docker            Docker Desktop's way (docker_way.sh): docker pull + create + cp + rm, with
                    an engine of its own (Debian's dockerd, started and stopped by the harness),
                    the image removed before each run

Then, once per size, the disk footprint (installed files and blob cache, as du counts them) after
an install of v1, each of five updates (u1 … u5: new host programs and a new top layer, as a
release brings) and an uninstall; docker's own way is a column left for later.

The order of the commands rotates from round to round, so that none always runs after the same
one. Each command is timed from its start to its end (its peak RSS read from wait4, as
/usr/bin/time reads it, with no other process in front of it). What deskext installs, and what
Docker's way copies, is compared with what the pipeline copies, and the installed linux binary is
run when it can run here: a wrong install fails the benchmark whatever the timings.

Writes, into --out: results.json (every sample and the footprint), results.csv (per size and command), results.md
(the tables and the machine they came from), table.md (the same, for README.md) and, unless
--no-plot, plot.png (gnuplot).
"""

import argparse
import csv
import datetime
import hashlib
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
COPY_SCRIPT = HERE / "copy_extension.sh"
DOCKER_WAY_SCRIPT = HERE / "docker_way.sh"
# Debian's docker.io: its engine and the CLI of the same version (another docker CLI may come
# first on PATH).
DOCKERD = "/usr/sbin/dockerd"
DOCKER = "/usr/bin/docker"
SIZES = {"50M": 50 << 20, "200M": 200 << 20, "1G": 1 << 30}
SIZE_LABELS = {"50M": "50 MiB", "200M": "200 MiB", "1G": "1 GiB"}
EXTENSION_NAME = "deskext/bench"
UPDATES = 5  # the footprint's updates, tags u1 … u5

SCENARIOS = [
    ("deskext-cold", "deskext install, registry, cold (empty cache and root)"),
    ("deskext-warm", "deskext install, registry, warm (the installed digest again)"),
    ("deskext-start", "deskext version (process start and exit only)"),
    ("deskext-update", "deskext update v1 → v2, registry (only the top layer differs)"),
    ("deskext-offline", "deskext install oci-archive: (offline)"),
    ("pipeline-registry", "skopeo copy + umoci raw unpack + copy (registry)"),
    ("pipeline-offline", "umoci raw unpack + copy (offline, OCI layout)"),
    ("floor", "floor: per layer, concurrently, curl \\| sha256sum, gzip -dc"),
    ("igzip-floor",
     "igzip floor: per layer, concurrently, curl \\| openssl dgst -sha256, igzip -dc"),
    ("docker", "Docker's way: docker pull + create + cp + rm (dockerd, image removed before)"),
]


class BenchError(Exception):
    pass


def log(message):
    print(f"bench: {message}", file=sys.stderr, flush=True)


def run(argv, env=None, check=True, capture=True, cwd=None):
    result = subprocess.run(argv, env=env, cwd=cwd, text=True,
                            stdout=subprocess.PIPE if capture else subprocess.DEVNULL,
                            stderr=subprocess.PIPE if capture else subprocess.DEVNULL)
    if check and result.returncode != 0:
        shown = " ".join(str(a) for a in argv)
        raise BenchError(f"{shown} failed with exit code {result.returncode}:\n"
                         f"{(result.stdout or '')[-2000:]}{(result.stderr or '')[-4000:]}")
    return result


def reset_dir(path):
    shutil.rmtree(path, ignore_errors=True)
    path.mkdir(parents=True)


def file_sha256(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def host_arch():
    machine = platform.machine()
    return {"x86_64": "amd64", "aarch64": "arm64"}.get(machine, machine)


def machine_info(build_type):
    fields = {}
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            key, _, value = line.partition(":")
            fields.setdefault(key.strip(), value.strip())
    except OSError:
        pass
    cpu = fields.get("model name", platform.processor() or "unknown CPU")
    if "cpu family" in fields and "model" in fields:
        cpu += f" (family {fields['cpu family']}, model {fields['model']})"
    return {
        "nproc": os.cpu_count(),
        "cpu": cpu,
        "kernel": platform.release(),
        "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "load_average_at_start": os.getloadavg()[0],
        "deskext_build_type": build_type,
    }


class Registry:
    """deskext-bench-registry: docker-registry on a free loopback port, fed push commands."""

    def __init__(self, program, workdir):
        reset_dir(workdir)
        self.process = subprocess.Popen([str(program), str(workdir)], stdin=subprocess.PIPE,
                                        stdout=subprocess.PIPE, text=True)
        first = self.process.stdout.readline()
        if not first:
            raise BenchError(f"{program} did not start the registry")
        started = json.loads(first)
        self.host = started["host"]
        self.log = Path(started["log"])

    def push(self, layout, tag, destination):
        self.process.stdin.write(f"push {layout} {tag} {destination}\n")
        self.process.stdin.flush()
        answer = self.process.stdout.readline().strip()
        if not answer.startswith("sha256:"):
            raise BenchError(f"pushing {layout}:{tag}: {answer or 'the registry program died'}")
        return answer

    def log_size(self):
        return self.log.stat().st_size

    def blob_gets(self, since):
        """Blob GETs answered 200 in the access log after byte offset `since`."""
        with open(self.log, "rb") as f:
            f.seek(since)
            text = f.read().decode(errors="replace")
        return len(re.findall(r'"GET /v2/[^ ]+/blobs/sha256:[0-9a-f]{64} HTTP/[0-9.]+" 200 ',
                              text))

    def stop(self):
        self.process.stdin.close()
        self.process.wait(timeout=30)


class DockerEngine:
    """Debian's dockerd, started for the benchmark alone: its own data root, exec root, pid
    file and socket in the work directory, no iptables and no bridge (nothing runs in a
    container), stopped by stop(). The storage driver is the engine's own choice unless a probe
    (an imported one-file image, created and copied from as docker_way.sh does) fails with it;
    vfs then."""

    def __init__(self, workdir, env, registry_host):
        self.dir = workdir
        self.data_root = workdir / "root"
        self.socket = workdir / "docker.sock"
        self.registry_host = registry_host
        self.env = dict(env, DOCKER_HOST=f"unix://{self.socket}")
        self.base_env = env
        self.process = None
        # containerd's sockets go under the exec root: a unix socket path has 108 bytes at most.
        if len(str(workdir / "exec" / "containerd" / "containerd.sock.ttrpc")) > 100:
            raise BenchError(f"the work directory {workdir.parent} is too long a path for "
                             "dockerd's sockets; pass a shorter --work")
        try:
            self.start([])
            if not self.probe():
                log(f"docker: the storage driver {self.driver} fails here; starting dockerd "
                    "again with vfs")
                self.stop()
                self.start(["--storage-driver", "vfs"])
                if not self.probe():
                    raise BenchError("dockerd cannot create and copy from a container, even "
                                     f"with vfs:\n{self.log_tail()}")
            self.version = self.docker("version", "--format",
                                       "{{.Server.Version}}").stdout.strip()
        except BaseException:
            self.stop()  # the caller never gets an engine to stop
            raise
        log(f"docker: dockerd {self.version}, storage driver {self.driver}")

    def docker(self, *args, check=True):
        return run([DOCKER, *args], env=self.env, check=check)

    def log_tail(self):
        try:
            return (self.dir / "dockerd.log").read_text(errors="replace")[-3000:]
        except OSError:
            return ""

    def start(self, extra):
        reset_dir(self.dir)
        argv = [DOCKERD, "--data-root", str(self.data_root),
                "--exec-root", str(self.dir / "exec"), "--pidfile", str(self.dir / "dockerd.pid"),
                "-H", f"unix://{self.socket}", "--iptables=false", "--bridge=none",
                # Loopback registries are insecure to dockerd anyway (127.0.0.0/8); said here so.
                "--insecure-registry", self.registry_host, *extra]
        with open(self.dir / "dockerd.log", "wb") as log_file:
            self.process = subprocess.Popen(argv, env=self.base_env, stdin=subprocess.DEVNULL,
                                            stdout=log_file, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise BenchError(f"dockerd did not start (exit code {self.process.returncode}; "
                                 f"it needs root and Debian's docker.io):\n{self.log_tail()}")
            info = self.docker("info", "--format", "{{.Driver}}", check=False)
            if info.returncode == 0:
                self.driver = info.stdout.strip()
                return
            time.sleep(0.5)
        raise BenchError(f"dockerd did not answer on {self.socket} within 60 s:\n"
                         f"{self.log_tail()}")

    def probe(self):
        files = self.dir / "probe"
        files.mkdir()
        (files / "probe").write_text("probe\n")
        run(["tar", "-C", str(files), "-cf", str(self.dir / "probe.tar"), "probe"])
        image = "deskext-bench-probe:1"
        if self.docker("import", str(self.dir / "probe.tar"), image, check=False).returncode:
            return False
        created = self.docker("create", image, "/none", check=False)
        copied = created.returncode == 0 and self.docker(
            "cp", f"{created.stdout.strip()}:/probe", str(self.dir / "probe.out"),
            check=False).returncode == 0
        if created.returncode == 0:
            self.docker("rm", created.stdout.strip(), check=False)
        self.docker("rmi", image, check=False)
        return copied and (self.dir / "probe.out").read_text() == "probe\n"

    def remove_image(self, reference):
        """No image, layer or container left: the next pull downloads every layer again."""
        self.docker("rmi", "--force", reference, check=False)
        self.docker("container", "prune", "--force")
        self.docker("image", "prune", "--all", "--force")

    def footprint_kib(self):
        return int(run(["du", "-sk", str(self.data_root)]).stdout.split()[0])

    def stop(self):
        if self.process is None or self.process.poll() is not None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


class Image:
    """The benchmark image of one size: the layout, the archive skopeo writes of it, the host
    variant's layout (for the offline pipeline), and its place in the registry."""

    def __init__(self, args, size_name, registry):
        self.size_name = size_name
        self.dir = args.work / "images" / size_name
        self.layout = self.dir / "layout"
        self.archive = self.dir / "bench-v1.tar"
        self.host_layout = self.dir / "host-layout"
        generator = args.build_dir / "tests" / "bench" / "deskext-bench-image"
        stamp = f"{SIZES[size_name]} {file_sha256(generator)}\n"
        stamp_file = self.dir / "stamp"
        if not stamp_file.exists() or stamp_file.read_text() != stamp:
            log(f"{size_name}: writing the image (linux/amd64, linux/arm64; v1, v2)")
            reset_dir(self.dir)
            started = time.monotonic()
            run([generator, "--layout", self.layout, "--size", size_name,
                 "--name", EXTENSION_NAME, "--updates", str(UPDATES), "--updates-arch",
                 host_arch()])
            env = args.env
            run(["skopeo", "--insecure-policy", "copy", "--quiet", "--all",
                 f"oci:{self.layout}:v1", f"oci-archive:{self.archive}:v1"], env=env)
            run(["skopeo", "--insecure-policy", "copy", "--quiet",
                 f"oci-archive:{self.archive}:v1", f"oci:{self.host_layout}:v1"], env=env)
            stamp_file.write_text(stamp)
            log(f"{size_name}: written in {time.monotonic() - started:.1f} s")
        self.repo = f"bench/ext-{size_name.lower()}"
        tags = ["v1", "v2"] + [f"u{u}" for u in range(1, UPDATES + 1)]
        self.reference = {tag: f"{registry.host}/{self.repo}:{tag}" for tag in tags}
        log(f"{size_name}: pushing to {registry.host}/{self.repo}")
        for tag in tags:
            registry.push(self.layout, tag, f"{self.repo}:{tag}")
        self.host_layers = self._host_layers()

    def _host_layers(self):
        """(digest, size) of each layer of the host's variant of v1."""
        def blob(digest):
            return json.loads((self.layout / "blobs" / "sha256" /
                               digest.split(":", 1)[1]).read_text())
        top = json.loads((self.layout / "index.json").read_text())
        entry = next(m for m in top["manifests"]
                     if m["annotations"]["org.opencontainers.image.ref.name"] == "v1")
        manifest = next(m for m in blob(entry["digest"])["manifests"]
                        if m["platform"]["architecture"] == host_arch())
        return [(layer["digest"], layer["size"]) for layer in blob(manifest["digest"])["layers"]]


class Bench:
    def __init__(self, args):
        self.args = args
        self.deskext = args.build_dir / "runtime" / "deskext"
        self.runs_dir = args.work / "runs"
        # size → scenario → list of {seconds, rss_kib, blob_gets, footprint_kib}
        self.samples = {}
        self.footprints = {}  # size → list of {step, installed_bytes, cache_bytes}
        self.engine = None  # DockerEngine, for Docker's way

    def dirs(self, size_name, scenario):
        base = self.runs_dir / size_name / scenario
        return base / "root", base / "cache", base / "scratch"

    # --- the commands -----------------------------------------------------------------------

    def deskext_argv(self, *args):
        return [str(self.deskext), *args, "--json"]

    def deskext_env(self, cache):
        env = dict(self.args.env)
        env["DESKEXT_CACHE_DIR"] = str(cache)
        return env

    def prepare(self, image, scenario, registry):
        """Brings the state before a timed run: returns (argv, env)."""
        root, cache, scratch = self.dirs(image.size_name, scenario)
        insecure = ["--insecure-registry", registry.host]
        if scenario == "deskext-cold":
            for d in (root, cache):
                reset_dir(d)
            return (self.deskext_argv("install", image.reference["v1"], "--root", str(root),
                                      *insecure), self.deskext_env(cache))
        if scenario == "deskext-warm":
            if not list(root.glob("*/metadata.json")):
                for d in (root, cache):
                    reset_dir(d)
                self.deskext_ok(["install", image.reference["v1"], "--root", str(root),
                                 *insecure], cache)
            return (self.deskext_argv("install", image.reference["v1"], "--root", str(root),
                                      *insecure), self.deskext_env(cache))
        if scenario == "deskext-start":
            return self.deskext_argv("version"), self.deskext_env(cache)
        if scenario == "deskext-update":
            for d in (root, cache):
                reset_dir(d)
            self.deskext_ok(["install", image.reference["v1"], "--root", str(root), *insecure],
                            cache)
            return (self.deskext_argv("update", image.reference["v2"], "--root", str(root),
                                      *insecure), self.deskext_env(cache))
        if scenario == "deskext-offline":
            for d in (root, cache):
                reset_dir(d)
            return (self.deskext_argv("install", f"oci-archive:{image.archive}:v1",
                                      "--name", EXTENSION_NAME, "--root", str(root)),
                    self.deskext_env(cache))
        if scenario == "pipeline-registry":
            reset_dir(scratch)
            oci, rootfs, target = scratch / "oci", scratch / "rootfs", scratch / "target"
            script = (f"skopeo --insecure-policy copy --quiet --src-tls-verify=false "
                      f"docker://{image.reference['v1']} oci:{oci}:v1 && "
                      f"umoci raw unpack --rootless --image {oci}:v1 {rootfs} && "
                      f"{COPY_SCRIPT} {rootfs} {target}")
            return ["bash", "-c", script], self.args.env
        if scenario == "pipeline-offline":
            reset_dir(scratch)
            rootfs, target = scratch / "rootfs", scratch / "target"
            script = (f"umoci raw unpack --rootless --image {image.host_layout}:v1 {rootfs} && "
                      f"{COPY_SCRIPT} {rootfs} {target}")
            return ["bash", "-c", script], self.args.env
        if scenario in ("floor", "igzip-floor"):
            reset_dir(scratch)
            tools = (("sha256sum", "gzip -dc") if scenario == "floor" else
                     ("openssl dgst -sha256", "igzip -dc"))
            return ["bash", "-c", self.floor_script(image, registry, scratch, *tools)], \
                self.args.env
        if scenario == "docker":
            reset_dir(scratch)
            self.engine.remove_image(image.reference["v1"])
            return ([str(DOCKER_WAY_SCRIPT), image.reference["v1"], str(scratch / "target")],
                    self.engine.env)
        raise AssertionError(scenario)

    @staticmethod
    def floor_script(image, registry, scratch, hasher, inflater):
        """Every layer of the host's variant at once: curl | tee >(HASHER) | INFLATER."""
        jobs = []
        for i, (digest, _) in enumerate(image.host_layers):
            url = f"http://{registry.host}/v2/{image.repo}/blobs/{digest}"
            # fd 3 carries the hasher's line to `cat`, so the job ends only when the hash is
            # done too; the hash is then checked.
            jobs.append(f"( curl -sfS {url} | tee >({hasher} >&3) | {inflater} >/dev/null )"
                        f" 3>&1 >/dev/null | cat >{scratch}/sha.{i} & pids+=($!)")
        checks = [f"grep -q {digest.split(':', 1)[1]} {scratch}/sha.{i}"
                  for i, (digest, _) in enumerate(image.host_layers)]
        return ("set -o pipefail; pids=(); " + "; ".join(jobs) +
                "; for p in \"${pids[@]}\"; do wait $p || exit 1; done; " + " && ".join(checks))

    def deskext_ok(self, args, cache):
        """Runs deskext untimed (a preparation step); fails on anything but success."""
        result = run([str(self.deskext), *args, "--json"], env=self.deskext_env(cache))
        return self.check_result(result.stdout, "deskext " + " ".join(args))

    @staticmethod
    def check_result(stdout, what):
        lines = [json.loads(line) for line in stdout.splitlines() if line.strip()]
        if not lines or lines[-1].get("event") != "result" or not lines[-1].get("ok"):
            raise BenchError(f"{what} did not succeed:\n{stdout[-3000:]}")
        return lines[-1]

    # --- correctness ------------------------------------------------------------------------

    def check_install(self, image, scenario, stdout):
        """What deskext installed is what the pipeline copies, byte for byte; the linux
        binaries are executable (and run, when they are built for this machine)."""
        result = self.check_result(stdout, f"{scenario} ({image.size_name})")
        installed = Path(result["directory"])
        expected_version = "v2" if scenario == "deskext-update" else "v1"
        for name in ("bench-cli", "bench-helper"):
            binary = installed / "host" / name
            if not binary.is_file() or not os.access(binary, os.X_OK):
                raise BenchError(f"{scenario}: {binary} is missing or not executable")
            if host_arch() in ("amd64", "arm64"):
                out = run([str(binary)]).stdout.strip()
                role = "cli" if name == "bench-cli" else "helper"
                want = f"deskext bench {role} for linux/{host_arch()}"
                if out != want:
                    raise BenchError(f"{scenario}: {binary} printed {out!r}, not {want!r}")
        title = json.loads((installed / "metadata.json").read_text())["ui"]["dashboard-tab"]
        if title["title"] != f"Bench {expected_version}":
            raise BenchError(f"{scenario}: installed metadata.json is not {expected_version}'s")
        reference = self.reference_tree(image, expected_version)
        diff = run(["diff", "-r", "--exclude=.deskext", str(reference), str(installed)],
                   check=False)
        if diff.returncode != 0:
            raise BenchError(f"{scenario}: {installed} differs from what skopeo + umoci give:\n"
                             f"{diff.stdout[-3000:]}{diff.stderr[-1000:]}")

    def reference_tree(self, image, version):
        """The extension as the user's pipeline gets it from the image's layout."""
        ref = self.runs_dir / image.size_name / f"reference-{version}"
        if (ref / "target" / "metadata.json").exists():
            return ref / "target"
        reset_dir(ref)
        run(["skopeo", "--insecure-policy", "copy", "--quiet", f"oci:{image.layout}:{version}",
             f"oci:{ref / 'oci'}:{version}"], env=self.args.env)
        run(["umoci", "raw", "unpack", "--rootless", "--image", f"{ref / 'oci'}:{version}",
             str(ref / "rootfs")], env=self.args.env)
        run([str(COPY_SCRIPT), str(ref / "rootfs"), str(ref / "target")], env=self.args.env)
        return ref / "target"

    def check_copied(self, image, scenario):
        """What the pipeline or Docker's way copied equals the reference tree."""
        _, _, scratch = self.dirs(image.size_name, scenario)
        target = scratch / "target"
        binary = target / "host" / "bench-cli"
        if not binary.is_file():
            raise BenchError(f"{scenario}: the command did not produce {binary}")
        diff = run(["diff", "-r", str(self.reference_tree(image, "v1")), str(target)],
                   check=False)
        if diff.returncode != 0:
            raise BenchError(f"{scenario}: {target} differs from the reference:\n{diff.stdout}")

    # --- disk footprint ---------------------------------------------------------------------

    def footprint(self, image, registry):
        """Installed files and blob cache after an install, each update and an uninstall."""
        root, cache, _ = self.dirs(image.size_name, "footprint")
        for d in (root, cache):
            reset_dir(d)
        insecure = ["--insecure-registry", registry.host]
        steps = [("install v1", "install", "v1")]
        steps += [(f"update u{u}", "update", f"u{u}") for u in range(1, UPDATES + 1)]
        rows = []
        name = None
        for label, command, tag in steps:
            result = self.deskext_ok([command, image.reference[tag], "--root", str(root),
                                      *insecure], cache)
            name = result["name"]
            title = json.loads((root / name / "metadata.json").read_text())["ui"]["dashboard-tab"]
            if title["title"] != f"Bench {tag}":
                raise BenchError(f"footprint: {label} did not install {tag}")
            rows.append({"step": label, "installed_bytes": disk_usage(root),
                         "cache_bytes": disk_usage(cache)})
        self.deskext_ok(["uninstall", name, "--root", str(root)], cache)
        rows.append({"step": "uninstall", "installed_bytes": disk_usage(root),
                     "cache_bytes": disk_usage(cache)})
        log(f"{image.size_name}: footprint (MiB, installed + cache): " +
            ", ".join(f"{r['step']} {r['installed_bytes'] / (1 << 20):.1f} + "
                      f"{r['cache_bytes'] / (1 << 20):.1f}" for r in rows))
        return rows

    # --- timing -----------------------------------------------------------------------------

    def timed(self, image, scenario, registry, check):
        argv, env = self.prepare(image, scenario, registry)
        # Nothing left waiting to be written when a timed run starts: the pipeline does not flush
        # what it writes, and the disk writing it back during the next command would be charged
        # to that command.
        os.sync()
        log_offset = registry.log_size()
        # The command's own exit status and peak RSS (wait4, as /usr/bin/time reads them, without
        # another process in front of it); its output goes to files, read once it ended.
        with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
            started = time.perf_counter()
            child = subprocess.Popen(argv, env=env, stdout=out, stderr=err)
            _, status, usage = os.wait4(child.pid, 0)
            seconds = time.perf_counter() - started
            child.returncode = os.waitstatus_to_exitcode(status)
            out.seek(0)
            err.seek(0)
            stdout, stderr = out.read().decode(errors="replace"), err.read().decode(errors="replace")
        if child.returncode != 0:
            raise BenchError(f"{scenario} ({image.size_name}) failed with exit code "
                             f"{child.returncode}:\n{stdout[-3000:]}{stderr[-3000:]}")
        sample = {"seconds": seconds}
        if scenario.startswith("deskext"):
            sample["rss_kib"] = usage.ru_maxrss  # KiB on Linux
            outcome = self.check_result(stdout, f"{scenario} ({image.size_name})")
            if scenario == "deskext-warm" and not outcome.get("unchanged"):
                raise BenchError("deskext-warm: the re-install was not a no-op")
            if check and scenario not in ("deskext-warm", "deskext-start"):
                self.check_install(image, scenario, stdout)
        elif check and (scenario.startswith("pipeline") or scenario == "docker"):
            self.check_copied(image, scenario)
        if scenario == "docker":
            # The engine's data root after the pull: the image's layers, unpacked.
            sample["footprint_kib"] = self.engine.footprint_kib()
        if scenario in ("deskext-cold", "deskext-warm", "deskext-update", "docker"):
            time.sleep(0.2)  # the registry's access log is written asynchronously
            sample["blob_gets"] = registry.blob_gets(log_offset)
        if scenario == "docker" and sample["blob_gets"] < len(image.host_layers):
            raise BenchError(f"docker ({image.size_name}): the pull fetched "
                             f"{sample['blob_gets']} blobs, not every layer: the engine kept "
                             "some of the image")
        return sample

    def bench_size(self, size_name, registry):
        image = Image(self.args, size_name, registry)
        # What a failed run left (installed from a registry on another port) is not reused.
        shutil.rmtree(self.runs_dir / size_name, ignore_errors=True)
        names = [name for name, _ in SCENARIOS]
        samples = {name: [] for name in names}
        rounds = self.args.runs + (0 if self.args.smoke else 1)  # + an untimed warm-up
        for r in range(rounds):
            warmup = not self.args.smoke and r == 0
            order = names[r % len(names):] + names[:r % len(names)]
            seen = {}
            for scenario in order:
                seen[scenario] = self.timed(image, scenario, registry, check=(r == 0))
                if not warmup:
                    samples[scenario].append(seen[scenario])
            label = "warm-up round" if warmup else f"round {r + 1 if self.args.smoke else r}"
            log(f"{size_name}: {label}: " +
                ", ".join(f"{s} {seen[s]['seconds']:.2f}s" for s in names))
        self.samples[size_name] = samples
        self.footprints[size_name] = self.footprint(image, registry)
        shutil.rmtree(self.runs_dir / size_name, ignore_errors=True)
        return image


def disk_usage(path):
    """Bytes the files under `path` take on disk, as du counts them (a file with several names
    once)."""
    seen = set()
    total = 0
    for dirpath, dirnames, filenames in os.walk(path):
        for entry in [dirpath] + [os.path.join(dirpath, n) for n in filenames + dirnames]:
            st = os.lstat(entry)
            if (st.st_dev, st.st_ino) not in seen:
                seen.add((st.st_dev, st.st_ino))
                total += st.st_blocks * 512
    return total


def summarise(samples):
    seconds = [s["seconds"] for s in samples]
    out = {"runs": len(seconds), "median": statistics.median(seconds), "min": min(seconds),
           "max": max(seconds)}
    rss = [s["rss_kib"] for s in samples if "rss_kib" in s]
    if rss:
        out["rss_kib_median"] = statistics.median(rss)
        out["rss_kib_max"] = max(rss)
    gets = [s["blob_gets"] for s in samples if "blob_gets" in s]
    if gets:
        out["blob_gets"] = statistics.median(gets)
    footprints = [s["footprint_kib"] for s in samples if "footprint_kib" in s]
    if footprints:
        out["footprint_kib_median"] = statistics.median(footprints)
    return out


def fmt_time(summary):
    if summary["runs"] == 1:
        return f"{summary['median']:.2f}"
    return f"{summary['median']:.2f} ({summary['min']:.2f}–{summary['max']:.2f})"


def footprint_table(footprints):
    """The disk footprint as a markdown table: a row per step, deskext's files + cache per size;
    docker's own way is not measured yet."""
    sizes = list(footprints)
    mib = 1 << 20
    lines = ["Disk footprint, MiB: installed files + blob cache = total, after each step of an "
             f"install and {UPDATES} updates (each new host programs and top layer) of the host "
             "variant, then an uninstall.\n\n",
             "| step | " + " | ".join(f"deskext, {SIZE_LABELS[s]} | docker, {SIZE_LABELS[s]}"
                                     for s in sizes) + " |\n",
             "| --- |" + " --- | --- |" * len(sizes) + "\n"]
    for i, row in enumerate(footprints[sizes[0]]):
        cells = []
        for s in sizes:
            r = footprints[s][i]
            cells.append(f"{r['installed_bytes'] / mib:.1f} + {r['cache_bytes'] / mib:.1f} = "
                         f"{(r['installed_bytes'] + r['cache_bytes']) / mib:.1f}")
            cells.append("not measured")
        lines.append(f"| {row['step']} | " + " | ".join(cells) + " |\n")
    return "".join(lines)


def write_results(out, machine, summaries, layer_sizes, runs, smoke, footprints):
    out.mkdir(parents=True, exist_ok=True)
    sizes = list(summaries)
    names = [name for name, _ in SCENARIOS]

    with open(out / "results.csv", "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["size", "scenario", "runs", "median_s", "min_s", "max_s", "rss_kib_median",
                    "blob_gets", "footprint_kib_median"])
        for size in sizes:
            for name in names:
                s = summaries[size][name]["summary"]
                w.writerow([size, name, s["runs"], f"{s['median']:.4f}", f"{s['min']:.4f}",
                            f"{s['max']:.4f}", s.get("rss_kib_median", ""),
                            s.get("blob_gets", ""), s.get("footprint_kib_median", "")])

    def ratio(size, a, b):
        return summaries[size][a]["summary"]["median"] / summaries[size][b]["summary"]["median"]

    header = "| | " + " | ".join(SIZE_LABELS[s] for s in sizes) + " |\n"
    rule = "| --- |" + " --- |" * len(sizes) + "\n"
    lines = ["Seconds, median of " + ("1 run" if runs == 1 else f"{runs} runs (min–max)") +
             "; images of linux/amd64 + linux/arm64, sizes per variant, uncompressed.\n\n",
             header, rule]
    for name, title in SCENARIOS:
        lines.append(f"| {title} | " +
                     " | ".join(fmt_time(summaries[s][name]["summary"]) for s in sizes) + " |\n")
    lines += ["\n", header, rule]
    rows = [
        ("deskext cold / skopeo + umoci", lambda s: f"{ratio(s, 'deskext-cold', 'pipeline-registry'):.2f}"),
        ("deskext cold / floor", lambda s: f"{ratio(s, 'deskext-cold', 'floor'):.2f}"),
        ("deskext cold / igzip floor",
         lambda s: f"{ratio(s, 'deskext-cold', 'igzip-floor'):.2f}"),
        ("deskext cold / Docker's way", lambda s: f"{ratio(s, 'deskext-cold', 'docker'):.2f}"),
        ("deskext offline / umoci (offline)",
         lambda s: f"{ratio(s, 'deskext-offline', 'pipeline-offline'):.2f}"),
        ("deskext update / deskext cold", lambda s: f"{ratio(s, 'deskext-update', 'deskext-cold'):.2f}"),
        ("deskext warm / deskext cold", lambda s: f"{ratio(s, 'deskext-warm', 'deskext-cold'):.3f}"),
        ("deskext version / deskext cold",
         lambda s: f"{ratio(s, 'deskext-start', 'deskext-cold'):.3f}"),
        ("peak RSS, deskext cold (MiB)",
         lambda s: f"{summaries[s]['deskext-cold']['summary']['rss_kib_median'] / 1024:.0f}"),
        ("peak RSS, deskext offline (MiB)",
         lambda s: f"{summaries[s]['deskext-offline']['summary']['rss_kib_median'] / 1024:.0f}"),
        ("peak RSS, deskext update (MiB)",
         lambda s: f"{summaries[s]['deskext-update']['summary']['rss_kib_median'] / 1024:.0f}"),
        ("blob GETs: cold / warm / update / Docker's way",
         lambda s: " / ".join(f"{summaries[s][n]['summary']['blob_gets']:g}"
                              for n in ("deskext-cold", "deskext-warm", "deskext-update",
                                        "docker"))),
        ("disk footprint after install, Docker's way: the engine's data root (MiB)",
         lambda s: f"{summaries[s]['docker']['summary']['footprint_kib_median'] / 1024:.0f}"),
        ("host variant: layers, compressed (MiB)",
         lambda s: f"{len(layer_sizes[s])}, {sum(layer_sizes[s]) / (1 << 20):.1f}"),
    ]
    for title, cell in rows:
        lines.append(f"| {title} | " + " | ".join(cell(s) for s in sizes) + " |\n")
    lines += ["\n", footprint_table(footprints)]
    lines.append(f"\nMeasured on {machine['cpu']}, nproc {machine['nproc']}, Linux "
                 f"{machine['kernel']}, {machine['date']} (load average "
                 f"{machine['load_average_at_start']:.2f} at start), deskext built "
                 f"{machine['deskext_build_type']}; Docker's way: dockerd "
                 f"{machine['dockerd_version']}, storage driver "
                 f"{machine['docker_storage_driver']}"
                 f"{', smoke run' if smoke else ''}.\n")
    table = "".join(lines)
    (out / "table.md").write_text(table)
    (out / "results.md").write_text(
        "# deskext benchmark results\n\nWritten by `tests/bench/run.sh`; README.md, "
        "\"Performance\", says what each line measures.\n\n" + table +
        ("\n![time against image size](plot.png)\n" if (out / "plot.png").exists() else ""))
    (out / "results.json").write_text(json.dumps(
        {"machine": machine, "runs": runs, "smoke": smoke, "results": summaries,
         "host_layer_sizes": layer_sizes, "footprint": footprints}, indent=2) + "\n")


def plot(out, summaries):
    plotted = [("deskext-cold", "deskext install, registry, cold"),
               ("deskext-offline", "deskext install oci-archive: (offline)"),
               ("pipeline-registry", "skopeo copy + umoci raw unpack + copy"),
               ("pipeline-offline", "umoci raw unpack + copy (offline)"),
               ("floor", "floor: curl | sha256sum, gzip -dc per layer"),
               ("igzip-floor", "igzip floor: curl | openssl dgst -sha256, igzip -dc per layer"),
               ("docker", "Docker's way: docker pull + create + cp + rm")]
    data = out / "plot.dat"
    with open(data, "w") as f:
        for name, _ in plotted:
            f.write(f"# {name}\n")
            for size in summaries:
                s = summaries[size][name]["summary"]
                f.write(f"{SIZES[size] / (1 << 20):g} {s['median']:.4f} {s['min']:.4f} "
                        f"{s['max']:.4f}\n")
            f.write("\n\n")
    commands = [
        "set terminal pngcairo size 900,560 noenhanced" if has_pngcairo() else
        "set terminal png size 900,560 noenhanced",
        f"set output '{out / 'plot.png'}'",
        "set title 'deskext benchmark: time against image size (median, min-max)'",
        "set xlabel 'image size per variant, uncompressed (MiB)'",
        "set ylabel 'seconds'",
        "set logscale xy", "set grid", "set key top left",
        "set xtics (" + ", ".join(f"'{SIZE_LABELS[s]}' {SIZES[s] / (1 << 20):g}"
                                  for s in summaries) + ")",
        "plot " + ", ".join(f"'{data}' index {i} using 1:2:3:4 with yerrorlines title \"{title}\""
                            for i, (_, title) in enumerate(plotted)),
    ]
    run(["gnuplot", "-e", "; ".join(commands)])
    data.unlink()


def has_pngcairo():
    result = run(["gnuplot", "-e", "set terminal"], check=False)
    return "pngcairo" in (result.stdout + result.stderr)


def main():
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--build-dir", type=Path, required=True)
    parser.add_argument("--work", type=Path, required=True,
                        help="images (kept between runs), registry storage, install roots")
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--sizes", default="50M,200M,1G")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--smoke", action="store_true",
                        help="one run of each command, checks only: no plot")
    parser.add_argument("--no-plot", action="store_true")
    args = parser.parse_args()
    args.build_dir = args.build_dir.resolve()
    args.work = args.work.resolve()
    args.out = args.out.resolve()
    sizes = args.sizes.split(",")
    for size in sizes:
        if size not in SIZES:
            parser.error(f"unknown size {size} (one of {', '.join(SIZES)})")
    if args.smoke:
        args.runs = 1

    for tool in ("skopeo", "umoci", "docker-registry", "curl", "jq", "gzip", "sha256sum",
                 "openssl", "igzip", DOCKERD, DOCKER, "du", "tar", "diff") + \
            (() if args.smoke or args.no_plot else ("gnuplot",)):
        if shutil.which(tool) is None:
            raise BenchError(f"{tool} is not installed (packaging/install-deps.sh installs it)")

    # Nothing reads or writes the user's own configuration, cache or credentials.
    home = args.work / "home"
    reset_dir(home)
    (home / ".docker").mkdir()
    args.env = dict(os.environ, HOME=str(home), DOCKER_CONFIG=str(home / ".docker"),
                    XDG_CACHE_HOME=str(home / ".cache"), XDG_RUNTIME_DIR=str(home / "run"),
                    TMPDIR=str(home))

    build_type = "unknown"
    cache = args.build_dir / "CMakeCache.txt"
    if cache.exists():
        m = re.search(r"^CMAKE_BUILD_TYPE:STRING=(.*)$", cache.read_text(), re.M)
        build_type = m.group(1) if m and m.group(1) else "without a build type"
    machine = machine_info(build_type)
    log(f"{machine['cpu']}, nproc {machine['nproc']}; deskext {build_type}; sizes {', '.join(sizes)}; "
        f"{args.runs} run(s) each")

    bench = Bench(args)
    registry = Registry(args.build_dir / "tests" / "bench" / "deskext-bench-registry",
                        args.work / "registry")
    layer_sizes = {}
    try:
        bench.engine = DockerEngine(args.work / "docker", args.env, registry.host)
        machine["dockerd_version"] = bench.engine.version
        machine["docker_storage_driver"] = bench.engine.driver
        for size in sizes:
            image = bench.bench_size(size, registry)
            layer_sizes[size] = [layer_size for _, layer_size in image.host_layers]
    finally:
        if bench.engine is not None:
            bench.engine.stop()
        registry.stop()

    summaries = {size: {name: {"samples": samples, "summary": summarise(samples)}
                        for name, samples in bench.samples[size].items()}
                 for size in sizes}
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "plot.png").unlink(missing_ok=True)  # never a plot of another run
    if not args.smoke and not args.no_plot:
        plot(args.out, summaries)
    write_results(args.out, machine, summaries, layer_sizes, args.runs, args.smoke,
                  bench.footprints)
    sys.stdout.write((args.out / "table.md").read_text())


if __name__ == "__main__":
    try:
        main()
    except BenchError as e:
        print(f"bench: FAILED: {e}", file=sys.stderr)
        sys.exit(1)
