"""Command line: `triagelab COMMAND ...`; exit code 0 ok, 1 failure, 2 bad input."""

from __future__ import annotations

import argparse
import json
import logging
import sys
from collections.abc import Sequence
from pathlib import Path

from triagelab import __version__
from triagelab.exceptions import InputError, TriagelabError

logger = logging.getLogger(__name__)

EXIT_OK, EXIT_FAILURE, EXIT_INPUT = 0, 1, 2
DEFAULT_OUT = Path("synthetic/out")


class _Parser(argparse.ArgumentParser):
    """Argument parser whose usage errors exit with code 2 and one line of text."""

    def error(self, message: str) -> None:  # type: ignore[override]
        self.exit(EXIT_INPUT, f"{self.prog}: error: {message}\n")


def _cmd_scenarios(args: argparse.Namespace) -> int:
    from triagelab.scenarios import list_bundled, load_scenario

    if args.action == "list":
        for name, path in list_bundled().items():
            scenario = load_scenario(path)
            print(
                f"{name:<16} {scenario.customers:>7} customers {scenario.days:>3} days "
                f"{scenario.cases.total:>3} cases  {scenario.title}"
            )
        return EXIT_OK
    if not args.paths:
        raise InputError("`scenarios validate` needs at least one PATH", field="PATH")
    failed = 0
    for path in args.paths:
        try:
            scenario = load_scenario(path)
        except InputError as err:
            print(f"triagelab: error: {err}", file=sys.stderr)
            failed += 1
            continue
        print(
            f"{path}: ok ({scenario.id}, {scenario.customers} customers, "
            f"{scenario.cases.total} cases)"
        )
    return EXIT_INPUT if failed else EXIT_OK


def _cmd_typologies(args: argparse.Namespace) -> int:
    from triagelab.synthetic.typologies import TYPOLOGIES

    entries = [typology.to_dict() for typology in TYPOLOGIES.values()]
    if args.json:
        print(json.dumps(entries, indent=2, ensure_ascii=False))
        return EXIT_OK
    for entry in entries:
        print(
            f"{entry['name']:<24} {entry['kind']:<10} {entry['expected_action']:<20} "
            f"{entry['expected_priority']}  {', '.join(entry['flags'])}"
        )
    return EXIT_OK


def _cmd_flags(args: argparse.Namespace) -> int:
    from triagelab.vocab import FLAGS

    if args.json:
        print(json.dumps([flag.to_dict() for flag in FLAGS], indent=2, ensure_ascii=False))
        return EXIT_OK
    for flag in FLAGS:
        print(
            f"{flag.name:<36} {flag.title}\n    {flag.definition}\n"
            f"    window: {flag.window}; threshold: {flag.threshold}"
        )
    return EXIT_OK


def _cmd_build(args: argparse.Namespace) -> int:
    from tqdm import tqdm

    from triagelab.scenarios import resolve_scenario
    from triagelab.synthetic.build import build_dataset
    from triagelab.synthetic.engine import SHARD_SIZE

    scenario = resolve_scenario(args.scenario).with_overrides(
        seed=args.seed, customers=args.customers, days=args.days
    )
    shards = -(-scenario.customers // SHARD_SIZE)
    with tqdm(total=shards, unit="shard", disable=shards < 2 or args.quiet) as bar:
        path = build_dataset(
            scenario, args.out, workers=args.workers, progress=lambda done: bar.update(done)
        )
    print(path)
    return EXIT_OK


def _cmd_bundle(args: argparse.Namespace) -> int:
    from triagelab.cases import write_bundle

    print(write_bundle(args.built, args.out))
    return EXIT_OK


def _cmd_app(args: argparse.Namespace) -> int:
    from triagelab.training.server import serve

    serve(args.built, port=args.port, mode=args.mode, trainee=args.trainee)
    return EXIT_OK


def _cmd_grade(args: argparse.Namespace) -> int:
    from triagelab.grading.grade import grade_build

    result = grade_build(args.directory, args.out)
    print(result.summary.to_string(index=False))
    for path, reason in result.rejected:
        print(f"rejected {path.name}: {reason}", file=sys.stderr)
    print(f"scores: {result.scores_csv}")
    return EXIT_OK


def _parse_parameters(pairs: Sequence[Sequence[str]] | None) -> dict[str, str]:
    return {key: value for key, value in (pairs or [])}


def _cmd_report(args: argparse.Namespace) -> int:
    from triagelab.reports.runner import run_report

    executed, rendered = run_report(
        args.name, _parse_parameters(args.parameter), Path(args.out), html=args.html
    )
    print(rendered or executed)
    return EXIT_OK


def _cmd_demo(args: argparse.Namespace) -> int:
    from triagelab.demo import run_demo

    result = run_demo(Path(args.out))
    print(result.summary)
    print(f"scores CSV:  {result.scores_csv}")
    print(f"report HTML: {result.report_html}")
    return EXIT_OK


def build_parser() -> argparse.ArgumentParser:
    """Return the argument parser of the `triagelab` command."""
    parser = _Parser(prog="triagelab", description=__doc__)
    parser.add_argument("--version", action="version", version=f"triagelab {__version__}")
    parser.add_argument("-q", "--quiet", action="store_true", help="print warnings and errors only")
    commands = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    scenarios = commands.add_parser("scenarios", help="list or validate scenario files")
    scenarios.add_argument("action", choices=("list", "validate"))
    scenarios.add_argument("paths", nargs="*", metavar="PATH", help="scenario YAML files")
    scenarios.set_defaults(run=_cmd_scenarios)

    for name, run, what in (
        ("typologies", _cmd_typologies, "typology catalogue"),
        ("flags", _cmd_flags, "flag taxonomy with definitions"),
    ):
        sub = commands.add_parser(name, help=f"print the {what}")
        sub.add_argument("--json", action="store_true", help="print JSON instead of text")
        sub.set_defaults(run=run)

    build = commands.add_parser("build", help="generate a scenario's dataset")
    build.add_argument("scenario", help="bundled scenario name or path to a YAML file")
    build.add_argument("--seed", type=int, help="override the scenario's seed")
    build.add_argument(
        "--out", default=str(DEFAULT_OUT), help="output folder (default: %(default)s)"
    )
    build.add_argument("--workers", type=int, default=1, help="local processes (default: 1)")
    build.add_argument("--customers", type=int, help="override the number of customers")
    build.add_argument("--days", type=int, help="override the number of days")
    build.set_defaults(run=_cmd_build)

    bundle = commands.add_parser("bundle", help="write the trainee copy of a build (no key)")
    bundle.add_argument("built", metavar="BUILT_DIR")
    bundle.add_argument("--out", required=True, help="folder that receives the bundle")
    bundle.set_defaults(run=_cmd_bundle)

    app = commands.add_parser("app", help="serve the trainee app with Voila on 127.0.0.1")
    app.add_argument(
        "built",
        metavar="BUILT_DIR",
        nargs="?",
        default=str(DEFAULT_OUT / "starter"),
        help="built dataset or trainee bundle (default: %(default)s)",
    )
    app.add_argument("--port", type=int, default=8866, help="TCP port (default: %(default)s)")
    app.add_argument(
        "--mode",
        choices=("practice", "exam"),
        default="practice",
        help="practice shows feedback after each decision; exam needs a bundle without key/",
    )
    app.add_argument("--trainee", default="", help="sign this trainee in at once")
    app.set_defaults(run=_cmd_app)

    grade = commands.add_parser("grade", help="score submissions against the key")
    grade.add_argument("directory", metavar="EXERCISE_DIR", help="built dataset with submissions/")
    grade.add_argument("--out", help="folder for scores (default: DIR/grades)")
    grade.set_defaults(run=_cmd_grade)

    report = commands.add_parser("report", help="run an analyst report notebook")
    report.add_argument("name", metavar="NAME", help="report name, e.g. weekly_behavior_shifts")
    report.add_argument(
        "-p",
        "--parameter",
        nargs=2,
        action="append",
        metavar=("KEY", "VALUE"),
        help="set a notebook parameter (repeatable)",
    )
    report.add_argument("--out", default="synthetic/out/reports", help="output folder")
    report.add_argument("--html", action="store_true", help="also render HTML without code")
    report.set_defaults(run=_cmd_report)

    demo = commands.add_parser("demo", help="run the whole workbook on the default scenario")
    demo.add_argument(
        "--out", default=str(DEFAULT_OUT), help="output folder (default: %(default)s)"
    )
    demo.set_defaults(run=_cmd_demo)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line and return its exit code."""
    args = build_parser().parse_args(argv)
    logging.basicConfig(
        level=logging.WARNING if args.quiet else logging.INFO,
        format="%(levelname)s %(name)s: %(message)s",
    )
    logging.getLogger("papermill").setLevel(logging.WARNING)
    logging.getLogger("traitlets").setLevel(logging.ERROR)
    try:
        return int(args.run(args))
    except InputError as err:
        print(f"triagelab: error: {err}", file=sys.stderr)
        return EXIT_INPUT
    except TriagelabError as err:
        print(f"triagelab: failed: {err}", file=sys.stderr)
        return EXIT_FAILURE
    except Exception as err:  # papermill wraps notebook errors in its own type
        from papermill.exceptions import PapermillExecutionError

        if isinstance(err, PapermillExecutionError) and err.ename in {
            "ParameterError",
            "SchemaError",
        }:
            print(f"triagelab: error: {err.evalue}", file=sys.stderr)
            return EXIT_INPUT
        raise


if __name__ == "__main__":
    sys.exit(main())
