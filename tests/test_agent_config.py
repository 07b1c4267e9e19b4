"""What the ECS agent reads from /etc/ecs/ecs.config after user data (ecs_workbook.agent_config).

Doc pages: https://docs.aws.amazon.com/AmazonECS/latest/developerguide/bootstrap_container_instance.html
(DG bootstrap) and .../ecs-agent-config.html (DG agent config).
"""

from __future__ import annotations

import pytest

from ecs_workbook.agent_config import (
    AGENT_DEFAULTS,
    agent_settings,
    boot_container_instance,
    ecs_config_from_user_data,
    instance_attributes,
    parse_ecs_config,
)
from ecs_workbook.instances import user_data_for


def test_an_echo_line_appends_one_setting():
    """The documented one-liner: echo ECS_CLUSTER=MyCluster >> /etc/ecs/ecs.config. DG bootstrap"""
    script = "#!/bin/bash\necho ECS_CLUSTER=MyCluster >> /etc/ecs/ecs.config\n"
    assert ecs_config_from_user_data(script) == "ECS_CLUSTER=MyCluster\n"


def test_a_quoted_heredoc_writes_its_lines_verbatim():
    """Several settings at once with cat <<'EOF' >> /etc/ecs/ecs.config. DG bootstrap"""
    script = (
        "#!/bin/bash\n"
        "cat <<'EOF' >> /etc/ecs/ecs.config\n"
        "ECS_CLUSTER=prod\n"
        'ECS_INSTANCE_ATTRIBUTES={"stack": "prod"}\n'
        "EOF\n"
        "yum install -y htop\n"
    )
    assert parse_ecs_config(ecs_config_from_user_data(script)) == {
        "ECS_CLUSTER": "prod",
        "ECS_INSTANCE_ATTRIBUTES": '{"stack": "prod"}',
    }


def test_single_quotes_keep_the_json_double_quotes_of_instance_attributes():
    script = user_data_for("demo", {"stack": "prod", "team": "payments"})
    settings = agent_settings(script)
    assert instance_attributes(settings) == {"stack": "prod", "team": "payments"}


def test_tee_append_writes_like_an_append_redirect():
    script = 'echo "ECS_CLUSTER=web" | sudo tee -a /etc/ecs/ecs.config\n'
    assert ecs_config_from_user_data(script) == "ECS_CLUSTER=web\n"


def test_a_single_redirect_starts_the_file_afresh():
    script = (
        "echo ECS_CLUSTER=first >> /etc/ecs/ecs.config\n"
        "echo ECS_LOGLEVEL=debug > /etc/ecs/ecs.config\n"
    )
    assert parse_ecs_config(ecs_config_from_user_data(script)) == {"ECS_LOGLEVEL": "debug"}


def test_lines_that_do_not_write_ecs_config_are_ignored():
    script = "#!/bin/bash\necho hello > /tmp/greeting\nyum update -y\n"
    assert ecs_config_from_user_data(script) == ""


def test_without_user_data_the_instance_joins_the_default_cluster():
    """ECS_CLUSTER defaults to "default". DG agent config"""
    assert agent_settings("")["ECS_CLUSTER"] == "default"


def test_settings_not_written_keep_the_agent_defaults():
    """Task cleanup waits 3h by default; IMDS is not blocked for awsvpc tasks by default."""
    settings = agent_settings("echo ECS_CLUSTER=demo >> /etc/ecs/ecs.config\n")
    assert settings["ECS_ENGINE_TASK_CLEANUP_WAIT_DURATION"] == "3h"
    assert settings["ECS_AWSVPC_BLOCK_IMDS"] == "false"
    assert set(AGENT_DEFAULTS) <= set(settings)


def test_a_later_line_overrides_an_earlier_one():
    text = "ECS_CLUSTER=a\n# a comment\n\nECS_CLUSTER=b\n"
    assert parse_ecs_config(text) == {"ECS_CLUSTER": "b"}


def test_asking_for_names_returns_them_in_that_order():
    script = "echo ECS_AWSVPC_BLOCK_IMDS=true >> /etc/ecs/ecs.config\n"
    names = ["ECS_AWSVPC_BLOCK_IMDS", "ECS_CLUSTER"]
    assert agent_settings(script, names) == {
        "ECS_AWSVPC_BLOCK_IMDS": "true",
        "ECS_CLUSTER": "default",
    }


def test_unquoted_echo_of_json_loses_its_quotes_and_is_explained():
    """Without single quotes the shell strips the JSON's double quotes."""
    script = 'echo ECS_INSTANCE_ATTRIBUTES={"stack":"prod"} >> /etc/ecs/ecs.config\n'
    with pytest.raises(ValueError, match="single quotes"):
        instance_attributes(agent_settings(script))


@pytest.fixture(scope="module")
def sb():
    from ecs_workbook import sandbox

    with sandbox.start() as running:
        running.ecs.create_cluster(clusterName="lab")
        yield running


def test_booting_registers_into_ecs_cluster_with_the_instance_attributes(sb):
    """At boot the agent reads ecs.config and registers with its attributes. DG bootstrap"""
    script = user_data_for("lab", {"team": "checkout"})
    registered = boot_container_instance(sb.ecs, sb.ec2, script)
    attributes = {a["name"]: a.get("value") for a in registered["attributes"]}
    assert registered["containerInstanceArn"].split("/")[-2] == "lab"
    assert attributes["team"] == "checkout"
    assert attributes["ecs.instance-type"] == "t3.medium"


def test_booting_applies_the_instance_metadata_options(sb):
    script = user_data_for("lab")
    registered = boot_container_instance(
        sb.ecs, sb.ec2, script, metadata_options={"HttpTokens": "required"}
    )
    ec2_instance = sb.ec2.describe_instances(InstanceIds=[registered["ec2InstanceId"]])
    options = ec2_instance["Reservations"][0]["Instances"][0]["MetadataOptions"]
    assert options["HttpTokens"] == "required"


def test_booting_into_a_missing_cluster_is_refused_with_the_reason(sb):
    with pytest.raises(ValueError, match="'nowhere', which does not exist"):
        boot_container_instance(sb.ecs, sb.ec2, user_data_for("nowhere"))
