#!/usr/bin/env python3
"""Generates the Swift of Shared/ProtoMessages and Shared/ProtoServices from a descriptor set.

Run by scripts/generate.sh; by hand:
    protogen.py --descriptor-set SET.pb --messages-out DIR --services-out DIR FILE.proto...
where FILE.proto are the names (relative to the proto root) of the files to generate code for.
The descriptor set must have been made with --include_imports (and --include_source_info for
doc comments). Exits 1 with a message on anything it cannot generate, e.g. a recursive message.
"""

import argparse
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import emit_descriptors  # noqa: E402
import emit_messages  # noqa: E402
import emit_services  # noqa: E402
from model import GeneratorError, Model  # noqa: E402
from swiftgen import flat_name  # noqa: E402


def generate(descriptor_set_bytes, files):
    """Returns {"messages": {file name: text}, "services": {...}}."""
    model = Model(descriptor_set_bytes, files)
    out = {"messages": {}, "services": {}}
    for f in sorted(model.files, key=lambda f: f.name):
        text = emit_messages.generate_file(f, model)
        if text is not None:
            out["messages"][flat_name(f.name) + ".pb.swift"] = text
        text = emit_services.generate_file(f, model)
        if text is not None:
            out["services"][flat_name(f.name) + ".grpc.swift"] = text
    out["messages"]["ProtoDescriptors.swift"] = emit_descriptors.generate(model)
    return out


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--descriptor-set", required=True)
    p.add_argument("--messages-out", required=True)
    p.add_argument("--services-out", required=True)
    p.add_argument("files", nargs="+")
    args = p.parse_args(argv)
    with open(args.descriptor_set, "rb") as fh:
        data = fh.read()
    try:
        out = generate(data, args.files)
    except GeneratorError as e:
        print(f"protogen: error: {e}", file=sys.stderr)
        return 1
    for kind, directory in (("messages", args.messages_out), ("services", args.services_out)):
        os.makedirs(directory, exist_ok=True)
        for name, text in sorted(out[kind].items()):
            with open(os.path.join(directory, name), "w", encoding="utf-8", newline="\n") as fh:
                fh.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
