"""Docker Compose to task definitions, the ecs-cli way (ecs_workbook.compose).

Rules come from ecs-facts.md section 7 (aws/amazon-ecs-cli converter sources) and
https://docs.aws.amazon.com/AmazonECS/latest/developerguide/cmd-ecs-cli-compose-ecsparams.html
"""

from __future__ import annotations

import warnings
from pathlib import Path

import boto3
import pytest
from moto import mock_aws
from moto_support import use_fake_aws

from ecs_workbook import compose, taskdef
from ecs_workbook.compose import (
    ComposeError,
    ComposeWarning,
    duration_seconds,
    load_compose,
    memory_mib,
    port_mappings,
    run_parameters,
    service_names,
    to_task_definition,
)

WEB_REDIS = """\
version: "2"
services:
  web:
    image: "${REGISTRY:-docker.io}/myorg/web:${TAG}"
    command: gunicorn -b 0.0.0.0:8000 "app:create_app()"
    ports:
      - "80:8000"
    links:
      - redis
    environment:
      REDIS_HOST: redis
      LOG_LEVEL: info
    env_file: web.env
    cpu_shares: 256
    mem_limit: 512m
    mem_reservation: 256m
    volumes:
      - ./static:/app/static:ro
      - cache:/var/cache/app
    logging:
      driver: awslogs
      options:
        awslogs-group: /ecs/myapp
        awslogs-region: us-east-1
        awslogs-stream-prefix: web
    healthcheck:
      test: ["CMD", "curl", "-f", "http://localhost:8000/health"]
      interval: 30s
      timeout: 5s
      retries: 3
      start_period: 40s
  redis:
    image: redis:7-alpine
    command: redis-server --appendonly yes
    mem_reservation: 128m
    ports:
      - "6379"
volumes:
  cache: {}
"""


def convert(services: dict, *, version: str | None = "2", **kwargs) -> dict:
    """Convert an in-memory compose project, failing on any ComposeWarning."""
    document = (
        {"services": services} if version is None else {"version": version, "services": services}
    )
    kwargs.setdefault("family", "app")
    kwargs.setdefault("env", {})
    kwargs.setdefault("project_dir", Path("/srv/app"))
    with warnings.catch_warnings():
        warnings.simplefilter("error", ComposeWarning)
        return to_task_definition(document, **kwargs)


def only_container(services: dict, **kwargs) -> dict:
    (container,) = convert(services, **kwargs)["containerDefinitions"]
    return container


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A compose project directory named 'myapp', as ecs-cli users keep them."""
    directory = tmp_path / "myapp"
    directory.mkdir()
    (directory / "docker-compose.yml").write_text(WEB_REDIS)
    (directory / "web.env").write_text("# web settings\nSECRET_KEY=s3cr3t\nLOG_LEVEL=debug\n")
    return directory


# ---------------------------------------------------------------------------- loading


def test_load_compose_reads_yaml_without_interpolating(project):
    data = load_compose(project / "docker-compose.yml")
    assert data["services"]["web"]["image"] == "${REGISTRY:-docker.io}/myorg/web:${TAG}"


def test_load_compose_explains_a_missing_file(tmp_path):
    with pytest.raises(ComposeError, match="does not exist"):
        load_compose(tmp_path / "nope.yml")


def test_service_names_are_in_file_order(project):
    assert service_names(project / "docker-compose.yml") == ["web", "redis"]


@pytest.mark.parametrize("version", ["2", "2.4", "3", "3.8", None])
def test_compose_2_3_and_the_compose_spec_all_convert(version):
    """DG-2022 cmd-ecs-cli-compose: versions 2 and 3; the Compose spec has no version key."""
    container = only_container({"web": {"image": "nginx"}}, version=version)
    assert container["name"] == "web" and container["image"] == "nginx"


def test_unknown_compose_version_is_refused():
    with pytest.raises(ComposeError, match="version '4'"):
        convert({"web": {"image": "nginx"}}, version="4")


def test_compose_text_can_be_passed_directly():
    td = to_task_definition("services:\n  web:\n    image: nginx\n", family="app", env={})
    assert td["containerDefinitions"][0]["image"] == "nginx"


# ------------------------------------------------------------------------------ family


def test_family_defaults_to_the_project_directory_name(project):
    """ecs-facts 7.1: the project name (current directory) is the task-definition family."""
    td = to_task_definition(project / "docker-compose.yml", env={"TAG": "1"})
    assert td["family"] == "myapp"


def test_compose_project_name_overrides_the_directory_name(project):
    td = to_task_definition(
        project / "docker-compose.yml", env={"TAG": "1", "COMPOSE_PROJECT_NAME": "shop"}
    )
    assert td["family"] == "shop"


def test_family_argument_wins(project):
    td = to_task_definition(project / "docker-compose.yml", family="web-prod", env={"TAG": "1"})
    assert td["family"] == "web-prod"


def test_directory_names_are_not_normalised_so_ecs_may_reject_them(tmp_path):
    """aws/amazon-ecs-cli#542: a directory like 'weird_dir@x' gives an invalid family."""
    directory = tmp_path / "weird_dir@letssee.cats"
    directory.mkdir()
    td = to_task_definition(
        {"services": {"web": {"image": "nginx"}}}, project_dir=directory, env={}
    )
    assert td["family"] == "weird_dir@letssee.cats"
    assert taskdef.validate(td) == ["Family contains invalid characters."]


# ------------------------------------------------------------------- interpolation, env


def test_variables_and_defaults_are_interpolated():
    """Compose interpolation: ${VAR}, ${VAR:-default}, $$ for a literal dollar."""
    service = {"image": "${REG:-docker.io}/web:${TAG}", "command": "echo $$HOME $TAG"}
    container = only_container({"web": service}, env={"TAG": "1.2"})
    assert container["image"] == "docker.io/web:1.2"
    assert container["command"] == ["echo", "$HOME", "1.2"]


def test_empty_variable_takes_the_colon_default_but_not_the_plain_one():
    """Compose interpolation: ':-' also replaces an empty value, '-' only an unset one."""
    services = {"web": {"image": "nginx", "command": ["${E:-x}", "${E-x}", "${E}"]}}
    assert only_container(services, env={"E": ""})["command"] == ["x", "", ""]


def test_unset_variable_warns_and_becomes_blank():
    with pytest.warns(ComposeWarning, match='"TAG" variable is not set'):
        td = to_task_definition({"services": {"web": {"image": "web:${TAG}"}}}, family="a", env={})
    assert td["containerDefinitions"][0]["image"] == "web:"


def test_required_variable_stops_the_conversion():
    with pytest.raises(ComposeError, match="TAG required"):
        convert({"web": {"image": "web:${TAG:?set the image tag}"}})


def test_environment_list_and_map_forms_give_the_same_pairs():
    """ecs-facts 7.2: KEY=value kept as is."""
    as_list = only_container({"web": {"image": "x", "environment": ["A=1", "B=two words"]}})
    as_map = only_container({"web": {"image": "x", "environment": {"A": 1, "B": "two words"}}})
    expected = [{"name": "A", "value": "1"}, {"name": "B", "value": "two words"}]
    assert as_list["environment"] == as_map["environment"] == expected


def test_bare_environment_keys_are_read_from_the_shell():
    """ecs-facts 7.2: KEY or KEY= takes its value from the environment ecs-cli runs in."""
    services = {"web": {"image": "x", "environment": ["API_KEY", "REGION="]}}
    container = only_container(services, env={"API_KEY": "k", "REGION": "us-east-1"})
    assert container["environment"] == [
        {"name": "API_KEY", "value": "k"},
        {"name": "REGION", "value": "us-east-1"},
    ]


def test_unresolved_bare_environment_key_warns_and_is_blank():
    """ecs-cli: 'Environment variable is unresolved. Setting it to a blank value...'."""
    with pytest.warns(ComposeWarning, match="API_KEY of service 'web' is unresolved"):
        td = to_task_definition(
            {"services": {"web": {"image": "x", "environment": ["API_KEY"]}}}, family="a", env={}
        )
    assert td["containerDefinitions"][0]["environment"] == [{"name": "API_KEY", "value": ""}]


def test_yaml_booleans_become_lowercase_strings():
    container = only_container({"web": {"image": "x", "environment": {"DEBUG": True}}})
    assert container["environment"] == [{"name": "DEBUG", "value": "true"}]


def test_env_file_is_read_relative_to_the_compose_file_and_environment_wins(project):
    td = to_task_definition(project / "docker-compose.yml", env={"TAG": "1"})
    environment = {e["name"]: e["value"] for e in td["containerDefinitions"][0]["environment"]}
    assert environment == {"SECRET_KEY": "s3cr3t", "LOG_LEVEL": "info", "REDIS_HOST": "redis"}


def test_missing_env_file_is_an_error(tmp_path):
    with pytest.raises(ComposeError, match="env_file missing.env"):
        convert({"web": {"image": "x", "env_file": "missing.env"}}, project_dir=tmp_path)


def test_dot_env_file_supplies_interpolation_defaults(tmp_path):
    (tmp_path / ".env").write_text('TAG="2.0"\n')
    td = to_task_definition(
        {"services": {"web": {"image": "web:${TAG}"}}}, family="a", project_dir=tmp_path, env={}
    )
    assert td["containerDefinitions"][0]["image"] == "web:2.0"


# ------------------------------------------------------------------------------- ports


@pytest.mark.parametrize(
    ("ports", "expected"),
    [
        (["3000"], [(3000, 0, "tcp")]),
        ([3000], [(3000, 0, "tcp")]),
        (["8000:8000"], [(8000, 8000, "tcp")]),
        (["49100:22"], [(22, 49100, "tcp")]),
        (["6060:6060/udp"], [(6060, 6060, "udp")]),
        (["53:53/tcp"], [(53, 53, "tcp")]),
        (["9090-9091:8080-8081"], [(8080, 9090, "tcp"), (8081, 9091, "tcp")]),
        (["3000-3002"], [(3000, 0, "tcp"), (3001, 0, "tcp"), (3002, 0, "tcp")]),
        ([{"target": 80, "published": 8080}], [(80, 8080, "tcp")]),
        ([{"target": 53, "published": "53", "protocol": "udp"}], [(53, 53, "udp")]),
        ([{"target": 80}], [(80, 0, "tcp")]),
    ],
)
def test_every_compose_port_form_becomes_port_mappings(ports, expected):
    """ecs-facts 7.2: "C" -> hostPort 0, "H:C", "/udp"; ranges expand to one mapping per port."""
    mappings = port_mappings(ports, service="web")
    assert [(m["containerPort"], m["hostPort"], m["protocol"]) for m in mappings] == expected


@pytest.mark.parametrize("port", ["127.0.0.1:8001:8001", "[::1]:8001:8001"])
def test_ip_prefixed_ports_drop_the_address_with_a_warning(port):
    """ecs-cli: 'Ignoring the ip address while transforming it to task definition'."""
    with pytest.warns(ComposeWarning, match="Ignoring the IP address"):
        mappings = port_mappings([port], service="web")
    assert mappings == [{"containerPort": 8001, "hostPort": 8001, "protocol": "tcp"}]


def test_ip_prefixed_port_range_keeps_every_port():
    with pytest.warns(ComposeWarning):
        mappings = port_mappings(["127.0.0.1:5000-5001:5000-5001"], service="web")
    assert [m["hostPort"] for m in mappings] == [5000, 5001]


def test_long_form_name_and_app_protocol_carry_over():
    """API PortMapping.name / appProtocol (Service Connect)."""
    mappings = port_mappings(
        [{"target": 80, "name": "http", "app_protocol": "http"}], service="web"
    )
    assert mappings[0]["name"] == "http" and mappings[0]["appProtocol"] == "http"


def test_container_only_port_under_awsvpc_uses_the_container_port():
    """aws/amazon-ecs-cli#1014: awsvpc rejects hostPort 0; the kit sends hostPort = C."""
    mappings = port_mappings(["9292"], service="api", network_mode="awsvpc")
    assert mappings == [{"containerPort": 9292, "hostPort": 9292, "protocol": "tcp"}]


def test_ranges_of_different_lengths_are_refused():
    with pytest.raises(ComposeError, match="one to one"):
        port_mappings(["12400-12500:1240"], service="web")


def test_protocols_other_than_tcp_and_udp_are_refused():
    """API PortMapping.protocol: tcp | udp."""
    with pytest.raises(ComposeError, match="tcp and udp only"):
        port_mappings(["132:132/sctp"], service="web")


def test_unparseable_port_is_refused():
    with pytest.raises(ComposeError, match="not a port"):
        port_mappings(["http:80"], service="web")


# ------------------------------------------------------------------ resources and units


@pytest.mark.parametrize(
    ("value", "mib"),
    [("512m", 512), ("1g", 1024), ("1gb", 1024), ("1.5g", 1536), ("2048k", 2), ("512M", 512),
     (536870912, 512), ("536870912", 512), ("1073741824b", 1024)],
)  # fmt: skip
def test_memory_units_convert_to_mib_like_ecs_cli(value, mib):
    """ecs-facts 7.2: bytes -> MiB by integer division by 1,048,576; units are binary."""
    assert memory_mib(value) == mib


def test_a_bare_small_number_is_bytes_and_warns():
    """ecs-cli reads mem_limit: 512 as 512 bytes, i.e. 0 MiB."""
    with pytest.warns(ComposeWarning, match="less than 1 MiB"):
        assert memory_mib(512, service="web") == 0


def test_memory_text_that_is_not_a_size_is_refused():
    with pytest.raises(ComposeError, match="not a size"):
        memory_mib("lots")


@pytest.mark.parametrize(
    ("value", "seconds"),
    [("30s", 30), ("1m30s", 90), ("1h", 3600), ("500ms", 0), ("2.5s", 2), (10, 10)],
)
def test_durations_convert_to_whole_seconds(value, seconds):
    assert duration_seconds(value) == seconds


def test_cpu_shares_mem_limit_and_mem_reservation_map_to_cpu_memory_reservation():
    """ecs-facts 7.2: cpu_shares -> cpu, mem_limit -> memory, mem_reservation -> reservation."""
    service = {"image": "x", "cpu_shares": 512, "mem_limit": "1g", "mem_reservation": "256m"}
    container = only_container({"web": service})
    assert (container["cpu"], container["memory"], container["memoryReservation"]) == (
        512,
        1024,
        256,
    )


def test_cpu_is_always_set_and_memory_defaults_to_512():
    """ecs-facts 7.2: cpu 0 if absent; memory 512 when nothing sets memory."""
    container = only_container({"web": {"image": "x"}})
    assert (container["cpu"], container["memory"]) == (0, 512)
    assert "memoryReservation" not in container


def test_v2_reservation_alone_also_sets_memory_to_the_same_value():
    """ecs-facts 7.2 / section 11 item 2: v1/v2 files with only mem_reservation get equal values."""
    container = only_container({"web": {"image": "x", "mem_reservation": "128m"}})
    assert (container["memory"], container["memoryReservation"]) == (128, 128)


def test_compose_spec_reservation_alone_stays_a_soft_limit():
    container = only_container({"web": {"image": "x", "mem_reservation": "128m"}}, version=None)
    assert "memory" not in container and container["memoryReservation"] == 128


def test_mem_limit_below_mem_reservation_is_refused_with_ecs_cli_wording():
    """ecs-cli test TestMemReservationHigherThanMemLimit: the ecs-cli error text."""
    with pytest.raises(ComposeError, match="mem_limit must be greater than mem_reservation"):
        convert({"web": {"image": "x", "mem_limit": "128m", "mem_reservation": "256m"}})


def test_version_3_resources_are_skipped_with_a_warning_pointing_to_ecs_params():
    """ecs-facts 7.2: in v3, cpu_shares/mem_limit/mem_reservation come from ecs-params only."""
    document = {"version": "3", "services": {"web": {"image": "x", "mem_limit": "1g"}}}
    with pytest.warns(ComposeWarning, match="Compose file format 3 has no mem_limit"):
        td = to_task_definition(document, family="a", env={})
    assert td["containerDefinitions"][0]["memory"] == 512


def test_deploy_resources_warn_with_ecs_cli_wording():
    """ecs-cli: 'service-level resources should be configured in the ecs-param.yml file'."""
    service = {"image": "x", "deploy": {"resources": {"limits": {"memory": "1g"}}}}
    with pytest.warns(ComposeWarning, match="service-level resources should be configured"):
        to_task_definition({"version": "3", "services": {"web": service}}, family="a", env={})


# ---------------------------------------------------------------------------- volumes


def test_named_volume_becomes_a_task_volume_and_a_mount_point():
    service = {"image": "postgres", "volumes": ["pgdata:/var/lib/postgresql/data"]}
    document = {"version": "2", "services": {"db": service}, "volumes": {"pgdata": None}}
    td = to_task_definition(document, family="a", env={})
    assert td["volumes"] == [{"name": "pgdata"}]
    assert td["containerDefinitions"][0]["mountPoints"] == [
        {"sourceVolume": "pgdata", "containerPath": "/var/lib/postgresql/data", "readOnly": False}
    ]


def test_host_path_becomes_a_host_volume_named_volume_n():
    """ecs-facts 7.2: HOST:CONTAINER[:ro] -> host volume 'volume-<n>' with sourcePath."""
    td = convert({"web": {"image": "x", "volumes": ["/var/log/app:/logs:ro", "/cache"]}})
    assert td["volumes"] == [
        {"name": "volume-0", "host": {"sourcePath": "/var/log/app"}},
        {"name": "volume-1"},
    ]
    assert td["containerDefinitions"][0]["mountPoints"] == [
        {"sourceVolume": "volume-0", "containerPath": "/logs", "readOnly": True},
        {"sourceVolume": "volume-1", "containerPath": "/cache", "readOnly": False},
    ]


def test_relative_host_paths_are_resolved_against_the_project_directory():
    td = convert(
        {"web": {"image": "x", "volumes": ["./static:/static"]}}, project_dir=Path("/srv/app")
    )
    assert td["volumes"][0]["host"]["sourcePath"] == "/srv/app/static"


def test_one_host_path_used_twice_is_one_volume():
    services = {
        "a": {"image": "x", "volumes": ["/data:/data"]},
        "b": {"image": "y", "volumes": ["/data:/d:ro"]},
    }
    td = convert(services)
    assert [v["name"] for v in td["volumes"]] == ["volume-0"]


def test_undeclared_named_volume_is_an_error():
    """ecs-cli: 'named volume [x] is used but no declaration was found in the volumes section'."""
    with pytest.raises(ComposeError, match=r"named volume \[data\] is used"):
        convert({"web": {"image": "x", "volumes": ["data:/data"]}})


def test_long_volume_syntax_maps_bind_mounts():
    volume = {"type": "bind", "source": "/etc/app", "target": "/config", "read_only": True}
    td = convert({"web": {"image": "x", "volumes": [volume]}}, version="3")
    assert td["containerDefinitions"][0]["mountPoints"] == [
        {"sourceVolume": "volume-0", "containerPath": "/config", "readOnly": True}
    ]


def test_volume_driver_options_warn_and_point_to_docker_volumes():
    document = {
        "version": "2",
        "services": {"web": {"image": "x"}},
        "volumes": {"d": {"driver": "rexray"}},
    }
    with pytest.warns(ComposeWarning, match="docker_volumes"):
        td = to_task_definition(document, family="a", env={})
    assert td["volumes"] == [{"name": "d"}]


def test_volumes_from_maps_service_and_container_forms():
    """ecs-facts 7.2: name, name:ro, container:name[:rw]."""
    services = {
        "a": {"image": "x", "volumes_from": ["b", "c:ro", "container:d:rw"]},
        "b": {"image": "y"},
    }
    container = convert(services)["containerDefinitions"][0]
    assert container["volumesFrom"] == [
        {"sourceContainer": "b", "readOnly": False},
        {"sourceContainer": "c", "readOnly": True},
        {"sourceContainer": "d", "readOnly": False},
    ]


# ---------------------------------------------------------------- other container fields


def test_command_and_entrypoint_strings_are_shell_split_lists_kept():
    """ecs-facts 7.2: a string is shell-split, a YAML list kept item by item."""
    service = {"image": "x", "entrypoint": "/bin/sh -c", "command": ["echo", "hello world"]}
    container = only_container({"web": service})
    assert container["entryPoint"] == ["/bin/sh", "-c"]
    assert container["command"] == ["echo", "hello world"]


def test_simple_fields_map_to_their_ecs_names():
    service = {
        "image": "x", "working_dir": "/app", "user": 1000, "hostname": "web1", "privileged": True,
        "read_only": True, "tty": True, "stdin_open": True, "links": ["db:database"],
        "dns": "10.0.0.2", "dns_search": ["corp.local"], "security_opt": ["no-new-privileges"],
    }  # fmt: skip
    container = convert({"web": service, "db": {"image": "y"}})["containerDefinitions"][0]
    assert {
        key: container[key]
        for key in (
            "workingDirectory", "user", "hostname", "privileged", "readonlyRootFilesystem",
            "pseudoTerminal", "interactive", "links", "dnsServers", "dnsSearchDomains",
            "dockerSecurityOptions",
        )
    } == {
        "workingDirectory": "/app", "user": "1000", "hostname": "web1", "privileged": True,
        "readonlyRootFilesystem": True, "pseudoTerminal": True, "interactive": True,
        "links": ["db:database"], "dnsServers": ["10.0.0.2"], "dnsSearchDomains": ["corp.local"],
        "dockerSecurityOptions": ["no-new-privileges"],
    }  # fmt: skip


def test_labels_in_list_or_map_form_become_docker_labels():
    as_list = only_container({"web": {"image": "x", "labels": ["tier=web", "team=shop"]}})
    as_map = only_container({"web": {"image": "x", "labels": {"tier": "web", "team": "shop"}}})
    assert as_list["dockerLabels"] == as_map["dockerLabels"] == {"tier": "web", "team": "shop"}


def test_extra_hosts_list_and_map_forms():
    """ecs-facts 7.2: host:ip -> extraHosts."""
    as_list = only_container({"web": {"image": "x", "extra_hosts": ["db:10.0.0.5"]}})
    as_map = only_container({"web": {"image": "x", "extra_hosts": {"db": "10.0.0.5"}}})
    assert (
        as_list["extraHosts"]
        == as_map["extraHosts"]
        == [{"hostname": "db", "ipAddress": "10.0.0.5"}]
    )


def test_ulimits_single_value_and_soft_hard_forms():
    ulimits = {"nproc": 65535, "nofile": {"soft": 20000, "hard": 40000}}
    container = only_container({"web": {"image": "x", "ulimits": ulimits}})
    assert container["ulimits"] == [
        {"name": "nproc", "softLimit": 65535, "hardLimit": 65535},
        {"name": "nofile", "softLimit": 20000, "hardLimit": 40000},
    ]


def test_logging_driver_and_options_become_log_configuration():
    logging = {"driver": "json-file", "options": {"max-size": "10m", "max-file": 3}}
    container = only_container({"web": {"image": "x", "logging": logging}})
    assert container["logConfiguration"] == {
        "logDriver": "json-file",
        "options": {"max-size": "10m", "max-file": "3"},
    }


def test_version_1_log_driver_and_log_opt_become_log_configuration():
    document = {"web": {"image": "x", "log_driver": "syslog", "log_opt": {"tag": "web"}}}
    td = to_task_definition(document, family="a", env={})
    assert td["containerDefinitions"][0]["logConfiguration"] == {
        "logDriver": "syslog",
        "options": {"tag": "web"},
    }


def test_healthcheck_becomes_ecs_health_check_with_seconds():
    """API HealthCheck: command, interval/timeout/startPeriod in seconds, retries."""
    health = {
        "test": "curl -f localhost",
        "interval": "1m",
        "timeout": "10s",
        "retries": 5,
        "start_period": "15s",
    }
    container = only_container({"web": {"image": "x", "healthcheck": health}})
    assert container["healthCheck"] == {
        "command": ["CMD-SHELL", "curl -f localhost"],
        "interval": 60,
        "timeout": 10,
        "startPeriod": 15,
        "retries": 5,
    }


def test_disabled_healthcheck_adds_no_health_check():
    container = only_container({"web": {"image": "x", "healthcheck": {"disable": True}}})
    assert "healthCheck" not in container


def test_init_stop_grace_period_and_shm_size():
    """API LinuxParameters.initProcessEnabled (docker run --init); stopTimeout in seconds."""
    service = {"image": "x", "init": True, "stop_grace_period": "1m30s", "shm_size": "256m"}
    container = only_container({"web": service})
    assert container["linuxParameters"] == {"initProcessEnabled": True, "sharedMemorySize": 256}
    assert container["stopTimeout"] == 90


def test_capabilities_devices_tmpfs_and_sysctls_map_to_linux_parameters():
    service = {
        "image": "x",
        "cap_add": ["NET_ADMIN"],
        "cap_drop": ["ALL"],
        "devices": ["/dev/fuse:/dev/fuse:rwm"],
        "tmpfs": ["/run:size=64m,noexec"],
        "sysctls": {"net.core.somaxconn": 1024},
    }
    container = only_container({"web": service})
    assert container["linuxParameters"] == {
        "capabilities": {"add": ["NET_ADMIN"], "drop": ["ALL"]},
        "devices": [
            {
                "hostPath": "/dev/fuse",
                "containerPath": "/dev/fuse",
                "permissions": ["read", "write", "mknod"],
            }
        ],
        "tmpfs": [{"containerPath": "/run", "size": 64, "mountOptions": ["noexec"]}],
    }
    assert container["systemControls"] == [{"namespace": "net.core.somaxconn", "value": "1024"}]


def test_tmpfs_without_size_is_refused():
    """API Tmpfs.size is required; ecs-cli: 'You must specify the size option for tmpfs'."""
    with pytest.raises(ComposeError, match="has no size"):
        convert({"web": {"image": "x", "tmpfs": "/run"}})


# ------------------------------------------------------------------- unsupported options


@pytest.mark.parametrize(
    ("option", "value", "hint"),
    [
        ("build", ".", "build and push the image"),
        ("container_name", "web1", "after its service"),
        ("restart", "always", "through a service"),
        ("networks", ["front"], "network mode"),
        ("depends_on", ["db"], "ecs-params.yml"),
        ("expose", ["3000"], "no 'expose'"),
        ("cpus", "0.5", "cpu_shares"),
        ("mem_swappiness", 0, "no ECS equivalent"),
    ],
)
def test_unsupported_options_warn_naming_option_and_service(option, value, hint):
    """ecs-cli: 'Skipping unsupported YAML option for service...'; the result is unaffected."""
    plain = convert({"web": {"image": "x"}})
    with pytest.warns(ComposeWarning, match=f"'{option}' for service 'web'") as record:
        converted = to_task_definition(
            {"version": "2", "services": {"web": {"image": "x", option: value}}},
            family="app", env={}, project_dir=Path("/srv/app"),
        )  # fmt: skip
    assert hint in str(record[0].message)
    assert converted == plain


def test_top_level_networks_warn():
    with pytest.warns(ComposeWarning, match="'networks'"):
        to_task_definition(
            {"services": {"web": {"image": "x"}}, "networks": {"front": {}}}, family="a", env={}
        )


def test_extension_fields_are_ignored_silently():
    """Compose spec: x- fields are for tools to ignore."""
    only_container({"web": {"image": "x", "x-owner": "shop"}})


# --------------------------------------------------------------------------- ecs-params


ECS_PARAMS = """\
version: 1
task_definition:
  ecs_network_mode: awsvpc
  task_role_arn: arn:aws:iam::123456789012:role/web-task
  task_execution_role: arn:aws:iam::123456789012:role/ecsTaskExecutionRole
  task_size:
    cpu_limit: 512
    mem_limit: 1GB
  services:
    web:
      essential: true
      cpu_shares: 384
      mem_limit: 768m
      mem_reservation: 512m
      init_process_enabled: true
      secrets:
        - value_from: arn:aws:ssm:us-east-1:123456789012:parameter/web/secret-key
          name: SECRET_KEY
      healthcheck:
        test: ["CMD-SHELL", "curl -f http://localhost:8000/ || exit 1"]
        interval: 20s
        retries: 2
    redis:
      essential: false
      mem_reservation: 128m
run_params:
  network_configuration:
    awsvpc_configuration:
      subnets: [subnet-aaaa, subnet-bbbb]
      security_groups: [sg-1234]
      assign_public_ip: ENABLED
  task_placement:
    strategy:
      - type: spread
        field: attribute:ecs.availability-zone
    constraints:
      - type: memberOf
        expression: attribute:ecs.os-type == linux
"""


def test_ecs_params_set_task_level_fields_verbatim(project):
    """ecs-facts 7.3: network mode, roles; task_size strings copied into cpu/memory."""
    td = to_task_definition(project / "docker-compose.yml", ECS_PARAMS, env={"TAG": "1"})
    assert {
        k: td[k] for k in ("networkMode", "taskRoleArn", "executionRoleArn", "cpu", "memory")
    } == {
        "networkMode": "awsvpc",
        "taskRoleArn": "arn:aws:iam::123456789012:role/web-task",
        "executionRoleArn": "arn:aws:iam::123456789012:role/ecsTaskExecutionRole",
        "cpu": "512",
        "memory": "1GB",
    }


def test_ecs_params_service_values_override_compose(project):
    """ecs-facts 7.3: per-service cpu_shares/mem_limit/mem_reservation override compose."""
    web, redis = to_task_definition(project / "docker-compose.yml", ECS_PARAMS, env={"TAG": "1"})[
        "containerDefinitions"
    ]
    assert (web["cpu"], web["memory"], web["memoryReservation"]) == (384, 768, 512)
    assert (web["essential"], redis["essential"]) == (True, False)
    assert web["linuxParameters"] == {"initProcessEnabled": True}
    assert web["secrets"] == [
        {
            "name": "SECRET_KEY",
            "valueFrom": "arn:aws:ssm:us-east-1:123456789012:parameter/web/secret-key",
        }
    ]
    assert web["healthCheck"] == {
        "command": ["CMD-SHELL", "curl -f http://localhost:8000/ || exit 1"],
        "interval": 20,
        "retries": 2,
    }


def test_task_memory_from_ecs_params_removes_the_512_default():
    params = {
        "version": 1,
        "task_definition": {"task_size": {"cpu_limit": "256", "mem_limit": "512"}},
    }
    container = only_container({"web": {"image": "x"}}, ecs_params=params)
    assert "memory" not in container


def test_awsvpc_in_ecs_params_makes_container_only_ports_match():
    params = {"version": 1, "task_definition": {"ecs_network_mode": "awsvpc"}}
    container = only_container({"web": {"image": "x", "ports": ["8080"]}}, ecs_params=params)
    assert container["portMappings"] == [
        {"containerPort": 8080, "hostPort": 8080, "protocol": "tcp"}
    ]


def test_all_services_non_essential_is_refused_with_ecs_cli_wording():
    """ecs-cli convert_task_definition.go hasEssential: the ecs-cli error text."""
    params = {"version": 1, "task_definition": {"services": {"web": {"essential": False}}}}
    with pytest.raises(ComposeError, match="does not have any essential containers"):
        convert({"web": {"image": "x"}}, ecs_params=params)


def test_ecs_params_are_expanded_from_the_environment():
    """ecs-facts 7.3: ecs-params are expanded with os.ExpandEnv before parsing."""
    params = (
        "version: 1\ntask_definition:\n  task_role_arn: arn:aws:iam::123456789012:role/${ROLE}\n"
    )
    td = convert({"web": {"image": "x"}}, ecs_params=params, env={"ROLE": "web"})
    assert td["taskRoleArn"] == "arn:aws:iam::123456789012:role/web"


def test_ecs_params_docker_and_efs_volumes_and_constraints():
    params = {
        "version": 1,
        "task_definition": {
            "docker_volumes": [
                {"name": "data", "scope": "shared", "autoprovision": True, "driver": "local"}
            ],
            "efs_volumes": [
                {"name": "files", "filesystem_id": "fs-1234", "transit_encryption": "ENABLED"}
            ],
            "placement_constraints": [
                {"type": "memberOf", "expression": "attribute:ecs.instance-type =~ t3.*"}
            ],
        },
    }
    td = convert({"web": {"image": "x"}}, ecs_params=params)
    assert td["volumes"] == [
        {
            "name": "data",
            "dockerVolumeConfiguration": {
                "scope": "shared",
                "autoprovision": True,
                "driver": "local",
            },
        },
        {
            "name": "files",
            "efsVolumeConfiguration": {"fileSystemId": "fs-1234", "transitEncryption": "ENABLED"},
        },
    ]
    assert td["placementConstraints"] == [
        {"type": "memberOf", "expression": "attribute:ecs.instance-type =~ t3.*"}
    ]


def test_incomplete_ecs_params_secret_names_the_missing_setting():
    params = {"version": 1, "task_definition": {"services": {"web": {"secrets": [{"name": "A"}]}}}}
    with pytest.raises(ComposeError, match="A secret in ecs-params.yml needs 'value_from'"):
        convert({"web": {"image": "x"}}, ecs_params=params)


def test_ecs_params_for_a_service_the_compose_file_lacks_warns():
    params = {"version": 1, "task_definition": {"services": {"wbe": {"essential": True}}}}
    with pytest.warns(
        ComposeWarning, match="service 'wbe', which the compose file does not define"
    ):
        to_task_definition({"services": {"web": {"image": "x"}}}, params, family="a", env={})


def test_ecs_params_can_be_read_from_a_file(project):
    (project / "ecs-params.yml").write_text(ECS_PARAMS)
    td = to_task_definition(
        project / "docker-compose.yml", project / "ecs-params.yml", env={"TAG": "1"}
    )
    assert td["networkMode"] == "awsvpc"


def test_launch_type_sets_requires_compatibilities():
    """ecs-cli compose --launch-type FARGATE."""
    assert convert({"web": {"image": "x"}}, launch_type="FARGATE")["requiresCompatibilities"] == [
        "FARGATE"
    ]


def test_run_parameters_give_network_configuration_and_placement():
    """ecs-facts 7.3 run_params: awsvpc_configuration and task_placement."""
    assert run_parameters(ECS_PARAMS, env={}) == {
        "networkConfiguration": {
            "awsvpcConfiguration": {
                "subnets": ["subnet-aaaa", "subnet-bbbb"],
                "securityGroups": ["sg-1234"],
                "assignPublicIp": "ENABLED",
            }
        },
        "placementConstraints": [
            {"type": "memberOf", "expression": "attribute:ecs.os-type == linux"}
        ],
        "placementStrategy": [{"type": "spread", "field": "attribute:ecs.availability-zone"}],
    }


def test_awsvpc_run_parameters_need_a_subnet():
    """ecs-cli: 'at least one subnet is required in the network configuration'."""
    with pytest.raises(ComposeError, match="at least one subnet is required"):
        run_parameters({"version": 1, "task_definition": {"ecs_network_mode": "awsvpc"}}, env={})


# ------------------------------------------------------------- the ECS CLI tutorials

TUTORIAL_COMPOSE = """\
version: '3'
services:
  web:
    image: amazon/amazon-ecs-sample
    ports:
      - "80:80"
    logging:
      driver: awslogs
      options:
        awslogs-group: tutorial
        awslogs-region: us-west-2
        awslogs-stream-prefix: web
"""


def test_ec2_tutorial_project_gets_cpu_and_memory_from_ecs_params():
    """DG-2022 ecs-cli-tutorial-ec2: v3 compose + ecs-params cpu_shares 100, mem_limit 524288000."""
    params = "version: 1\ntask_definition:\n  services:\n    web:\n      cpu_shares: 100\n"
    params += "      mem_limit: 524288000\n"
    td = to_task_definition(TUTORIAL_COMPOSE, params, family="ec2-tutorial", env={})
    (web,) = td["containerDefinitions"]
    assert (web["cpu"], web["memory"], web["essential"]) == (100, 500, True)
    assert web["portMappings"] == [{"containerPort": 80, "hostPort": 80, "protocol": "tcp"}]
    assert taskdef.validate(td) == []


def test_fargate_tutorial_project_is_a_valid_fargate_task_definition():
    """DG-2022 ecs-cli-tutorial-fargate: awsvpc, task_size 256 / 0.5GB, execution role."""
    params = """\
version: 1
task_definition:
  task_execution_role: ecsTaskExecutionRole
  ecs_network_mode: awsvpc
  os_family: Linux
  task_size:
    mem_limit: 0.5GB
    cpu_limit: 256
"""
    td = to_task_definition(
        TUTORIAL_COMPOSE, params, family="tutorial", env={}, launch_type="FARGATE"
    )
    assert {k: td[k] for k in ("cpu", "memory", "networkMode", "runtimePlatform")} == {
        "cpu": "256",
        "memory": "0.5GB",
        "networkMode": "awsvpc",
        "runtimePlatform": {"operatingSystemFamily": "LINUX"},
    }
    assert "memory" not in td["containerDefinitions"][0]
    assert taskdef.validate(td) == []


# ------------------------------------------------------------ the whole project, in moto


@pytest.fixture
def ecs(monkeypatch):
    use_fake_aws(monkeypatch)
    with mock_aws():
        yield boto3.client("ecs", region_name="us-east-1")


def test_web_and_redis_project_converts_to_a_valid_task_definition(project):
    td = to_task_definition(project / "docker-compose.yml", env={"TAG": "1.4"})
    assert taskdef.validate(td) == []
    web, redis = td["containerDefinitions"]
    assert web["image"] == "docker.io/myorg/web:1.4"
    assert web["command"] == ["gunicorn", "-b", "0.0.0.0:8000", "app:create_app()"]
    assert redis["portMappings"] == [{"containerPort": 6379, "hostPort": 0, "protocol": "tcp"}]
    assert td["volumes"] == [
        {"name": "cache"},
        {"name": "volume-1", "host": {"sourcePath": str(project / "static")}},
    ]


def test_web_and_redis_project_registers_in_moto(project, ecs):
    td = to_task_definition(project / "docker-compose.yml", env={"TAG": "1.4"})
    registered = taskdef.register(ecs, td)
    assert registered["taskDefinitionArn"].endswith(":task-definition/myapp:1")
    assert [c["name"] for c in registered["containerDefinitions"]] == ["web", "redis"]
    assert taskdef.reserved_resources(registered) == {
        "CPU": 256,
        "MEMORY": 256 + 128,
        "PORTS": [80],
        "PORTS_UDP": [],
    }


FARGATE_WEB_REDIS = """\
version: "3"
services:
  web:
    image: myorg/web:1.4
    ports: ["8000"]
    environment: [REDIS_HOST=localhost]
    logging:
      driver: awslogs
      options: {awslogs-group: /ecs/myapp, awslogs-region: us-east-1, awslogs-stream-prefix: web}
  redis:
    image: redis:7-alpine
    ports: ["6379"]
"""


def test_fargate_web_and_redis_with_ecs_params_registers_in_moto(ecs):
    """The ecs-cli Fargate tutorial shape: v3 compose + ecs-params (awsvpc, task_size, roles)."""
    td = to_task_definition(
        FARGATE_WEB_REDIS, ECS_PARAMS, family="myapp", env={}, launch_type="FARGATE"
    )
    assert taskdef.validate(td) == []
    web, redis = td["containerDefinitions"]
    assert web["portMappings"] == [{"containerPort": 8000, "hostPort": 8000, "protocol": "tcp"}]
    assert (redis["cpu"], redis.get("memory"), redis["memoryReservation"]) == (0, None, 128)
    assert taskdef.register(ecs, td)["requiresCompatibilities"] == ["FARGATE"]


def test_converter_output_for_awsvpc_links_is_caught_by_validate(project):
    """The converter stays faithful; taskdef.validate says what ECS would refuse."""
    td = to_task_definition(project / "docker-compose.yml", ECS_PARAMS, env={"TAG": "1"})
    assert "Links are not supported when networkMode=awsvpc." in taskdef.validate(td)


def test_converter_is_pure_and_repeatable(project):
    first = to_task_definition(project / "docker-compose.yml", env={"TAG": "1"})
    second = to_task_definition(project / "docker-compose.yml", env={"TAG": "1"})
    assert first == second
    assert compose.load_compose(project / "docker-compose.yml")["services"]["web"][
        "image"
    ].endswith("${TAG}")
