#!/usr/bin/env python3
"""Writes the images of the memory-bound benchmark (tests/bench/memory.sh) as OCI layouts: an
extension whose other layers reach the default caps on entries and on name bytes across the
image (SECURITY.md, "Bounded resources") in the three ways that cost most.

    bound_images.py OUT_DIR

  entries  1,040,000 empty files in 1,000 directories, names of 60 bytes (62 MB of names)
  names    16,000 empty files with names of 4,000 bytes (64 MB of names)
  listed   one layer of 4,000 entries with names of 60 bytes, listed 255 times (1,020,000
           entries, 61 MB of names counted; one blob)
"""
import gzip
import hashlib
import io
import json
import os
import sys
import tarfile

LAYER = "application/vnd.oci.image.layer.v1.tar+gzip"


def write_blob(out, data):
    digest = hashlib.sha256(data).hexdigest()
    with open(os.path.join(out, "blobs", "sha256", digest), "wb") as f:
        f.write(data)
    return {"digest": "sha256:" + digest, "size": len(data)}


def layer(files):
    raw = io.BytesIO()
    with gzip.GzipFile(fileobj=raw, mode="wb", compresslevel=1, mtime=0) as z:
        with tarfile.open(fileobj=z, mode="w|", format=tarfile.PAX_FORMAT) as tar:
            for name, data in files:
                info = tarfile.TarInfo(name)
                info.size = len(data)
                info.mode = 0o644
                tar.addfile(info, io.BytesIO(data))
    return raw.getvalue()


def extension_layer():
    metadata = {"icon": "icon.svg",
                "ui": {"dashboard-tab": {"title": "Bound", "root": "/ui", "src": "index.html"}}}
    return layer([("metadata.json", json.dumps(metadata).encode()), ("icon.svg", b"<svg/>"),
                  ("ui/index.html", b"<html></html>")])


def name(prefix, i, length):
    return (f"{prefix}/{i}-").ljust(length, "n")


def write_image(out, layers):
    os.makedirs(os.path.join(out, "blobs", "sha256"), exist_ok=True)
    descriptors = []
    for blob in layers:
        descriptors.append(dict(write_blob(out, blob), mediaType=LAYER))
    config = {"architecture": "amd64", "os": "linux",
              "config": {"Labels": {"com.docker.desktop.extension.api.version": ">= 0.3.0"}},
              "rootfs": {"type": "layers", "diff_ids": []}}
    manifest = {"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
                "config": dict(write_blob(out, json.dumps(config).encode()),
                               mediaType="application/vnd.oci.image.config.v1+json"),
                "layers": descriptors}
    m = write_blob(out, json.dumps(manifest).encode())
    index = {"schemaVersion": 2, "mediaType": "application/vnd.oci.image.index.v1+json",
             "manifests": [dict(m, mediaType=manifest["mediaType"],
                                platform={"os": "linux", "architecture": "amd64"},
                                annotations={"org.opencontainers.image.ref.name": "1.0"})]}
    with open(os.path.join(out, "index.json"), "w") as f:
        json.dump(index, f)
    with open(os.path.join(out, "oci-layout"), "w") as f:
        f.write('{"imageLayoutVersion":"1.0.0"}')


def main():
    out = sys.argv[1]
    base = extension_layer()
    many = [(name(f"e/{i // 1040}", i, 60), b"") for i in range(1_040_000)]
    write_image(os.path.join(out, "entries"), [base, layer(many)])
    long_names = [(name("l", i, 4000), b"") for i in range(16_000)]
    write_image(os.path.join(out, "names"), [base, layer(long_names)])
    listed = layer([(name("r", i, 60), b"") for i in range(4_000)])
    write_image(os.path.join(out, "listed"), [base] + [listed] * 255)


if __name__ == "__main__":
    main()
