"""Local task metadata v4, instance metadata (IMDSv2) and secrets resolution (ecs_workbook.metadata).

Doc pages are under https://docs.aws.amazon.com/AmazonECS/latest/developerguide/ (DG) unless a
full address is given. One sandbox serves the whole file (a fresh one per test costs ~1 s);
tests that change state use resources of their own.
"""

from __future__ import annotations

import http.client
import json
import os
import urllib.error
import urllib.request
from types import SimpleNamespace

import pytest

from ecs_workbook import metadata, sandbox
from ecs_workbook.instances import add_container_instances
from ecs_workbook.metadata import (
    IMDS_TOKEN_HEADER,
    IMDS_TOKEN_TTL_HEADER,
    METADATA_URI_V3_ENV,
    METADATA_URI_V4_ENV,
    MetadataError,
    SecretReference,
    SecretResolutionError,
)
from ecs_workbook.taskdef import MSG_SECRETS_NEED_EXECUTION_ROLE

ROLE_ARN = "arn:aws:iam::123456789012:role/ecsTaskExecutionRole"
SCRIPT = "#!/bin/bash\necho ECS_CLUSTER=demo >> /etc/ecs/ecs.config\n"
AWSLOGS = {
    "logDriver": "awslogs",
    "options": {
        "awslogs-group": "/ecs/web",
        "awslogs-region": "us-east-1",
        "awslogs-stream-prefix": "ecs",
    },
}
WEB = [
    {
        "name": "web",
        "image": "nginx:1.25",
        "cpu": 256,
        "memory": 512,
        "portMappings": [{"containerPort": 80}],
        "logConfiguration": AWSLOGS,
    },
    {"name": "sidecar", "image": "busybox:1.36", "memoryReservation": 64},
]
APP = [{"name": "app", "image": "nginx:1.25", "memory": 128}]


def _run(sb, family, **definition):
    definition.setdefault("containerDefinitions", WEB)
    sb.ecs.register_task_definition(family=family, **definition)
    return sb.ecs.run_task(cluster="demo", taskDefinition=family)["tasks"][0]


def _launch(sb, tokens, profile=True):
    image = sb.ssm.get_parameter(
        Name="/aws/service/ecs/optimized-ami/amazon-linux-2/recommended/image_id"
    )["Parameter"]["Value"]
    launch = {
        "ImageId": image,
        "InstanceType": "t3.medium",
        "MinCount": 1,
        "MaxCount": 1,
        "UserData": SCRIPT,
        "MetadataOptions": {"HttpTokens": tokens, "HttpPutResponseHopLimit": 1},
    }
    if profile:
        launch["IamInstanceProfile"] = {"Name": "ecsInstanceRole"}
    return sb.ec2.run_instances(**launch)["Instances"][0]


@pytest.fixture(scope="module")
def world():
    with sandbox.start() as sb:
        sb.ecs.create_cluster(clusterName="demo")
        instance = add_container_instances(
            sb.ecs,
            sb.ec2,
            cluster="demo",
            instance_type="m5.xlarge",
            availability_zone="us-east-1b",
        )[0]
        subnet = next(a["value"] for a in instance["attributes"] if a["name"] == "ecs.subnet-id")
        awsvpc = {"awsvpcConfiguration": {"subnets": [subnet]}}
        web = _run(sb, "web")
        web_again = sb.ecs.run_task(cluster="demo", taskDefinition="web")["tasks"][0]
        sized = _run(sb, "sized", cpu="512", memory="1024")
        sb.ecs.register_task_definition(
            family="vpc", networkMode="awsvpc", containerDefinitions=APP
        )
        vpc = sb.ecs.run_task(cluster="demo", taskDefinition="vpc", networkConfiguration=awsvpc)
        sb.ecs.register_task_definition(
            family="fg",
            networkMode="awsvpc",
            requiresCompatibilities=["FARGATE"],
            cpu="256",
            memory="512",
            containerDefinitions=APP,
        )
        fargate = sb.ecs.run_task(
            cluster="demo", taskDefinition="fg", launchType="FARGATE", networkConfiguration=awsvpc
        )
        sb.ssm.put_parameter(Name="/demo/db/password", Value="s3cr3t", Type="SecureString")
        secret_arn = sb.secretsmanager.create_secret(
            Name="demo/db", SecretString=json.dumps({"username": "app", "password": "hunter2"})
        )["ARN"]
        sb.iam.create_role(RoleName="ecsInstanceRole", AssumeRolePolicyDocument="{}")
        sb.iam.create_instance_profile(InstanceProfileName="ecsInstanceRole")
        sb.iam.add_role_to_instance_profile(
            InstanceProfileName="ecsInstanceRole", RoleName="ecsInstanceRole"
        )
        yield SimpleNamespace(
            sb=sb,
            web=web,
            web_again=web_again,
            sized=sized,
            vpc=vpc["tasks"][0],
            fargate=fargate["tasks"][0],
            secret_arn=secret_arn,
            required=_launch(sb, "required"),
            optional=_launch(sb, "optional", profile=False),
            plain=_launch(sb, "required", profile=False),
            hop=_launch(sb, "required", profile=False),
        )


@pytest.fixture
def sb(world):
    return world.sb


def _get(url: str, headers: dict | None = None) -> tuple[int, str]:
    request = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=5) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


def _put_token(url: str, ttl: str | None = "21600") -> tuple[int, str]:
    headers = {IMDS_TOKEN_TTL_HEADER: ttl} if ttl is not None else {}
    request = urllib.request.Request(f"{url}/latest/api/token", method="PUT", headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=5) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


def _imds_get(url: str, path: str, token: str) -> tuple[int, str]:
    return _get(url + path, {IMDS_TOKEN_HEADER: token})


# ---- task metadata endpoint v4 ------------------------------------------------------------


def test_serving_exports_the_v4_and_v3_uris_and_stop_removes_them(world):
    """The agent injects ECS_CONTAINER_METADATA_URI_V4 (and v3's). DG task-metadata-endpoint-v4"""
    with metadata.serve_task_metadata(world.sb.ecs, "demo", world.web["taskArn"]) as endpoint:
        assert os.environ[METADATA_URI_V4_ENV] == endpoint.url
        assert "/v4/" in endpoint.url and endpoint.url.startswith("http://127.0.0.1:")
        assert "/v3/" in os.environ[METADATA_URI_V3_ENV]
    assert METADATA_URI_V4_ENV not in os.environ
    assert METADATA_URI_V3_ENV not in os.environ


def test_container_metadata_has_the_documented_v4_fields_in_order(world):
    """Same keys, same order as the documented container response. DG task-metadata-endpoint-v4"""
    document = metadata.container_metadata(world.sb.ecs, "demo", world.web["taskArn"])
    assert list(document) == [
        "DockerId",
        "Name",
        "DockerName",
        "Image",
        "ImageID",
        "Ports",
        "Labels",
        "DesiredStatus",
        "KnownStatus",
        "Limits",
        "CreatedAt",
        "StartedAt",
        "Type",
        "LogDriver",
        "LogOptions",
        "ContainerARN",
        "Networks",
    ]
    assert len(document["DockerId"]) == 64 and document["Type"] == "NORMAL"
    assert document["DockerName"].startswith("ecs-web-1-web-")


def test_labels_name_the_cluster_task_family_revision_and_container(world):
    task_arn = world.web["taskArn"]
    labels = metadata.container_metadata(world.sb.ecs, "demo", task_arn, "sidecar")["Labels"]
    assert labels == {
        "com.amazonaws.ecs.cluster": "demo",
        "com.amazonaws.ecs.container-name": "sidecar",
        "com.amazonaws.ecs.task-arn": task_arn,
        "com.amazonaws.ecs.task-definition-family": "web",
        "com.amazonaws.ecs.task-definition-version": "1",
    }


def test_container_limits_are_cpu_units_and_the_hard_memory_limit_in_mib(world):
    task_arn = world.web["taskArn"]
    web = metadata.container_metadata(world.sb.ecs, "demo", task_arn, "web")
    sidecar = metadata.container_metadata(world.sb.ecs, "demo", task_arn, "sidecar")
    assert web["Limits"] == {"CPU": 256, "Memory": 512}
    assert sidecar["Limits"] == {"CPU": 0, "Memory": 0}


def test_awslogs_stream_is_named_prefix_container_task_id(world):
    """awslogs-stream-prefix/container-name/ecs-task-id. DG using_awslogs"""
    options = metadata.container_metadata(world.sb.ecs, "demo", world.web["taskArn"])["LogOptions"]
    task_id = world.web["taskArn"].rsplit("/", 1)[-1]
    assert options["awslogs-stream"] == f"ecs/web/{task_id}"
    assert "awslogs-stream-prefix" not in options


def test_bridge_mode_ports_show_the_dynamic_host_port_ecs_assigned(world):
    binding = world.web["containers"][0]["networkBindings"][0]
    ports = metadata.container_metadata(world.sb.ecs, "demo", world.web["taskArn"])["Ports"]
    assert ports == [
        {
            "ContainerPort": 80,
            "Protocol": "tcp",
            "HostPort": binding["hostPort"],
            "HostIp": "0.0.0.0",
        }
    ]


def test_bridge_containers_get_distinct_docker0_addresses_in_start_order(world):
    addresses = [
        metadata.container_metadata(world.sb.ecs, "demo", task["taskArn"], name)["Networks"][0][
            "IPv4Addresses"
        ][0]
        for task in (world.web, world.web_again)
        for name in ("web", "sidecar")
    ]
    assert addresses == ["172.17.0.2", "172.17.0.3", "172.17.0.4", "172.17.0.5"]


def test_task_metadata_lists_every_container_and_gives_the_revision_as_text(world):
    """Task response: Revision is a string. DG task-metadata-endpoint-v4 (task response)"""
    document = metadata.task_metadata(world.sb.ecs, "demo", world.web["taskArn"])
    assert document["Cluster"] == "demo"
    assert document["TaskARN"] == world.web["taskArn"]
    assert (document["Family"], document["Revision"]) == ("web", "1")
    assert document["AvailabilityZone"] == "us-east-1b"
    assert document["LaunchType"] == "EC2"
    assert [c["Name"] for c in document["Containers"]] == ["web", "sidecar"]
    assert "Limits" not in document  # no task-level cpu/memory


def test_task_limits_are_vcpus_and_mib_when_set_at_task_level(world):
    assert metadata.task_metadata(world.sb.ecs, "demo", world.sized["taskArn"])["Limits"] == {
        "CPU": 0.5,
        "Memory": 1024,
    }


def test_awsvpc_task_on_ec2_lists_the_pause_container_first(world):
    """awsvpc tasks on EC2 show ~internal~ecs~pause (CNI_PAUSE). DG task-metadata-endpoint-v4"""
    containers = metadata.task_metadata(world.sb.ecs, "demo", world.vpc["taskArn"])["Containers"]
    assert [(c["Name"], c["Type"]) for c in containers] == [
        ("~internal~ecs~pause", "CNI_PAUSE"),
        ("app", "NORMAL"),
    ]
    network = containers[1]["Networks"][0]
    eni = {d["name"]: d["value"] for d in world.vpc["attachments"][0]["details"]}
    assert network["NetworkMode"] == "awsvpc"
    assert network["IPv4Addresses"] == [eni["privateIPv4Address"]]
    assert network["MACAddress"] == eni["macAddress"]


def test_fargate_task_reports_the_cluster_arn_clock_drift_and_ephemeral_storage(world):
    document = metadata.task_metadata(world.sb.ecs, "demo", world.fargate["taskArn"])
    assert document["Cluster"] == "arn:aws:ecs:us-east-1:123456789012:cluster/demo"
    assert document["LaunchType"] == "FARGATE"
    assert document["ClockDrift"]["ClockSynchronizationStatus"] == "SYNCHRONIZED"
    assert document["EphemeralStorageMetrics"]["Reserved"] == 20 * 1024
    assert [c["Name"] for c in document["Containers"]] == ["app"]


def test_the_endpoint_reads_the_task_afresh_so_a_stopped_task_shows_stopped(world):
    task = world.sb.ecs.run_task(cluster="demo", taskDefinition="web")["tasks"][0]
    with metadata.serve_task_metadata(world.sb.ecs, "demo", task["taskArn"]) as endpoint:
        world.sb.ecs.stop_task(cluster="demo", task=task["taskArn"], reason="done")
        status, body = _get(f"{endpoint.url}/task")
    document = json.loads(body)
    assert status == 200
    assert document["KnownStatus"] == "STOPPED"
    assert "ExecutionStoppedAt" in document


def test_every_v4_path_answers_over_http(world):
    with metadata.serve_task_metadata(world.sb.ecs, "demo", world.web["taskArn"]) as endpoint:
        paths = ("", "/task", "/taskWithTags", "/stats", "/task/stats")
        answers = {path: _get(endpoint.url + path) for path in paths}
    assert {path: status for path, (status, _) in answers.items()} == dict.fromkeys(paths, 200)
    assert json.loads(answers[""][1])["Name"] == "web"
    assert "TaskTags" in json.loads(answers["/taskWithTags"][1])


def test_stats_are_a_stable_sample_from_which_cpu_percent_can_be_computed(world):
    """CPU % = (cpu delta / system delta) x online CPUs x 100 (Docker's formula)."""
    first = metadata.container_stats(world.sb.ecs, "demo", world.web["taskArn"])
    second = metadata.container_stats(world.sb.ecs, "demo", world.web["taskArn"])
    cpu, previous = first["cpu_stats"], first["precpu_stats"]
    cpu_delta = cpu["cpu_usage"]["total_usage"] - previous["cpu_usage"]["total_usage"]
    system_delta = cpu["system_cpu_usage"] - previous["system_cpu_usage"]
    percent = cpu_delta / system_delta * cpu["online_cpus"] * 100
    assert first == second
    assert 0 < percent < 100
    assert cpu["online_cpus"] == 4  # an m5.xlarge
    assert first["memory_stats"]["limit"] == 512 * 2**20
    assert 0 < first["memory_stats"]["usage"] < first["memory_stats"]["limit"]


def test_task_stats_are_keyed_by_docker_id(world):
    stats = metadata.task_stats(world.sb.ecs, "demo", world.web["taskArn"])
    containers = metadata.task_metadata(world.sb.ecs, "demo", world.web["taskArn"])["Containers"]
    assert list(stats) == [c["DockerId"] for c in containers]
    assert all(s["id"] == key for key, s in stats.items())


def test_v3_answers_without_the_fields_added_in_v4(world):
    with metadata.serve_task_metadata(world.sb.ecs, "demo", world.web["taskArn"]):
        _, body = _get(os.environ[METADATA_URI_V3_ENV] + "/task")
    document = json.loads(body)
    assert "LaunchType" not in document and "VPCID" not in document
    assert "ContainerARN" not in document["Containers"][0]
    assert document["Containers"][0]["Name"] == "web"


def test_unknown_paths_answer_404(world):
    with metadata.serve_task_metadata(world.sb.ecs, "demo", world.web["taskArn"]) as endpoint:
        assert _get(endpoint.url + "/nope")[0] == 404
        assert _get(endpoint.url.rsplit("/", 1)[0] + "/not-an-id")[0] == 404


def test_serving_another_container_points_the_variable_at_it(world):
    task_arn = world.web["taskArn"]
    with metadata.serve_task_metadata(world.sb.ecs, "demo", task_arn, "sidecar") as endpoint:
        _, body = _get(os.environ[METADATA_URI_V4_ENV])
    assert json.loads(body)["Name"] == "sidecar"
    assert set(endpoint.container_urls) == {"web", "sidecar"}


def test_an_unknown_container_name_is_refused_with_the_names_it_could_be(world):
    with pytest.raises(MetadataError, match="'web', 'sidecar'"):
        metadata.serve_task_metadata(world.sb.ecs, "demo", world.web["taskArn"], "db")


def test_an_unknown_task_is_refused_with_what_to_do(world):
    arn = "arn:aws:ecs:us-east-1:123456789012:task/demo/0123456789abcdef"
    with pytest.raises(MetadataError, match="run_task"):
        metadata.serve_task_metadata(world.sb.ecs, "demo", arn)


# ---- instance metadata service (IMDSv2) ----------------------------------------------------


def test_imdsv2_token_then_get_returns_the_instance_id(world):
    """PUT /latest/api/token, then GET with the token. EC2 UG instancedata-data-retrieval"""
    instance_id = world.required["InstanceId"]
    with metadata.serve_instance_metadata(world.sb.ec2, instance_id) as imds:
        status, token = _put_token(imds.url)
        answer = _imds_get(imds.url, "/latest/meta-data/instance-id", token)
    assert status == 200 and token
    assert answer == (200, instance_id)


def test_imds_serves_the_availability_zone_type_ami_and_private_ip(world):
    instance = world.required
    with metadata.serve_instance_metadata(world.sb.ec2, instance["InstanceId"]) as imds:
        _, token = _put_token(imds.url)
        leaves = ("placement/availability-zone", "instance-type", "ami-id", "local-ipv4")
        values = {
            leaf: _imds_get(imds.url, f"/latest/meta-data/{leaf}", token)[1] for leaf in leaves
        }
    assert values == {
        "placement/availability-zone": instance["Placement"]["AvailabilityZone"],
        "instance-type": "t3.medium",
        "ami-id": instance["ImageId"],
        "local-ipv4": instance["PrivateIpAddress"],
    }


def test_imds_listens_on_loopback_never_on_the_link_local_address(world):
    with metadata.serve_instance_metadata(world.sb.ec2, world.required["InstanceId"]) as imds:
        assert imds.url.startswith("http://127.0.0.1:")


def test_a_get_without_a_token_is_401_when_imdsv2_is_required(world):
    with metadata.serve_instance_metadata(world.sb.ec2, world.required["InstanceId"]) as imds:
        assert _get(imds.url + "/latest/meta-data/instance-id")[0] == 401


def test_a_get_without_a_token_works_while_tokens_are_optional(world):
    """IMDSv1 stays available until HttpTokens is required."""
    instance_id = world.optional["InstanceId"]
    with metadata.serve_instance_metadata(world.sb.ec2, instance_id) as imds:
        assert _get(imds.url + "/latest/meta-data/instance-id") == (200, instance_id)


def test_a_token_request_needs_a_ttl_between_1_and_21600_seconds(world):
    with metadata.serve_instance_metadata(world.sb.ec2, world.required["InstanceId"]) as imds:
        statuses = [_put_token(imds.url, ttl)[0] for ttl in (None, "0", "21601", "21600")]
    assert statuses == [400, 400, 400, 200]


def test_an_unknown_token_is_401(world):
    with metadata.serve_instance_metadata(world.sb.ec2, world.required["InstanceId"]) as imds:
        assert _imds_get(imds.url, "/latest/meta-data/instance-id", "forged")[0] == 401


def test_a_bridge_container_gets_no_token_with_hop_limit_1(world):
    """The token response dies one hop short of a container on docker0 (hop limit 1)."""
    dropped = (http.client.RemoteDisconnected, ConnectionError, urllib.error.URLError)
    instance_id = world.required["InstanceId"]
    imds = metadata.serve_instance_metadata(world.sb.ec2, instance_id, extra_hops=1)
    with imds, pytest.raises(dropped):
        _put_token(imds.url)


def test_raising_the_hop_limit_to_2_lets_a_bridge_container_in_and_keeps_tokens_required(world):
    instance_id = world.hop["InstanceId"]
    with metadata.serve_instance_metadata(world.sb.ec2, instance_id, extra_hops=1) as imds:
        world.sb.ec2.modify_instance_metadata_options(
            InstanceId=instance_id, HttpPutResponseHopLimit=2
        )
        status, _ = _put_token(imds.url)
        without_token = _get(imds.url + "/latest/meta-data/instance-id")[0]
    assert (status, without_token) == (200, 401)


def test_user_data_is_served_as_the_script_text(world):
    with metadata.serve_instance_metadata(world.sb.ec2, world.required["InstanceId"]) as imds:
        _, token = _put_token(imds.url)
        assert _imds_get(imds.url, "/latest/user-data", token) == (200, SCRIPT)


def test_user_data_given_to_the_server_replaces_what_ec2_stores(world):
    instance_id = world.required["InstanceId"]
    with metadata.serve_instance_metadata(world.sb.ec2, instance_id, "#!/bin/sh\n") as imds:
        _, token = _put_token(imds.url)
        assert _imds_get(imds.url, "/latest/user-data", token) == (200, "#!/bin/sh\n")


def test_the_instance_role_credentials_are_listed_under_iam_security_credentials(world):
    """What a container could read if IMDS is not blocked. DG instance_IAM_role"""
    with metadata.serve_instance_metadata(world.sb.ec2, world.required["InstanceId"]) as imds:
        _, token = _put_token(imds.url)
        folder = "/latest/meta-data/iam/security-credentials/"
        role = _imds_get(imds.url, folder, token)[1]
        _, body = _imds_get(imds.url, folder + role, token)
    credentials = json.loads(body)
    assert role == "ecsInstanceRole"
    assert credentials["Code"] == "Success" and credentials["AccessKeyId"].startswith("ASIA")


def test_an_instance_without_a_profile_has_no_iam_folder(world):
    with metadata.serve_instance_metadata(world.sb.ec2, world.plain["InstanceId"]) as imds:
        _, token = _put_token(imds.url)
        listing = _imds_get(imds.url, "/latest/meta-data/", token)[1].split("\n")
        missing = _imds_get(imds.url, "/latest/meta-data/iam/info", token)[0]
    assert "iam/" not in listing and "instance-id" in listing
    assert missing == 404


def test_the_identity_document_names_the_instance_account_and_region(world):
    instance_id = world.required["InstanceId"]
    with metadata.serve_instance_metadata(world.sb.ec2, instance_id) as imds:
        _, token = _put_token(imds.url)
        _, body = _imds_get(imds.url, "/latest/dynamic/instance-identity/document", token)
    document = json.loads(body)
    assert document["instanceId"] == instance_id
    assert (document["region"], document["accountId"]) == ("us-east-1", "123456789012")


def test_an_unknown_instance_is_refused_with_what_to_do(world):
    with pytest.raises(MetadataError, match="run_instances"):
        metadata.serve_instance_metadata(world.sb.ec2, "i-0123456789abcdef0")


# ---- secrets and environment files ---------------------------------------------------------


def _with_secrets(secrets, role=ROLE_ARN, **container):
    definition = {
        "family": "web",
        "containerDefinitions": [
            {"name": "web", "image": "nginx:1.25", "memory": 256, "secrets": secrets, **container}
        ],
    }
    if role:
        definition["executionRoleArn"] = role
    return definition


def test_a_bare_name_is_an_ssm_parameter_in_the_same_region():
    """DG secrets-envvar-ssm-paramstore"""
    assert metadata.parse_value_from("/demo/db/password") == SecretReference(
        "ssm", "/demo/db/password"
    )


def test_an_ssm_parameter_arn_is_an_ssm_reference():
    arn = "arn:aws:ssm:us-east-1:123456789012:parameter/demo/db/password"
    assert metadata.parse_value_from(arn) == SecretReference("ssm", arn)


def test_a_secrets_manager_arn_can_name_a_json_key():
    """The documented example ...:appauthexample-AbCdEf:username1::. API Secret"""
    base = "arn:aws:secretsmanager:us-west-2:123456789012:secret:appauthexample-AbCdEf"
    assert metadata.parse_value_from(f"{base}:username1::") == SecretReference(
        "secretsmanager", base, json_key="username1"
    )


def test_a_secrets_manager_arn_can_pin_a_version_stage():
    base = "arn:aws:secretsmanager:us-east-1:123456789012:secret:db-AbCdEf"
    reference = metadata.parse_value_from(f"{base}::AWSPREVIOUS:")
    assert (reference.json_key, reference.version_stage, reference.version_id) == (
        None,
        "AWSPREVIOUS",
        None,
    )


def test_a_json_key_on_a_bare_name_is_refused_with_the_arn_form():
    with pytest.raises(SecretResolutionError, match="full Secrets Manager ARN"):
        metadata.parse_value_from("demo/db:password::")


def test_resolve_secrets_decrypts_a_secure_string_and_reads_a_json_key(world):
    """DG specifying-sensitive-data"""
    arn = world.secret_arn
    definition = _with_secrets(
        [
            {"name": "DB_PASSWORD", "valueFrom": "/demo/db/password"},
            {"name": "DB_USER", "valueFrom": f"{arn}:username::"},
            {"name": "DB_JSON", "valueFrom": arn},
        ]
    )
    assert metadata.resolve_secrets(definition, world.sb.ssm, world.sb.secretsmanager) == {
        "DB_PASSWORD": "s3cr3t",
        "DB_USER": "app",
        "DB_JSON": '{"username": "app", "password": "hunter2"}',
    }


def test_resolving_secrets_without_an_execution_role_fails_like_ecs(world):
    definition = _with_secrets([{"name": "P", "valueFrom": "/demo/db/password"}], role=None)
    with pytest.raises(SecretResolutionError) as caught:
        metadata.resolve_secrets(definition, world.sb.ssm, world.sb.secretsmanager)
    assert str(caught.value).startswith(MSG_SECRETS_NEED_EXECUTION_ROLE)


def test_a_missing_parameter_is_named_in_the_error(world):
    definition = _with_secrets([{"name": "GHOST", "valueFrom": "/demo/ghost"}])
    with pytest.raises(SecretResolutionError, match="'/demo/ghost'"):
        metadata.resolve_secrets(definition, world.sb.ssm, world.sb.secretsmanager)


def test_a_missing_json_key_lists_the_keys_the_secret_has(world):
    definition = _with_secrets([{"name": "X", "valueFrom": f"{world.secret_arn}:pasword::"}])
    with pytest.raises(SecretResolutionError, match="password, username"):
        metadata.resolve_secrets(definition, world.sb.ssm, world.sb.secretsmanager)


def test_an_unknown_secret_arn_reports_what_secrets_manager_answered(world):
    arn = world.secret_arn.replace("demo/db", "demo/gone")
    definition = _with_secrets([{"name": "X", "valueFrom": f"{arn}:password::"}])
    with pytest.raises(SecretResolutionError, match="ResourceNotFoundException"):
        metadata.resolve_secrets(definition, world.sb.ssm, world.sb.secretsmanager)


def test_environment_overrides_files_and_the_first_file_wins_among_files(world):
    """Precedence of environment over environmentFiles, first file first. DG taskdef-envfiles"""
    s3 = world.sb.client("s3")
    s3.create_bucket(Bucket="demo-app-config")
    s3.put_object(Bucket="demo-app-config", Key="a.env", Body=b"STAGE=staging\nLOG_LEVEL=info\n")
    s3.put_object(Bucket="demo-app-config", Key="b.env", Body=b"LOG_LEVEL=debug\nREGION=eu\n")
    definition = _with_secrets(
        [{"name": "DB_PASSWORD", "valueFrom": "/demo/db/password"}],
        environment=[{"name": "STAGE", "value": "production"}],
        environmentFiles=[
            {"value": "arn:aws:s3:::demo-app-config/a.env", "type": "s3"},
            {"value": "arn:aws:s3:::demo-app-config/b.env", "type": "s3"},
        ],
    )
    environment = metadata.container_environment(definition, s3=s3, ssm=world.sb.ssm)
    assert environment == {
        "STAGE": "production",
        "LOG_LEVEL": "info",
        "REGION": "eu",
        "DB_PASSWORD": "s3cr3t",
    }


def test_environment_files_skip_comments_and_keep_spaces_and_quotes():
    """Spaces or quotation marks are part of the value. DG taskdef-envfiles"""
    text = '#This is a comment and will be ignored\nVARIABLE=VALUE\nGREETING="hi there"\n\n'
    assert metadata.parse_environment_file(text) == {
        "VARIABLE": "VALUE",
        "GREETING": '"hi there"',
    }


def test_an_environment_file_must_use_the_env_extension(world):
    definition = _with_secrets(
        [], environmentFiles=[{"value": "arn:aws:s3:::demo-app-config/app.txt", "type": "s3"}]
    )
    with pytest.raises(SecretResolutionError, match=r"\.env file extension"):
        metadata.container_environment(definition, s3=world.sb.client("s3"))


def test_the_execution_role_policy_names_each_parameter_and_secret():
    """ssm:GetParameters / secretsmanager:GetSecretValue on exact ARNs. DG task_execution_IAM_role"""
    secret = "arn:aws:secretsmanager:us-east-1:123456789012:secret:demo/db-AbCdEf"
    definition = _with_secrets(
        [
            {"name": "A", "valueFrom": "/demo/db/password"},
            {"name": "B", "valueFrom": f"{secret}:password::"},
            {"name": "C", "valueFrom": f"{secret}:username::"},
        ]
    )
    assert metadata.execution_role_policy(definition)["Statement"] == [
        {
            "Effect": "Allow",
            "Action": ["ssm:GetParameters"],
            "Resource": ["arn:aws:ssm:us-east-1:123456789012:parameter/demo/db/password"],
        },
        {"Effect": "Allow", "Action": ["secretsmanager:GetSecretValue"], "Resource": [secret]},
    ]


def test_kms_decrypt_is_added_only_for_the_customer_managed_keys_given():
    key = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"
    definition = _with_secrets([{"name": "A", "valueFrom": "/p"}])
    without = metadata.execution_role_policy(definition)["Statement"]
    with_key = metadata.execution_role_policy(definition, kms_key_arns=[key])["Statement"]
    assert [s["Action"] for s in without] == [["ssm:GetParameters"]]
    assert with_key[-1] == {"Effect": "Allow", "Action": ["kms:Decrypt"], "Resource": [key]}


def test_environment_files_need_s3_permissions_on_the_object_and_bucket():
    """s3:GetObject on the file, s3:GetBucketLocation on its bucket. DG taskdef-envfiles"""
    definition = _with_secrets(
        [], environmentFiles=[{"value": "arn:aws:s3:::demo-app-config/web.env", "type": "s3"}]
    )
    assert metadata.execution_role_policy(definition)["Statement"] == [
        {
            "Effect": "Allow",
            "Action": ["s3:GetObject"],
            "Resource": ["arn:aws:s3:::demo-app-config/web.env"],
        },
        {
            "Effect": "Allow",
            "Action": ["s3:GetBucketLocation"],
            "Resource": ["arn:aws:s3:::demo-app-config"],
        },
    ]
