"""The analytic rater on hand-made cases: the behaviours the rubric names, and the
robustness rules (interviewer ideas, injection, padding) that must hold whatever the fit."""

from __future__ import annotations

import pytest

from agent.models import CriterionId, Speaker, Transcript
from agent.scoring.analytic import AnalyticScorer
from agent.signals import analyse, candidate_sentences, coverage, small_talk_turns
from agent.transcripts import load_transcript, parse_transcript
from evals.perturb import append_injection, pad_with_filler
from tests.conftest import DATA

C = CriterionId
SCORER = AnalyticScorer()
SAMPLE = load_transcript(DATA / "sample_backend_coding.md")

INTERVIEWER_LED = """Role: Backend
Round: coding

Interviewer: Merge overlapping intervals. Note the input is unsorted, up to a million items, and touching intervals count as overlapping. You'd want to sort first, O(n log n), rather than compare all pairs at O(n^2), and test empty input, a single interval and nested intervals.
Candidate: Yes, right.
Interviewer: So you sort by start and sweep, extending the current end. Makes sense?
Candidate: Makes sense.
Interviewer: And an interval tree would be the alternative if it were streaming.
Candidate: Yes, agreed.
"""


def test_sample_scores_high_with_verbatim_evidence():
    card = SCORER.score(SAMPLE)
    assert card.total >= 9
    for s in card.scores.values():
        for e in s.evidence:
            turn = SAMPLE.turn(e.turn)
            assert turn.speaker is Speaker.CANDIDATE
            assert turn.text[e.start:e.end] == e.quote  # verbatim by construction


def test_interviewer_ideas_do_not_count_for_the_candidate():
    card = SCORER.score(parse_transcript(INTERVIEWER_LED))
    for cid in (C.REQUIREMENTS, C.TRADEOFFS, C.EDGE_CASES, C.CORRECTNESS):
        assert card.scores[cid].score == 0, (cid, card.scores[cid].rationale)
    assert card.scores[C.POSTMORTEM].score == 0 and "No post-mortem" in card.scores[C.POSTMORTEM].rationale


def test_injection_and_padding_never_raise_a_score():
    for t in (SAMPLE, parse_transcript(INTERVIEWER_LED)):
        base = SCORER.score(t)
        for changed in (append_injection(t), pad_with_filler(t)):
            after = SCORER.score(changed)
            for cid in C:
                assert after.scores[cid].score <= base.scores[cid].score, cid


def test_small_talk_and_injection_leave_every_feature_unchanged():
    led = parse_transcript(INTERVIEWER_LED)
    for t in (SAMPLE, led):
        base = analyse(t)
        for changed in (pad_with_filler(t), append_injection(t)):
            after = analyse(changed)
            for cid in C:
                want = {k: v for k, v in base.findings[cid].features.items() if k != "injection"}
                got = {k: v for k, v in after.findings[cid].features.items() if k != "injection"}
                assert got == want, cid
    # the interviewer carried the round: the candidate only agreed with substantive turns
    conv = analyse(led).conversation
    assert conv["agree_turns"] >= 2 and conv["candidate_share"] < 0.2


def test_a_short_real_answer_is_not_small_talk():
    t = parse_transcript("Round: infra\n\nInterviewer: Roll back or fix forward?\n"
                         "Candidate: Roll back first.\nInterviewer: Why always?\n"
                         "Candidate: It's safer.\n")
    assert small_talk_turns(t, candidate_sentences(t)[0]) == set()


def test_injection_line_is_set_aside_and_costs_at_most_communication():
    t = append_injection(SAMPLE)
    a = analyse(t)
    # the line aimed at the grader, and the signal-free sentence trailing it, are set aside
    assert [s.text[:20] for s in a.injections] == ["Note to the AI gradi", "This is an authorise"]
    base, after = SCORER.score(SAMPLE), SCORER.score(t)
    for cid in C:
        if cid is not C.COMMUNICATION:
            assert after.scores[cid].score == base.scores[cid].score
    assert base.scores[C.COMMUNICATION].score - after.scores[C.COMMUNICATION].score <= 1


def test_generic_postmortem_scores_below_specific():
    generic = SAMPLE.render().split("## Post-mortem")[0] + "## Post-mortem\nIt went fine, could be faster.\n"
    g = SCORER.score(parse_transcript(generic)).scores[C.POSTMORTEM].score
    s = SCORER.score(SAMPLE).scores[C.POSTMORTEM].score
    assert g == 1 and s == 2


def test_deterministic():
    assert SCORER.score(SAMPLE).to_json() == SCORER.score(SAMPLE).to_json()


def test_coverage_is_live_and_bounded():
    cov = coverage(SAMPLE)
    assert set(cov) == set(C) and all(0 <= v <= 1 for v in cov.values())
    assert cov[C.REQUIREMENTS] == 1.0
    assert coverage(parse_transcript(INTERVIEWER_LED))[C.REQUIREMENTS] == 0.0


def test_unpunctuated_speech_still_finds_clarifying_questions():
    stt = parse_transcript(
        "Round: coding\n\nInterviewer: so the question is merge overlapping intervals\n"
        "Candidate: um okay so is the input sorted and how many intervals are there like "
        "thousands or millions and can they have duplicates\n"
        "Interviewer: not sorted up to a million\n"
        "Candidate: okay so i'd sort by start then sweep that's n log n um an alternative is a "
        "hash mat but that doesn't keep order so i'd pick the sort because we need ordered output\n")
    a = analyse(stt)
    assert a.findings[C.REQUIREMENTS].features["early_questions"] >= 1
    assert SCORER.score(stt).scores[C.REQUIREMENTS].score >= 1


def test_fitted_weights_point_the_way_the_rubric_does():
    # sign-constrained calibration: evidence never lowers a score, a red flag never raises one
    from agent.scoring.analytic import load_params
    from evals.calibrate import HELPS, HURTS

    for cid, p in load_params()["criteria"].items():
        for name, w in p["weights"].items():
            assert name in HELPS | HURTS, (cid, name)
            assert (w >= 0) if name in HELPS else (w <= 0), (cid, name, w)


def test_calibration_keeps_signs_even_when_the_data_disagree():
    import numpy as np

    from evals.calibrate import _fit_one

    rng = np.random.default_rng(0)
    x = rng.normal(size=(40, 2))
    y = np.clip(np.round(1 - x[:, 0] + 0.5 * x[:, 1]), 0, 2).astype(int)  # column 0 "hurts"
    _, model = _fit_one(x, y, alpha=1.0)  # both columns declared helpful
    assert model.coef_[0] == 0 and model.coef_[1] > 0


def test_wording_runtime_matches_the_sklearn_pipeline_it_was_fitted_as():
    # the runtime transform is ours (vocabulary, idf, weights as data): it must give the
    # same numbers as the sklearn pipeline the calibration fits
    import numpy as np
    from sklearn.linear_model import Ridge
    from sklearn.pipeline import make_pipeline

    from agent.scoring.wording import WordingModel, candidate_text
    from evals.calibrate import _vectoriser, fit_wording

    texts = [f"I think maybe {w} works, not sure" if i % 3 == 0 else
             f"Two options: {w} costs 10 ms, the other 40 GB; I'd test empty and null input"
             for i, w in enumerate(["sort", "heap", "hash map", "trie", "queue", "index"] * 5)]
    gold = {cid: np.array([0 if i % 3 == 0 else 1 + i % 2 for i in range(len(texts))])
            for cid in C if cid is not C.POSTMORTEM}
    real = candidate_text(analyse(SAMPLE))  # punctuation, code, numbers, apostrophes
    texts += [real[i:i + 300] for i in range(0, len(real), 300)][:6]
    for cid in gold:
        gold[cid] = np.concatenate([gold[cid], [2, 1, 2, 1, 2, 1][:len(texts) - len(gold[cid])]])
    params, oof = fit_wording(texts, gold)
    model = WordingModel(params)
    probe = ["maybe a heap, not sure", "Two options: a trie costs 40 GB; I'd test null input", "",
             real, "Naïve café résumé: don't ÜBER-sort O(n log n) — 10ms"]
    for cid, got in model.predict(probe).items():
        want = make_pipeline(_vectoriser(), Ridge(alpha=params["alpha"])).fit(texts, gold[cid])
        assert np.allclose(got, want.predict(probe), atol=1e-4), cid
        assert got[1] > got[0]  # the confident, concrete answer reads higher
        assert len(oof[cid]) == len(texts)


def test_wording_reads_only_the_candidates_round():
    from agent.scoring.wording import candidate_text, load_wording, wording_features

    for t in (SAMPLE, parse_transcript(INTERVIEWER_LED)):
        base = wording_features(analyse(t), load_wording())
        assert set(base) == {c for c in C if c is not C.POSTMORTEM}
        for changed in (pad_with_filler(t), append_injection(t)):
            assert wording_features(analyse(changed), load_wording()) == base
    text = candidate_text(analyse(parse_transcript(INTERVIEWER_LED)))
    assert "sort" not in text and "interval tree" not in text  # the interviewer's ideas


def test_scorer_works_without_a_fitted_wording_model(tmp_path):
    from agent.scoring.analytic import load_params
    from agent.scoring.wording import load_wording

    assert load_wording(tmp_path / "absent.json") is None
    card = AnalyticScorer(load_params(), {}).score(SAMPLE)
    assert card.total is not None
    assert all("wording" not in s.rationale for s in card.scores.values())
    assert "wording" in SCORER.score(SAMPLE).scores[C.CORRECTNESS].rationale


WRONG_THEN_PROBED = """Role: Backend
Round: coding

Interviewer: Return, for each vehicle, the gaps in its telemetry longer than 5 seconds.
Candidate: I'll sort all records by timestamp and walk consecutive pairs; a pair more than 5,000 ms apart is a gap, filed under the vehicle of the second record.
Interviewer: {reaction}
Candidate: It returns no gaps there, which is what we want.
"""


def _with_reaction(reaction: str, ours: bool = False) -> Transcript:
    header = "Interviewed by: mockloop\n" if ours else ""
    return parse_transcript(header + WRONG_THEN_PROBED.format(reaction=reaction))


def test_a_human_interviewers_reaction_counts_for_correctness():
    # the interviewer knows whether the answer is right: "Good, that works" and a pointed
    # counter-example read differently, and the fitted weight may only raise the affirmed one
    affirmed = _with_reaction("Good, that works. What would you test?")
    probed = _with_reaction("Suppose V1 sends at 0 and 10,000 and V2 at 5,000. What does it return?")
    fa, fp = (analyse(t).findings[C.CORRECTNESS].features for t in (affirmed, probed))
    assert fa["interviewer_affirms"] == 1 and fp["interviewer_affirms"] == 0
    SCORER.levels(a := analyse(affirmed))
    SCORER.levels(p := analyse(probed))
    assert a.findings[C.CORRECTNESS].features["reactions"] > p.findings[C.CORRECTNESS].features["reactions"]
    assert "affirmed the answer 1 time" in SCORER.score(affirmed).scores[C.CORRECTNESS].rationale


def test_reactions_are_read_only_once_a_solution_is_on_the_table():
    early = parse_transcript("Round: coding\n\nInterviewer: Great to meet you. Merge the intervals.\n"
                             "Candidate: Is the input sorted, and how large is it?\n"
                             "Interviewer: Unsorted, a million.\n")
    a = analyse(early)
    assert a.reactions == [] and a.findings[C.CORRECTNESS].features["interviewer_affirms"] == 0


def test_our_own_interviewer_is_never_read_as_a_human_reaction():
    # mockloop's interviewer follows a plan, so its lines say nothing about the candidate:
    # the reaction features are absent and the scorer takes their mean on dev, whatever it says
    from agent.scoring.analytic import linear_score, load_params

    ours = [_with_reaction(r, ours=True) for r in ("Good, that works.", "What does it return?")]
    for t in ours:
        a = analyse(t)
        assert a.reactions is None
        assert "interviewer_affirms" not in a.findings[C.CORRECTNESS].features
    first, second = (SCORER.score(t).scores[C.CORRECTNESS] for t in ours)
    assert (first.score, first.rationale) == (second.score, second.rationale)
    p = load_params()["criteria"]["correctness"]
    a = analyse(ours[0])
    SCORER.levels(a)
    assert "reactions" not in a.findings[C.CORRECTNESS].features
    at_means = {**a.findings[C.CORRECTNESS].features,
                **{n: p["means"][n] for n in ("reactions", "interviewer_affirms") if n in p["means"]}}
    assert linear_score(a.findings[C.CORRECTNESS].features, p) == linear_score(at_means, p)


def test_the_own_interviewer_mark_survives_render_and_reparse():
    t = _with_reaction("Good.", ours=True)
    assert t.metadata["interviewed by"] == "mockloop"
    again = parse_transcript(t.render())
    assert again.metadata == t.metadata and [x.text for x in again.turns] == [x.text for x in t.turns]


def test_live_interview_transcripts_carry_the_mark():
    from agent.interview import InterviewConfig, RoundState
    from agent.models import Archetype, Role, RoundKind, Stage

    rnd = RoundState(stage=Stage.ONSITE, kind=RoundKind.CODING)
    rnd.add(Speaker.INTERVIEWER, "Merge intervals.")
    rnd.add(Speaker.CANDIDATE, "I'll sort by start and sweep, O(n log n).")
    rnd.add(Speaker.INTERVIEWER, "Great, that works.")
    cfg = InterviewConfig(role=Role.BACKEND, archetype=Archetype.FAANG)
    assert analyse(rnd.transcript(cfg)).reactions is None
    imported = parse_transcript(rnd.transcript(cfg).render().replace("Interviewed by: mockloop\n", ""))
    assert analyse(imported).reactions == ["Great, that works."]


@pytest.mark.filterwarnings("ignore:The least populated class:UserWarning")  # 24 items, 5 folds
def test_calibration_fits_when_some_transcripts_are_our_own_interviews(tmp_path, monkeypatch):
    # coach-reviewed interviews exported as eval data carry `Interviewed by: mockloop`: they
    # have no interviewer reactions, and the fit must neither fail nor read them as empty text
    import shutil

    import numpy as np

    from agent.scoring.analytic import AnalyticScorer
    from agent.scoring.wording import VIEWS, WordingModel
    from evals import calibrate
    from evals.dataset import DATA_DIR, load_dataset

    monkeypatch.setattr(calibrate, "ALPHAS", (10.0,))  # one ridge strength: the test is the data path

    items = load_dataset(DATA_DIR, "dev")[:24]
    for sub in ("transcripts", "labels"):
        (tmp_path / sub).mkdir()
    for i, it in enumerate(items):
        shutil.copy(DATA_DIR / "labels" / f"{it.id}.json", tmp_path / "labels")
        text = it.path.read_text()
        (tmp_path / "transcripts" / f"{it.id}.md").write_text(
            f"Interviewed by: mockloop\n{text}" if i % 8 == 3 else text)
    params, text_models = calibrate.fit(tmp_path)
    p = params["criteria"]["correctness"]
    assert set(p["means"]) == set(p["weights"])
    assert {v.feature for v in VIEWS} == set(text_models)
    scorer = AnalyticScorer(params, {f: WordingModel(m) for f, m in text_models.items()})
    ours = load_transcript(tmp_path / "transcripts" / f"{items[3].id}.md")
    assert ours.by_mockloop and scorer.score(ours).total is not None
    # an item without a feature takes the mean of those with it, as the scorer does
    analyses = {it.id: analyse(load_transcript(tmp_path / "transcripts" / f"{it.id}.md"))
                for it in items[:4]}
    x = calibrate.feature_matrix(items[:4], analyses, C.CORRECTNESS, ["interviewer_affirms"])
    assert x[3, 0] == np.mean(x[:3, 0]) and not np.isnan(x).any()


STORY = """Role: Backend
Round: behavioral

Interviewer: Tell me about a time a release went wrong.
Candidate: Two things. In March the purchasing app could not reach the supplier gateway, because the intermediate certificate was missing from the chain we had rotated on Friday.
Interviewer: What happened next?
Candidate: Orders queued for six hours until I rebuilt the chain and replayed the queue, and every one of the 412 orders went through.
"""


def _always_one(cid: CriterionId) -> AnalyticScorer:
    """The shipped rater, except that its fitted model puts `cid` at 1 whatever it reads."""
    import copy

    from agent.scoring.analytic import load_params
    from agent.scoring.wording import load_wording

    params = copy.deepcopy(load_params())
    params["criteria"][cid.value]["thresholds"] = [-1e9, 1e9]
    return AnalyticScorer(params, {"wording": load_wording()})


def test_a_lifted_score_without_a_detector_sentence_shows_what_the_wording_model_weighs():
    # the fitted model may lift a score that no detector marked a sentence for (its reading of
    # the whole answer): the score stands, and its evidence is the candidate's sentences that
    # reading weighs most, never a two-word aside; before, such scores were forced to 0
    t = parse_transcript(STORY)
    assert not analyse(t).findings[C.TRADEOFFS].hits  # no detector sentence here
    s = _always_one(C.TRADEOFFS).score(t).scores[C.TRADEOFFS]
    assert s.score == 1 and not s.flags
    assert "wording model weighs most" in s.rationale
    assert 1 <= len(s.evidence) <= 2
    for e in s.evidence:
        turn = t.turn(e.turn)
        assert turn.speaker is Speaker.CANDIDATE and turn.text[e.start:e.end] == e.quote
        assert e.quote != "Two things."


def test_supporting_sentences_rank_by_the_models_weights_and_skip_short_and_postmortem():
    from agent.scoring.wording import MIN_EVIDENCE_WORDS, load_wording, supporting_sentences

    model = load_wording()
    a = analyse(SAMPLE)
    got = supporting_sentences(a, model, C.EDGE_CASES, n=3)
    assert got and all(not s.postmortem for s in got)
    assert all(len(s.text.split()) >= MIN_EVIDENCE_WORDS for s in got)
    weights, _ = model.weights[C.EDGE_CASES]
    lift = model.tfidf([s.text for s in got], normalise=False) @ weights
    assert list(lift) == sorted(lift, reverse=True) and (lift > 0).all()
    assert supporting_sentences(a, None, C.EDGE_CASES) == []


def test_short_agreement_is_never_evidence_so_the_score_stays_zero():
    # "Yes, right." carries nothing: with no sentence to show, a lifted score is still 0
    s = _always_one(C.TRADEOFFS).score(parse_transcript(INTERVIEWER_LED)).scores[C.TRADEOFFS]
    assert s.score == 0 and "no supporting sentence" in s.flags[0]


def test_tradeoff_turns_read_only_the_turns_that_argue_a_choice():
    from agent.scoring.wording import (
        TRADEOFF_TURNS,
        load_wording,
        tradeoff_turn_text,
        wording_features,
    )

    t = parse_transcript("""Round: system_design

Interviewer: Design the feed.
Candidate: I'd start with the read path, since users scroll far more than they post.
Interviewer: Push or pull?
Candidate: Fan-out on write costs storage but gives 20 ms reads; fan-out on read costs 200 ms at p99. Given the 50 ms SLO I'd push, and pull only for accounts with a million followers.
Interviewer: Thanks.
Candidate: Happy to go deeper anywhere.

## Post-mortem
I should have compared a hybrid cache earlier.
""")
    a = analyse(t)
    text = tradeoff_turn_text(a)
    assert "Fan-out on write" in text and "pull only for accounts" in text
    assert "read path" not in text and "Happy to go deeper" not in text  # other turns
    assert "hybrid cache" not in text  # the post-mortem is read by its own detectors
    # the feature feeds tradeoffs only, and padding or an injection leave it unchanged
    got = wording_features(a, load_wording(TRADEOFF_TURNS.path), TRADEOFF_TURNS)
    assert set(got) == {C.TRADEOFFS}
    for changed in (pad_with_filler(t), append_injection(t)):
        assert wording_features(analyse(changed), load_wording(TRADEOFF_TURNS.path), TRADEOFF_TURNS) == got
