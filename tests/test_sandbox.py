"""The sandbox keeps every call on this machine, in moto, and makes runs repeatable."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from pathlib import Path

import boto3
import pytest
from pytest_socket import SocketConnectBlockedError

from ecs_workbook import sandbox
from ecs_workbook.sandbox import SandboxError

AMI_PARAMETER = "/aws/service/ecs/optimized-ami/amazon-linux-2/recommended/image_id"


@pytest.fixture
def sb():
    with sandbox.start(seed=0) as running:
        yield running


def _scenario(sb: sandbox.Sandbox) -> dict:
    """A small ECS scenario whose ids come from moto's random source."""
    sb.ecs.create_cluster(clusterName="demo")
    ami = sb.ssm.get_parameter(Name=AMI_PARAMETER)["Parameter"]["Value"]
    instance = sb.ec2.run_instances(ImageId=ami, MinCount=1, MaxCount=1)["Instances"][0]
    registered = sb.ecs.register_container_instance(
        cluster="demo", instanceIdentityDocument=json.dumps({"instanceId": instance["InstanceId"]})
    )["containerInstance"]
    return {
        "instance": instance["InstanceId"],
        "container_instance": registered["containerInstanceArn"],
    }


def test_calls_use_fake_credentials_even_with_real_looking_keys_in_the_environment(sb):
    """conftest puts real-looking keys and a profile in the environment and ~/.aws."""
    assert Path(os.environ["HOME"], ".aws", "credentials").read_text().count("AKIA") == 2
    credentials = sb.ecs._request_signer._credentials
    assert not credentials.access_key.startswith("AKIA")  # moto's or the sandbox's fake key
    assert not os.environ["AWS_ACCESS_KEY_ID"].startswith("AKIA")
    assert "AWS_PROFILE" not in os.environ
    assert sb.client("sts").get_caller_identity()["Account"] == sandbox.ACCOUNT_ID


def test_a_plain_boto3_client_made_after_start_also_lands_in_moto(sb):
    sb.ecs.create_cluster(clusterName="seen-by-all")
    stray = boto3.client("ecs")
    assert stray.list_clusters()["clusterArns"] == [
        "arn:aws:ecs:us-east-1:123456789012:cluster/seen-by-all"
    ]


def test_non_loopback_endpoints_are_refused_with_a_clear_message(sb):
    with pytest.raises(SandboxError, match="only talks to moto on this machine"):
        sb.client("ecs", endpoint_url="https://ecs.us-east-1.amazonaws.com")
    with pytest.raises(SandboxError, match="127.0.0.1"):
        sandbox.start(server="http://10.0.0.5:5000")


def test_loopback_names_and_addresses_are_recognised():
    assert sandbox.is_loopback_url("http://127.0.0.1:5000")
    assert sandbox.is_loopback_url("http://127.8.9.10")
    assert sandbox.is_loopback_url("http://localhost:1")
    assert sandbox.is_loopback_url("http://[::1]:5000")
    assert not sandbox.is_loopback_url("https://ecs.eu-west-1.amazonaws.com")
    assert not sandbox.is_loopback_url("http://192.168.1.10:5000")


def test_sockets_to_anything_but_loopback_are_blocked(sb):
    with pytest.raises(SocketConnectBlockedError):
        socket.create_connection(("203.0.113.10", 443), timeout=1)


def _scenario_in_a_fresh_process(*modes: tuple[int, bool]) -> list[dict]:
    """Run :func:`_scenario` for each (seed, server) in one new Python, as a fresh kernel would."""
    code = (
        "import json, sys\n"
        f"sys.path.insert(0, {str(Path(__file__).parent)!r})\n"
        "from test_sandbox import _scenario\n"
        "from ecs_workbook import sandbox\n"
        "runs = []\n"
        f"for seed, server in {list(modes)!r}:\n"
        "    with sandbox.start(seed=seed, server=server) as sb:\n"
        "        runs.append(_scenario(sb))\n"
        "print(json.dumps(runs))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


@pytest.mark.slow
def test_same_seed_gives_the_same_ids_and_another_seed_different_ones():
    """Each notebook runs in a fresh kernel; a restart inside one kernel (a lab's reset) too."""
    first_kernel = _scenario_in_a_fresh_process((0, False), (0, False), (1, False))
    second_kernel = _scenario_in_a_fresh_process((0, False))
    assert first_kernel[0] == first_kernel[1] == second_kernel[0]
    assert first_kernel[0]["instance"] != first_kernel[2]["instance"]


def test_restarting_gives_an_empty_aws(sb):
    sb.ecs.create_cluster(clusterName="before-reset")
    fresh = sb.reset()
    assert fresh.ecs.list_clusters()["clusterArns"] == []
    fresh.stop()


def test_tasks_stay_running_however_often_they_are_described(sb):
    """moto's default lifecycle walks a task toward STOPPED on every describe; ECS does not."""
    sb.ecs.create_cluster(clusterName="demo")
    _scenario_instance = _scenario(sb)
    sb.ecs.register_task_definition(
        family="web", containerDefinitions=[{"name": "web", "image": "nginx", "memory": 128}]
    )
    task = sb.ecs.run_task(cluster="demo", taskDefinition="web")["tasks"][0]
    for _ in range(5):
        described = sb.ecs.describe_tasks(cluster="demo", tasks=[task["taskArn"]])["tasks"][0]
    assert described["lastStatus"] == "RUNNING"
    assert _scenario_instance["container_instance"] == task["containerInstanceArn"]


def test_every_ready_client_is_bound_to_the_sandbox(sb):
    assert set(sb.clients) == set(sandbox.READY_CLIENTS)
    assert sb.autoscaling.describe_auto_scaling_groups()["AutoScalingGroups"] == []
    assert (
        sb.application_autoscaling.describe_scalable_targets(ServiceNamespace="ecs")[
            "ScalableTargets"
        ]
        == []
    )


def _aws_cli(*args: str) -> subprocess.CompletedProcess:
    cli = Path(sys.executable).with_name("aws")
    return subprocess.run(
        [str(cli), *args], capture_output=True, text=True, timeout=60, env=dict(os.environ)
    )


@pytest.mark.slow
def test_server_mode_is_shared_by_boto3_and_the_real_aws_cli():
    with sandbox.start(seed=0, server=True) as sb:
        assert sb.endpoint_url.startswith("http://127.0.0.1:")
        assert os.environ["AWS_ENDPOINT_URL"] == sb.endpoint_url
        sb.ecs.create_cluster(clusterName="from-boto3")
        listed = _aws_cli("ecs", "list-clusters")
        assert listed.returncode == 0, listed.stderr
        assert json.loads(listed.stdout)["clusterArns"] == [
            "arn:aws:ecs:us-east-1:123456789012:cluster/from-boto3"
        ]
        created = _aws_cli("ecs", "create-cluster", "--cluster-name", "from-cli")
        assert created.returncode == 0, created.stderr
        assert "from-cli" in str(sb.ecs.list_clusters()["clusterArns"])
    assert "AWS_ENDPOINT_URL" not in os.environ


@pytest.mark.slow
def test_server_and_in_process_modes_give_the_same_ids():
    in_process, served = _scenario_in_a_fresh_process((0, False), (0, True))
    assert in_process == served


@pytest.mark.slow
def test_attaching_to_a_running_server_resets_and_seeds_it():
    """The grader runs moto; a lab's sandbox.start() attaches to it and starts from a clean slate."""
    with sandbox.start(seed=0, server=True) as served:
        url = served.endpoint_url
        served.ecs.create_cluster(clusterName="old")
        server, served._server = served._server, None  # keep it up while others attach
        try:
            runs = []
            for _ in range(2):
                attached = sandbox.start(seed=0, server=url)
                assert attached.endpoint_url == url
                assert attached.ecs.list_clusters()["clusterArns"] == []
                runs.append(_scenario(attached))
                again = attached.reset()  # a lab's reset stays on the grader's server
                assert again.endpoint_url == url and again._server is None
                assert again.ecs.list_clusters()["clusterArns"] == []
                again.stop()
        finally:
            server.stop()
    assert runs[0] == runs[1]


@pytest.mark.slow
def test_server_command_prints_the_endpoint_and_export_lines():
    code = (
        "import threading, argparse\n"
        "from ecs_workbook import server\n"
        "stop = threading.Event(); threading.Timer(2.0, stop.set).start()\n"
        "server.run(argparse.Namespace(seed=0), stop=stop)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert "moto is listening on http://127.0.0.1:" in done.stdout
    assert "export AWS_ENDPOINT_URL=http://127.0.0.1:" in done.stdout
    assert "export AWS_ACCESS_KEY_ID=testing" in done.stdout
