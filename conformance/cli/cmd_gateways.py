"""``kling-conformance gateways``: list gateway profiles with their evidence and supported operations."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Annotated

import typer

from conformance.profiles import GatewayProfile, profile_to_dict, resolve_profiles
from conformance.profiles.validate import OPERATION_IDS

if TYPE_CHECKING:
    from rich.table import Table

_KINDS = ("create", "get", "list")


def summarize_operations(profile: GatewayProfile) -> str:
    """Supported operations grouped by family: ``image2video`` (all three) or ``text2video(create,get)``."""
    supported = set(profile.supported_operations())
    if supported == set(OPERATION_IDS):
        return "all families: create, get, list"
    parts: list[str] = []
    families = dict.fromkeys(op.rsplit(".", 1)[0] for op in OPERATION_IDS)
    for family in families:
        kinds = [kind for kind in _KINDS if f"{family}.{kind}" in supported]
        if len(kinds) == len(_KINDS):
            parts.append(family)
        elif kinds:
            parts.append(f"{family}({','.join(kinds)})")
    return ", ".join(parts) or "(none)"


def summarize_extended_families(profile: GatewayProfile) -> str:
    """``all 18``, ``none of 18`` or ``2 of 18: omni-video, tts`` (the spec's extended families)."""
    from conformance.spec import extended_families

    total = len(extended_families())
    documented = profile.extended_families.families
    if not documented:
        return f"none of {total}"
    if len(documented) == total:
        return f"all {total}"
    return f"{len(documented)} of {total}: {', '.join(documented)}"


def extended_family_findings(profiles: list[GatewayProfile]) -> list[dict[str, str]]:
    """One ``info`` finding per gateway that documents none of the extended families.

    For users choosing a gateway: such a gateway resells the core task families only, as far as its
    document shows (the evidence says where that was read).
    """
    from conformance.spec import extended_families

    total = len(extended_families())
    findings: list[dict[str, str]] = []
    for profile in profiles:
        if profile.extended_families.families:
            continue
        evidence = profile.extended_families.evidence or "the profile declares no [extended_families]"
        findings.append(
            {
                "severity": "info",
                "gateway": profile.id,
                "message": f"{profile.id} documents none of the {total} extended families of the official reference",
                "evidence": evidence,
            }
        )
    return findings


def _table(profiles: list[GatewayProfile]) -> Table:
    from rich.table import Table  # only the table view needs rich

    table = Table(title="Gateway profiles", show_lines=True)
    table.add_column("id / title", no_wrap=False)
    table.add_column("family", no_wrap=True)
    table.add_column("evidence", overflow="fold")
    table.add_column("base URL", overflow="fold")
    table.add_column("supported operations", overflow="fold")
    table.add_column("extended families documented", overflow="fold")
    table.add_column("departures", justify="right", no_wrap=True)
    for profile in profiles:
        documented = sum(1 for op in profile.operations.values() if op.documented)
        table.add_row(
            f"{profile.id}\n{profile.title}",
            profile.family,
            f"{profile.evidence_kind.value}\n{profile.evidence_source}",
            profile.base_url + profile.path_prefix if profile.base_url else "(no default host: pass --base-url)",
            f"{summarize_operations(profile)}\n"
            f"({len(profile.supported_operations())} supported, {documented} documented)",
            summarize_extended_families(profile),
            str(len(profile.departures)),
        )
    return table


def register(app: typer.Typer) -> None:
    """Add the ``gateways`` command to ``app``."""

    @app.command("gateways")
    def gateways(
        profile: Annotated[
            list[str] | None,
            typer.Option("--profile", help="Also list this profile file (PATH.toml); repeatable.", metavar="PATH"),
        ] = None,
        gateway: Annotated[
            list[str] | None,
            typer.Option("--gateway", help="Only these built-in gateway ids (repeatable; 'all').", metavar="ID"),
        ] = None,
        as_json: Annotated[bool, typer.Option("--json", help="Print the profiles as one JSON document.")] = False,
    ) -> None:
        """List gateway profiles with their evidence source and supported operations."""
        profile_paths = list(profile or [])
        gateway_ids = list(gateway or [])
        if profile_paths and not gateway_ids:
            gateway_ids = ["all"]
        profiles = resolve_profiles(gateway_ids, profile_paths)
        if as_json:
            document = {
                "profiles": [profile_to_dict(p) for p in profiles],
                "extended_family_findings": extended_family_findings(profiles),
            }
            typer.echo(json.dumps(document, ensure_ascii=False, indent=2))
            return
        from rich.console import Console

        console = Console(soft_wrap=False)
        console.width = max(console.width, 160)
        console.print(_table(profiles), markup=False)
        for finding in extended_family_findings(profiles):
            console.print(f"{finding['severity']}: {finding['message']} ({finding['evidence']})", markup=False)
