"""The interop cases can fail: against interop_server.py --fault F (a server that breaks exactly what one
case checks; FAULT_CASES in interop_server.py), a client must not pass that case.

- interop_client.py must print `FAIL case: …` and exit non-zero for every fault.
- $INTEROP_CLIENT must do the same for the faults marked for it: those the case's description alone
  catches. cancel_after_begin, cancel_after_first_response and timeout_on_sleeping_server assert only a
  status the client produces itself; the first two have faults that make the server answer otherwise,
  the third has none (with its 1 ms deadline, whether a faulty handler runs at all is a race). Hanging
  (no result within CLIENT_TIMEOUT) counts as not passing for $INTEROP_CLIENT.
Each run gets a fresh faulty server (some faults kill it).
"""

from __future__ import annotations

import shlex
import subprocess

import pytest

from conftest import CASES, PYTHON_CLIENT, PYTHON_SERVER, REPO, peer_command
from interop_server import FAULT_CASES

CLIENT_TIMEOUT = 25.0

ALL = [pytest.param(fault, case, id=f"{fault}-{case}") for fault, case, _ in FAULT_CASES]
FOR_INTEROP_CLIENT = [pytest.param(fault, case, id=f"{fault}-{case}") for fault, case, held in FAULT_CASES if held]


# Cases no server-side fault can reveal for $INTEROP_CLIENT. cancel_after_begin asserts only the status
# the client gives itself; the Swift client may cancel before the stream reaches the wire, which the
# interop description allows, so the server never learns of the call (see FAULT_CASES).
# timeout_on_sleeping_server: its 1 ms deadline decides the outcome on the client before any faulty
# server can reliably act (see the end of FAULT_CASES), for either client.
NOT_OBSERVABLE_FOR_INTEROP_CLIENT = {"cancel_after_begin", "timeout_on_sleeping_server"}
NOT_OBSERVABLE_FOR_ANY_CLIENT = {"timeout_on_sleeping_server"}


def test_every_case_has_a_fault_for_each_client():
    assert {case for _, case, _ in FAULT_CASES} == set(CASES) - NOT_OBSERVABLE_FOR_ANY_CLIENT
    assert {p.values[1] for p in FOR_INTEROP_CLIENT} == set(CASES) - NOT_OBSERVABLE_FOR_INTEROP_CLIENT


def _expect_case_failure(argv, case, fault, hang_is_failure):
    try:
        result = subprocess.run(argv, stdin=subprocess.DEVNULL, capture_output=True, text=True,
                                timeout=CLIENT_TIMEOUT, cwd=REPO)
    except subprocess.TimeoutExpired:
        if hang_is_failure:
            return
        pytest.fail(f"`{shlex.join(argv)}` hung for {CLIENT_TIMEOUT:g} s against fault {fault!r}", pytrace=False)
    lines = result.stdout.splitlines()
    reported = any(line.startswith(f"FAIL {case}") for line in lines)
    assert result.returncode != 0 and reported and f"PASS {case}" not in lines, (
        f"`{shlex.join(argv)}` did not report {case} as failed against a server with fault {fault!r} "
        f"(exit code {result.returncode})\nstdout:\n{result.stdout}\nstderr:\n{result.stderr[-3000:]}")


@pytest.mark.parametrize("fault, case", ALL)
def test_python_client_fails_on_faulty_server(start_server, fault, case):
    server = start_server(fault, PYTHON_SERVER + ["--fault", fault])
    argv = PYTHON_CLIENT + ["--host", "127.0.0.1", "--port", str(server.port), "--rpc-timeout", "3",
                            "--test-case", case]
    _expect_case_failure(argv, case, fault, hang_is_failure=False)


@pytest.mark.parametrize("fault, case", FOR_INTEROP_CLIENT)
def test_interop_client_fails_on_faulty_server(start_server, fault, case):
    client = peer_command("INTEROP_CLIENT")
    server = start_server(fault, PYTHON_SERVER + ["--fault", fault])
    argv = client + ["--host", "127.0.0.1", "--port", str(server.port), "--test-case", case]
    _expect_case_failure(argv, case, fault, hang_is_failure=True)
