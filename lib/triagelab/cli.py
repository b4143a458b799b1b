"""Command line: `triagelab COMMAND ...`; exit code 0 ok, 1 failure, 2 bad input."""

from __future__ import annotations

import argparse
import functools
import json
import logging
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from triagelab import __version__
from triagelab.exceptions import InputError, TriagelabError

logger = logging.getLogger(__name__)

EXIT_OK, EXIT_FAILURE, EXIT_INPUT = 0, 1, 2
# The shell convention for a process stopped by Ctrl-C (SIGINT): 128 + 2.
EXIT_INTERRUPTED = 130
DEFAULT_OUT = Path("synthetic/out")


def _bounded(
    kind: Callable[[str], float], minimum: float, maximum: float | None = None
) -> Callable[[str], float]:
    """Return an argparse type that parses `kind` and accepts `minimum` to `maximum` only."""

    def parse(text: str) -> float:
        try:
            value = kind(text)
        except ValueError:
            name = getattr(kind, "__name__", "number")
            raise argparse.ArgumentTypeError(f"invalid {name} value: {text!r}") from None
        # `not (a <= b)` also rejects NaN, which compares false with everything.
        if not minimum <= value or (maximum is not None and not value <= maximum):
            allowed = f"{minimum:g} to {maximum:g}" if maximum is not None else f">= {minimum:g}"
            raise argparse.ArgumentTypeError(f"{text} is out of range; allowed: {allowed}")
        return value

    return parse


_PASS_MARK = _bounded(float, 0, 100)
_COUNT = _bounded(int, 1)
_SEED = _bounded(int, 0)


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


def _cmd_dictionary(args: argparse.Namespace) -> int:
    from triagelab.docs_gen import render_data_dictionary, render_typologies

    text = render_typologies() if args.typologies else render_data_dictionary()
    if args.out:
        Path(args.out).write_text(text, encoding="utf-8")
        print(args.out)
    else:
        print(text, end="")
    return EXIT_OK


def _cmd_build(args: argparse.Namespace) -> int:
    from tqdm import tqdm

    from triagelab.scenarios import resolve_scenario
    from triagelab.synthetic.build import build_dataset
    from triagelab.synthetic.engine import SHARD_SIZE
    from triagelab.synthetic.engines import check_engine

    scenario = resolve_scenario(args.scenario).with_overrides(
        seed=args.seed, customers=args.customers, days=args.days
    )
    # Before the progress bar, so a bad setting prints one line.
    check_engine(args.engine, args.workers, args.scheduler)
    shards = -(-scenario.customers // SHARD_SIZE)
    with tqdm(total=shards, unit="shard", disable=shards < 2 or args.quiet) as bar:
        path = build_dataset(
            scenario,
            args.out,
            workers=args.workers,
            engine=args.engine,
            scheduler=args.scheduler,
            progress=lambda done: bar.update(done),
        )
    print(path)
    return EXIT_OK


def _cmd_bundle(args: argparse.Namespace) -> int:
    from triagelab.cases import write_bundle

    print(write_bundle(args.built, args.out))
    return EXIT_OK


def _cmd_app(args: argparse.Namespace) -> int:
    from triagelab.training.server import serve

    serve(
        args.built,
        port=args.port,
        mode=args.mode,
        trainee=args.trainee,
        pool_size=args.pool_size,
    )
    return EXIT_OK


def _cmd_grade(args: argparse.Namespace) -> int:
    from triagelab.grading.grade import display_path, grade_directory

    directory = Path(args.directory)
    gradebook = Path(args.gradebook) if args.gradebook else directory / "gradebook.sqlite"
    result = grade_directory(
        directory,
        args.out,
        pass_mark=args.pass_mark,
        gradebook=gradebook,
        render=not args.no_html,
    )
    columns = ["trainee", "decided", "cases", "flag_f1", "action_accuracy", "score", "passed"]
    print(result.summary[columns].to_string(index=False))
    for outcome, problems in (
        ("rejected", result.rejected),
        ("warning", result.warnings),
        ("note", result.notes),
    ):
        for path, reason in problems:
            name = display_path(path, directory)
            line = f"{outcome} {name}: {reason}" if name else f"{outcome}: {reason}"
            print(line, file=sys.stderr)
    for pair in result.similar.itertuples():
        print(f"similar {pair.trainee_a} and {pair.trainee_b}: {pair.reason}", file=sys.stderr)
    print(f"scores: {result.scores_csv}")
    if result.cohort_html is not None:
        print(f"cohort report: {result.cohort_html}")
        print(f"scorecards: {result.scores_csv.parent / 'scorecards'}")
    print(f"gradebook: {gradebook}")
    return EXIT_OK


def _cmd_assign(args: argparse.Namespace) -> int:
    from triagelab.grading.variants import assign_exercise
    from triagelab.scenarios import resolve_scenario

    scenario = resolve_scenario(args.scenario)
    print(assign_exercise(scenario, args.roster, args.out, workers=args.workers))
    return EXIT_OK


def _cmd_simulate_cohort(args: argparse.Namespace) -> int:
    from triagelab.grading.simulate import simulate_cohort

    written = simulate_cohort(args.directory, trainees=args.trainees, seed=args.seed)
    print(f"wrote {len(written)} submissions to {Path(args.directory) / 'submissions'}")
    return EXIT_OK


def _cmd_gradebook(args: argparse.Namespace) -> int:
    from triagelab.grading.gradebook import export_csv

    print(export_csv(args.path, args.out))
    return EXIT_OK


def _parse_parameters(pairs: Sequence[Sequence[str]] | None) -> dict[str, str]:
    return {key: value for key, value in (pairs or [])}


def _cmd_report(args: argparse.Namespace) -> int:
    from triagelab.reports.runner import run_report

    if args.batch:
        return _run_report_batch(args)
    executed, rendered = run_report(
        args.name, _parse_parameters(args.parameter), Path(args.out), html=args.html
    )
    print(rendered or executed)
    return EXIT_OK


def _cmd_alerts(args: argparse.Namespace) -> int:
    from triagelab.alerts.rules import load_rules
    from triagelab.dataset import open_dataset

    rules = load_rules(args.rules)
    dataset = open_dataset(args.built)
    if args.action == "export":
        from triagelab.alerts.export import export_alerts

        if not args.out:
            raise InputError("`alerts export` needs --out FILE", field="--out")
        count = export_alerts(dataset, rules, Path(args.out), args.format)
        print(f"{count} alerts written to {args.out}")
        return EXIT_OK
    from triagelab.alerts.evaluate import evaluate
    from triagelab.alerts.report import format_evaluation

    if not dataset.has_key:
        raise InputError(
            f"{args.built}: no answer key (key/labels.parquet), so the alerts cannot be scored; "
            "evaluate the full build the bundle was made from, or run `triagelab alerts export "
            f"{args.built} --out FILE`, which needs no key",
            path=args.built,
        )
    train = open_dataset(args.train) if args.train else None
    if train is not None and Path(train.root).resolve() == Path(dataset.root).resolve():
        print(
            "warning: --train is the evaluated build itself, so the model's numbers are "
            "in-sample and overstate its quality; train on a build of another seed "
            "(triagelab build SCENARIO --seed N)",
            file=sys.stderr,
        )
    evaluation = evaluate(dataset, rules, budget=args.budget, agents=args.agents, train=train)
    print(format_evaluation(evaluation, rules, budget=args.budget))
    return EXIT_OK


def _run_report_batch(args: argparse.Namespace) -> int:
    from tqdm import tqdm

    from triagelab.reports.runner import expand_batch, run_batch

    batch = {}
    for item in args.batch:
        key, value = item if len(item) == 2 else (*item[0].split("=", 1), "")[:2]
        if not key or not value:
            raise InputError(
                f"batch {' '.join(item)!r} is not KEY=V1,V2 or KEY V1,V2", field="--batch"
            )
        batch[key] = value
    total = len(expand_batch(batch))
    with tqdm(total=total, unit="report", disable=args.quiet) as bar:
        index = run_batch(
            args.name,
            _parse_parameters(args.parameter),
            batch,
            Path(args.out),
            progress=lambda done: bar.update(done),
        )
    print(index)
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
    # -q and -v work before or after the command; the copies on the commands default to
    # SUPPRESS so that they never reset a value given before the command.
    verbosity = _Parser(add_help=False)
    for target, default in ((parser, False), (verbosity, argparse.SUPPRESS)):
        target.add_argument(
            "-q",
            "--quiet",
            action="store_true",
            default=default,
            help="print errors only, no progress bars",
        )
        target.add_argument(
            "-v",
            "--verbose",
            action="store_true",
            default=default,
            help="also log each step's inputs and outputs",
        )
    commands = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    add_command = functools.partial(commands.add_parser, parents=[verbosity])

    scenarios = add_command("scenarios", help="list or validate scenario files")
    scenarios.add_argument("action", choices=("list", "validate"))
    scenarios.add_argument("paths", nargs="*", metavar="PATH", help="scenario YAML files")
    scenarios.set_defaults(run=_cmd_scenarios)

    for name, run, what in (
        ("typologies", _cmd_typologies, "typology catalogue"),
        ("flags", _cmd_flags, "flag taxonomy with definitions"),
    ):
        sub = add_command(name, help=f"print the {what}")
        sub.add_argument("--json", action="store_true", help="print JSON instead of text")
        sub.set_defaults(run=run)

    dictionary = add_command("dictionary", help="print or write the data dictionary")
    dictionary.add_argument("--out", help="write the Markdown to this file instead of printing")
    dictionary.add_argument(
        "--typologies", action="store_true", help="render the typology catalogue instead"
    )
    dictionary.set_defaults(run=_cmd_dictionary)

    build = add_command("build", help="generate a scenario's dataset")
    build.add_argument("scenario", help="bundled scenario name or path to a YAML file")
    build.add_argument("--seed", type=int, help="override the scenario's seed")
    build.add_argument(
        "--out", default=str(DEFAULT_OUT), help="output folder (default: %(default)s)"
    )
    build.add_argument("--workers", type=int, default=1, help="local processes (default: 1)")
    build.add_argument("--customers", type=int, help="override the number of customers")
    build.add_argument("--days", type=int, help="override the number of days")
    build.add_argument(
        "--engine",
        choices=("local", "dask"),
        default="local",
        help="where shards run: local processes or a Dask cluster (default: %(default)s)",
    )
    build.add_argument(
        "--scheduler",
        metavar="ADDRESS",
        help="Dask scheduler address, e.g. tcp://127.0.0.1:8786 (default: a local cluster "
        "of --workers processes on 127.0.0.1); its workers must see --out at the same path",
    )
    build.set_defaults(run=_cmd_build)

    bundle = add_command("bundle", help="write the trainee copy of a build (no key)")
    bundle.add_argument("built", metavar="BUILT_DIR")
    bundle.add_argument("--out", required=True, help="folder that receives the bundle")
    bundle.set_defaults(run=_cmd_bundle)

    assign = add_command("assign", help="build one scenario variant per trainee")
    assign.add_argument("scenario", help="bundled scenario name or path to a YAML file")
    assign.add_argument("--roster", required=True, help="CSV file with a trainee_id column")
    assign.add_argument("--out", required=True, help="exercise folder to create (must not exist)")
    assign.add_argument(
        "--workers", type=_COUNT, default=1, help="local processes per build, 1 or more"
    )
    assign.set_defaults(run=_cmd_assign)

    app = add_command("app", help="serve the trainee app with Voila on 127.0.0.1")
    app.add_argument(
        "built",
        metavar="BUILT_DIR",
        nargs="?",
        default=str(DEFAULT_OUT / "sea-week"),
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
    app.add_argument(
        "--pool-size",
        type=int,
        default=1,
        help="kernels kept ready ahead of page requests, each with the queue read and its "
        "charts drawn; 0 starts a kernel per request (default: %(default)s)",
    )
    app.set_defaults(run=_cmd_app)

    grade = add_command("grade", help="score submissions against the key")
    grade.add_argument(
        "directory",
        metavar="EXERCISE_DIR",
        help="exercise folder, or built dataset with submissions/",
    )
    grade.add_argument("--out", help="folder for scores and reports (default: DIR/grades)")
    grade.add_argument(
        "--gradebook", help="SQLite gradebook to update (default: DIR/gradebook.sqlite)"
    )
    grade.add_argument(
        "--pass-mark", type=_PASS_MARK, default=60.0, help="passing score, 0-100 (default: 60)"
    )
    grade.add_argument(
        "--no-html", action="store_true", help="skip the cohort report and the scorecards"
    )
    grade.set_defaults(run=_cmd_grade)

    simulate = add_command("simulate-cohort", help="write simulated submissions of mixed skill")
    simulate.add_argument("directory", metavar="EXERCISE_DIR", help="exercise folder or build")
    simulate.add_argument(
        "--trainees",
        type=_COUNT,
        help="number of trainees, 1 or more (default for an exercise: the roster)",
    )
    simulate.add_argument(
        "--seed", type=_SEED, default=0, help="seed of the simulation, 0 or more (default: 0)"
    )
    simulate.set_defaults(run=_cmd_simulate_cohort)

    gradebook = add_command("gradebook", help="read the SQLite gradebook")
    gradebook_actions = gradebook.add_subparsers(
        dest="action", required=True, metavar="ACTION", parser_class=_Parser
    )
    export = gradebook_actions.add_parser(
        "export", parents=[verbosity], help="write every graded exercise per trainee to CSV"
    )
    export.add_argument("path", metavar="PATH", help="gradebook file (SQLite)")
    export.add_argument("--out", required=True, help="CSV file to write")
    export.set_defaults(run=_cmd_gradebook)

    report = add_command("report", help="run an analyst report notebook")
    report.add_argument("name", metavar="NAME", help="report name, e.g. weekly_behavior_shifts")
    report.add_argument(
        "-p",
        "--parameter",
        nargs=2,
        action="append",
        metavar=("KEY", "VALUE"),
        help="set a notebook parameter (repeatable)",
    )
    report.add_argument(
        "-b",
        "--batch",
        nargs="+",
        action="append",
        metavar="KEY=VALUES",
        help="run once per comma-separated value: -b country=SG,MY or -b country SG,MY "
        "(repeatable: every combination runs); writes one HTML each and index.html",
    )
    report.add_argument("--out", default="synthetic/out/reports", help="output folder")
    report.add_argument("--html", action="store_true", help="also render HTML without code")
    report.set_defaults(run=_cmd_report)

    alerts = add_command("alerts", help="evaluate alert rules or export alerts")
    alerts.add_argument("action", choices=("evaluate", "export"))
    alerts.add_argument("built", metavar="BUILT_DIR", help="built dataset (evaluate needs its key)")
    alerts.add_argument("--rules", help="rule YAML file (default: scenarios/rules/default.yaml)")
    alerts.add_argument(
        "--budget", type=float, help="evaluate: alerts one agent can work per day, for the sweep"
    )
    alerts.add_argument(
        "--agents", type=int, help="evaluate: agents working alerts (default: from the rule file)"
    )
    alerts.add_argument(
        "--train", metavar="BUILT_DIR", help="evaluate: fit a logistic model on this build's key"
    )
    alerts.add_argument("--out", help="export: file to write")
    alerts.add_argument(
        "--format", choices=("jsonl", "csv"), default="jsonl", help="export: file format"
    )
    alerts.set_defaults(run=_cmd_alerts)

    demo = add_command("demo", help="run the whole workbook on the default scenario")
    demo.add_argument(
        "--out", default=str(DEFAULT_OUT), help="output folder (default: %(default)s)"
    )
    demo.set_defaults(run=_cmd_demo)
    return parser


class _QuietDask(logging.Filter):
    """A log filter that drops Dask's records below warnings (cluster start and stop).

    Dask sets its own loggers to INFO when it is imported, so their level cannot be set
    before a build imports it.
    """

    def __init__(self, level: int) -> None:
        super().__init__()
        self.least = max(level, logging.WARNING)

    def filter(self, record: logging.LogRecord) -> bool:
        return not record.name.startswith("distributed") or record.levelno >= self.least


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line and return its exit code."""
    args = build_parser().parse_args(argv)
    level = logging.WARNING
    if args.quiet:
        level = logging.ERROR
    elif args.verbose:
        level = logging.INFO
    logging.basicConfig(
        level=level,
        format="%(levelname)s %(name)s: %(message)s",
    )
    for handler in logging.getLogger().handlers:
        for old in [f for f in handler.filters if isinstance(f, _QuietDask)]:
            handler.removeFilter(old)
        handler.addFilter(_QuietDask(level))
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
    except KeyboardInterrupt:
        print("triagelab: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
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
