"""The EC2 instance metadata service (IMDSv2) of a moto instance, served on 127.0.0.1.

On AWS every instance reaches IMDS at ``http://169.254.169.254``: its id, Availability Zone, user
data, identity document and the instance role's credentials, behind the IMDSv2 session token and
its hop limit. moto has no IMDS; :func:`serve_instance_metadata` answers the documented paths from
the sandbox's EC2 (and IAM) state, so code written for IMDS can be tried here.

- https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/configuring-instance-metadata-service.html
- https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/instancedata-data-retrieval.html
"""

from __future__ import annotations

import base64
import hashlib
import json
import threading
import time
from collections.abc import Mapping
from typing import Any

from ecs_workbook.instances import identity_document, sibling_client
from ecs_workbook.metadata_server import (
    MetadataEndpoint,
    MetadataError,
    Reply,
    base_url,
    start_server,
    text_reply,
    timestamp,
)

__all__ = [
    "IMDS_MAX_TOKEN_TTL_SECONDS",
    "IMDS_TOKEN_HEADER",
    "IMDS_TOKEN_TTL_HEADER",
    "INSTANCE_METADATA_ADDRESS",
    "serve_instance_metadata",
]

#: Where EC2 serves instance metadata on AWS (link-local, answered by the Nitro hypervisor).
INSTANCE_METADATA_ADDRESS = "169.254.169.254"
#: IMDSv2 headers: ask for a token with a TTL, then send it with every GET.
IMDS_TOKEN_TTL_HEADER = "X-aws-ec2-metadata-token-ttl-seconds"
IMDS_TOKEN_HEADER = "X-aws-ec2-metadata-token"
IMDS_MAX_TOKEN_TTL_SECONDS = 21600
#: Fake instance-role credentials the local IMDS hands out (they open nothing: moto ignores them).
_FAKE_ROLE_CREDENTIALS = {
    "AccessKeyId": "ASIAWORKBOOKEXAMPLE0",
    "SecretAccessKey": "workbook/EXAMPLE/instance-role/not-a-real-key",
    "Token": "workbook-example-session-token-not-valid-anywhere",
}


def serve_instance_metadata(
    ec2_client: Any,
    instance_id: str,
    user_data: str | None = None,
    *,
    extra_hops: int = 0,
    iam_client: Any = None,
) -> MetadataEndpoint:
    """Serve the instance metadata service of one moto EC2 instance, on 127.0.0.1.

    IMDSv2: ``PUT /latest/api/token`` with ``X-aws-ec2-metadata-token-ttl-seconds`` (1-21600)
    returns a token to send as ``X-aws-ec2-metadata-token`` on every GET. A GET without a token
    works only while the instance's ``HttpTokens`` is ``optional`` (IMDSv1); with ``required`` it
    gets 401. ``extra_hops`` says how far the caller is from the instance (1 = a container on
    Docker's bridge network): when ``1 + extra_hops`` exceeds ``HttpPutResponseHopLimit`` the token
    response never arrives (here: the connection closes without an answer; on AWS the client
    waits until its timeout). Options are read from EC2 on every request, so
    ``modify_instance_metadata_options`` takes effect at once. ``user_data`` overrides what EC2
    stores. Paths: ``meta-data/`` (``ami-id``, ``hostname``, ``instance-id``, ``instance-type``,
    ``local-hostname``, ``local-ipv4``, ``mac``, ``placement/availability-zone``,
    ``placement/region``, ``iam/info``, ``iam/security-credentials/<role>``), ``user-data`` and
    ``dynamic/instance-identity/document``.
    https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/configuring-instance-metadata-service.html
    https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/instancedata-data-retrieval.html
    """
    if extra_hops < 0:
        raise ValueError(f"extra_hops must be 0 or more (got {extra_hops}).")
    launched, _ = _describe_instance(ec2_client, instance_id)  # fails here if unknown
    tokens: dict[str, float] = {}
    lock = threading.Lock()
    last_options: dict[str, Any] = {"HttpTokens": "optional", "HttpPutResponseHopLimit": 1}
    last_options.update(launched.get("MetadataOptions") or {})

    def options(instance: Mapping[str, Any]) -> dict[str, Any]:
        # moto's ModifyInstanceMetadataOptions drops the fields it was not given; AWS keeps them.
        with lock:
            last_options.update(instance.get("MetadataOptions") or {})
            return dict(last_options)

    def route(method: str, path: str, headers: Mapping[str, str]) -> Reply:
        path = path.split("?")[0]
        instance, owner = _describe_instance(ec2_client, instance_id)
        current = options(instance)
        if path == "/latest/api/token":
            if method != "PUT":
                return text_reply("405 - Method Not Allowed\n", 405)
            if 1 + extra_hops > int(current.get("HttpPutResponseHopLimit") or 1):
                return Reply(200, "", drop=True)
            ttl = headers.get(IMDS_TOKEN_TTL_HEADER, "")
            if not ttl.isdigit() or not 1 <= int(ttl) <= IMDS_MAX_TOKEN_TTL_SECONDS:
                return text_reply("400 - Missing or Invalid Parameters\n", 400)
            with lock:
                seed = f"{instance_id}:{len(tokens)}"
                token = base64.b64encode(hashlib.sha256(seed.encode()).digest()).decode()
                tokens[token] = time.monotonic() + int(ttl)
            return text_reply(token)
        if method != "GET":
            return text_reply("405 - Method Not Allowed\n", 405)
        token = headers.get(IMDS_TOKEN_HEADER)
        if token is not None:
            with lock:
                expiry = tokens.get(token)
            if expiry is None or expiry < time.monotonic():
                return text_reply("401 - Unauthorized\n", 401)
        elif current.get("HttpTokens") == "required":
            return text_reply("401 - Unauthorized\n", 401)
        return _instance_path(ec2_client, iam_client, instance, owner, path, user_data)

    server = start_server(route)
    return MetadataEndpoint(url=base_url(server), _server=server)


def _describe_instance(ec2_client: Any, instance_id: str) -> tuple[dict, str]:
    from botocore.exceptions import ClientError

    try:
        reservations = ec2_client.describe_instances(InstanceIds=[instance_id])["Reservations"]
    except ClientError:
        reservations = []
    if not reservations or not reservations[0].get("Instances"):
        raise MetadataError(
            f"EC2 has no instance {instance_id!r} in this sandbox. Launch one with "
            "ec2.run_instances(...) and pass its InstanceId."
        )
    return reservations[0]["Instances"][0], reservations[0].get("OwnerId", "")


def _instance_path(
    ec2_client: Any,
    iam_client: Any,
    instance: Mapping[str, Any],
    owner: str,
    path: str,
    user_data: str | None,
) -> Reply:
    zone = instance["Placement"]["AvailabilityZone"]
    interface = (instance.get("NetworkInterfaces") or [{}])[0]
    role = _instance_role(ec2_client, iam_client, instance)
    leaves = {
        "ami-id": instance["ImageId"],
        "hostname": instance.get("PrivateDnsName", ""),
        "instance-id": instance["InstanceId"],
        "instance-type": instance["InstanceType"],
        "local-hostname": instance.get("PrivateDnsName", ""),
        "local-ipv4": instance.get("PrivateIpAddress", ""),
        "mac": interface.get("MacAddress", ""),
        "placement/availability-zone": zone,
        "placement/region": zone[:-1],
    }
    if role:
        profile = instance.get("IamInstanceProfile") or {}
        leaves["iam/info"] = json.dumps(
            {
                "Code": "Success",
                "LastUpdated": timestamp(0)[:19] + "Z",
                "InstanceProfileArn": profile.get("Arn", ""),
                "InstanceProfileId": profile.get("Id", ""),
            },
            indent=2,
        )
        leaves[f"iam/security-credentials/{role}"] = json.dumps(
            {
                "Code": "Success",
                "LastUpdated": timestamp(0)[:19] + "Z",
                "Type": "AWS-HMAC",
                **_FAKE_ROLE_CREDENTIALS,
                "Expiration": timestamp(6 * 3600)[:19] + "Z",
            },
            indent=2,
        )
    if path == "/latest/user-data":
        text = user_data if user_data is not None else _stored_user_data(ec2_client, instance)
        return text_reply(text) if text else text_reply("404 - Not Found\n", 404)
    if path == "/latest/dynamic/instance-identity/document":
        return text_reply(json.dumps(identity_document(instance, owner), indent=2))
    prefix = "/latest/meta-data/"
    if path.rstrip("/") + "/" == prefix:
        return text_reply(_listing(leaves, ""))
    if not path.startswith(prefix):
        return text_reply("404 - Not Found\n", 404)
    key = path[len(prefix) :]
    if key in leaves:
        return text_reply(leaves[key])
    listing = _listing(leaves, key.rstrip("/") + "/")
    return text_reply(listing) if listing else text_reply("404 - Not Found\n", 404)


def _listing(leaves: Mapping[str, str], folder: str) -> str:
    """IMDS lists a folder one name per line, sub-folders with a trailing slash."""
    names: list[str] = []
    for key in leaves:
        if not key.startswith(folder):
            continue
        rest = key[len(folder) :]
        name = rest.split("/", 1)[0] + ("/" if "/" in rest else "")
        if name not in names:
            names.append(name)
    return "\n".join(sorted(names))


def _instance_role(ec2_client: Any, iam_client: Any, instance: Mapping[str, Any]) -> str | None:
    profile_arn = (instance.get("IamInstanceProfile") or {}).get("Arn")
    if not profile_arn:
        return None
    iam = iam_client or sibling_client(ec2_client, "iam")
    name = profile_arn.rsplit("/", 1)[-1]
    try:
        roles = iam.get_instance_profile(InstanceProfileName=name)["InstanceProfile"]["Roles"]
    except Exception:  # noqa: BLE001 - a profile without a role serves no credentials
        return None
    return roles[0]["RoleName"] if roles else None


def _stored_user_data(ec2_client: Any, instance: Mapping[str, Any]) -> str:
    attribute = ec2_client.describe_instance_attribute(
        InstanceId=instance["InstanceId"], Attribute="userData"
    )
    value = (attribute.get("UserData") or {}).get("Value") or ""
    try:
        return base64.b64decode(value, validate=True).decode("utf-8", "replace")
    except ValueError:
        return value
