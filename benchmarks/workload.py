#!/usr/bin/env python3
"""Workload benchmark of the four services as processes (issue 8, item 4); not a test.

For each labelled binary directory (label=DIR holding registry, issuance, transfer, reporting, recs),
each database (SQLite, and PostgreSQL when a URL is given) and each run, it starts the four services
on fresh data with the deployment's TLS and --test-clock, seeds organizations, units and batches
through the API (generation uploads, automatic issuance cycles, deposits), then measures:

  transfer   RequestInterAccountTransfer + AcceptTransfer by the recipient, one certificate each
  retire     RetireCertificates, one certificate each
  lookup     reporting's LookUpSerialNumbers of one serial (the administrator, over a batch the
             transfer phase fragmented)
             each for a fixed duration at every client count (each client its own channel)
  fsync      at 1 client, a fixed number of transfers and retirements with strace -c attached to
             each service (SQLite only): fsync + fdatasync calls per acknowledged operation
  issuance   N unit-months end to end: one generation file per month (one line per unit),
             the clock moved a month at a time so each vintage's cycle runs by itself on its
             90th day, until every batch is deposited (one DepositCertificates call per batch)
  fragment   K single-certificate transfers (request + accept) out of one batch by one client,
             every other serial (first, first+2, first+4, ...), so that nothing merges again: the
             batch ends cut into 2K holdings alternating between the two organizations;
             throughput per slice of K/slices transfers (a time budget stops it early)

and prints a Markdown report (also written to OUT/report.md; raw figures in OUT/results.json).
Run it through benchmarks/workload.sh.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import hashlib
import json
import multiprocessing as mp
import os
import platform
import random
import re
import shutil
import signal
import statistics
import subprocess
import sys
import time
import urllib.parse
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(REPO / "Tests" / "interop"))

import grpc  # noqa: E402

import interop_protos  # noqa: E402

RECS_PROTOS = [
    "recs/common/v1/common.proto", "recs/registry/v1/registry.proto", "recs/issuance/v1/issuance.proto",
    "recs/transfer/v1/transfer.proto", "recs/reporting/v1/reporting.proto", "recs/testing/v1/clock.proto",
]
sys.path.insert(0, str(interop_protos.compile_protos(RECS_PROTOS, prefix="recs-protos")))

from recs.common.v1 import common_pb2 as common  # noqa: E402
from recs.issuance.v1 import issuance_pb2 as issuance, issuance_pb2_grpc as issuance_grpc  # noqa: E402
from recs.registry.v1 import registry_pb2 as registry, registry_pb2_grpc as registry_grpc  # noqa: E402
from recs.reporting.v1 import reporting_pb2 as reporting, reporting_pb2_grpc as reporting_grpc  # noqa: E402
from recs.testing.v1 import clock_pb2 as clock, clock_pb2_grpc as clock_grpc  # noqa: E402
from recs.transfer.v1 import transfer_pb2 as transfer, transfer_pb2_grpc as transfer_grpc  # noqa: E402

SERVICES = ["registry", "transfer", "issuance", "reporting"]  # start order: each calls those before it
CALL_TIMEOUT_S = 60.0
DAY = 86_400
# Each phase's own batch, issued by its own seed unit in the first seeded month, so that no phase
# sees another's fragmentation.
SEED_PHASES = ["transfer-1", "transfer-32", "retire-1", "retire-32", "fsync", "fragment"]


def log(*parts):
    print(f"[{time.strftime('%H:%M:%S')}]", *parts, file=sys.stderr, flush=True)


# ---------------------------------------------------------------------------------------- processes

class System:
    """The four services as processes on fresh storage, with the administrator's key."""

    def __init__(self, label: str, bin_dir: Path, root: Path, tls_dir: Path, database_urls: dict[str, str] | None):
        self.label, self.bin_dir, self.root, self.tls_dir = label, bin_dir, root, tls_dir
        self.database_urls = database_urls
        self.processes: dict[str, subprocess.Popen] = {}
        self.addresses: dict[str, str] = {}
        self.data_dir = root / "data"
        self.logs = root / "logs"

    def start(self):
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self.logs.mkdir(parents=True, exist_ok=True)
        environment = {k: v for k, v in os.environ.items() if not k.startswith("RECS_")}
        for name in SERVICES:
            storage = ["--data-dir", str(self.data_dir)]
            if self.database_urls:
                # The registry writes the administrator's key in its data directory on PostgreSQL too.
                storage = ["--database-url", self.database_urls[name]] + (storage if name == "registry" else [])
            peers = []
            for peer in {"transfer": ["registry"], "issuance": ["registry", "transfer"],
                         "reporting": ["registry", "issuance", "transfer"]}.get(name, []):
                peers += [f"--{peer}-address", self.addresses[peer]]
            arguments = [str(self.bin_dir / name), "--port", "0", "--tls-dir", str(self.tls_dir), "--test-clock"]
            out = open(self.logs / f"{name}.out", "wb")
            err = open(self.logs / f"{name}.log", "wb")
            process = subprocess.Popen(arguments + storage + peers, stdout=out, stderr=err, env=environment,
                                       cwd=self.root, start_new_session=True)
            self.processes[name] = process
            deadline = time.monotonic() + 60
            while True:
                text = (self.logs / f"{name}.out").read_text(errors="replace")
                found = re.search(rf"^{name} listening on (\d+)", text, re.M)
                if found:
                    self.addresses[name] = f"127.0.0.1:{found.group(1)}"
                    break
                if process.poll() is not None or time.monotonic() > deadline:
                    tail = (self.logs / f"{name}.log").read_text(errors="replace")[-3000:]
                    self.stop()
                    raise RuntimeError(f"{name} did not start:\n{tail}")
                time.sleep(0.05)
        self.admin_key = (self.data_dir / "admin-api-key").read_text().strip()

    def pid(self, name: str) -> int:
        return self.processes[name].pid

    def cpu_seconds(self) -> dict[str, float]:
        ticks = os.sysconf("SC_CLK_TCK")
        result = {}
        for name, process in self.processes.items():
            try:
                fields = Path(f"/proc/{process.pid}/stat").read_text().rsplit(")", 1)[1].split()
                result[name] = (int(fields[11]) + int(fields[12])) / ticks
            except (OSError, IndexError):
                result[name] = 0.0
        return result

    def stop(self):
        for name in reversed(SERVICES):
            process = self.processes.get(name)
            if process and process.poll() is None:
                process.send_signal(signal.SIGTERM)
        for name in reversed(SERVICES):
            process = self.processes.get(name)
            if process:
                try:
                    process.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait()


def channel(address: str, ca: bytes, aio: bool = False):
    """A channel of its own (its own subchannel pool, so its own HTTP/2 connection)."""
    credentials = grpc.ssl_channel_credentials(root_certificates=ca)
    options = [("grpc.use_local_subchannel_pool", 1), ("grpc.max_receive_message_length", 64 << 20)]
    if aio:
        return grpc.aio.secure_channel(address, credentials, options=options)
    return grpc.secure_channel(address, credentials, options=options)


# The services answer UNAVAILABLE (e.g. PostgreSQL's serialization failures) and ABORTED with "retry
# with the same request_id": the driver does, as a client should; the retries are counted.
RETRYABLE = {grpc.StatusCode.UNAVAILABLE, grpc.StatusCode.ABORTED}
RETRY_ATTEMPTS = 30


class RetryingStub:
    """A stub whose calls are retried, with the same request, on UNAVAILABLE and ABORTED."""

    def __init__(self, stub):
        self.stub, self.retries = stub, 0

    def __getattr__(self, name):
        method = getattr(self.stub, name)

        def call(*args, **kwargs):
            for attempt in range(RETRY_ATTEMPTS):
                try:
                    return method(*args, **kwargs)
                except grpc.RpcError as error:
                    if error.code() not in RETRYABLE or attempt == RETRY_ATTEMPTS - 1:
                        raise
                    self.retries += 1
                    time.sleep(min(0.005 * 2 ** attempt, 0.5))
        return call


class AsyncRetryingStub(RetryingStub):
    def __getattr__(self, name):
        method = getattr(self.stub, name)

        async def call(*args, **kwargs):
            for attempt in range(RETRY_ATTEMPTS):
                try:
                    return await method(*args, **kwargs)
                except grpc.RpcError as error:
                    if error.code() not in RETRYABLE or attempt == RETRY_ATTEMPTS - 1:
                        raise
                    self.retries += 1
                    await asyncio.sleep(min(0.005 * 2 ** attempt, 0.5))
        return call


def bearer(key: str):
    return (("authorization", f"Bearer {key}"),)


# ---------------------------------------------------------------------------------------- seeding

class Deployment:
    """Synchronous clients of one running system, and what the seeding made."""

    def __init__(self, system: System, ca: bytes):
        self.system, self.ca = system, ca
        self.channels = {name: channel(system.addresses[name], ca) for name in SERVICES}
        self.registry = RetryingStub(registry_grpc.RegistryServiceStub(self.channels["registry"]))
        self.issuance = RetryingStub(issuance_grpc.IssuanceServiceStub(self.channels["issuance"]))
        self.transfer = RetryingStub(transfer_grpc.TransferServiceStub(self.channels["transfer"]))
        self.reporting = RetryingStub(reporting_grpc.ReportingServiceStub(self.channels["reporting"]))
        self.clocks = {name: RetryingStub(clock_grpc.TestClockStub(self.channels[name])) for name in SERVICES}
        self.admin = bearer(system.admin_key)
        self.keys: dict[str, str] = {}
        self.orgs: dict[str, registry.Organization] = {}
        self.request_counter = 0

    def close(self):
        for c in self.channels.values():
            c.close()

    def rid(self, what: str) -> str:
        self.request_counter += 1
        return f"bench-{what}-{self.request_counter}"

    def as_(self, org: str):
        return bearer(self.keys[org])

    # time ------------------------------------------------------------------------------------------
    def now(self) -> int:
        return self.clocks["registry"].GetTime(clock.GetTimeRequest(), metadata=self.admin, timeout=CALL_TIMEOUT_S).time.unix_seconds

    def set_time(self, unix_seconds: int):
        """Moves every service's clock forward to `unix_seconds` (running the work due), in recs's order."""
        for name in ["registry", "transfer", "issuance", "reporting"]:
            self.clocks[name].SetTime(clock.SetTimeRequest(time=common.Timestamp(unix_seconds=unix_seconds)),
                                      metadata=self.admin, timeout=600)

    # organizations and units -------------------------------------------------------------------------
    def create_org(self, role: str, name: str, org_type) -> registry.Organization:
        created = self.registry.CreateOrganization(registry.CreateOrganizationRequest(
            request_id=self.rid("org"), name=name, type=org_type, manager_person_name=f"Manager of {name}",
            manager_login=f"bench-{role}"), metadata=self.admin, timeout=CALL_TIMEOUT_S)
        key = self.registry.CreateApiKey(registry.CreateApiKeyRequest(
            request_id=self.rid("key"), user_id=created.manager.user_id, label="bench"), metadata=self.admin, timeout=CALL_TIMEOUT_S)
        self.keys[role] = key.secret
        self.orgs[role] = created.organization
        return created.organization

    def subaccount(self, role: str, kind) -> str:
        return next(s.subaccount_id for s in self.orgs[role].subaccounts if s.kind == kind)

    def register_unit(self, index: int, qre_unit_id: str, capacity_watts: int) -> str:
        owner = self.orgs["owner"].organization_id
        data = registry.GeneratingUnitStaticData(
            name=f"Bench unit {index}", facility_name=f"Bench facility {index}", state_or_province="CA", country="US",
            fuels=[registry.UnitFuel(fuel_type_code="SO1", fuel_source_codes=["solar"])],
            commenced_operation_on=common.Date(year=2020, month=6, day=1), nameplate_capacity_watts=capacity_watts,
            capacity_factor_parts_per_million=1_000_000,
            classification=registry.ClassificationCharacteristics(siting=registry.SITING_WHOLESALE),
            all_output_reported=True)
        unit = self.registry.RegisterGeneratingUnit(registry.RegisterGeneratingUnitRequest(
            request_id=f"bench-unit-{index}", organization_id=owner, static_data=data,
            deposit_subaccount_id=self.subaccount("owner", common.SUBACCOUNT_KIND_ACTIVE)),
            metadata=self.as_("owner"), timeout=CALL_TIMEOUT_S).generating_unit
        self.registry.ApproveGeneratingUnit(registry.ApproveGeneratingUnitRequest(
            request_id=f"bench-approve-{index}", generating_unit_id=unit.generating_unit_id, verification_notes="bench"),
            metadata=self.admin, timeout=CALL_TIMEOUT_S)
        self.registry.DesignateReportingEntity(registry.DesignateReportingEntityRequest(
            request_id=f"bench-designate-{index}", generating_unit_id=unit.generating_unit_id,
            type=common.REPORTING_ENTITY_TYPE_QUALIFIED_REPORTING_ENTITY,
            reporting_entity_organization_id=self.orgs["qre"].organization_id, reporting_entity_unit_id=qre_unit_id),
            metadata=self.as_("owner"), timeout=CALL_TIMEOUT_S)
        return unit.generating_unit_id

    def upload(self, lines: list[tuple[str, int, int, int]], name: str) -> issuance.GenerationUpload:
        """lines: (qre unit id, year, month, kWh). Retries while issuance has not yet learnt the QRE's key."""
        text = ["UNITID,Vintage,BeginDate,EndDate,TotalMWh"]
        for qre_unit, year, month, kwh in lines:
            last = month_end(year, month).day
            text.append(f"{qre_unit},{month:02d}/{year},{month:02d}/01/{year},{month:02d}/{last:02d}/{year},"
                        f"{kwh // 1000}.{kwh % 1000:03d}")
        request = issuance.UploadGenerationFileRequest(
            request_id=self.rid("upload"), reporter_organization_id=self.orgs["qre"].organization_id, file_name=name,
            content=("\n".join(text) + "\n").encode())
        deadline = time.monotonic() + 30
        while True:
            try:
                upload = self.issuance.UploadGenerationFile(request, metadata=self.as_("qre"), timeout=CALL_TIMEOUT_S).upload
                break
            except grpc.RpcError as error:
                if error.code() != grpc.StatusCode.UNAUTHENTICATED or time.monotonic() > deadline:
                    raise
                time.sleep(0.1)
        if upload.posted_count != len(lines):
            bad = [r for r in upload.records if r.outcome != issuance.GENERATION_RECORD_OUTCOME_POSTED][:3]
            raise RuntimeError(f"upload {name}: {upload.posted_count} of {len(lines)} lines posted: {bad}")
        return upload

    def active_quantity(self, role: str) -> int:
        totals = self.transfer.GetHoldingsSummary(transfer.GetHoldingsSummaryRequest(
            organization_id=self.orgs[role].organization_id), metadata=self.as_(role), timeout=CALL_TIMEOUT_S).totals
        return sum(t.quantity for t in totals if t.subaccount_kind == common.SUBACCOUNT_KIND_ACTIVE
                   and t.status == common.CERTIFICATE_STATUS_ACTIVE)

    def wait_for_active(self, role: str, quantity: int, timeout: float) -> bool:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.active_quantity(role) >= quantity:
                return True
            time.sleep(0.02)
        return False

    def wait_for_reporting(self, timeout: float = 300):
        """Until reporting has applied every event the three other services had published."""
        wanted = {
            "recs.registry.v1.RegistryService": self.registry.ListEvents(registry.ListEventsRequest(), metadata=self.admin).last_sequence,
            "recs.issuance.v1.IssuanceService": self.issuance.ListEvents(issuance.ListEventsRequest(), metadata=self.admin).last_sequence,
            "recs.transfer.v1.TransferService": self.transfer.ListEvents(transfer.ListEventsRequest(), metadata=self.admin).last_sequence,
        }
        deadline = time.monotonic() + timeout
        while True:
            positions = {p.service: p.applied_sequence for p in self.reporting.GetFeedPositions(
                reporting.GetFeedPositionsRequest(), metadata=self.admin, timeout=CALL_TIMEOUT_S).positions}
            if all(positions.get(s, 0) >= last for s, last in wanted.items()):
                return
            if time.monotonic() > deadline:
                raise RuntimeError(f"reporting did not catch up: {positions} of {wanted}")
            time.sleep(0.1)

    def batches(self, unit_id: str) -> list:
        return list(self.issuance.ListCertificateBatches(issuance.ListCertificateBatchesRequest(
            generating_unit_id=unit_id), metadata=self.admin, timeout=CALL_TIMEOUT_S).batches)


def month_end(year: int, month: int) -> dt.date:
    first_next = dt.date(year + month // 12, month % 12 + 1, 1)
    return first_next - dt.timedelta(days=1)


def next_month(year: int, month: int) -> tuple[int, int]:
    return (year + month // 12, month % 12 + 1)


def noon_pacific(day: dt.date) -> int:
    """20:00 UTC (noon or 1 pm in the registry's default time zone) of `day`, in Unix seconds."""
    return int(dt.datetime(day.year, day.month, day.day, 20, tzinfo=dt.timezone.utc).timestamp())


def seed(d: Deployment, args) -> dict:
    """Organizations, the seed units with one big batch per phase, the issuance phase's units."""
    started = time.monotonic()
    d.create_org("owner", "Bench Owner LLC", common.ORGANIZATION_TYPE_ACCOUNT_HOLDER)
    d.create_org("buyer", "Bench Buyer Co", common.ORGANIZATION_TYPE_ACCOUNT_HOLDER)
    d.create_org("qre", "Bench Meter Readers", common.ORGANIZATION_TYPE_QUALIFIED_REPORTING_ENTITY)
    # Registered in parallel: seeding is not measured, and thousands of units take a while one by one.
    specs = [(i, f"SEED-{i}", 2_000_000_000) for i in range(len(SEED_PHASES))]
    specs += [(len(SEED_PHASES) + i, f"ISS-{i}", 2_000_000) for i in range(args.issuance_units)]
    with ThreadPoolExecutor(8) as pool:
        units = list(pool.map(lambda s: d.register_unit(*s), specs))
    seed_units = dict(zip(SEED_PHASES, units[:len(SEED_PHASES)]))
    issuance_units = list(zip(units[len(SEED_PHASES):], [s[1] for s in specs[len(SEED_PHASES):]]))

    # Issuance and transfer learn units, designations and keys from the registry's feed (polled
    # every 500 ms): give them a few polls before the first upload.
    time.sleep(2)
    # The first month after the services' clocks (which start at the real time): the seed batches.
    now = d.now()
    today = dt.datetime.fromtimestamp(now, dt.timezone.utc).date()
    year, month = next_month(today.year, today.month)
    d.set_time(noon_pacific(month_end(year, month) + dt.timedelta(days=1)))
    per_batch = args.seed_certificates
    d.upload([(f"SEED-{i}", year, month, per_batch * 1000) for i in range(len(SEED_PHASES))], "seed.csv")
    # §12.2: the cycle runs by itself on the 90th day after the month; its batches are then deposited.
    d.set_time(noon_pacific(month_end(year, month) + dt.timedelta(days=91)))
    if not d.wait_for_active("owner", per_batch * len(SEED_PHASES), timeout=300):
        raise RuntimeError(f"seed batches not deposited: owner holds {d.active_quantity('owner')}")
    batches = {}
    for phase, unit in seed_units.items():
        found = d.batches(unit)
        if len(found) != 1 or found[0].quantity != per_batch:
            raise RuntimeError(f"seed unit {unit}: batches {found}")
        batches[phase] = found[0].serial_range
    d.wait_for_reporting()
    log(f"seeded in {time.monotonic() - started:.1f} s: {len(units)} units, {len(SEED_PHASES)} batches of {per_batch}")
    return {"batches": batches, "issuance_units": issuance_units}


# ---------------------------------------------------------------------------------------- load phases

def serial(batch: common.SerialRange, number: int) -> common.SerialRange:
    return common.SerialRange(generating_unit_id=batch.generating_unit_id, state_or_province=batch.state_or_province,
                              batch_number=batch.batch_number, first=number, last=number)


async def client_loop(spec: dict, client: int, go_at: float, results: list):
    """One client: its own channel, operations back to back until the phase's end."""
    batch = common.SerialRange()
    batch.ParseFromString(spec["batch"])
    ca = spec["ca"]
    kind = spec["kind"]
    clients = spec["clients"]
    first, last = batch.first, batch.last
    # Client c takes the serials first + c, first + c + clients, ... : disjoint and, at the start of
    # the batch, interleaved, as concurrent requests for one batch's certificates would be.
    numbers = range(first + client, last + 1, clients)
    rng = random.Random(client)
    channels = []
    if kind in ("transfer", "retire"):
        channels.append(channel(spec["addresses"]["transfer"], ca, aio=True))
        stub = AsyncRetryingStub(transfer_grpc.TransferServiceStub(channels[0]))
    else:
        channels.append(channel(spec["addresses"]["reporting"], ca, aio=True))
        stub = AsyncRetryingStub(reporting_grpc.ReportingServiceStub(channels[0]))
    await channels[0].channel_ready()
    owner, buyer, admin = bearer(spec["keys"]["owner"]), bearer(spec["keys"]["buyer"]), bearer(spec["admin"])
    reason = common.RetirementReason(category=spec["retire_category"], details="bench")
    latencies, errors, first_error = [], 0, None
    while time.monotonic() < go_at:
        await asyncio.sleep(0.001)
    end_at = go_at + spec["duration"]
    limit = spec.get("operations")
    index = 0
    finished = None
    while True:
        if limit is not None:
            if (kind != "lookup" and index >= len(numbers)) or index * clients + client >= limit:
                break
        elif time.monotonic() >= end_at or (kind != "lookup" and index >= len(numbers)):
            break
        number = numbers[index] if kind != "lookup" else rng.randint(spec["lookup_first"], spec["lookup_last"])
        index += 1
        tag = f"{spec['tag']}-{client}-{index}"
        started = time.perf_counter()
        try:
            if kind == "transfer":
                requested = await stub.RequestInterAccountTransfer(transfer.RequestInterAccountTransferRequest(
                    request_id=f"rq-{tag}", organization_id=spec["owner_id"], to_organization_id=spec["buyer_id"],
                    items=[transfer.TransferItem(serial_range=serial(batch, number))]), metadata=owner, timeout=CALL_TIMEOUT_S)
                await stub.AcceptTransfer(transfer.AcceptTransferRequest(
                    request_id=f"ac-{tag}", transfer_id=requested.transfer.transfer_id), metadata=buyer, timeout=CALL_TIMEOUT_S)
            elif kind == "retire":
                await stub.RetireCertificates(transfer.RetireCertificatesRequest(
                    request_id=f"rt-{tag}", organization_id=spec["owner_id"],
                    items=[transfer.TransferItem(serial_range=serial(batch, number))],
                    retirement_subaccount_id=spec["retirement_subaccount"], reason=reason), metadata=owner, timeout=CALL_TIMEOUT_S)
            else:
                await stub.LookUpSerialNumbers(reporting.LookUpSerialNumbersRequest(serial_range=serial(batch, number)),
                                               metadata=admin, timeout=CALL_TIMEOUT_S)
            finished = time.monotonic()
            if limit is not None or finished <= end_at:
                latencies.append(time.perf_counter() - started)
        except grpc.RpcError as error:
            errors += 1
            if first_error is None:
                first_error = f"{error.code().name}: {error.details()}"
            if errors > 100 and not latencies:
                break
    for c in channels:
        await c.close()
    results.append({"latencies": latencies, "errors": errors, "first_error": first_error, "finished": finished,
                    "retries": stub.retries})


def worker_main(spec: dict, client_ids: list[int], ready, go, out):
    async def run():
        results: list = []
        ready.put(os.getpid())
        while not go.is_set():
            await asyncio.sleep(0.001)
        go_at = go_at_value.value
        await asyncio.gather(*(client_loop(spec, c, go_at, results) for c in client_ids))
        return results
    go_at_value = spec.pop("_go_at")
    cpu_before = os.times()
    results = asyncio.run(run())
    cpu_after = os.times()
    out.put({"results": results, "cpu": (cpu_after.user - cpu_before.user) + (cpu_after.system - cpu_before.system)})


def run_phase(system: System, spec: dict, clients: int, workers: int, strace: bool = False) -> dict:
    """Runs `clients` clients spread over `workers` processes; returns ops/s, p50, p99, errors."""
    context = mp.get_context("spawn")
    ready, out = context.Queue(), context.Queue()
    go = context.Event()
    go_at = context.Value("d", 0.0)
    workers = max(1, min(workers, clients))
    processes = []
    for w in range(workers):
        worker_spec = dict(spec, clients=clients, _go_at=go_at)
        p = context.Process(target=worker_main, args=(worker_spec, list(range(w, clients, workers)), ready, go, out))
        p.start()
        processes.append(p)
    for _ in processes:
        ready.get(timeout=120)
    tracers = start_strace(system) if strace else None
    cpu_before = system.cpu_seconds()
    go_at.value = time.monotonic() + 0.5
    go.set()
    collected = [out.get(timeout=spec["duration"] + 900) for _ in processes]
    wall = time.monotonic() - go_at.value
    cpu_after = system.cpu_seconds()
    fsyncs = stop_strace(tracers) if tracers else None
    for p in processes:
        p.join()
    latencies = sorted(x for c in collected for r in c["results"] for x in r["latencies"])
    errors = sum(r["errors"] for c in collected for r in c["results"])
    retries = sum(r["retries"] for c in collected for r in c["results"])
    first_error = next((r["first_error"] for c in collected for r in c["results"] if r["first_error"]), None)
    elapsed = spec["duration"] if spec.get("operations") is None else wall
    result = {
        "ops": len(latencies), "seconds": round(elapsed, 3), "ops_per_s": len(latencies) / elapsed if elapsed else 0,
        "p50_ms": percentile(latencies, 50) * 1000, "p99_ms": percentile(latencies, 99) * 1000,
        "errors": errors, "first_error": first_error, "retries": retries,
        "cpu_s": {name: round(cpu_after[name] - cpu_before[name], 2) for name in cpu_after},
        "driver_cpu_s": round(sum(c["cpu"] for c in collected), 2),
    }
    if fsyncs is not None:
        result["fsyncs"] = fsyncs
    return result


def percentile(values: list[float], p: float) -> float:
    """Nearest rank."""
    if not values:
        return float("nan")
    rank = max(1, -(-len(values) * p // 100))
    return values[int(rank) - 1]


def start_strace(system: System):
    if shutil.which("strace") is None:
        return None
    tracers = {}
    for name in SERVICES:
        path = system.root / f"strace-{name}.txt"
        tracers[name] = (subprocess.Popen(["strace", "-f", "-c", "-e", "trace=fsync,fdatasync,sync_file_range,msync",
                                           "-o", str(path), "-p", str(system.pid(name))],
                                          stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL), path)
    time.sleep(1.0)  # attached to every thread
    return tracers


def stop_strace(tracers) -> dict[str, int]:
    counts = {}
    for name, (process, path) in tracers.items():
        process.send_signal(signal.SIGINT)
        process.wait(timeout=30)
        total = 0
        for line in path.read_text(errors="replace").splitlines():
            fields = line.split()
            # "% time  seconds  usecs/call  calls  [errors]  syscall"
            if fields and fields[-1] in ("fsync", "fdatasync", "sync_file_range", "msync") and len(fields) >= 5:
                total += int(fields[3])
        counts[name] = total
    return counts


def phase_spec(d: Deployment, seeded: dict, kind: str, batch_name: str, tag: str, duration: float,
               operations: int | None = None) -> dict:
    batch = seeded["batches"][batch_name]
    lookup = seeded["batches"]["transfer-32"]
    return {
        "kind": kind, "tag": tag, "duration": duration, "operations": operations, "batch": batch.SerializeToString(),
        "ca": d.ca, "addresses": d.system.addresses, "keys": dict(d.keys), "admin": d.system.admin_key,
        "owner_id": d.orgs["owner"].organization_id, "buyer_id": d.orgs["buyer"].organization_id,
        "retirement_subaccount": d.subaccount("owner", common.SUBACCOUNT_KIND_RETIREMENT),
        "retire_category": common.RetirementReasonCategory.Value("RETIREMENT_REASON_CATEGORY_VOLUNTARY_MARKET_ACTIVITY"),
        "lookup_first": lookup.first, "lookup_last": lookup.last,
    }


# ---------------------------------------------------------------------------------------- issuance, fragmentation

def issuance_phase(d: Deployment, seeded: dict, unit_months: int) -> dict:
    """unit_months over the issuance units: one file per month, the clock moved a month at a time
    (each vintage's cycle runs on its 90th day and deposits), until every batch is deposited."""
    units = seeded["issuance_units"]
    months = -(-unit_months // len(units))
    # The month the clocks stand in: its file is uploaded on the day after it ends.
    today = dt.datetime.fromtimestamp(d.now(), dt.timezone.utc).date()
    year, month = today.year, today.month
    kwh = 10_000  # 10 MWh: 10 certificates per unit-month, one batch each
    before = d.active_quantity("owner")
    expected = 0
    started = time.monotonic()
    remaining = unit_months
    upload_s = 0.0
    for _ in range(months):
        d.set_time(noon_pacific(month_end(year, month) + dt.timedelta(days=1)))
        lines = [(qre_unit, year, month, kwh) for _, qre_unit in units[:remaining]]
        t = time.monotonic()
        d.upload(lines, f"{year}-{month:02d}.csv")
        upload_s += time.monotonic() - t
        remaining -= len(lines)
        expected += len(lines) * (kwh // 1000)
        last = (year, month)
        year, month = next_month(year, month)
    d.set_time(noon_pacific(month_end(*last) + dt.timedelta(days=91)))
    deposited = d.wait_for_active("owner", before + expected, timeout=3600)
    seconds = time.monotonic() - started
    return {"unit_months": unit_months, "units": len(units), "months": months, "seconds": round(seconds, 3),
            "ops_per_s": unit_months / seconds, "upload_s": round(upload_s, 3), "deposited": deposited,
            "certificates": expected}


def fragmentation_phase(d: Deployment, seeded: dict, count: int, slices: int, budget: float) -> dict:
    """count single-certificate transfers (request + accept) out of one batch by one client, every
    other serial: each transfer leaves the owner a one-certificate holding before the serial it
    sends and the buyer a holding that cannot merge with its previous one, so after i transfers
    the batch is cut into about 2i holdings (transfers in serial order would merge back into two).
    Throughput per slice of count/slices transfers; stops at the time budget."""
    batch = seeded["batches"]["fragment"]
    count = min(count, (batch.last - batch.first + 1) // 2)
    per_slice = max(1, count // slices)
    stub = RetryingStub(transfer_grpc.TransferServiceStub(channel(d.system.addresses["transfer"], d.ca)))
    owner, buyer = d.as_("owner"), d.as_("buyer")
    owner_id, buyer_id = d.orgs["owner"].organization_id, d.orgs["buyer"].organization_id
    curve, done, errors = [], 0, 0
    started = time.monotonic()
    slice_started, slice_latencies = started, []
    for i in range(count):
        if time.monotonic() - started > budget:
            break
        t = time.perf_counter()
        try:
            requested = stub.RequestInterAccountTransfer(transfer.RequestInterAccountTransferRequest(
                request_id=f"frag-rq-{i}", organization_id=owner_id, to_organization_id=buyer_id,
                items=[transfer.TransferItem(serial_range=serial(batch, batch.first + 2 * i))]), metadata=owner, timeout=CALL_TIMEOUT_S)
            stub.AcceptTransfer(transfer.AcceptTransferRequest(request_id=f"frag-ac-{i}",
                                                               transfer_id=requested.transfer.transfer_id),
                                metadata=buyer, timeout=CALL_TIMEOUT_S)
            slice_latencies.append(time.perf_counter() - t)
            done += 1
        except grpc.RpcError:
            errors += 1
        if (i + 1) % per_slice == 0 or i + 1 == count:
            elapsed = time.monotonic() - slice_started
            slice_latencies.sort()
            curve.append({"slice": len(curve) + 1, "transfers": len(slice_latencies), "ops_per_s": len(slice_latencies) / elapsed,
                          "p99_ms": percentile(slice_latencies, 99) * 1000, "complete": True})
            slice_started, slice_latencies = time.monotonic(), []
    if slice_latencies:
        elapsed = time.monotonic() - slice_started
        slice_latencies.sort()
        curve.append({"slice": len(curve) + 1, "transfers": len(slice_latencies), "ops_per_s": len(slice_latencies) / elapsed,
                      "p99_ms": percentile(slice_latencies, 99) * 1000, "complete": False})
    return {"requested": count, "done": done, "errors": errors, "per_slice": per_slice,
            "seconds": round(time.monotonic() - started, 2), "curve": curve}


# ---------------------------------------------------------------------------------------- one system run

def run_system(label: str, bin_dir: Path, database: str, run: int, args, tls_dir: Path, ca: bytes) -> dict:
    root = Path(args.out) / f"{label}-{database}-run{run}"
    if root.exists():
        shutil.rmtree(root)
    root.mkdir(parents=True)
    urls = None
    if database == "postgres":
        urls = make_databases(args.postgres, f"bench_{re.sub(r'[^a-z0-9]', '_', label.lower())}_{run}")
    system = System(label, bin_dir, root, tls_dir, urls)
    results: dict = {"label": label, "database": database, "run": run, "phases": {}}
    try:
        system.start()
        d = Deployment(system, ca)
        seeded = seed(d, args)
        for kind in ["transfer", "retire", "lookup"]:
            for clients in args.clients:
                batch = f"{kind}-{1 if clients == 1 else 32}" if kind != "lookup" else "transfer-32"
                if kind == "lookup":
                    d.wait_for_reporting()
                spec = phase_spec(d, seeded, kind, batch, f"{kind}{clients}r{run}", args.duration)
                result = run_phase(system, spec, clients, args.workers)
                results["phases"][f"{kind}@{clients}"] = result
                log(f"{label} {database} run {run} {kind}@{clients}: {result['ops_per_s']:.0f} ops/s, "
                    f"p50 {result['p50_ms']:.2f} ms, p99 {result['p99_ms']:.2f} ms, errors {result['errors']}, retries {result['retries']}"
                    + (f" ({result['first_error']})" if result["first_error"] else ""))
        if database == "sqlite" and args.fsync_ops > 0:
            for kind in ["transfer", "retire"]:
                spec = phase_spec(d, seeded, kind, "fsync", f"fs{kind}r{run}", 0, operations=args.fsync_ops)
                if kind == "retire":
                    spec["batch"] = offset_batch(seeded["batches"]["fsync"], args.fsync_ops).SerializeToString()
                result = run_phase(system, spec, 1, 1, strace=True)
                if "fsyncs" in result:
                    # A transfer is two acknowledged calls (request, accept); a retirement one.
                    calls = result["ops"] * (2 if kind == "transfer" else 1)
                    result["fsyncs_per_call"] = {n: c / calls for n, c in result["fsyncs"].items()} if calls else {}
                results["phases"][f"fsync-{kind}"] = result
                log(f"{label} {database} run {run} fsync {kind}: {result.get('fsyncs')} over {result['ops']} operations")
        if args.issuance_unit_months > 0:
            result = issuance_phase(d, seeded, args.issuance_unit_months)
            results["phases"]["issuance"] = result
            log(f"{label} {database} run {run} issuance: {result['unit_months']} unit-months in {result['seconds']} s "
                f"({result['ops_per_s']:.0f}/s), deposited: {result['deposited']}")
        if args.fragment_count > 0:
            result = fragmentation_phase(d, seeded, args.fragment_count, args.fragment_slices, args.fragment_budget)
            results["fragment"] = result
            log(f"{label} {database} run {run} fragmentation: {result['done']} transfers in {result['seconds']} s: "
                + ", ".join(f"{s['ops_per_s']:.0f}" for s in result["curve"]))
        d.close()
    except Exception as error:  # noqa: BLE001 - one failed system run is reported, the others go on
        results["failure"] = f"{type(error).__name__}: {error}"
        log(f"{label} {database} run {run} FAILED: {results['failure']}")
    finally:
        system.stop()
        if urls:
            drop_databases(args.postgres, urls)
        if not args.keep_data:
            shutil.rmtree(system.data_dir, ignore_errors=True)
    return results


def offset_batch(batch: common.SerialRange, skip: int) -> common.SerialRange:
    part = common.SerialRange()
    part.CopyFrom(batch)
    part.first = batch.first + skip
    return part


def make_databases(url: str, prefix: str) -> dict[str, str]:
    urls = {}
    for name in SERVICES:
        database = f"{prefix}_{name}"
        psql(url, f"DROP DATABASE IF EXISTS {database}")
        psql(url, f"CREATE DATABASE {database}")
        parts = urllib.parse.urlsplit(url)
        urls[name] = urllib.parse.urlunsplit(parts._replace(path=f"/{database}"))
        psql(urls[name], "CREATE EXTENSION IF NOT EXISTS btree_gist")
    return urls


def drop_databases(url: str, urls: dict[str, str]):
    for database_url in urls.values():
        name = urllib.parse.urlsplit(database_url).path.lstrip("/")
        psql(url, f"DROP DATABASE IF EXISTS {name}", check=False)


def psql(url: str, sql: str, check: bool = True):
    subprocess.run(["psql", url, "-X", "-q", "-v", "ON_ERROR_STOP=1", "-c", sql], check=check,
                   stdout=subprocess.DEVNULL, stderr=subprocess.PIPE if not check else None)


# ---------------------------------------------------------------------------------------- report

def machine_info(out: Path) -> list[str]:
    def sh(command: str) -> str:
        try:
            return subprocess.run(command, shell=True, capture_output=True, text=True, timeout=10).stdout.strip()
        except Exception:  # noqa: BLE001
            return "?"
    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), "?")
    disk = sh(f"df -hT {out} | tail -1 | awk '{{print $1, $2, $3}}'")
    device = sh(f"df {out} | tail -1 | awk '{{print $1}}' | xargs -r basename")
    rotational = sh(f"cat /sys/block/{device}/queue/rotational 2>/dev/null")
    memory = round(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30)
    load = Path("/proc/loadavg").read_text().split()[:3]
    return [
        f"- date: {time.strftime('%Y-%m-%d %H:%M:%S UTC', time.gmtime())}",
        f"- nproc: {os.cpu_count()}",
        f"- CPU: {cpu}",
        f"- kernel: {platform.system()} {platform.release()} {platform.machine()}",
        f"- disk of the data directories: {disk} (rotational: {rotational or '?'}), memory: {memory} GiB",
        f"- load average at start: {' '.join(load)}",
        f"- python {platform.python_version()}, grpcio {grpc.__version__}",
    ]


def commit_of(bin_dir: Path) -> str:
    stamp = bin_dir / "COMMIT"
    if stamp.is_file():
        return stamp.read_text().strip()
    try:
        return subprocess.run(["git", "-C", str(bin_dir), "rev-parse", "--short", "HEAD"], capture_output=True,
                              text=True, check=True).stdout.strip() + " (the checkout the directory is in; may be dirty)"
    except (subprocess.CalledProcessError, OSError):
        return "unknown (no COMMIT file)"


def binary_digest(bin_dir: Path) -> str:
    return hashlib.sha256((bin_dir / "transfer").read_bytes()).hexdigest()[:12]


TARGETS = {
    ("transfer", 32): "≥ 4,000/s, p99 < 50 ms", ("retire", 32): "≥ 5,000/s, p99 < 50 ms", ("lookup", 32): "≥ 20,000/s",
    "issuance": "100,000 in < 10 s", "fsync": "≤ 1 per acknowledged call", "fragment": "last slice ≥ 80% of first",
}


def median(values):
    values = [v for v in values if v == v]  # drop NaN
    return statistics.median(values) if values else float("nan")


def fmt(value, digits=0):
    if value is None or value != value:
        return "-"
    return f"{value:,.{digits}f}"


def report(all_results: list[dict], labels: list[tuple[str, Path]], args, machine: list[str], command: str) -> str:
    lines = ["## Workload report", "", *machine, f"- command: `{command}`",
             f"- runs: {args.runs} per label and database, interleaved; phases of {args.duration} s; clients {args.clients}; "
             f"driver processes up to {args.workers}; seed batches of {args.seed_certificates:,} certificates; "
             f"issuance {args.issuance_unit_months:,} unit-months over {args.issuance_units} units; fragmentation "
             f"{args.fragment_count:,} transfers in {args.fragment_slices} slices, budget {args.fragment_budget:g} s",
             "- p50/p99: nearest rank over every operation of the phase; a transfer is request + accept (two calls)",
             ""]
    lines += ["| label | binaries | commit | transfer sha256 |", "|---|---|---|---|"]
    for label, bin_dir in labels:
        lines.append(f"| {label} | `{bin_dir}` | {commit_of(bin_dir)} | {binary_digest(bin_dir)} |")
    lines.append("")
    failures = [r for r in all_results if "failure" in r]
    for r in failures:
        lines.append(f"- **FAILED**: {r['label']} {r['database']} run {r['run']}: {r['failure']}")
    if failures:
        lines.append("")
    names = [label for label, _ in labels]
    databases = list(dict.fromkeys(r["database"] for r in all_results))
    for database in databases:
        # A failed system run still counts with the phases it measured before failing (listed above).
        runs = {label: [r for r in all_results if r["label"] == label and r["database"] == database] for label in names}
        lines += [f"### {database}: medians over runs", ""]
        header = "| phase | target |" + "".join(f" {n} ops/s | {n} p50 ms | {n} p99 ms |" for n in names)
        if len(names) > 1:
            header += "".join(f" {n}/{names[0]} ops/s |" for n in names[1:])
        lines += [header, "|---|---|" + "---:|---:|---:|" * len(names) + "---:|" * (len(names) - 1)]
        for kind in ["transfer", "retire", "lookup"]:
            for clients in args.clients:
                key = f"{kind}@{clients}"
                row = f"| {key} | {TARGETS.get((kind, clients), '')} |"
                medians = {}
                for n in names:
                    phases = [r["phases"][key] for r in runs[n] if key in r["phases"]]
                    medians[n] = median([p["ops_per_s"] for p in phases])
                    row += f" {fmt(medians[n])} | {fmt(median([p['p50_ms'] for p in phases]), 2)} | {fmt(median([p['p99_ms'] for p in phases]), 2)} |"
                for n in names[1:]:
                    row += f" {fmt(medians[n] / medians[names[0]] if medians[names[0]] else float('nan'), 2)} |"
                lines.append(row)
        row = f"| issuance (unit-months/s; seconds) | {TARGETS['issuance']} |"
        medians = {}
        for n in names:
            phases = [r["phases"]["issuance"] for r in runs[n] if "issuance" in r["phases"]]
            medians[n] = median([p["ops_per_s"] for p in phases])
            row += f" {fmt(medians[n])} | {fmt(median([p['seconds'] for p in phases]), 1)} s | - |"
        for n in names[1:]:
            row += f" {fmt(medians[n] / medians[names[0]] if medians[names[0]] else float('nan'), 2)} |"
        lines.append(row)
        lines.append("")
        errors = [(r["label"], r["run"], k, p["errors"], p.get("first_error")) for n in names for r in runs[n]
                  for k, p in r["phases"].items() if p.get("errors")]
        for label, run, key, count, first in errors:
            lines.append(f"- errors: {label} run {run} {key}: {count} ({first})")
        if errors:
            lines.append("")
        if database == "sqlite" and any("fsync-transfer" in r["phases"] for n in names for r in runs[n]):
            lines += [f"fsync + fdatasync calls per acknowledged call at 1 client ({args.fsync_ops} operations under "
                      "`strace -f -c`, medians; a transfer is two calls; target: ≤ 1 in the service that acknowledges):", "",
                      "| label | operation | transfer | registry | issuance | reporting |", "|---|---|---:|---:|---:|---:|"]
            for n in names:
                for kind in ["transfer", "retire"]:
                    per = [r["phases"][f"fsync-{kind}"].get("fsyncs_per_call", {}) for r in runs[n] if f"fsync-{kind}" in r["phases"]]
                    lines.append(f"| {n} | {kind} | " + " | ".join(fmt(median([p.get(s, float('nan')) for p in per]), 2)
                                                              for s in ["transfer", "registry", "issuance", "reporting"]) + " |")
            lines.append("")
        lines += ["Every run (ops/s; service CPU seconds transfer/reporting; driver CPU seconds):", "",
                  "| label | run | phase | ops | ops/s | p50 ms | p99 ms | errors/retries | CPU transfer/reporting s | driver CPU s |",
                  "|---|---:|---|---:|---:|---:|---:|---:|---|---:|"]
        for r in sorted((r for n in names for r in runs[n]), key=lambda r: (r["run"], names.index(r["label"]))):
            for key, p in r["phases"].items():
                if key == "issuance":
                    lines.append(f"| {r['label']} | {r['run']} | issuance ({p['unit_months']:,} unit-months, upload {p['upload_s']} s) | "
                                 f"{p['unit_months']} | {fmt(p['ops_per_s'])} | {p['seconds']} s total | - | "
                                 f"{'' if p['deposited'] else 'NOT ALL DEPOSITED'} | - | - |")
                    continue
                cpu = p.get("cpu_s", {})
                lines.append(f"| {r['label']} | {r['run']} | {key} | {p['ops']} | {fmt(p['ops_per_s'])} | {fmt(p['p50_ms'], 2)} | "
                             f"{fmt(p['p99_ms'], 2)} | {p['errors']}/{p.get('retries', 0)} | {cpu.get('transfer', 0)}/{cpu.get('reporting', 0)} | "
                             f"{p.get('driver_cpu_s', '-')} |")
        lines.append("")
        lines += [f"### {database}: fragmentation (transfers/s per slice, one client, medians over runs)", ""]
        for n in names:
            frags = [r["fragment"] for r in runs[n] if "fragment" in r]
            if not frags:
                continue
            slices = max(len(f["curve"]) for f in frags)
            values = [median([f["curve"][i]["ops_per_s"] for f in frags if i < len(f["curve"])]) for i in range(slices)]
            p99s = [median([f["curve"][i]["p99_ms"] for f in frags if i < len(f["curve"])]) for i in range(slices)]
            partial = [any(i < len(f["curve"]) and not f["curve"][i]["complete"] for f in frags) for i in range(slices)]
            done = median([f["done"] for f in frags])
            complete = [v for v, p in zip(values, partial) if not p]
            ratio = f"; last complete slice / first = {complete[-1] / complete[0]:.2f}" if len(complete) >= 2 and complete[0] else ""
            lines.append(f"**{n}**: {fmt(done)} of {frags[0]['requested']:,} transfers done "
                         f"(slices of {frags[0]['per_slice']:,}; median {median([f['seconds'] for f in frags]):.0f} s){ratio}")
            lines.append("")
            lines.append("| slice | " + " | ".join(f"{i + 1}{'*' if partial[i] else ''}" for i in range(slices)) + " |")
            lines.append("|---|" + "---:|" * slices)
            lines.append("| transfers/s | " + " | ".join(fmt(v) for v in values) + " |")
            lines.append("| p99 ms | " + " | ".join(fmt(v, 1) for v in p99s) + " |")
            lines.append("")
            curve = values
            if curve and max(curve) > 0:
                for i, v in enumerate(curve):
                    lines.append(f"    {i + 1:>3} {'#' * max(1, round(50 * v / max(curve)))} {v:,.0f}/s")
                lines.append("")
        if any(not s["complete"] for r in all_results if r["database"] == database and "fragment" in r
               for s in r["fragment"]["curve"]):
            lines += ["\\* a partial slice: the time budget ended it.", ""]
    return "\n".join(lines)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("binaries", nargs="+", help="label=DIR with registry, issuance, transfer, reporting")
    parser.add_argument("--out", required=True)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--duration", type=float, default=10.0, help="seconds per load phase")
    parser.add_argument("--clients", default="1,32")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 2, help="driver processes at most")
    parser.add_argument("--postgres", default="", help="a PostgreSQL URL: run on PostgreSQL too")
    parser.add_argument("--no-sqlite", action="store_true")
    parser.add_argument("--seed-certificates", type=int, default=200_000, help="certificates per phase's batch")
    parser.add_argument("--issuance-unit-months", type=int, default=100_000)
    parser.add_argument("--issuance-units", type=int, default=1_000)
    parser.add_argument("--fragment-count", type=int, default=100_000)
    parser.add_argument("--fragment-slices", type=int, default=10)
    parser.add_argument("--fragment-budget", type=float, default=600.0, help="seconds at most for the fragmentation run")
    parser.add_argument("--fsync-ops", type=int, default=200, help="operations per fsync count (SQLite; 0: skip)")
    parser.add_argument("--keep-data", action="store_true")
    parser.add_argument("--tls-dir", default="")
    args = parser.parse_args()
    # 0 alone skips the load phases (e.g. a fragmentation run by itself).
    args.clients = [int(c) for c in args.clients.split(",") if int(c) > 0]
    labels = []
    for item in args.binaries:
        label, _, directory = item.partition("=")
        bin_dir = Path(directory).resolve()
        for name in SERVICES:
            if not os.access(bin_dir / name, os.X_OK):
                parser.error(f"{bin_dir / name} is not an executable")
        labels.append((label, bin_dir))
    args.seed_certificates = max(args.seed_certificates, 2 * args.fragment_count, 2 * args.fsync_ops)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    tls_dir = Path(args.tls_dir) if args.tls_dir else out / "tls"
    subprocess.run(["bash", str(REPO / "scripts" / "make-deployment-certs.sh"), str(tls_dir)], check=True,
                   stdout=subprocess.DEVNULL)
    ca = (tls_dir / "ca.pem").read_bytes()
    machine = machine_info(out)
    databases = ([] if args.no_sqlite else ["sqlite"]) + (["postgres"] if args.postgres else [])
    all_results = []
    for run in range(1, args.runs + 1):
        # Interleaved: every label once per run, the order turned each run.
        order = labels[(run - 1) % len(labels):] + labels[:(run - 1) % len(labels)]
        for database in databases:
            for label, bin_dir in order:
                log(f"run {run}/{args.runs}: {label} on {database}")
                all_results.append(run_system(label, bin_dir, database, run, args, tls_dir, ca))
                (out / "results.json").write_text(json.dumps(all_results, indent=1, default=str))
    text = report(all_results, labels, args, machine, os.environ.get("WORKLOAD_COMMAND", " ".join(sys.argv)))
    (out / "report.md").write_text(text + "\n")
    print(text)
    return 1 if any("failure" in r for r in all_results) else 0


if __name__ == "__main__":
    sys.exit(main())
