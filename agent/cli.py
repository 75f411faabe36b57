"""The `mockloop` command line: score, eval, knowledge, interview, serve.

Flags override the environment (`MOCKLOOP_*`); user errors print one clear line and
exit 2, everything else propagates with its traceback.
"""

from __future__ import annotations

import glob
import json
import sys
from pathlib import Path
from typing import Annotated

import typer

from agent.config import get_settings
from agent.errors import MockloopError

app = typer.Typer(add_completion=False, no_args_is_help=True,
                  help="mockloop: mock interviews and rubric scores with verified evidence.")

TRANSCRIPT_SUFFIXES = {".txt", ".md", ".json", ".vtt", ".srt"}


def _fail(exc: MockloopError) -> None:
    typer.secho(f"error: {exc}", err=True, fg="red")
    raise typer.Exit(2)


def expand_paths(paths: list[str]) -> list[Path]:
    """Files, directories (their transcripts, sorted) and globs, in the order given."""
    out: list[Path] = []
    for raw in paths:
        matches = sorted(glob.glob(raw, recursive=True)) if any(c in raw for c in "*?[") else [raw]
        if not matches:
            raise MockloopError(f"no files match {raw!r}")
        for m in matches:
            p = Path(m)
            if p.is_dir():
                out += sorted(f for f in p.rglob("*") if f.suffix.lower() in TRANSCRIPT_SUFFIXES
                              and f.is_file())
            elif p.exists():
                out.append(p)
            else:
                raise MockloopError(f"no such file: {p}")
    return out


@app.command()
def score(
    paths: Annotated[list[str], typer.Argument(help="transcript files, directories or globs")],
    scorer: Annotated[str, typer.Option(help="auto | analytic | llm | combined | constant")] = "auto",
    model: Annotated[str | None, typer.Option(help="litellm model string for the grader")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="one JSON object per transcript per line")] = False,
    concurrency: Annotated[int, typer.Option(min=1, max=64)] = 4,
) -> None:
    """Score transcripts on the six rubric criteria, with verified evidence."""
    from agent.report import render_scorecard
    from agent.scoring import get_scorer
    from agent.scoring.batch import score_files

    try:
        settings = get_settings(grader_model=model)
        files = expand_paths(paths)
        chosen = get_scorer(scorer, settings=settings)
        for path, result in score_files(files, chosen, settings=settings,
                                        concurrency=concurrency, progress=len(files) > 1):
            if isinstance(result, MockloopError):
                if as_json:
                    print(json.dumps({"file": str(path), "error": str(result)}), flush=True)
                else:
                    typer.secho(f"{path}: {result}", err=True, fg="red")
                continue
            if as_json:
                print(json.dumps(result.to_json(), ensure_ascii=False), flush=True)
            else:
                print(render_scorecard(result))
    except MockloopError as exc:
        _fail(exc)


@app.command("eval")
def eval_cmd(
    scorer: Annotated[str, typer.Option(help="analytic | llm | combined | constant | auto")] = "analytic",
    model: Annotated[str | None, typer.Option(help="litellm model string for the grader")] = None,
    split: Annotated[str, typer.Option(help="dev | test | all")] = "test",
    out: Annotated[Path | None, typer.Option(help="report folder")] = None,
    k: Annotated[int, typer.Option(help="runs for rerun stability")] = 2,
    robustness: Annotated[bool, typer.Option(help="run the perturbation checks")] = True,
    data: Annotated[Path | None, typer.Option(help="labelled data folder")] = None,
    update_results: Annotated[bool, typer.Option(help="write the figures to evals/RESULTS.md")] = False,
    since: Annotated[str | None, typer.Option(help="only items from this id on, e.g. a batch never read before")] = None,
) -> None:
    """Measure a scorer against the labelled transcripts; print the table, write a report."""
    from rich.console import Console
    from rich.table import Table

    from agent.scoring import get_scorer
    from evals import harness
    from evals.dataset import DATA_DIR, load_dataset

    if split not in ("dev", "test", "all"):
        _fail(MockloopError(f"--split must be dev, test or all, not {split!r}"))
    if since and update_results:
        _fail(MockloopError("--update-results records whole splits; drop --since"))
    try:
        settings = get_settings(grader_model=model)
        items = [it for it in load_dataset(data or DATA_DIR, split) if not since or it.id >= since]
        if not items:
            raise MockloopError(f"no labelled transcripts in split {split!r}")
        chosen = get_scorer(scorer, settings=settings)
        result = harness.run_eval(chosen, items, k=k, robust=robustness,
                                  model=None if scorer == "constant" else settings.model_for("grader"))
    except MockloopError as exc:
        _fail(exc)
    folder = out or Path("evals") / "out" / f"{scorer}-{split}{f'-since-{since}' if since else ''}"
    paths = harness.write_report(result, folder)
    table = Table(title=f"{scorer} on {split} ({len(items)} transcripts)")
    for h in harness.HEADERS:
        table.add_column(h)
    for row in harness.summary_rows(result):
        table.add_row(*row)
    console = Console()
    console.print(table)
    t, ev = result["agreement"]["totals"], result["evidence"]
    console.print(f"totals MAE {harness._f(t['mae'])}, below-8 agreement "
                  f"{harness._f(t['below8_agreement'])}; quotes verified "
                  f"{harness._f(ev['verified_share'])}; report: {', '.join(map(str, paths))}")
    if update_results:
        harness.update_results_md(result)


@app.command()
def calibrate(
    dry_run: Annotated[bool, typer.Option(help="print the dev figures, write nothing")] = False,
) -> None:
    """Refit the analytic rater's parameters on the eval dev split."""
    from evals.calibrate import main as refit

    refit(write=not dry_run)


PERSONAS = Path(__file__).resolve().parent.parent / "evals" / "personas" / "personas.json"


def load_persona(name: str) -> dict[str, object]:
    personas = json.loads(PERSONAS.read_text())
    if name not in personas:
        raise MockloopError(f"unknown persona {name!r}; choose from: {', '.join(personas)}")
    return personas[name]


@app.command()
def interview(
    role: Annotated[str, typer.Option(help="Backend | MLE/MLOps | Data Engineering | Data Science | DevOps/SRE")] = "Backend",
    archetype: Annotated[str, typer.Option(help="FAANG/high-growth | Enterprise | Automotive/industrial")] = "FAANG/high-growth",
    stages: Annotated[list[str] | None, typer.Option("--stage", help="repeat: recruiter_screen, technical_screen, onsite, debrief")] = None,
    rounds: Annotated[list[str] | None, typer.Option("--round", help="repeat: run just these rounds")] = None,
    session: Annotated[str | None, typer.Option(help="resume this session id")] = None,
    persona: Annotated[str | None, typer.Option(help="drive it with a simulated candidate")] = None,
    candidate: Annotated[Path | None, typer.Option(help="a file of answers, one per paragraph")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="print the final state as JSON")] = False,
) -> None:
    """A mock interview in the terminal (or driven by a simulated candidate)."""
    from agent.interview import InterviewConfig
    from agent.models import Archetype, Role, RoundKind, Stage
    from agent.session import InterviewSession

    try:
        sess = InterviewSession(session)
        if session and sess.exists():
            prompt = sess.prompt()
            typer.echo(f"(resuming session {sess.id})")
        else:
            cfg = InterviewConfig(
                role=Role.parse(role), archetype=Archetype.parse(archetype),
                **({"stages": [Stage.parse(s) for s in stages]} if stages else {}),
                rounds=[RoundKind.parse(r) for r in rounds] if rounds else None)
            prompt = sess.start(cfg)
            typer.echo(f"(session {sess.id}: resume with --session {sess.id})")
        answers: list[str] = []
        pm = ""
        if persona:
            p = load_persona(persona)
            answers, pm = list(p["answers"]), str(p["postmortem"])  # type: ignore[arg-type]
        elif candidate:
            answers = [a.strip() for a in candidate.read_text().split("\n\n") if a.strip()]
        scripted = bool(persona or candidate)
        i = 0
        while not prompt.finished:
            typer.secho(f"\nInterviewer: {prompt.text}", fg="cyan")
            if scripted:
                if prompt.kind == "postmortem":
                    text = pm or "No reflection."
                else:
                    text = answers[i % len(answers)] if answers else "No answer."
                    i += 1
                typer.echo(f"Candidate: {text}")
            else:
                text = typer.prompt("Candidate")
            prev = prompt.round_index
            prompt = sess.answer(text)
            done = prompt.rounds[prev]
            if done.scorecard is not None and (prompt.round_index != prev or prompt.finished):
                typer.secho(f"\n[round {done.kind.label}: {done.scorecard.total}/12]", bold=True)
        if prompt.debrief:
            d = prompt.debrief
            typer.secho(f"\nDebrief: {d['recommendation']} (weighted signal {d['weighted_signal']})", bold=True)
            typer.echo(f"Plan: {d['plan']['advice']} Weakest: {', '.join(d['plan']['weakest_criteria'])}")
        if as_json:
            print(prompt.model_dump_json())
    except ValueError as exc:
        _fail(MockloopError(str(exc)))
    except MockloopError as exc:
        _fail(exc)


knowledge_app = typer.Typer(no_args_is_help=True, help="Build and query the knowledge store.")
app.add_typer(knowledge_app, name="knowledge")


@knowledge_app.command("build")
def knowledge_build() -> None:
    """Build (incrementally) the Chroma store from knowledge/."""
    from agent.knowledge import KnowledgeStore

    try:
        store = KnowledgeStore(get_settings())
        report = store.build()
        typer.echo(f"{report}; {store.count()} chunks in {store.settings.chroma_dir}")
    except MockloopError as exc:
        _fail(exc)


@knowledge_app.command("query")
def knowledge_query(
    query: Annotated[str, typer.Argument(help="what to look for")] = "",
    role: Annotated[str | None, typer.Option()] = None,
    archetype: Annotated[str | None, typer.Option()] = None,
    round_kind: Annotated[str | None, typer.Option("--round")] = None,
    stage: Annotated[str | None, typer.Option()] = None,
    kind: Annotated[list[str] | None, typer.Option(help="guidance|question|probe|rubric")] = None,
    k: Annotated[int, typer.Option(min=1, max=50)] = 5,
) -> None:
    """Print the chunks guidance_for() returns for these filters."""
    from agent.knowledge import get_store
    from agent.models import Archetype, Role, RoundKind, Stage

    try:
        hits = get_store(get_settings()).guidance_for(
            role=Role.parse(role) if role else None,
            archetype=Archetype.parse(archetype) if archetype else None,
            round_kind=RoundKind.parse(round_kind) if round_kind else None,
            stage=Stage.parse(stage) if stage else None,
            query=query, kinds=tuple(kind) if kind else None, k=k)
    except ValueError as exc:
        _fail(MockloopError(str(exc)))
    except MockloopError as exc:
        _fail(exc)
    for h in hits:
        typer.secho(f"[{h.distance:.3f}] {h.id}  ({h.kind}, {h.source})", bold=True)
        typer.echo("  " + h.text[:300].replace("\n", "\n  ") + "\n")


@knowledge_app.command("eval")
def knowledge_eval(k: Annotated[int, typer.Option(min=1, max=50)] = 5) -> None:
    """Recall@k and MRR of retrieval on the labelled queries in evals/."""
    from agent.knowledge import get_store
    from evals.retrieval import evaluate, load_queries

    result = evaluate(get_store(get_settings()), load_queries(), k=k)
    typer.echo(f"{result['n']} queries: recall@{k} {result['recall_at_k']:.3f}, "
               f"MRR {result['mrr']:.3f}")
    for miss in result["misses"]:
        typer.echo(f"  miss: {miss['query']!r} expected {miss['expected']} got {miss['got'][:3]}")


@app.command()
def serve(
    host: Annotated[str | None, typer.Option()] = None,
    port: Annotated[int | None, typer.Option()] = None,
) -> None:
    """Start the web app (offline engine unless a model is configured)."""
    settings = get_settings(host=host, port=port)
    from agent.knowledge import warm_in_background
    from ui.app import demo

    demo.queue(default_concurrency_limit=8).launch(server_name=settings.host, server_port=settings.port,
                        show_error=True, prevent_thread_lock=True)
    # once the server listens, and a few seconds later: opening (or on a first start,
    # building) the store beside the imports and the first request slows both, and the app
    # never waits for the store
    warm_in_background(settings, delay_s=5.0)
    demo.block_thread()


def main() -> None:  # pragma: no cover
    app()


if __name__ == "__main__":  # pragma: no cover
    sys.exit(app())
