"""Issue 8: every line's outcome of a large rejected generation upload reaches a plain grpcio client.

The registry and issuance executables run as processes with the deployment's TLS; the client is a
grpcio channel with its default limits (4 MiB messages, 8 KiB of metadata). A file of 40,000 bad
lines is refused with INVALID_ARGUMENT and trailers that fit the default limit; the error details
name the stored report, which GetGenerationUpload returns page by page: every bad line exactly
once, although the whole report is larger than one default message could carry.

The executables are taken from RECS_BIN_DIR, or else from the directory of INTEROP_SERVER (as
scripts/test.sh sets it: .build/debug).
"""

from __future__ import annotations

import os
import re
import subprocess
import time
from pathlib import Path

import grpc
import pytest

import interop_protos
from conftest import REPO, free_port, stop_process, tail

RECS_PROTOS = ["recs/common/v1/common.proto", "recs/registry/v1/registry.proto", "recs/issuance/v1/issuance.proto"]
BAD_LINES = 40_000
DEFAULT_METADATA_BYTES_MAX = 8 * 1024
DEFAULT_MESSAGE_BYTES_MAX = 4 * 1024 * 1024


def bin_dir() -> Path:
    explicit = os.environ.get("RECS_BIN_DIR", "").strip()
    if explicit:
        directory = Path(explicit)
    else:
        server = os.environ.get("INTEROP_SERVER", "").strip().split(" ")[0]
        if not server or "/" not in server:
            pytest.fail("set RECS_BIN_DIR (or INTEROP_SERVER) to the directory of the built registry and issuance",
                        pytrace=False)
        directory = Path(server).parent
    directory = directory if directory.is_absolute() else REPO / directory
    for name in ("registry", "issuance"):
        if not (directory / name).exists():
            pytest.fail(f"{directory / name} does not exist (swift build --product {name})", pytrace=False)
    return directory


@pytest.fixture(scope="module")
def recs():
    import sys
    sys.path.insert(0, str(interop_protos.compile_protos(RECS_PROTOS, prefix="recs-protos-report")))
    from recs.common.v1 import common_pb2
    from recs.issuance.v1 import issuance_pb2, issuance_pb2_grpc
    from recs.registry.v1 import registry_pb2, registry_pb2_grpc
    return common_pb2, issuance_pb2, issuance_pb2_grpc, registry_pb2, registry_pb2_grpc


@pytest.fixture
def services(tmp_path):
    """registry and issuance on fresh SQLite data, with their addresses, the CA and the administrator's key."""
    binaries = bin_dir()
    tls = tmp_path / "tls"
    made = subprocess.run(["bash", str(REPO / "scripts" / "make-deployment-certs.sh"), str(tls)],
                          capture_output=True, text=True, timeout=120)
    assert made.returncode == 0, made.stderr
    data = tmp_path / "data"
    data.mkdir()
    environment = {k: v for k, v in os.environ.items() if not k.startswith("RECS_")}
    started: list[tuple[str, subprocess.Popen, Path]] = []
    addresses: dict[str, str] = {}

    def start(name: str, peers: list[str]):
        out, err = tmp_path / f"{name}.out", tmp_path / f"{name}.log"
        argv = [str(binaries / name), "--port", "0", "--tls-dir", str(tls), "--data-dir", str(data)] + peers
        with open(out, "wb") as stdout, open(err, "wb") as stderr:
            process = subprocess.Popen(argv, stdout=stdout, stderr=stderr, env=environment, cwd=tmp_path)
        started.append((name, process, err))
        deadline = time.monotonic() + 60
        while True:
            found = re.search(rf"^{name} listening on (\d+)", out.read_text(errors="replace"), re.M)
            if found:
                addresses[name] = f"127.0.0.1:{found.group(1)}"
                return
            if process.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"{name} did not start:\n{tail(err)}", pytrace=False)
            time.sleep(0.05)

    try:
        start("registry", [])
        # Nothing is deposited in this test: transfer's address only has to be given.
        start("issuance", ["--registry-address", addresses["registry"], "--transfer-address", f"127.0.0.1:{free_port()}"])
        yield addresses, (tls / "ca.pem").read_bytes(), (data / "admin-api-key").read_text().strip()
    finally:
        for _, process, _ in reversed(started):
            stop_process(process, timeout=15)


def test_plain_grpcio_client_reads_every_line_of_a_large_rejected_upload(services, recs):
    common_pb2, issuance_pb2, issuance_pb2_grpc, registry_pb2, registry_pb2_grpc = recs
    addresses, ca, admin_key = services
    credentials = grpc.ssl_channel_credentials(root_certificates=ca)
    auth = (("authorization", f"Bearer {admin_key}"),)
    # Default channel options: the 4 MiB receive limit and the 8 KiB metadata limit of any grpcio client.
    with grpc.secure_channel(addresses["registry"], credentials) as registry_channel, \
            grpc.secure_channel(addresses["issuance"], credentials) as issuance_channel:
        me = registry_pb2_grpc.RegistryServiceStub(registry_channel).WhoAmI(
            registry_pb2.WhoAmIRequest(), metadata=auth, timeout=30)
        administrator = me.user.organization_id
        assert administrator

        issuance = issuance_pb2_grpc.IssuanceServiceStub(issuance_channel)
        # Issuance knows the administrator's key once it has read the registry's feed (one poll).
        deadline = time.monotonic() + 30
        while True:
            try:
                issuance.GetGenerationUpload(issuance_pb2.GetGenerationUploadRequest(upload_id="U0"), metadata=auth, timeout=10)
            except grpc.RpcError as probe:
                if probe.code() == grpc.StatusCode.NOT_FOUND:
                    break
                if probe.code() != grpc.StatusCode.UNAUTHENTICATED or time.monotonic() > deadline:
                    raise
            time.sleep(0.1)
        lines = [f"UNIT-{n},13/2025,01/01/2025,01/31/2025,1" for n in range(BAD_LINES)]
        content = ("UNITID,Vintage,BeginDate,EndDate,TotalMWh\n" + "\n".join(lines) + "\n").encode()
        request = issuance_pb2.UploadGenerationFileRequest(
            request_id="large-rejected-upload", reporter_organization_id=administrator, file_name="bad.csv",
            content=content)
        with pytest.raises(grpc.RpcError) as refused:
            issuance.UploadGenerationFile(request, metadata=auth, timeout=300)
        error = refused.value
        assert error.code() == grpc.StatusCode.INVALID_ARGUMENT, error.details()
        trailers = dict(error.trailing_metadata() or ())
        details = common_pb2.ErrorDetails.FromString(trailers["recs-error-details-bin"])
        assert details.reason == "GENERATION_FILE_REJECTED"
        assert details.truncated and details.violation_count == BAD_LINES
        assert sum(len(k) + len(v) for k, v in trailers.items()) < DEFAULT_METADATA_BYTES_MAX
        report_id = details.report_id
        assert report_id and f"report {report_id}" in error.details()

        seen: list[int] = []
        token, pages, encoded = "", 0, 0
        while True:
            page = issuance.GetGenerationUpload(
                issuance_pb2.GetGenerationUploadRequest(
                    upload_id=report_id, records_page=common_pb2.PageRequest(page_size=1000, page_token=token)),
                metadata=auth, timeout=60)
            pages += 1
            size = page.ByteSize()
            assert size < DEFAULT_MESSAGE_BYTES_MAX
            encoded += size
            upload = page.upload
            assert upload.outcome == issuance_pb2.GENERATION_UPLOAD_OUTCOME_FILE_REJECTED
            assert upload.record_count == BAD_LINES and upload.posted_count == 0
            for record in upload.records:
                assert record.outcome == issuance_pb2.GENERATION_RECORD_OUTCOME_REJECTED
                assert [v.line for v in record.violations] == [record.line] * len(record.violations)
                assert any(v.field == "Vintage" for v in record.violations)
                seen.append(record.line)
            token = page.records_page.next_page_token
            if not token:
                break
            assert token == str(seen[-1])

        assert seen == list(range(2, BAD_LINES + 2)), "every bad line exactly once, in order"
        assert pages >= BAD_LINES // 1000
        assert encoded > DEFAULT_MESSAGE_BYTES_MAX, "the whole report would not fit one default message"

        # A malformed token names the field.
        with pytest.raises(grpc.RpcError) as malformed:
            issuance.GetGenerationUpload(
                issuance_pb2.GetGenerationUploadRequest(
                    upload_id=report_id, records_page=common_pb2.PageRequest(page_token="line-7")),
                metadata=auth, timeout=30)
        assert malformed.value.code() == grpc.StatusCode.INVALID_ARGUMENT
        assert "records_page.page_token" in malformed.value.details()
