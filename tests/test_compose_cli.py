"""``ecs-workbook compose`` does what ``ecs-cli compose`` does, against the sandbox's server.

Behaviour from aws/amazon-ecs-cli (``cli/compose/entity/task/task.go``,
``cli/compose/entity/service/service.go``) as summarised in ecs-facts.md section 7:
https://docs.aws.amazon.com/AmazonECS/latest/developerguide/cmd-ecs-cli-compose.html
https://docs.aws.amazon.com/AmazonECS/latest/developerguide/cmd-ecs-cli-compose-service.html
"""

from __future__ import annotations

import io
import itertools
import os
import subprocess
import sys
from pathlib import Path
from unittest import mock

import pytest

from ecs_workbook import cli, compose_cli, sandbox
from ecs_workbook.instances import add_container_instances

API_COMPOSE = """\
version: '2'
services:
  api:
    image: example/api:1.0
    mem_limit: 256m
    ports:
      - "8080"
"""
_names = itertools.count()


@pytest.fixture(scope="module")
def sb():
    with sandbox.start(seed=0, server=True) as running:
        yield running


@pytest.fixture(autouse=True)
def _restore_environment():
    """The command forces fake credentials into os.environ; give other tests theirs back."""
    with mock.patch.dict(os.environ):
        yield


@pytest.fixture
def cluster(sb):
    """A fresh cluster with two t3.medium container instances (2048 CPU, ~3.9 GiB each)."""
    name = f"c{next(_names)}"
    sb.ecs.create_cluster(clusterName=name)
    add_container_instances(sb.ecs, sb.ec2, cluster=name, instance_type="t3.medium", count=2)
    return name


@pytest.fixture
def api_file(tmp_path):
    """``<tmp>/api<n>/docker-compose.yml``: the project is named after its directory."""
    project = tmp_path / f"api{next(_names)}"
    project.mkdir()
    path = project / "docker-compose.yml"
    path.write_text(API_COMPOSE)
    return path


def compose(capsys, *arguments: str) -> tuple[int, str, str]:
    """Run ``ecs-workbook compose ...`` in-process; (exit code, stdout, stderr)."""
    capsys.readouterr()
    code = cli.main(["compose", *arguments])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def running_tasks(sb, cluster: str, **filters) -> list[dict]:
    arns = sb.ecs.list_tasks(cluster=cluster, desiredStatus="RUNNING", **filters)["taskArns"]
    return sb.ecs.describe_tasks(cluster=cluster, tasks=arns)["tasks"] if arns else []


def target_group(sb, name: str) -> str:
    vpc = sb.ec2.describe_vpcs()["Vpcs"][0]["VpcId"]
    response = sb.elbv2.create_target_group(Name=name, Protocol="HTTP", Port=80, VpcId=vpc)
    return response["TargetGroups"][0]["TargetGroupArn"]


# --- tasks: ecs-cli compose up | run | scale | ps | down ------------------------------------------


def test_compose_up_registers_the_project_family_and_runs_one_task_in_its_group(
    sb, cluster, api_file, capsys
):
    code, out, _ = compose(capsys, "--file", str(api_file), "up", "--cluster", cluster)
    project = api_file.parent.name
    assert code == 0
    assert f'Using ECS task definition                     TaskDefinition="{project}:1"' in out
    tasks = running_tasks(sb, cluster)
    assert [t["group"] for t in tasks] == [f"task:{project}"]
    assert tasks[0]["taskDefinitionArn"].endswith(f"task-definition/{project}:1")


def test_compose_up_again_keeps_the_revision_when_the_file_has_not_changed(
    sb, cluster, api_file, capsys
):
    compose(capsys, "-f", str(api_file), "up", "-c", cluster)
    code, out, _ = compose(capsys, "-f", str(api_file), "up", "-c", cluster)
    project = api_file.parent.name
    assert code == 0
    assert f'TaskDefinition="{project}:1"' in out
    assert "Found existing ECS tasks for project" in out
    assert len(running_tasks(sb, cluster)) == 1


def test_compose_up_after_a_compose_change_replaces_the_tasks_with_revision_2(
    sb, cluster, api_file, capsys
):
    compose(capsys, "-f", str(api_file), "scale", "2", "-c", cluster)
    api_file.write_text(API_COMPOSE.replace("api:1.0", "api:1.1"))
    code, out, _ = compose(capsys, "-f", str(api_file), "up", "-c", cluster)
    project = api_file.parent.name
    assert code == 0
    assert "Updating to new task definition" in out
    revisions = [t["taskDefinitionArn"].rsplit("/", 1)[1] for t in running_tasks(sb, cluster)]
    assert revisions == [f"{project}:2", f"{project}:2"]


def test_compose_scale_runs_more_than_ten_tasks_in_runtask_calls_of_at_most_ten(
    sb, cluster, api_file, capsys
):
    """RunTask starts at most 10 tasks per call (API_RunTask.html), so ecs-cli chunks."""
    code, _, _ = compose(capsys, "-f", str(api_file), "scale", "12", "-c", cluster)
    assert code == 0
    assert len(running_tasks(sb, cluster)) == 12


def test_compose_scale_down_stops_tasks_until_the_count_runs(sb, cluster, api_file, capsys):
    compose(capsys, "-f", str(api_file), "scale", "3", "-c", cluster)
    code, out, _ = compose(capsys, "-f", str(api_file), "scale", "1", "-c", cluster)
    assert code == 0
    assert out.count("Stopped container...") == 2
    assert len(running_tasks(sb, cluster)) == 1


def test_compose_ps_lists_each_container_with_state_host_port_and_revision(
    sb, cluster, api_file, capsys
):
    compose(capsys, "-f", str(api_file), "up", "-c", cluster)
    code, out, _ = compose(capsys, "-f", str(api_file), "ps", "-c", cluster)
    task = running_tasks(sb, cluster)[0]
    task_id = task["taskArn"].rsplit("/", 1)[1]
    host_port = task["containers"][0]["networkBindings"][0]["hostPort"]
    header, row = out.splitlines()
    assert code == 0
    assert header.split() == ["Name", "State", "Ports", "TaskDefinition", "Health"]
    assert row.split()[:2] == [f"{cluster}/{task_id}/api", "RUNNING"]
    assert row.split()[2].endswith(f":{host_port}->8080/tcp")
    assert row.split()[3] == f"{api_file.parent.name}:1"


def test_compose_down_stops_every_task_of_the_project_and_ps_shows_them_stopped(
    sb, cluster, api_file, capsys
):
    compose(capsys, "-f", str(api_file), "scale", "2", "-c", cluster)
    code, _, _ = compose(capsys, "-f", str(api_file), "down", "-c", cluster)
    _, out, _ = compose(capsys, "-f", str(api_file), "ps", "-c", cluster)
    assert code == 0
    assert running_tasks(sb, cluster) == []
    assert [line.split()[1] for line in out.splitlines()[1:]] == ["STOPPED", "STOPPED"]


def test_compose_run_overrides_the_command_of_the_named_container(sb, cluster, api_file, capsys):
    """The seed's one-off migration: a task whose command is ``rake db:migrate``."""
    code, _, _ = compose(
        capsys, "-f", str(api_file), "run", "api", "rake db:migrate", "-c", cluster
    )
    [task] = running_tasks(sb, cluster)
    assert code == 0
    assert task["overrides"]["containerOverrides"] == [
        {"name": "api", "command": ["rake", "db:migrate"]}
    ]


def test_compose_leaves_tasks_of_other_projects_alone(sb, cluster, api_file, capsys, tmp_path):
    other = tmp_path / "other" / "docker-compose.yml"
    other.parent.mkdir()
    other.write_text(API_COMPOSE)
    compose(capsys, "-f", str(other), "up", "-c", cluster)
    compose(capsys, "-f", str(api_file), "up", "-c", cluster)
    compose(capsys, "-f", str(api_file), "down", "-c", cluster)
    assert [t["group"] for t in running_tasks(sb, cluster)] == ["task:other"]


# --- services: ecs-cli compose service create | up | scale | ps | stop | rm -----------------------


def test_service_create_makes_a_service_with_desired_count_zero(sb, cluster, api_file, capsys):
    code, out, _ = compose(capsys, "-f", str(api_file), "service", "create", "-c", cluster)
    project = api_file.parent.name
    [service] = sb.ecs.describe_services(cluster=cluster, services=[project])["services"]
    assert code == 0
    assert f"Created an ECS service                        service={project}" in out
    assert (service["desiredCount"], service["runningCount"]) == (0, 0)


def test_service_up_creates_the_service_with_one_task_registered_in_the_target_group(
    sb, cluster, api_file, capsys
):
    arn = target_group(sb, api_file.parent.name)
    code, out, _ = compose(
        capsys, "--file", str(api_file), "service", "up", "--cluster", cluster,
        "--target-group-arn", arn, "--container-name", "api", "--container-port", "8080",
        "--role", "ecsServiceRole",
    )  # fmt: skip
    [service] = sb.ecs.describe_services(cluster=cluster, services=[api_file.parent.name])[
        "services"
    ]
    targets = sb.elbv2.describe_target_health(TargetGroupArn=arn)["TargetHealthDescriptions"]
    assert code == 0
    assert "ECS Service has reached a stable state" in out
    assert service["loadBalancers"] == [
        {"targetGroupArn": arn, "containerName": "api", "containerPort": 8080}
    ]
    assert (service["desiredCount"], service["runningCount"], len(targets)) == (1, 1, 1)


def test_service_scale_sets_the_desired_count(sb, cluster, api_file, capsys):
    compose(capsys, "-f", str(api_file), "service", "up", "-c", cluster)
    code, out, _ = compose(capsys, "-f", str(api_file), "service", "scale", "2", "-c", cluster)
    [service] = sb.ecs.describe_services(cluster=cluster, services=[api_file.parent.name])[
        "services"
    ]
    assert code == 0
    assert "Updated ECS service successfully" in out and "desiredCount=2" in out
    assert (service["desiredCount"], service["runningCount"]) == (2, 2)


def test_service_ps_lists_only_the_tasks_of_the_service(sb, cluster, api_file, capsys):
    compose(capsys, "-f", str(api_file), "up", "-c", cluster)  # a standalone task
    compose(capsys, "-f", str(api_file), "service", "up", "-c", cluster)
    code, out, _ = compose(capsys, "-f", str(api_file), "service", "ps", "-c", cluster)
    service_tasks = running_tasks(sb, cluster, serviceName=api_file.parent.name)
    assert code == 0
    assert len(out.splitlines()) == 2
    assert service_tasks[0]["taskArn"].rsplit("/", 1)[1] in out


def test_service_up_after_a_compose_change_deploys_revision_2_and_replaces_old_tasks(
    sb, cluster, api_file, capsys
):
    compose(capsys, "-f", str(api_file), "service", "up", "-c", cluster)
    compose(capsys, "-f", str(api_file), "service", "scale", "2", "-c", cluster)
    api_file.write_text(API_COMPOSE.replace("api:1.0", "api:1.1"))
    code, out, _ = compose(capsys, "-f", str(api_file), "service", "up", "-c", cluster)
    project = api_file.parent.name
    [service] = sb.ecs.describe_services(cluster=cluster, services=[project])["services"]
    revisions = {
        t["taskDefinitionArn"].rsplit("/", 1)[1]
        for t in running_tasks(sb, cluster, serviceName=project)
    }
    assert code == 0
    assert "Updated the ECS service with a new task definition" in out
    assert service["taskDefinition"].endswith(f"{project}:2")
    assert (service["desiredCount"], revisions) == (2, {f"{project}:2"})


def test_service_stop_sets_the_desired_count_to_zero(sb, cluster, api_file, capsys):
    compose(capsys, "-f", str(api_file), "service", "up", "-c", cluster)
    code, _, _ = compose(capsys, "-f", str(api_file), "service", "stop", "-c", cluster)
    [service] = sb.ecs.describe_services(cluster=cluster, services=[api_file.parent.name])[
        "services"
    ]
    assert code == 0
    assert (service["status"], service["desiredCount"], service["runningCount"]) == (
        "ACTIVE",
        0,
        0,
    )


def test_service_rm_scales_to_zero_then_deletes_the_service(sb, cluster, api_file, capsys):
    compose(capsys, "-f", str(api_file), "service", "up", "-c", cluster)
    code, out, _ = compose(capsys, "-f", str(api_file), "service", "rm", "-c", cluster)
    [service] = sb.ecs.describe_services(cluster=cluster, services=[api_file.parent.name])[
        "services"
    ]
    assert code == 0
    assert out.index("desiredCount=0") < out.index("Deleted ECS service")
    assert (service["status"], running_tasks(sb, cluster)) == ("INACTIVE", [])


def test_service_that_cannot_place_every_task_is_reported_at_once(sb, cluster, api_file, capsys):
    """40 tasks of 256 MiB do not fit on two ~3.9 GiB instances: ECS logs an event and waits."""
    compose(capsys, "-f", str(api_file), "service", "up", "-c", cluster)
    code, out, err = compose(capsys, "-f", str(api_file), "service", "scale", "40", "-c", cluster)
    assert code == 1
    assert "was unable to place a task" in out
    assert err.startswith("FATA[") and "Deployment has not completed" in err


def test_load_balancer_flags_must_be_given_together(sb, cluster, api_file, capsys):
    code, _, err = compose(
        capsys, "-f", str(api_file), "service", "up", "-c", cluster, "--target-group-arn", "x"
    )
    assert code == 1
    assert "--container-name and --container-port go together" in err


# --- what the command refuses -------------------------------------------------------------------


def test_an_endpoint_that_is_not_this_machine_is_refused(api_file, capsys, monkeypatch):
    monkeypatch.setenv("AWS_ENDPOINT_URL", "https://ecs.us-east-1.amazonaws.com")
    code, _, err = compose(capsys, "-f", str(api_file), "up")
    assert code == 1
    assert "Refusing endpoint" in err


def test_without_a_sandbox_endpoint_the_command_says_how_to_start_one(
    api_file, capsys, monkeypatch
):
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    code, _, err = compose(capsys, "-f", str(api_file), "up")
    assert code == 1
    assert "sandbox.start(server=True)" in err


def test_a_missing_cluster_is_reported_with_how_to_create_it(sb, api_file, capsys):
    code, _, err = compose(capsys, "-f", str(api_file), "up", "-c", "nowhere")
    assert code == 1
    assert "ClusterNotFoundException" in err and "create_cluster" in err


def test_fargate_launch_type_needs_subnets_in_ecs_params(sb, cluster, api_file, capsys):
    """ecs-cli's ValidateFargateParams: FARGATE needs ecs-params with awsvpc and subnets."""
    params = api_file.parent / "ecs-params.yml"
    params.write_text(
        "version: 1\ntask_definition:\n  ecs_network_mode: awsvpc\n"
        "  task_size: {cpu_limit: 256, mem_limit: 512}\n"
    )
    code, _, err = compose(
        capsys, "-f", str(api_file), "--ecs-params", str(params), "up", "-c", cluster,
        "--launch-type", "FARGATE",
    )  # fmt: skip
    assert code == 1
    assert "subnet" in err


def test_compose_options_ecs_cli_skips_are_printed_as_warn_lines(sb, cluster, tmp_path, capsys):
    path = tmp_path / "web" / "docker-compose.yml"
    path.parent.mkdir()
    path.write_text(API_COMPOSE.replace("    image:", "    build: .\n    image:"))
    code, out, _ = compose(capsys, "-f", str(path), "create", "-c", cluster)
    assert code == 0
    assert any(line.startswith("WARN[") and "build" in line for line in out.splitlines())


# --- pure helpers ---------------------------------------------------------------------------------


def test_merge_compose_overrides_single_values_and_concatenates_ports():
    """Compose's merge rules for ``--file base --file override``."""
    base = {"version": "2", "services": {"api": {"image": "a:1", "ports": ["80"]}}}
    override = {"services": {"api": {"image": "a:2", "ports": ["443"], "environment": ["X=1"]}}}
    merged = compose_cli.merge_compose([base, override])
    assert merged["services"]["api"] == {
        "image": "a:2",
        "ports": ["80", "443"],
        "environment": {"X": "1"},
    }


def test_log_lines_pad_the_message_and_sort_and_quote_fields_like_logrus():
    out = io.StringIO()
    log = compose_cli.Log(out, io.StringIO(), clock=lambda: 0.0)
    log.info("Using ECS task definition", TaskDefinition="api:1")
    log.info("Service status", serviceName="api", desiredCount=2, runningCount=2)
    assert out.getvalue().splitlines() == [
        'INFO[0000] Using ECS task definition                     TaskDefinition="api:1"',
        "INFO[0000] Service status                                "
        "desiredCount=2 runningCount=2 serviceName=api",
    ]


def test_ps_table_pads_every_column_but_the_last_by_two_spaces():
    row = {"Name": "c/t/api", "State": "RUNNING", "Ports": "", "TaskDefinition": "api:1"}
    assert compose_cli.ps_table([{**row, "Health": "UNKNOWN"}]).splitlines() == [
        "Name     State    Ports  TaskDefinition  Health",
        "c/t/api  RUNNING         api:1           UNKNOWN",
    ]


def test_project_name_defaults_to_the_directory_of_the_first_compose_file(tmp_path, monkeypatch):
    monkeypatch.delenv("COMPOSE_PROJECT_NAME", raising=False)
    path = tmp_path / "shop" / "docker-compose.yml"
    path.parent.mkdir()
    path.write_text(API_COMPOSE)
    args = cli.build_parser(only="compose").parse_args(["compose", "-f", str(path), "ps"])
    project = compose_cli.project_from_args(args, cwd=tmp_path)
    assert (project.family, project.service_name, project.task_group) == (
        "shop",
        "shop",
        "task:shop",
    )


def test_the_compose_verb_starts_without_importing_the_grader():
    """Each ``!ecs-workbook compose`` cell starts a process: it must not load nbclient & co."""
    code = (
        "import sys; from ecs_workbook import cli; cli.build_parser(only='compose'); "
        "print('ecs_workbook.grading.grade' in sys.modules)"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=Path.cwd()
    )
    assert result.stdout.strip() == "False"
