"""Property tests on random valid policies and repositories (profiles: dev = 10 examples, ci = 300)."""

from __future__ import annotations

import json
from typing import Any

from engine_helpers import NOW, image, policy, rule
from hypothesis import assume, given
from hypothesis import strategies as st

from ecr_lifecycle_guard.engine import (
    Evaluation,
    Image,
    TagMatcher,
    canonical_policy_text,
    evaluate,
    parse_policy,
    validate_policy,
)
from ecr_lifecycle_guard.engine.model import Rule

TAG_WORDS = ("a", "ab", "b", "prod", "prod-1", "v1", "v2", "x*y")
PATTERNS = st.sampled_from(("a*", "*b", "prod*", "v*", "*", "x*y", "p*-*", "ab"))
PREFIXES = st.sampled_from(("a", "p", "prod", "v", "x*"))


@st.composite
def standard_rule(draw: st.DrawFn, priority: int, tag_status: str) -> dict[str, Any]:
    count_type = draw(st.sampled_from(("imageCountMoreThan", "sinceImagePushed", "sinceImagePulled")))
    action = "transition" if count_type == "sinceImagePulled" else draw(st.sampled_from(("expire", "transition")))
    lists: dict[str, Any] = {}
    if tag_status == "tagged":
        key = draw(st.sampled_from(("patterns", "prefixes")))
        entries = PATTERNS if key == "patterns" else PREFIXES
        lists[key] = draw(st.lists(entries, min_size=1, max_size=2, unique=True))
    return rule(
        priority, tag_status=tag_status, count_type=count_type, number=draw(st.integers(1, 6)), action=action, **lists
    )


@st.composite
def policies(draw: st.DrawFn) -> dict[str, Any]:
    statuses = draw(st.lists(st.just("tagged"), max_size=4))
    if draw(st.booleans()):
        statuses.insert(draw(st.integers(0, len(statuses))), "untagged")
    if draw(st.booleans()) or not statuses:
        statuses.append("any")
    priorities = sorted(
        draw(st.lists(st.integers(1, 500), min_size=len(statuses) + 1, max_size=len(statuses) + 1, unique=True))
    )
    rules = [draw(standard_rule(p, s)) for p, s in zip(priorities, statuses, strict=False)]
    if draw(st.booleans()):
        archive_status = draw(st.sampled_from(("any", "untagged")))
        rules.append(
            rule(
                priorities[-1],
                tag_status=archive_status,
                storage="archive",
                count_type="sinceImageTransitioned",
                number=draw(st.integers(90, 120)),
            )
        )
    document = policy(*draw(st.permutations(rules)))
    assume(validate_policy(document) == ())
    return document


@st.composite
def repositories(draw: st.DrawFn) -> list[Image]:
    count = draw(st.integers(0, 25))
    images = []
    for n in range(count):
        tags = draw(st.lists(st.sampled_from(TAG_WORDS), max_size=3, unique=True))
        status = draw(st.sampled_from(("ACTIVE", "ACTIVE", "ARCHIVED", "ACTIVATING")))
        archived = draw(st.integers(0, 200)) if status != "ACTIVE" else None
        images.append(
            image(
                f"sha256:{n:04d}",
                *tags,
                age=draw(st.integers(0, 400)) / 2,  # half-day steps: ties happen
                status=status,
                pulled=draw(st.none() | st.integers(0, 200)),
                archived=archived,
                activated=draw(st.none() | st.integers(0, 50)),
            )
        )
    return images


def _selects(rule_: Rule, candidate: Image) -> bool:
    sel = rule_.selection
    if candidate.storage_class != sel.effective_storage_class:
        return False
    if sel.tag_status == "any":
        return True
    if sel.tag_status == "untagged":
        return not candidate.tags
    return TagMatcher(patterns=sel.tag_pattern_list or (), prefixes=sel.tag_prefix_list or ()).selects(candidate.tags)


def _summary(evaluation: Evaluation) -> list[tuple[str, int, str]]:
    return sorted((o.image.digest, o.rule_priority, o.action) for o in evaluation.outcomes)


@given(policies(), repositories())
def test_each_image_is_acted_on_at_most_once(document: dict[str, Any], images: list[Image]) -> None:
    result = evaluate(parse_policy(document), images, NOW)
    digests = [o.image.digest for o in result.outcomes]
    assert len(digests) == len(set(digests))
    assert result.expiring_count + result.transitioning_count == len(digests)


@given(policies(), repositories(), st.randoms(use_true_random=False))
def test_result_does_not_depend_on_input_order(document: dict[str, Any], images: list[Image], rng: Any) -> None:
    # given
    shuffled = list(images)
    rng.shuffle(shuffled)
    parsed = parse_policy(document)
    # when
    first, second = evaluate(parsed, images, NOW), evaluate(parsed, shuffled, NOW)
    # then
    assert first.outcomes == second.outcomes
    assert first.warnings == second.warnings


@given(policies(), repositories())
def test_keep_n_rule_never_acts_on_the_n_newest_images_of_its_selection(
    document: dict[str, Any], images: list[Image]
) -> None:
    parsed = parse_policy(document)
    result = evaluate(parsed, images, NOW)
    for keep_rule in (r for r in parsed.rules if r.selection.count_type == "imageCountMoreThan"):
        selection = [i for i in images if _selects(keep_rule, i)]
        newest = sorted(selection, key=lambda i: (-i.order_time.timestamp(), i.digest))[
            : keep_rule.selection.count_number
        ]
        acted_by_rule = {o.image.digest for o in result.outcomes if o.rule_priority == keep_rule.rule_priority}
        assert acted_by_rule.isdisjoint(i.digest for i in newest)


@given(policies(), repositories())
def test_no_rule_acts_on_an_image_a_higher_priority_rule_selected(
    document: dict[str, Any], images: list[Image]
) -> None:
    parsed = parse_policy(document)
    result = evaluate(parsed, images, NOW)
    for outcome in result.outcomes:
        higher = [r for r in parsed.rules if r.rule_priority < outcome.rule_priority]
        assert not any(_selects(r, outcome.image) for r in higher)
        applied = next(r for r in parsed.rules if r.rule_priority == outcome.rule_priority)
        assert _selects(applied, outcome.image)


@given(policies(), repositories())
def test_canonical_text_is_idempotent_valid_and_evaluates_the_same(
    document: dict[str, Any], images: list[Image]
) -> None:
    # given
    canonical = canonical_policy_text(json.dumps(document, indent=2))
    # when / then
    assert canonical_policy_text(canonical) == canonical
    assert validate_policy(canonical) == ()
    assert _summary(evaluate(parse_policy(canonical), images, NOW)) == _summary(
        evaluate(parse_policy(document), images, NOW)
    )
