"""The rotation generator: example-based tests per rule, then properties over random offices."""

import datetime as dt
import random
from collections import Counter, defaultdict

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.domain.org_terms import Rank, UnitKind
from bot.domain.roster import (
    ESSENTIAL_CAP,
    OVERRIDE_BREAKS_CAP,
    OVERRIDE_BREAKS_RULE,
    PIKET_SHORT,
    Fixed,
    RosterPerson,
    RosterRules,
    RosterUnit,
    generate,
)
from bot.domain.workday import EXCUSED, Mode

IN_OFFICE = {Mode.WFO, Mode.PIKET}
MONDAY = dt.date(2026, 11, 23)


def days(n: int) -> list[dt.date]:
    return [MONDAY + dt.timedelta(days=i) for i in range(n)]


def staff(unit: str, n: int, first_id: int = 1, rank=Rank.PELAKSANA, wfh_eligible=True) -> list[RosterPerson]:
    return [RosterPerson(first_id + i, unit, rank, wfh_eligible) for i in range(n)]


def modes_by_day(result, day):
    return {a.person_id: a.mode for a in result.assignments if a.day == day}


def wfh_counts(result):
    return Counter(a.person_id for a in result.assignments if a.mode == Mode.WFH)


def codes(result):
    return {(c.unit, c.day, c.code) for c in result.conflicts}


# ---- examples, one per rule ---------------------------------------------------------------------


def test_forced_ranks_and_ineligible_people_are_always_in_the_office():
    people = [
        RosterPerson(1, "Bidang", Rank.JPT_PRATAMA, True),
        RosterPerson(2, "Bidang", Rank.ADMINISTRATOR, True),
        RosterPerson(3, "Bidang", Rank.PELAKSANA, False),
        *staff("Bidang", 4, first_id=10),
    ]
    result = generate(people, [RosterUnit("Bidang", "non_service", piket_min=0)], days(10))
    for a in result.assignments:
        if a.person_id in (1, 2, 3):
            assert a.mode == Mode.WFO
    reasons = {a.person_id: a.reason for a in result.assignments}
    assert (reasons[1], reasons[2], reasons[3]) == ("rank", "rank", "not_eligible")
    assert result.conflicts == []


def test_critical_unit_is_fully_in_the_office_with_a_piket():
    result = generate(staff("IGD", 5), [RosterUnit("IGD", "critical", piket_min=2)], days(5))
    assert {a.mode for a in result.assignments} == {Mode.WFO, Mode.PIKET}
    for day in days(5):
        assert Counter(modes_by_day(result, day).values())[Mode.PIKET] == 2
    assert result.conflicts == []


@pytest.mark.parametrize(("n", "home"), [(4, 1), (8, 2), (10, 3), (3, 1), (2, 1)])
def test_essential_unit_sends_home_the_least_that_meets_the_75_percent_cap(n, home):
    result = generate(staff("Puskesmas", n), [RosterUnit("Puskesmas", "essential", piket_min=1)], days(4))
    for day in days(4):
        assert Counter(modes_by_day(result, day).values())[Mode.WFH] == home
    assert result.conflicts == []


def test_essential_cap_counts_only_people_present():
    # 8 people, 4 on leave: 4 present, so 1 at home (not 2).
    leave = [Fixed(i, MONDAY, Mode.LEAVE, "cuti tahunan") for i in (1, 2, 3, 4)]
    result = generate(staff("Puskesmas", 8), [RosterUnit("Puskesmas", "essential")], [MONDAY], leave)
    assert Counter(modes_by_day(result, MONDAY).values()) == {Mode.LEAVE: 4, Mode.WFO: 2, Mode.PIKET: 1, Mode.WFH: 1}


def test_non_service_half_rotates_and_alternates():
    result = generate(staff("Sekretariat", 2), [RosterUnit("Sekretariat", piket_min=1)], days(6))
    homes = [next(p for p, m in modes_by_day(result, d).items() if m == Mode.WFH) for d in days(6)]
    assert homes == [1, 2, 1, 2, 1, 2]
    # The one in the office is on piket.
    assert all(Mode.PIKET in modes_by_day(result, d).values() for d in days(6))


def test_odd_unit_at_half_alternates_the_number_at_home():
    result = generate(staff("Umum", 3), [RosterUnit("Umum", piket_min=0)], days(4))
    per_day = [Counter(modes_by_day(result, d).values())[Mode.WFH] for d in days(4)]
    assert per_day == [1, 2, 1, 2]
    assert set(wfh_counts(result).values()) == {2}


def test_wfh_share_is_the_non_service_rule():
    result = generate(staff("Umum", 4), [RosterUnit("Umum", piket_min=0, wfh_share=0.25)], days(8))
    assert all(Counter(modes_by_day(result, d).values())[Mode.WFH] == 1 for d in days(8))
    assert set(wfh_counts(result).values()) == {2}


def test_piket_takes_people_back_from_home_when_too_few_are_in_the_office():
    # 4 eligible at 50%: 2 would be home, but 3 must be on piket: only 1 goes home.
    result = generate(staff("Umum", 4), [RosterUnit("Umum", piket_min=3)], days(4))
    for day in days(4):
        assert Counter(modes_by_day(result, day).values()) == {Mode.PIKET: 3, Mode.WFH: 1}
    assert set(wfh_counts(result).values()) == {1}


def test_piket_short_is_reported_not_raised():
    result = generate(staff("Kecil", 2), [RosterUnit("Kecil", piket_min=3)], days(2))
    assert codes(result) == {("Kecil", d, PIKET_SHORT) for d in days(2)}
    assert all(a.mode == Mode.PIKET for a in result.assignments)
    assert result.conflicts[0].detail == {"on_piket": 2, "piket_min": 3, "present": 2, "free": 2}


def test_senior_is_on_piket_only_when_nobody_else_is_there():
    people = [RosterPerson(1, "Bidang", Rank.JPT_PRATAMA, True), *staff("Bidang", 2, first_id=2)]
    result = generate(people, [RosterUnit("Bidang", piket_min=1, wfh_share=0.0)], days(3))
    assert all(modes_by_day(result, d)[1] == Mode.WFO for d in days(3))
    leave = [Fixed(2, MONDAY, Mode.SICK, "demam"), Fixed(3, MONDAY, Mode.FIELD, "DL ke provinsi")]
    alone = generate(people, [RosterUnit("Bidang", piket_min=1)], [MONDAY], leave)
    assert modes_by_day(alone, MONDAY)[1] == Mode.PIKET


def test_fixed_entries_are_kept_exactly():
    fixed = [
        Fixed(1, MONDAY, "cuti", "cuti tahunan"),
        Fixed(2, MONDAY, Mode.WFO, "rapat"),
        Fixed(3, MONDAY + dt.timedelta(days=1), Mode.WFH, "override admin"),
    ]
    result = generate(staff("Umum", 4), [RosterUnit("Umum")], days(2), fixed)
    got = {(a.person_id, a.day): (a.mode, a.reason) for a in result.assignments}
    assert got[(1, MONDAY)] == (Mode.LEAVE, "cuti tahunan")
    assert got[(2, MONDAY)] == (Mode.WFO, "rapat")
    assert got[(3, MONDAY + dt.timedelta(days=1))] == (Mode.WFH, "override admin")


def test_the_last_fixed_entry_for_a_day_wins_and_outside_ones_are_ignored():
    fixed = [Fixed(1, MONDAY, Mode.LEAVE, "a"), Fixed(1, MONDAY, Mode.SICK, "b"), Fixed(99, MONDAY, Mode.LEAVE, "x"),
             Fixed(2, MONDAY - dt.timedelta(days=3), Mode.LEAVE, "before")]
    result = generate(staff("Umum", 2), [RosterUnit("Umum")], [MONDAY], fixed)
    assert {(a.person_id, a.mode, a.reason) for a in result.assignments if a.person_id == 1} == {(1, Mode.SICK, "b")}
    assert {a.person_id for a in result.assignments} == {1, 2}


def test_overrides_that_break_a_rule_are_kept_and_reported():
    head = RosterPerson(1, "Bidang", Rank.JPT_PRATAMA, True)
    result = generate([head, *staff("Bidang", 2, first_id=2)], [RosterUnit("Bidang")], [MONDAY],
                      [Fixed(1, MONDAY, Mode.WFH, "izin kepala")])
    assert modes_by_day(result, MONDAY)[1] == Mode.WFH
    assert codes(result) == {("Bidang", MONDAY, OVERRIDE_BREAKS_RULE)}

    critical = generate(staff("IGD", 3), [RosterUnit("IGD", "critical")], [MONDAY], [Fixed(2, MONDAY, Mode.WFH, "x")])
    assert modes_by_day(critical, MONDAY)[2] == Mode.WFH
    assert codes(critical) == {("IGD", MONDAY, OVERRIDE_BREAKS_CAP)}


def test_essential_cap_conflicts_name_the_cause():
    unit = [RosterUnit("Puskesmas", "essential", piket_min=0)]
    forced = generate(staff("Puskesmas", 4, wfh_eligible=False), unit, [MONDAY])
    assert codes(forced) == {("Puskesmas", MONDAY, ESSENTIAL_CAP)}
    assert forced.conflicts[0].detail == {"in_office": 4, "present": 4, "cap": 3, "share_pct": 75, "fixed": 0,
                                          "forced": 4}
    overrides = [Fixed(i, MONDAY, Mode.WFO, "apel besar") for i in (1, 2, 3, 4)]
    overridden = generate(staff("Puskesmas", 4), unit, [MONDAY], overrides)
    assert codes(overridden) == {("Puskesmas", MONDAY, OVERRIDE_BREAKS_CAP)}
    # One person present: the piket keeps them in the office, above the cap of floor(0.75) = 0; one person
    # cannot be split, so that is not reported (it was, every day, for every one-person unit).
    alone = generate(staff("Puskesmas", 1), [RosterUnit("Puskesmas", "essential", piket_min=1)], [MONDAY])
    assert modes_by_day(alone, MONDAY) == {1: Mode.PIKET}
    assert codes(alone) == set()
    head_alone = generate([RosterPerson(1, "Bidang", Rank.ADMINISTRATOR, True)],
                          [RosterUnit("Bidang", "essential", piket_min=0)], [MONDAY])
    assert modes_by_day(head_alone, MONDAY) == {1: Mode.WFO} and codes(head_alone) == set()
    # Two on leave and one left in the office: one present, no conflict either.
    leave = [Fixed(i, MONDAY, Mode.LEAVE, "cuti") for i in (2, 3)]
    left = generate(staff("Puskesmas", 3), [RosterUnit("Puskesmas", "essential", piket_min=1)], [MONDAY], leave)
    assert codes(left) == set()


def test_someone_back_from_leave_goes_home_first():
    leave = [Fixed(1, d, Mode.LEAVE, "cuti") for d in days(4)]
    result = generate(staff("Umum", 4), [RosterUnit("Umum", piket_min=0)], days(6), leave)
    fifth = MONDAY + dt.timedelta(days=4)
    assert modes_by_day(result, fifth)[1] == Mode.WFH


def test_unknown_unit_is_a_default_non_service_unit():
    result = generate(staff("Tanpa Data", 2), [], days(2))
    assert sorted(wfh_counts(result).values()) == [1, 1]


def test_bad_input_is_refused_early():
    with pytest.raises(ValueError):
        Fixed(1, MONDAY, "holiday", "x")
    with pytest.raises(ValueError):
        RosterUnit("X", "vital")
    with pytest.raises(ValueError):
        RosterUnit("X", wfh_share=1.5)


# ---- properties over random offices -------------------------------------------------------------


@st.composite
def offices(draw):
    units, people, pid = [], [], 1
    for u in range(draw(st.integers(1, 5))):
        kind = draw(st.sampled_from(list(UnitKind)))
        share = draw(st.sampled_from([0.0, 0.25, 0.3, 0.5, 0.75, 1.0]))
        units.append(RosterUnit(f"U{u}", kind, draw(st.integers(0, 4)), share))
        # Small units half the time: that is where piket and the caps collide.
        for _ in range(draw(st.integers(1, 4) | st.integers(1, 15))):
            rank = draw(st.sampled_from([None, *Rank]))
            people.append(RosterPerson(pid, f"U{u}", rank, draw(st.sampled_from([True, True, True, False]))))
            pid += 1
    start = dt.date(2026, 1, 5) + dt.timedelta(days=draw(st.integers(0, 300)))
    period = [start + dt.timedelta(days=i) for i in range(draw(st.integers(1, 20)))]
    fixed = draw(
        st.lists(
            st.builds(
                Fixed,
                st.integers(1, pid - 1),
                st.sampled_from(period),
                st.sampled_from(list(Mode)),
                st.sampled_from(["cuti tahunan", "sakit", "override admin"]),
            ),
            max_size=40,
        )
    )
    rules = RosterRules(essential_max_wfo_share=draw(st.sampled_from([0.5, 0.75, 0.8, 1.0])))
    return people, units, period, fixed, rules


def check_roster(people, units, period, fixed, rules, result):
    """Every rule of bot.domain.roster, stated independently of its code."""
    unit_of = {u.name: u for u in units}
    pinned = {}
    for f in fixed:
        pinned[(f.person_id, f.day)] = f  # the last one wins
    got = {}
    for a in result.assignments:
        assert (a.person_id, a.day) not in got, "one assignment per person and day"
        got[(a.person_id, a.day)] = a
    assert set(got) == {(p.person_id, d) for p in people for d in period}
    conflicts = codes(result)

    def forced(p):
        return unit_of[p.unit].kind == UnitKind.CRITICAL or p.rank in rules.always_wfo_ranks or not p.wfh_eligible

    members = defaultdict(list)
    for p in people:
        members[p.unit].append(p)
    for key, f in pinned.items():
        assert (got[key].mode, got[key].reason) == (f.mode, f.reason), "fixed entries are kept exactly"

    for name, unit_people in members.items():
        unit = unit_of[name]
        wfh_before = Counter()
        share_so_far = 0  # non-service: WFH person-days wanted so far, in hundredths
        for day in period:
            present = [p for p in unit_people if got[(p.person_id, day)].mode not in EXCUSED]
            mode = {p.person_id: got[(p.person_id, day)].mode for p in unit_people}
            free = [p for p in unit_people if (p.person_id, day) not in pinned]
            fixed_wfh = [p for p in present if (p.person_id, day) in pinned and mode[p.person_id] == Mode.WFH]
            for p in free:
                if forced(p):
                    assert mode[p.person_id] in IN_OFFICE, "forced people are in the office"
            # Critical: nobody at home, unless a fixed entry put them there (and that is reported).
            wfh = [p for p in present if mode[p.person_id] == Mode.WFH]
            if unit.kind == UnitKind.CRITICAL:
                assert all((p.person_id, day) in pinned for p in wfh)
                assert bool(wfh) == ((name, day, OVERRIDE_BREAKS_CAP) in conflicts)
            assert bool([p for p in fixed_wfh if forced(p) and unit.kind != UnitKind.CRITICAL]) == (
                (name, day, OVERRIDE_BREAKS_RULE) in conflicts
            )
            # Essential: at most the cap of the present in the office, or a conflict saying why.
            in_office = sum(1 for p in present if mode[p.person_id] in IN_OFFICE)
            cap = round(rules.essential_max_wfo_share * 100) * len(present) // 100
            essential_flags = {(name, day, ESSENTIAL_CAP), (name, day, OVERRIDE_BREAKS_CAP)} & conflicts
            if unit.kind == UnitKind.ESSENTIAL:
                assert (in_office > cap and len(present) > 1) == bool(essential_flags)
                assert len(essential_flags) <= 1
            else:
                assert (name, day, ESSENTIAL_CAP) not in conflicts
            # Piket: at least piket_min (never more than asked, beyond fixed ones), or piket_short.
            on_piket = sum(1 for p in present if mode[p.person_id] == Mode.PIKET)
            fixed_piket = sum(1 for p in present if (p.person_id, day) in pinned and mode[p.person_id] == Mode.PIKET)
            assert on_piket <= max(unit.piket_min, fixed_piket)
            assert (on_piket < unit.piket_min) == ((name, day, PIKET_SHORT) in conflicts)
            # Fairness, day by day: a free eligible person went home only if every free eligible
            # colleague kept in the office had at least as many generated WFH days before.
            pool = [p for p in free if not forced(p)]
            home = [wfh_before[p.person_id] for p in pool if mode[p.person_id] == Mode.WFH]
            stayed = [wfh_before[p.person_id] for p in pool if mode[p.person_id] in IN_OFFICE]
            if home and stayed:
                assert max(home) <= min(stayed)
            for p in pool:
                if mode[p.person_id] == Mode.WFH:
                    wfh_before[p.person_id] += 1
            # Nobody eligible sits in the office for nothing: a free eligible person at plain WFO
            # means the day already has the wanted number at home (essential: the fewest that meet
            # the cap; non-service: the share, rounded cumulatively over the period).
            share_so_far += round(unit.wfh_share * 100) * len(present)
            if unit.kind == UnitKind.ESSENTIAL:
                wanted = len(present) - cap
            elif unit.kind == UnitKind.NON_SERVICE:
                wanted = share_so_far // 100 - (share_so_far - round(unit.wfh_share * 100) * len(present)) // 100
            else:
                wanted = 0
            idle = [p for p in pool if mode[p.person_id] == Mode.WFO]
            if idle:
                assert len(wfh) >= wanted
            generated_home = len(wfh) - len(fixed_wfh)
            assert generated_home <= max(wanted - len(fixed_wfh), 0), "no more at home than wanted"
            # Conflicts are the best that could be done: piket_short only when every free person is in
            # the office on piket; an essential unit over its cap only with every pool person at home
            # or on piket, and named as the overrides' fault exactly when it is within the cap without them.
            non_fixed_office = [p for p in free if mode[p.person_id] in IN_OFFICE]
            if (name, day, PIKET_SHORT) in conflicts:
                assert generated_home == 0 and all(mode[p.person_id] == Mode.PIKET for p in non_fixed_office)
            if unit.kind == UnitKind.ESSENTIAL and essential_flags:
                assert not idle
                fixed_office = sum(1 for p in present if (p.person_id, day) in pinned) - len(fixed_wfh)
                by_override = fixed_office > 0 and in_office - fixed_office <= cap
                assert essential_flags == {(name, day, OVERRIDE_BREAKS_CAP if by_override else ESSENTIAL_CAP)}
        # Fairness over the period: eligible people free on exactly the same days are within one.
        groups = defaultdict(list)
        for p in unit_people:
            if not forced(p):
                free_days = frozenset(d for d in period if (p.person_id, d) not in pinned)
                groups[free_days].append(wfh_before[p.person_id])
        for counts in groups.values():
            assert max(counts) - min(counts) <= 1, "fairness within one day"


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(offices(), st.randoms(use_true_random=False))
def test_every_rule_holds_or_is_reported(office, rnd):
    people, units, period, fixed, rules = office
    result = generate(people, units, period, fixed, rules)
    check_roster(people, units, period, fixed, rules, result)
    # Deterministic: the same input gives the same output, whatever the order of people and units.
    assert generate(people, units, period, fixed, rules) == result
    shuffled_people, shuffled_units = list(people), list(units)
    rnd.shuffle(shuffled_people)
    rnd.shuffle(shuffled_units)
    assert generate(shuffled_people, shuffled_units, list(reversed(period)), fixed, rules) == result


def test_a_big_office_is_quick_and_fair():
    rng = random.Random(7)
    units = [RosterUnit(f"U{i}", ["critical", "essential", "non_service"][i % 3], 1 + i % 3) for i in range(30)]
    people = [RosterPerson(i, f"U{i % 30}", rng.choice([None, *Rank]), rng.random() > 0.1) for i in range(3000)]
    period = days(20)
    fixed = [Fixed(rng.randrange(3000), rng.choice(period), rng.choice(list(Mode)), "x") for _ in range(2000)]
    result = generate(people, units, period, fixed)
    check_roster(people, units, period, fixed, RosterRules(), result)
