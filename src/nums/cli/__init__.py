"""The ``nums`` command line: one group, commands grouped by who uses them.

Command modules are imported only when their command runs, so ``nums quote``
never pays for the evaluator or the renderer. Every ``NumsError`` becomes a
message on standard error and exit status 2, never a traceback.
"""

from __future__ import annotations

import importlib
import importlib.util
import os
import sys
from typing import Any

import click

from nums import __version__
from nums.errors import EXIT_BAD_INPUT, NumsError

EXIT_INTERRUPTED = 130  # 128 + SIGINT, as shells report Ctrl-C

# command name -> (module, attribute, one-line help shown in ``nums --help``)
COMMANDS: dict[str, tuple[str, str, str]] = {
    "standards": ("nums.cli.standards", "standards", "Browse the pillars, criteria and rules of an edition."),
    "init": ("nums.cli.coordinator", "init", "Write a ready-to-fill submission file."),
    "validate": ("nums.cli.coordinator", "validate", "Check a submission file for mistakes."),
    "assess": (
        "nums.cli.coordinator",
        "assess",
        "Say what a submission's evidence supports and what is missing.",
    ),
    "schema": ("nums.cli.coordinator", "schema", "Print the JSON Schema of the submission file."),
    "pack": ("nums.cli.coordinator", "pack", "Write the PDF submission pack for the assessor."),
    "quote": ("nums.cli.finance", "quote", "Quote the fees for an application, with VAT."),
    "review": (
        "nums.cli.assessor",
        "review",
        "Review a submission criterion by criterion; write the outcome letter.",
    ),
    "portfolio": (
        "nums.cli.university",
        "portfolio",
        "Every programme of a university at a glance: awards, renewals, next year's fees.",
    ),
    "serve": ("nums.cli.web", "serve", "Work on a folder of programmes in a web browser."),
    "site": (
        "nums.cli.site",
        "site",
        "Make and look after the scheme's site: accounts, roles, institutions.",
    ),
    "keys": ("nums.cli.awards", "keys", "Make the scheme's signing keys (keys init)."),
    "award": (
        "nums.cli.awards",
        "award",
        "Issue an award from a final review (certificate, logo, credential), or withdraw one.",
    ),
    "verify": ("nums.cli.awards", "verify", "Say whether a logo or credential is genuine and holds today."),
    "register": ("nums.cli.awards", "register", "Write the public register of awards as a static site."),
}


class LazyGroup(click.Group):
    """A group whose commands are imported on first use."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return [name for name in COMMANDS if self._available(name)]

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in COMMANDS or not self._available(cmd_name):
            return None
        module_name, attribute, _ = COMMANDS[cmd_name]
        return getattr(importlib.import_module(module_name), attribute)

    def resolve_command(
        self, ctx: click.Context, args: list[str]
    ) -> tuple[str | None, click.Command | None, list[str]]:
        """An unknown command is refused with the nearest known one ("did you mean 'assess'?")."""
        name = args[0] if args else ""
        if name and not name.startswith("-") and self.get_command(ctx, name) is None:
            from nums.errors import did_you_mean

            hint = did_you_mean(name, self.list_commands(ctx))
            ctx.fail(f"no command {name!r}" + (f"; {hint}" if hint else "") + " (see `nums --help`)")
        return super().resolve_command(ctx, args)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        rows = [(name, COMMANDS[name][2]) for name in self.list_commands(ctx)]
        with formatter.section("Commands"):
            formatter.write_dl(rows)

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except NumsError as error:
            for problem in error.problems:
                click.echo(f"error: {problem}", err=True)
            for warning in error.warnings:
                click.echo(f"warning: {warning}", err=True)
            ctx.exit(EXIT_BAD_INPUT)
        except KeyboardInterrupt:  # Ctrl-C: what a shell expects (click would say "Aborted!", 1)
            ctx.exit(EXIT_INTERRUPTED)

    @staticmethod
    def _available(name: str) -> bool:
        module_name = COMMANDS[name][0]
        return importlib.util.find_spec(module_name) is not None


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="nums")
@click.option(
    "--standard",
    "standard",
    metavar="EDITION",
    envvar="NUMS_STANDARD",
    help="Edition to use: a shipped edition id (such as nums-2021) or a folder holding "
    "an edition.yaml. Default: the newest shipped edition.",
)
@click.pass_context
def cli(ctx: click.Context, standard: str | None) -> None:
    """Accreditation against the National University Mentoring Standards.

    Coordinators: `nums init`, `nums assess`, `nums pack`.
    Assessors: `nums review`.  Finance staff: `nums quote`.
    The university: `nums portfolio`.
    """
    ctx.obj = {"standard": standard}


def main() -> None:
    """Console entry point."""
    # nums uses no pydantic plugins, and looking for them reads the metadata of every installed
    # package on each run. A PYDANTIC_DISABLE_PLUGINS already set (even empty) is respected.
    os.environ.setdefault("PYDANTIC_DISABLE_PLUGINS", "__all__")
    try:
        cli.main(prog_name="nums")
    except KeyboardInterrupt:  # pragma: no cover - interactive only
        sys.exit(EXIT_INTERRUPTED)
    except SystemExit as stop:
        if getattr(stop, "signum", None) is not None:  # writing.Interrupted: its .part files are gone
            from nums.writing import exit_for

            exit_for(stop)  # type: ignore[arg-type]
        raise
    except Exception as error:  # a signal taken inside something that wraps what it raises
        from nums.writing import exit_for, interrupted_in

        interrupted = interrupted_in(error)
        if interrupted is None:
            raise
        exit_for(interrupted)
