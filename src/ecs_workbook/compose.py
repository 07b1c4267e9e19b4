"""Docker Compose files to ECS task definitions, the way ``ecs-cli compose`` converts them.

One compose *project* becomes one task definition: each service is a container definition, the
family is the project name (the compose file's directory), and ``ecs-params.yml`` adds what
Compose cannot say (network mode, roles, task size, essential flags, secrets...). The result is
``register_task_definition`` keyword arguments; nothing here calls AWS.

Rules follow ecs-cli (aws/amazon-ecs-cli, ``cli/compose/adapter/convert.go``,
``utils/compose/reconcile_container_def.go``, ``ecs_params_reader.go``), summarised in
ecs-facts.md section 7. Where ecs-cli produced a task definition ECS rejects, the kit does what
ECS accepts and says so in the docstring (e.g. container-only ports under awsvpc).
Options ecs-cli skips raise a :class:`ComposeWarning` naming the option and the service.

- https://docs.aws.amazon.com/AmazonECS/latest/developerguide/cmd-ecs-cli-compose.html
- https://docs.aws.amazon.com/AmazonECS/latest/developerguide/cmd-ecs-cli-compose-ecsparams.html
"""

from __future__ import annotations

import os
import re
import shlex
import sys
import warnings
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

__all__ = [
    "DEFAULT_MEMORY_MIB",
    "ComposeError",
    "ComposeWarning",
    "duration_seconds",
    "interpolate",
    "load_compose",
    "memory_mib",
    "port_mappings",
    "run_parameters",
    "service_names",
    "to_task_definition",
]

#: ecs-cli gives a container 512 MiB when neither compose, ecs-params nor the task sets memory.
DEFAULT_MEMORY_MIB = 512

_MIB = 1024 * 1024
_TOP_LEVEL_KEYS = {"version", "services", "volumes", "networks", "secrets", "configs", "name"}


class ComposeWarning(UserWarning):
    """A compose or ecs-params option the conversion skipped or changed (ecs-cli's WARN lines)."""


class ComposeError(ValueError):
    """A compose or ecs-params file that cannot become a task definition (ecs-cli stops too)."""


# --------------------------------------------------------------------------------------------
# Loading and interpolation
# --------------------------------------------------------------------------------------------


def load_compose(path: str | Path) -> dict:
    """Read a compose file with PyYAML's safe loader (no interpolation yet).

    https://docs.docker.com/compose/compose-file/
    """
    return _load_yaml(Path(path), "compose file")


def service_names(compose: Mapping[str, Any] | str | Path) -> list[str]:
    """The services of a compose file, in file order (each becomes one container definition)."""
    data, _ = _read_source(compose, "compose file")
    return list(_services(data, _format(data)))


_VARIABLE = re.compile(
    r"\$(?:(?P<escaped>\$)"
    r"|\{(?P<braced>[A-Za-z_][A-Za-z0-9_]*)(?:(?P<op>:?[-?+])(?P<arg>(?:[^{}]|\{[^{}]*\})*))?\}"
    r"|(?P<named>[A-Za-z_][A-Za-z0-9_]*))"
)


def interpolate(value: Any, env: Mapping[str, str], *, where: str = "compose file") -> Any:
    """Replace ``$VAR``, ``${VAR}``, ``${VAR:-default}``, ``${VAR-default}``, ``${VAR:?error}``,
    ``${VAR:+alt}`` in every string value (keys untouched); ``$$`` is a literal ``$``.

    An unset variable without a default becomes "" with a :class:`ComposeWarning`, as Compose
    does. https://docs.docker.com/compose/environment-variables/variable-interpolation/
    """
    if isinstance(value, str):
        return _VARIABLE.sub(lambda match: _substitute(match, env, where), value)
    if isinstance(value, Mapping):
        return {key: interpolate(item, env, where=where) for key, item in value.items()}
    if isinstance(value, list):
        return [interpolate(item, env, where=where) for item in value]
    return value


def _substitute(match: re.Match[str], env: Mapping[str, str], where: str) -> str:
    if match.group("escaped"):
        return "$"
    name = match.group("braced") or match.group("named")
    op, arg = match.group("op"), match.group("arg") or ""
    value = env.get(name)
    empty_counts_as_unset = bool(op) and op.startswith(":")
    is_set = value is not None and (value != "" or not empty_counts_as_unset)
    if op in (":-", "-"):
        return value if is_set else interpolate(arg, env, where=where)
    if op in (":?", "?"):
        if not is_set:
            raise ComposeError(
                f"Variable {name} required by {where} is not set: {arg or 'no message given'}. "
                f"Set it in the environment (or .env) and convert again."
            )
        return value
    if op in (":+", "+"):
        return interpolate(arg, env, where=where) if is_set else ""
    if value is None:
        _warn(f'The "{name}" variable is not set in {where}. Defaulting to a blank string.')
        return ""
    return value


# --------------------------------------------------------------------------------------------
# Unit conversions
# --------------------------------------------------------------------------------------------

_BYTES = re.compile(r"^(\d+(?:\.\d+)?)\s*([kmgtp])?i?b?$", re.IGNORECASE)
_DURATION_PART = re.compile(r"(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)")
_DURATION_SECONDS = {"ns": 1e-9, "us": 1e-6, "µs": 1e-6, "ms": 1e-3, "s": 1, "m": 60, "h": 3600}


def memory_mib(value: int | str, *, option: str = "mem_limit", service: str = "?") -> int:
    """MiB from a compose memory value: bytes as a number, or ``b``/``k``/``m``/``g`` units.

    ``"512m"`` -> 512, ``"1g"`` -> 1024, ``536870912`` -> 512; units are binary and the result is
    floored, as ecs-cli (``bytes / 1048576``). A bare number is *bytes*, so ``512`` -> 0 MiB.
    """
    if isinstance(value, bool):
        raise ComposeError(f"{option} of service '{service}' is {value!r}; expected e.g. '512m'.")
    if isinstance(value, (int, float)):
        size_bytes = float(value)
    else:
        match = _BYTES.match(str(value).strip())
        if not match:
            raise ComposeError(
                f"{option} of service '{service}' is {value!r}, which is not a size. "
                "Write bytes (536870912) or a number with b, k, m or g ('512m', '1g')."
            )
        exponent = " kmgtp".index((match.group(2) or " ").lower())
        size_bytes = float(match.group(1)) * 1024**exponent
    mib = int(size_bytes) // _MIB
    if size_bytes and not mib:
        _warn(
            f"{option} {value!r} of service '{service}' is less than 1 MiB (a bare number means "
            f"bytes), so it counts as unset. Did you mean '{value}m'?"
        )
    return mib


def duration_seconds(
    value: int | float | str, *, option: str = "duration", service: str = "?"
) -> int:
    """Whole seconds from a Compose duration (``"1m30s"`` -> 90, ``"500ms"`` -> 0) or a number.

    Go's ``time.ParseDuration`` units; truncated to whole seconds as ecs-cli does.
    """
    if isinstance(value, bool):
        raise ComposeError(f"{option} of service '{service}' is {value!r}; expected e.g. '30s'.")
    if isinstance(value, (int, float)):
        return int(value)
    text = str(value).strip()
    if text.isdigit():
        return int(text)
    parts = _DURATION_PART.findall(text)
    if not parts or "".join(number + unit for number, unit in parts) != text:
        raise ComposeError(
            f"{option} of service '{service}' is {value!r}, which is not a duration. "
            "Write e.g. '30s', '1m30s' or '500ms'."
        )
    return int(sum(float(number) * _DURATION_SECONDS[unit] for number, unit in parts))


# --------------------------------------------------------------------------------------------
# Ports
# --------------------------------------------------------------------------------------------


def port_mappings(
    ports: list[Any], *, service: str = "?", network_mode: str = "bridge"
) -> list[dict]:
    """ECS ``portMappings`` from a service's ``ports`` (every short and long Compose form).

    ``"80"`` container port only, ``"8080:80"``, ``"127.0.0.1:8080:80"`` (the IP is dropped with a
    warning: ECS binds all interfaces), ``"8000-8002:8000-8002"`` (one mapping per port),
    ``"53:53/udp"``, and ``{target, published, protocol, host_ip, name, app_protocol}``.
    A container-only port gets ``hostPort`` 0 (dynamic) in bridge mode. In awsvpc and host mode
    it gets ``hostPort`` = ``containerPort``: ECS rejects 0 there, which broke ecs-cli
    (aws/amazon-ecs-cli#1014). API_PortMapping.html
    """
    mappings: list[dict] = []
    for entry in ports or ():
        if isinstance(entry, Mapping):
            mappings.extend(_long_port(entry, service, network_mode))
        else:
            mappings.extend(_short_port(str(entry).strip(), service, network_mode))
    return mappings


def _short_port(text: str, service: str, network_mode: str) -> list[dict]:
    spec, protocol = text, "tcp"
    if "/" in spec:
        spec, protocol = spec.rsplit("/", 1)
    host_ip = None
    if spec.startswith("["):  # IPv6 address: "[::1]:8080:80"
        closing = spec.find("]:")
        if closing < 0:
            raise ComposeError(
                f"Port {text!r} of service '{service}' has an unclosed IPv6 address."
            )
        host_ip, spec = spec[1:closing], spec[closing + 2 :]
        spec = spec if ":" in spec else ":" + spec
    parts = spec.split(":")
    if len(parts) == 1:
        published, target = None, parts[0]
    elif len(parts) == 2:
        published, target = parts
    elif len(parts) == 3:
        host_ip, published, target = parts
    else:
        raise ComposeError(
            f"Port {text!r} of service '{service}' is not [[IP:]HOST:]CONTAINER[/PROTOCOL]."
        )
    if host_ip:
        _warn_host_ip(host_ip, text, service)
    return _expand(text, service, published or None, target, protocol, network_mode)


def _long_port(entry: Mapping[str, Any], service: str, network_mode: str) -> list[dict]:
    if entry.get("target") is None:
        raise ComposeError(f"Port {dict(entry)} of service '{service}' has no 'target' port.")
    if entry.get("host_ip"):
        _warn_host_ip(entry["host_ip"], dict(entry), service)
    published = entry.get("published")
    mappings = _expand(
        entry,
        service,
        None if published in (None, "") else str(published),
        str(entry["target"]),
        str(entry.get("protocol") or "tcp"),
        network_mode,
    )
    for mapping in mappings:
        if entry.get("name"):
            mapping["name"] = str(entry["name"])
        if entry.get("app_protocol"):
            mapping["appProtocol"] = str(entry["app_protocol"])
    return mappings


def _warn_host_ip(host_ip: str, entry: Any, service: str) -> None:
    _warn(
        f"Ignoring the IP address {host_ip} in port {entry!r} of service '{service}': an ECS "
        "port mapping binds every interface of the instance."
    )


def _port_range(text: str, entry: Any, service: str) -> list[int]:
    try:
        if "-" in text:
            low, high = (int(part) for part in text.split("-", 1))
            if high < low:
                raise ValueError
            return list(range(low, high + 1))
        return [int(text)]
    except ValueError:
        raise ComposeError(
            f"Port {entry!r} of service '{service}': {text!r} is not a port or a low-high range."
        ) from None


def _expand(
    entry: Any, service: str, published: str | None, target: str, protocol: str, network_mode: str
) -> list[dict]:
    protocol = protocol.lower()
    if protocol not in ("tcp", "udp"):
        raise ComposeError(
            f"Port {entry!r} of service '{service}' uses protocol {protocol!r}; ECS port "
            "mappings support tcp and udp only."
        )
    container_ports = _port_range(target, entry, service)
    if published is None:
        host_ports = [port if network_mode in ("awsvpc", "host") else 0 for port in container_ports]
    else:
        host_ports = _port_range(published, entry, service)
        if len(host_ports) != len(container_ports):
            raise ComposeError(
                f"Port {entry!r} of service '{service}' maps {len(host_ports)} host port(s) to "
                f"{len(container_ports)} container port(s). ECS maps ports one to one: give "
                "ranges of the same length, or one host port for one container port."
            )
    return [
        {"containerPort": container, "hostPort": host, "protocol": protocol}
        for container, host in zip(container_ports, host_ports, strict=True)
    ]


# --------------------------------------------------------------------------------------------
# The conversion
# --------------------------------------------------------------------------------------------


@dataclass
class _Context:
    """What converting one project needs besides the service itself."""

    format: str
    env: Mapping[str, str]
    project_dir: Path
    network_mode: str
    task_memory_set: bool
    volumes: dict[str, dict] = field(default_factory=dict)
    host_paths: dict[str, str] = field(default_factory=dict)


def to_task_definition(
    compose: Mapping[str, Any] | str | Path,
    ecs_params: Mapping[str, Any] | str | Path | None = None,
    family: str | None = None,
    project_dir: Path | None = None,
    *,
    env: Mapping[str, str] | None = None,
    launch_type: str | None = None,
) -> dict:
    """``register_task_definition`` keyword arguments for a compose project, as ecs-cli builds them.

    ``compose``/``ecs_params``: a mapping, a path, or YAML text. ``family`` defaults to the
    project name: ``COMPOSE_PROJECT_NAME`` or the name of ``project_dir`` (default: the compose
    file's directory, else the current directory). ``env`` (default ``os.environ``, plus a
    ``.env`` file in ``project_dir``) feeds ``${VAR}`` interpolation and bare ``environment``
    keys. ``launch_type`` (``"FARGATE"``...) sets ``requiresCompatibilities`` like
    ``ecs-cli compose --launch-type``. Skipped options raise :class:`ComposeWarning`.
    https://docs.aws.amazon.com/AmazonECS/latest/developerguide/cmd-ecs-cli-compose.html
    """
    raw_compose, compose_path = _read_source(compose, "compose file")
    if project_dir is None:
        project_dir = compose_path.parent if compose_path else Path.cwd()
    project_dir = Path(project_dir).absolute()
    full_env = {**_dotenv(project_dir), **(os.environ if env is None else env)}

    data = interpolate(raw_compose, full_env)
    compose_format = _format(data)
    services = _services(data, compose_format)
    if not services:
        raise ComposeError(
            "The compose file defines no services; add at least one under 'services'."
        )

    params = _read_params(ecs_params, full_env)
    task_params = params.get("task_definition") or {}
    container_params = task_params.get("services") or {}
    for name in container_params:
        if name not in services:
            _warn(
                f"ecs-params.yml configures service '{name}', which the compose file does not "
                f"define (services: {', '.join(services)}). Its settings are not used."
            )

    task = _task_level(task_params, family or _project_name(project_dir, full_env), launch_type)
    context = _Context(
        format=compose_format,
        env=full_env,
        project_dir=project_dir,
        network_mode=task.get("networkMode") or "bridge",
        task_memory_set=bool(task.get("memory")),
    )
    _declare_volumes(data.get("volumes") or {}, context)
    _top_level_warnings(data, compose_format)

    containers = [
        _container_definition(name, service or {}, container_params.get(name) or {}, context)
        for name, service in services.items()
    ]
    if not any(container["essential"] for container in containers):
        raise ComposeError(
            "Task definition does not have any essential containers. Mark at least one service "
            "'essential: true' under task_definition.services in ecs-params.yml."
        )
    task["containerDefinitions"] = containers
    volumes = _merge_docker_volumes(list(context.volumes.values()), task_params)
    volumes += [_efs_volume(v) for v in task_params.get("efs_volumes") or ()]
    if volumes:
        task["volumes"] = volumes
    return task


def run_parameters(
    ecs_params: Mapping[str, Any] | str | Path | None, *, env: Mapping[str, str] | None = None
) -> dict:
    """RunTask/CreateService keyword arguments from ecs-params ``run_params``.

    ``networkConfiguration`` (only for ``ecs_network_mode: awsvpc``; subnets required),
    ``placementConstraints`` and ``placementStrategy`` from ``task_placement``.
    https://docs.aws.amazon.com/AmazonECS/latest/developerguide/cmd-ecs-cli-compose-ecsparams.html
    """
    params = _read_params(ecs_params, os.environ if env is None else env)
    run = params.get("run_params") or {}
    result: dict[str, Any] = {}
    if (params.get("task_definition") or {}).get("ecs_network_mode") == "awsvpc":
        awsvpc = (run.get("network_configuration") or {}).get("awsvpc_configuration") or {}
        if not awsvpc.get("subnets"):
            raise ComposeError(
                "at least one subnet is required in the network configuration "
                "(run_params.network_configuration.awsvpc_configuration.subnets in ecs-params.yml)."
            )
        configuration = {"subnets": [str(s) for s in awsvpc["subnets"]]}
        if awsvpc.get("security_groups"):
            configuration["securityGroups"] = [str(s) for s in awsvpc["security_groups"]]
        if awsvpc.get("assign_public_ip"):
            configuration["assignPublicIp"] = str(awsvpc["assign_public_ip"])
        result["networkConfiguration"] = {"awsvpcConfiguration": configuration}
    placement = run.get("task_placement") or {}
    if placement.get("constraints"):
        result["placementConstraints"] = [_constraint(c) for c in placement["constraints"]]
    if placement.get("strategy"):
        result["placementStrategy"] = [
            {
                "type": _required(s, "type", "run_params.task_placement.strategy"),
                **({"field": s["field"]} if s.get("field") else {}),
            }
            for s in placement["strategy"]
        ]
    return result


def _read_source(source: Mapping[str, Any] | str | Path, what: str) -> tuple[dict, Path | None]:
    if isinstance(source, Mapping):
        return dict(source), None
    if isinstance(source, Path) or ("\n" not in source and Path(source).is_file()):
        return _load_yaml(Path(source), what), Path(source)
    data = yaml.safe_load(source)
    if not isinstance(data, dict):
        raise ComposeError(
            f"The {what} {source!r} is neither an existing file nor YAML text holding a mapping."
        )
    return data, None


def _load_yaml(path: Path, what: str) -> dict:
    try:
        data = yaml.safe_load(path.read_text())
    except FileNotFoundError:
        raise ComposeError(f"The {what} {path} does not exist. Check the path.") from None
    except yaml.YAMLError as error:
        raise ComposeError(f"The {what} {path} is not valid YAML: {error}") from None
    if not isinstance(data, dict):
        raise ComposeError(f"The {what} {path} should hold a mapping (for example 'services:').")
    return data


def _read_params(ecs_params: Mapping[str, Any] | str | Path | None, env: Mapping[str, str]) -> dict:
    """ecs-params.yml, with ``$VAR`` expanded first as ecs-cli does (``os.ExpandEnv``)."""
    if ecs_params is None:
        return {}
    raw, _ = _read_source(ecs_params, "ecs-params file")
    params = interpolate(raw, env, where="ecs-params.yml")
    version = str(params.get("version", "1"))
    if version not in ("1", "1.0"):
        _warn(
            f"ecs-params.yml has version {version!r}; ecs-cli knows version 1 only. "
            "Reading it as version 1."
        )
    for key in params:
        if key not in ("version", "task_definition", "run_params"):
            _warn_option(key, None, "ecs-params.yml knows version, task_definition and run_params")
    return params


def _format(data: Mapping[str, Any]) -> str:
    """Compose file format: "1", "2", "3", or "spec" (the Compose Specification, no version)."""
    version = data.get("version")
    if version is None:
        return "spec" if "services" in data else "1"
    major = str(version).split(".", 1)[0]
    if major in ("1", "2", "3"):
        return major
    raise ComposeError(
        f"Compose file version {version!r} is not supported; use version '2' or '3', "
        "or the Compose Specification (no version key)."
    )


def _services(data: Mapping[str, Any], compose_format: str) -> dict[str, dict]:
    if compose_format == "1":
        return {name: svc for name, svc in data.items() if name not in _TOP_LEVEL_KEYS}
    services = data.get("services") or {}
    if not isinstance(services, Mapping):
        raise ComposeError("'services' in the compose file should be a mapping of service names.")
    return dict(services)


def _project_name(project_dir: Path, env: Mapping[str, str]) -> str:
    """ecs-cli's project name: COMPOSE_PROJECT_NAME, else the directory name (not normalised)."""
    return env.get("COMPOSE_PROJECT_NAME") or project_dir.name


def _dotenv(project_dir: Path) -> dict[str, str]:
    path = project_dir / ".env"
    return _parse_env_file(path) if path.is_file() else {}


def _parse_env_file(path: Path) -> dict[str, str]:
    values: dict[str, str] = {}
    for line in path.read_text().splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        key, _, value = line.partition("=")
        value = value.strip()
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
            value = value[1:-1]
        values[key.strip()] = value
    return values


def _task_level(task_params: Mapping[str, Any], family: str, launch_type: str | None) -> dict:
    """Task-level fields from ecs-params ``task_definition`` (task_size strings copied verbatim)."""
    task: dict[str, Any] = {"family": family}
    size = task_params.get("task_size") or {}
    for key, target in (
        ("ecs_network_mode", "networkMode"),
        ("task_role_arn", "taskRoleArn"),
        ("task_execution_role", "executionRoleArn"),
        ("pid_mode", "pidMode"),
        ("ipc_mode", "ipcMode"),
    ):
        if task_params.get(key):
            task[target] = str(task_params[key])
    if size.get("cpu_limit") not in (None, ""):
        task["cpu"] = str(size["cpu_limit"])
    if size.get("mem_limit") not in (None, ""):
        task["memory"] = str(size["mem_limit"])
    if task_params.get("placement_constraints"):
        task["placementConstraints"] = [
            _constraint(c) for c in task_params["placement_constraints"]
        ]
    if task_params.get("os_family"):  # "Linux" in the ECS CLI Fargate tutorial
        family_name = str(task_params["os_family"])
        os_family = "LINUX" if family_name.lower() == "linux" else family_name.upper()
        task["runtimePlatform"] = {"operatingSystemFamily": os_family}
    if launch_type:
        task["requiresCompatibilities"] = [launch_type.upper()]
    known = {
        "ecs_network_mode", "task_role_arn", "task_execution_role", "pid_mode", "ipc_mode",
        "task_size", "services", "docker_volumes", "efs_volumes", "placement_constraints",
        "os_family",
    }  # fmt: skip
    for key in task_params:
        if key not in known:
            _warn_option(key, None, "it is not an ecs-params.yml task_definition option")
    return task


def _constraint(constraint: Mapping[str, Any]) -> dict:
    result = {"type": str(_required(constraint, "type", "A placement constraint"))}
    if constraint.get("expression"):
        result["expression"] = str(constraint["expression"])
    return result


def _top_level_warnings(data: Mapping[str, Any], compose_format: str) -> None:
    hints = {
        "networks": "containers in one task share its network mode; set ecs_network_mode in "
        "ecs-params.yml",
        "secrets": "reference SSM or Secrets Manager under task_definition.services.<name>."
        "secrets in ecs-params.yml",
        "configs": "ECS has no configs; bake files into the image or mount a volume",
        "name": "the family comes from the project directory (or family=/COMPOSE_PROJECT_NAME)",
    }
    if compose_format == "1":
        return
    for key in data:
        if key in ("version", "services", "volumes") or str(key).startswith("x-"):
            continue
        _warn_option(key, None, hints.get(key, "ecs-cli ignores it"))


def _required(mapping: Any, key: str, where: str) -> Any:
    """``mapping[key]``, or a ComposeError naming the missing setting and where it belongs."""
    if not isinstance(mapping, Mapping) or mapping.get(key) in (None, ""):
        raise ComposeError(f"{where} needs '{key}' (got {mapping!r}). Add it and convert again.")
    return mapping[key]


def _warn(message: str) -> None:
    """Warn with the stack pointing at the caller of this module (the notebook or CLI line)."""
    frame, level = sys._getframe(0), 1
    while frame is not None and frame.f_code.co_filename == __file__:
        frame, level = frame.f_back, level + 1
    warnings.warn(message, ComposeWarning, stacklevel=level)


def _warn_option(option: str, service: str | None, hint: str) -> None:
    where = f" for service '{service}'" if service else ""
    _warn(f"Skipping unsupported option '{option}'{where}: {hint}.")


# --------------------------------------------------------------------------------------------
# Volumes
# --------------------------------------------------------------------------------------------


def _declare_volumes(declared: Mapping[str, Any], context: _Context) -> None:
    """Top-level named volumes become task volumes (Docker-managed, no host path)."""
    for name, config in declared.items():
        for option in config or {}:
            _warn_option(
                f"volumes.{name}.{option}",
                None,
                "configure Docker volume drivers under task_definition.docker_volumes in "
                "ecs-params.yml",
            )
        context.volumes[name] = {"name": name}


def _volume_for_source(source: str | None, context: _Context, service: str) -> str:
    """The task volume a mount uses, creating ``volume-<n>`` for host paths and anonymous mounts."""
    number = len(context.volumes)
    if not source:
        name = f"volume-{number}"
        context.volumes[name] = {"name": name}
        return name
    if not source.startswith(("/", ".", "~")):
        if source not in context.volumes:
            raise ComposeError(
                f"named volume [{source}] is used by service '{service}' but no declaration was "
                "found in the volumes section. Add it under the top-level 'volumes:' key."
            )
        return source
    host_path = os.path.normpath(context.project_dir / os.path.expanduser(source))
    if host_path not in context.host_paths:
        name = f"volume-{number}"
        context.host_paths[host_path] = name
        context.volumes[name] = {"name": name, "host": {"sourcePath": host_path}}
    return context.host_paths[host_path]


def _mount_points(volumes: list[Any], context: _Context, service: str, linux: dict) -> list[dict]:
    """A service's ``volumes`` as ECS ``mountPoints`` (creating the task volumes they use)."""
    mounts = []
    for entry in volumes:
        if isinstance(entry, Mapping):
            parsed = _long_mount(entry, service, linux)
        else:
            parsed = _short_mount(str(entry), service)
        if parsed is None:
            continue
        source, target, read_only = parsed
        mounts.append(
            {
                "sourceVolume": _volume_for_source(source, context, service),
                "containerPath": target,
                "readOnly": read_only,
            }
        )
    return mounts


def _short_mount(entry: str, service: str) -> tuple[str | None, str, bool]:
    """``[SOURCE:]TARGET[:MODE]``; modes other than ro/rw (z, cached...) are warned and dropped."""
    parts = entry.split(":")
    if len(parts) == 1:
        source, target, mode = None, parts[0], ""
    elif len(parts) == 2 and not parts[1].startswith("/"):  # "/data:ro": anonymous, with a mode
        source, target, mode = None, parts[0], parts[1]
    elif len(parts) in (2, 3):
        source, target, mode = parts[0], parts[1], parts[2] if len(parts) == 3 else ""
    else:
        raise ComposeError(
            f"Volume {entry!r} of service '{service}' is not [SOURCE:]TARGET[:ro|rw]."
        )
    flags = [flag for flag in mode.split(",") if flag]
    for flag in flags:
        if flag not in ("ro", "rw"):
            _warn_option(f"volumes mode '{flag}'", service, "ECS mount points take ro or rw only")
    return source, target, "ro" in flags


def _long_mount(entry: Mapping[str, Any], service: str, linux: dict) -> tuple | None:
    """``{type, source, target, read_only}``; a sized tmpfs goes to ``linuxParameters.tmpfs``."""
    kind = entry.get("type", "volume")
    if kind == "tmpfs":
        size = (entry.get("tmpfs") or {}).get("size")
        if not size:
            raise ComposeError(
                f"tmpfs mount {dict(entry)} of service '{service}' needs tmpfs.size: "
                "ECS requires a size for every tmpfs mount."
            )
        size_mib = memory_mib(size, option="tmpfs.size", service=service)
        linux.setdefault("tmpfs", []).append(
            {"containerPath": str(entry["target"]), "size": size_mib}
        )
        return None
    if kind not in ("volume", "bind"):
        _warn_option(f"volumes (type {kind})", service, "ECS mounts volumes and bind mounts only")
        return None
    return entry.get("source"), str(entry["target"]), bool(entry.get("read_only"))


def _volumes_from(entries: list[Any], service: str) -> list[dict]:
    """``name``, ``name:ro``, ``container:name[:ro|rw]`` -> ``volumesFrom``."""
    result = []
    for entry in entries:
        parts = str(entry).split(":")
        if parts[0] == "container" and len(parts) in (2, 3):
            parts = parts[1:]
        if len(parts) not in (1, 2) or (len(parts) == 2 and parts[1] not in ("ro", "rw")):
            raise ComposeError(
                f"volumes_from {entry!r} of service '{service}' is not [container:]NAME[:ro|rw]."
            )
        result.append(
            {"sourceContainer": parts[0], "readOnly": len(parts) == 2 and parts[1] == "ro"}
        )
    return result


def _merge_docker_volumes(volumes: list[dict], task_params: Mapping[str, Any]) -> list[dict]:
    """ecs-params ``docker_volumes`` configure (or add) Docker-managed volumes by name."""
    by_name = {volume["name"]: volume for volume in volumes}
    for docker_volume in task_params.get("docker_volumes") or ():
        configuration = {
            target: docker_volume[key]
            for key, target in (
                ("scope", "scope"),
                ("autoprovision", "autoprovision"),
                ("driver", "driver"),
                ("driver_opts", "driverOpts"),
                ("labels", "labels"),
            )
            if docker_volume.get(key) is not None
        }
        name = _required(docker_volume, "name", "task_definition.docker_volumes")
        if name not in by_name:
            by_name[name] = {"name": name}
            volumes.append(by_name[name])
        by_name[name]["dockerVolumeConfiguration"] = configuration
    return volumes


def _efs_volume(efs: Mapping[str, Any]) -> dict:
    where = "task_definition.efs_volumes"
    configuration: dict[str, Any] = {"fileSystemId": _required(efs, "filesystem_id", where)}
    for key, target in (
        ("root_directory", "rootDirectory"),
        ("transit_encryption", "transitEncryption"),
        ("transit_encryption_port", "transitEncryptionPort"),
    ):
        if efs.get(key) is not None:
            configuration[target] = efs[key]
    authorization = {
        target: efs[key]
        for key, target in (("access_point", "accessPointId"), ("iam", "iam"))
        if efs.get(key) is not None
    }
    if authorization:
        configuration["authorizationConfig"] = authorization
    return {"name": _required(efs, "name", where), "efsVolumeConfiguration": configuration}


# --------------------------------------------------------------------------------------------
# One service -> one container definition
# --------------------------------------------------------------------------------------------

_HINTS = {
    "build": "ECS runs images; build and push the image, then set 'image'",
    "deploy": "the task count comes from 'ecs-cli compose scale' or the service's desired count",
    "depends_on": "set depends_on under task_definition.services.<name> in ecs-params.yml",
    "container_name": "ECS names each container after its service",
    "restart": "ECS replaces stopped tasks through a service, not per container",
    "networks": "a task's containers share its network mode (ecs_network_mode in ecs-params.yml)",
    "network_mode": "set ecs_network_mode in ecs-params.yml",
    "pid": "set pid_mode in ecs-params.yml",
    "ipc": "set ipc_mode in ecs-params.yml",
    "secrets": "set secrets under task_definition.services.<name> in ecs-params.yml",
    "expose": "ECS has no 'expose'; linked containers reach every port in bridge mode",
    "external_links": "only links to services of the same compose file become ECS links",
    "cpus": "use cpu_shares, or task_size.cpu_limit in ecs-params.yml",
    "cpu_quota": "use cpu_shares, or task_size.cpu_limit in ecs-params.yml",
    "scale": "run several copies with 'ecs-cli compose scale' (RunTask count)",
}
_DEPLOY_HINT = "service-level resources should be configured in the ecs-params.yml file"
_V3_RESOURCE_HINT = (
    "Compose file format 3 has no {option}; ecs-cli reads it from "
    "task_definition.services.<name>.{option} in ecs-params.yml"
)


def _container_definition(
    name: str, service: Mapping[str, Any], params: Mapping[str, Any], context: _Context
) -> dict:
    """One service (plus its ecs-params ``services.<name>`` entry) as a container definition."""
    container: dict[str, Any] = {"name": name}
    linux: dict[str, Any] = {}
    for option, value in service.items():
        handler = _HANDLERS.get(option)
        if str(option).startswith("x-"):
            continue
        if option in ("cpu_shares", "mem_limit", "mem_reservation") and context.format == "3":
            _warn_option(option, name, _V3_RESOURCE_HINT.format(option=option))
        elif option == "deploy":
            _warn_option(
                option, name, _DEPLOY_HINT if "resources" in (value or {}) else _HINTS[option]
            )
        elif handler is None:
            _warn_option(option, name, _HINTS.get(option, "ecs-cli has no ECS equivalent for it"))
        elif value is not None:
            handler(container, linux, value, name, context)
    if "environment" in service or "env_file" in service:
        container["environment"] = _environment(service, name, context)
    _apply_resources(container, service, params, name, context)
    _apply_container_params(container, linux, params, name)
    if linux:
        container["linuxParameters"] = linux
    return _ordered(container)


def _apply_resources(
    container: dict,
    service: Mapping[str, Any],
    params: Mapping[str, Any],
    name: str,
    context: _Context,
) -> None:
    """cpu (always set, 0 if absent), memory and memoryReservation after ecs-params overrides."""

    def compose_mib(option: str) -> int:
        if context.format == "3" or service.get(option) is None:
            return 0  # v3 files carry no resources: ecs-cli reads them from ecs-params.yml
        return memory_mib(service[option], option=option, service=name)

    cpu = int(service.get("cpu_shares") or 0) if context.format != "3" else 0
    memory, reservation = compose_mib("mem_limit"), compose_mib("mem_reservation")
    if context.format in ("1", "2") and reservation and not memory:
        memory = reservation  # libcompose (v1/v2) fills mem_limit from mem_reservation
    if params.get("cpu_shares"):
        cpu = int(params["cpu_shares"])
    if params.get("mem_limit") is not None:
        memory = memory_mib(params["mem_limit"], option="mem_limit", service=name) or memory
    if params.get("mem_reservation") is not None:
        option = "mem_reservation"
        reservation = memory_mib(params[option], option=option, service=name) or reservation
    if not memory and not reservation and not context.task_memory_set:
        memory = DEFAULT_MEMORY_MIB
    if memory and memory < reservation:
        raise ComposeError(
            f"mem_limit must be greater than mem_reservation (service '{name}': "
            f"{memory} MiB < {reservation} MiB). Raise mem_limit or lower mem_reservation."
        )
    container["cpu"] = cpu
    if memory:
        container["memory"] = memory
    if reservation:
        container["memoryReservation"] = reservation


def _apply_container_params(
    container: dict, linux: dict, params: Mapping[str, Any], name: str
) -> None:
    """ecs-params ``task_definition.services.<name>``: essential, secrets, health check, ..."""
    container["essential"] = bool(params.get("essential", True))
    if params.get("init_process_enabled"):
        linux["initProcessEnabled"] = True
    credentials = (params.get("repository_credentials") or {}).get("credentials_parameter")
    if credentials:
        container["repositoryCredentials"] = {"credentialsParameter": credentials}
    if params.get("secrets"):
        container["secrets"] = [_secret(s) for s in params["secrets"]]
    if params.get("healthcheck"):
        container["healthCheck"] = _health_check(params["healthcheck"], name)
    secret_options = (params.get("logging") or {}).get("secret_options")
    if secret_options:
        if "logConfiguration" not in container:
            raise ComposeError(
                f"ecs-params.yml gives logging.secret_options for service '{name}', but the "
                "compose file sets no logging driver for it. Add logging.driver to the service."
            )
        container["logConfiguration"]["secretOptions"] = [_secret(s) for s in secret_options]
    firelens = params.get("firelens_configuration")
    if firelens:
        container["firelensConfiguration"] = {
            "type": _required(firelens, "type", f"firelens_configuration of service '{name}'"),
            **({"options": dict(firelens["options"])} if firelens.get("options") else {}),
        }
    if params.get("gpu"):
        container["resourceRequirements"] = [{"type": "GPU", "value": str(params["gpu"])}]
    if params.get("depends_on"):
        container["dependsOn"] = [
            {
                "containerName": _required(d, "container_name", f"depends_on of service '{name}'"),
                "condition": d.get("condition", "START"),
            }
            for d in params["depends_on"]
        ]
    known = {
        "essential", "init_process_enabled", "repository_credentials", "cpu_shares", "mem_limit",
        "mem_reservation", "gpu", "healthcheck", "firelens_configuration", "secrets", "logging",
        "depends_on",
    }  # fmt: skip
    for key in params:
        if key not in known:
            _warn_option(key, name, "it is not an ecs-params.yml services option")


def _secret(secret: Mapping[str, Any]) -> dict:
    where = "A secret in ecs-params.yml"
    return {
        "name": _required(secret, "name", where),
        "valueFrom": _required(secret, "value_from", where),
    }


def _environment(service: Mapping[str, Any], name: str, context: _Context) -> list[dict]:
    """``env_file`` (relative to the project) then ``environment``; bare keys read the shell."""
    values: dict[str, str] = {}
    env_files = service.get("env_file") or []
    for entry in [env_files] if isinstance(env_files, (str, Mapping)) else env_files:
        path_text, required = (
            (entry.get("path"), entry.get("required", True))
            if isinstance(entry, Mapping)
            else (entry, True)
        )
        path = context.project_dir / str(path_text)
        if not path.is_file():
            if required:
                raise ComposeError(
                    f"env_file {path_text} of service '{name}' does not exist (looked for {path})."
                )
            continue
        values.update(_parse_env_file(path))
    environment = service.get("environment") or {}
    if isinstance(environment, str):
        raise ComposeError(
            f"environment of service '{name}' is a string; write a list (- KEY=value) or a map."
        )
    if isinstance(environment, Mapping):
        items = [(str(k), None if v is None else _text(v)) for k, v in environment.items()]
    else:
        items = []
        for entry in environment:
            key, has_value, value = str(entry).partition("=")
            items.append((key, value if has_value else None))
    for key, value in items:
        if value in (None, ""):
            value = context.env.get(key)
            if value is None:
                _warn(
                    f"Environment variable {key} of service '{name}' is unresolved. "
                    "Setting it to a blank value..."
                )
                value = ""
        values[key] = value
    return [{"name": key, "value": value} for key, value in values.items()]


def _text(value: Any) -> str:
    """YAML scalars as Compose writes them into the environment (true -> "true")."""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _words(value: Any) -> list[str]:
    """A command/entrypoint: a string is shell-split (like ecs-cli), a list kept item by item."""
    return shlex.split(value) if isinstance(value, str) else [str(v) for v in value]


def _as_list(value: Any) -> list[str]:
    return [str(value)] if isinstance(value, (str, int)) else [str(v) for v in value]


def _pairs(value: Any, separator: str) -> list[tuple[str, str]]:
    """A Compose map or a list of ``key<sep>value`` strings as (key, value) pairs."""
    if isinstance(value, Mapping):
        return [(str(k), "" if v is None else _text(v)) for k, v in value.items()]
    pairs = []
    for entry in value:
        key, _, item = str(entry).partition(separator)
        pairs.append((key, item))
    return pairs


def _health_check(health: Mapping[str, Any], name: str) -> dict:
    """Compose/ecs-params ``healthcheck`` -> ECS ``healthCheck`` with durations in seconds.

    A string test runs in a shell (``CMD-SHELL``), as Docker does. API_HealthCheck.html
    """
    if health.get("test") and health.get("command"):
        raise ComposeError(
            f"healthcheck of service '{name}' sets both test and command; keep one of them."
        )
    test = health.get("test") or health.get("command")
    command = ["CMD-SHELL", test] if isinstance(test, str) else [str(t) for t in test or ()]
    if len(command) == 1 and command[0] not in ("NONE", "CMD", "CMD-SHELL"):
        command = ["CMD-SHELL", command[0]]
    result: dict[str, Any] = {"command": command}
    for key, target in (
        ("interval", "interval"),
        ("timeout", "timeout"),
        ("start_period", "startPeriod"),
    ):
        if health.get(key) is not None:
            result[target] = duration_seconds(
                health[key], option=f"healthcheck.{key}", service=name
            )
    if health.get("retries") is not None:
        result["retries"] = int(health["retries"])
    for key in health:
        if key not in (
            "test",
            "command",
            "interval",
            "timeout",
            "start_period",
            "retries",
            "disable",
        ):
            _warn_option(f"healthcheck.{key}", name, "ECS health checks have no such setting")
    return result


def _set(target: str, convert: Callable[[Any], Any] = lambda v: v) -> Callable:
    def handler(container: dict, linux: dict, value: Any, name: str, context: _Context) -> None:
        container[target] = convert(value)

    return handler


def _set_linux(target: str, convert: Callable[[Any], Any] = lambda v: v) -> Callable:
    def handler(container: dict, linux: dict, value: Any, name: str, context: _Context) -> None:
        linux[target] = convert(value)

    return handler


def _handle_ports(container: dict, linux: dict, value: Any, name: str, context: _Context) -> None:
    container["portMappings"] = port_mappings(
        value, service=name, network_mode=context.network_mode
    )


def _handle_volumes(container: dict, linux: dict, value: Any, name: str, context: _Context) -> None:
    container["mountPoints"] = _mount_points(value, context, name, linux)


def _handle_volumes_from(
    container: dict, linux: dict, value: Any, name: str, context: _Context
) -> None:
    container["volumesFrom"] = _volumes_from(value, name)


def _handle_logging(container: dict, linux: dict, value: Any, name: str, context: _Context) -> None:
    if value.get("driver"):
        container["logConfiguration"] = {
            "logDriver": value["driver"],
            "options": {str(k): _text(v) for k, v in (value.get("options") or {}).items()},
        }


def _handle_log_driver(
    container: dict, linux: dict, value: Any, name: str, context: _Context
) -> None:
    container.setdefault("logConfiguration", {"options": {}})["logDriver"] = value


def _handle_log_opt(container: dict, linux: dict, value: Any, name: str, context: _Context) -> None:
    log = container.setdefault("logConfiguration", {"options": {}})
    log["options"] = {str(k): _text(v) for k, v in value.items()}


def _handle_healthcheck(
    container: dict, linux: dict, value: Any, name: str, context: _Context
) -> None:
    if value.get("disable") or value.get("test") in (["NONE"], "NONE"):
        return
    container["healthCheck"] = _health_check(value, name)


def _handle_ulimits(container: dict, linux: dict, value: Any, name: str, context: _Context) -> None:
    ulimits = []
    for limit_name, limit in value.items():
        where = f"ulimits.{limit_name} of service '{name}'"
        if isinstance(limit, Mapping):
            soft, hard = _required(limit, "soft", where), _required(limit, "hard", where)
        else:
            soft = hard = limit
        ulimits.append({"name": limit_name, "softLimit": int(soft), "hardLimit": int(hard)})
    container["ulimits"] = ulimits


def _handle_extra_hosts(
    container: dict, linux: dict, value: Any, name: str, context: _Context
) -> None:
    if isinstance(value, Mapping):
        entries = [(str(host), str(address)) for host, address in value.items()]
    else:
        entries = [_host_entry(str(entry), name) for entry in value]
    container["extraHosts"] = [{"hostname": host, "ipAddress": ip} for host, ip in entries]


def _host_entry(entry: str, name: str) -> tuple[str, str]:
    """``host:ip`` (ecs-cli) or ``host=ip`` (Compose spec); an IPv6 address keeps its colons."""
    separator = "=" if "=" in entry else ":"
    hostname, found, address = entry.partition(separator)
    if not found or not hostname or not address:
        raise ComposeError(
            f"extra_hosts entry {entry!r} of service '{name}' is not HOSTNAME:IPADDRESS."
        )
    return hostname, address


def _handle_capabilities(key: str) -> Callable:
    def handler(container: dict, linux: dict, value: Any, name: str, context: _Context) -> None:
        linux.setdefault("capabilities", {})[key] = _as_list(value)

    return handler


def _handle_devices(container: dict, linux: dict, value: Any, name: str, context: _Context) -> None:
    devices = []
    for entry in value:
        parts = str(entry).split(":")
        device: dict[str, Any] = {"hostPath": parts[0]}
        if len(parts) > 1:
            device["containerPath"] = parts[1]
        if len(parts) > 2:
            names = {"r": "read", "w": "write", "m": "mknod"}
            if any(flag not in names for flag in parts[2]) or len(parts) > 3:
                raise ComposeError(
                    f"device {entry!r} of service '{name}' is not HOST[:CONTAINER[:rwm]]."
                )
            device["permissions"] = [names[flag] for flag in "rwm" if flag in parts[2]]
        devices.append(device)
    linux["devices"] = devices


def _handle_tmpfs(container: dict, linux: dict, value: Any, name: str, context: _Context) -> None:
    mounts = linux.setdefault("tmpfs", [])
    for entry in _as_list(value):
        path, _, options = entry.partition(":")
        size, mount_options = 0, []
        for option in filter(None, options.split(",")):
            if option.startswith("size="):
                size = memory_mib(option[5:], option="tmpfs size", service=name)
            else:
                mount_options.append(option)
        if not size:
            raise ComposeError(
                f"tmpfs {entry!r} of service '{name}' has no size; ECS requires one, e.g. "
                f"'{path}:size=64m'."
            )
        mount: dict[str, Any] = {"containerPath": path, "size": size}
        if mount_options:
            mount["mountOptions"] = mount_options
        mounts.append(mount)


def _handle_stop_grace_period(
    container: dict, linux: dict, value: Any, name: str, context: _Context
) -> None:
    container["stopTimeout"] = duration_seconds(value, option="stop_grace_period", service=name)


def _handle_shm_size(
    container: dict, linux: dict, value: Any, name: str, context: _Context
) -> None:
    linux["sharedMemorySize"] = memory_mib(value, option="shm_size", service=name)


def _converted_elsewhere(
    container: dict, linux: dict, value: Any, name: str, context: _Context
) -> None:
    """environment/env_file and cpu_shares/mem_* are converted after the per-option pass."""


def _handle_sysctls(container: dict, linux: dict, value: Any, name: str, context: _Context) -> None:
    container["systemControls"] = [{"namespace": k, "value": v} for k, v in _pairs(value, "=")]


_HANDLERS: dict[str, Callable] = {
    "image": _set("image", str),
    "command": _set("command", _words),
    "entrypoint": _set("entryPoint", _words),
    "environment": _converted_elsewhere,
    "env_file": _converted_elsewhere,
    "cpu_shares": _converted_elsewhere,
    "mem_limit": _converted_elsewhere,
    "mem_reservation": _converted_elsewhere,
    "ports": _handle_ports,
    "links": _set("links", _as_list),
    "volumes": _handle_volumes,
    "volumes_from": _handle_volumes_from,
    "working_dir": _set("workingDirectory", str),
    "user": _set("user", str),
    "hostname": _set("hostname", str),
    "privileged": _set("privileged", bool),
    "read_only": _set("readonlyRootFilesystem", bool),
    "tty": _set("pseudoTerminal", bool),
    "stdin_open": _set("interactive", bool),
    "dns": _set("dnsServers", _as_list),
    "dns_search": _set("dnsSearchDomains", _as_list),
    "extra_hosts": _handle_extra_hosts,
    "labels": _set("dockerLabels", lambda value: dict(_pairs(value, "="))),
    "security_opt": _set("dockerSecurityOptions", _as_list),
    "ulimits": _handle_ulimits,
    "logging": _handle_logging,
    "log_driver": _handle_log_driver,
    "log_opt": _handle_log_opt,
    "healthcheck": _handle_healthcheck,
    "stop_grace_period": _handle_stop_grace_period,
    "init": _set_linux("initProcessEnabled", bool),
    "cap_add": _handle_capabilities("add"),
    "cap_drop": _handle_capabilities("drop"),
    "devices": _handle_devices,
    "tmpfs": _handle_tmpfs,
    "shm_size": _handle_shm_size,
    "sysctls": _handle_sysctls,
}

_FIELD_ORDER = ("name", "image", "cpu", "memory", "memoryReservation", "essential")


def _ordered(container: dict) -> dict:
    """Container fields in a readable order: identity and resources first."""
    first = {key: container[key] for key in _FIELD_ORDER if key in container}
    return {**first, **{k: v for k, v in container.items() if k not in first}}
