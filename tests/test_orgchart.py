"""The org-chart rules, on rows in memory (no database)."""

from bot.domain.org_terms import UnitKind
from bot.domain.orgchart import validate_chart
from tests.org_rows import HEAD, KABID, KASI, SEK, STAF, raw_rows, small_office


def check(rows):
    return validate_chart(raw_rows(rows), default_timezone="Asia/Jakarta")


def codes(chart):
    return {(e.row, e.code) for e in chart.errors}


def test_a_valid_office_has_units_people_and_no_errors():
    chart = check(small_office())
    assert chart.errors == []
    assert [p.nip for p in chart.people] == [HEAD, SEK, KABID, KASI, STAF]
    assert set(chart.units) == {"Dinas", "Sekretariat", "Bidang Timur", "Seksi Timur"}
    assert chart.units["Dinas"].parent is None
    assert chart.units["Sekretariat"].parent == "Dinas"


def test_a_unit_without_parent_column_takes_its_members_supervisors_unit():
    chart = check(small_office())
    assert chart.units["Seksi Timur"].parent == "Bidang Timur"


def test_time_zone_and_kind_are_inherited_from_the_parent_unit():
    rows = small_office()
    rows[2]["unit_kind"] = "esensial"
    chart = check(rows)
    assert chart.units["Seksi Timur"].timezone == "Asia/Makassar"
    assert chart.units["Seksi Timur"].kind is UnitKind.ESSENTIAL
    assert chart.units["Sekretariat"].timezone == "Asia/Jakarta"
    assert chart.units["Sekretariat"].kind is UnitKind.NON_SERVICE


def test_phone_numbers_are_stored_in_e164():
    chart = check(small_office())
    assert chart.people[4].phone == "+6281200000005"


def test_ten_kinds_of_bad_rows_are_each_reported_with_row_and_reason():
    good = small_office()
    good[3]["unit_parent"] = "Bidang Timur"
    extra = lambda nip, **cells: {  # noqa: E731
        "nip": nip, "name": "Orang", "position": "Staf", "unit": "Sekretariat", "supervisor_nip": SEK,
        "unit_parent": "", "timezone": "", "phone": ""} | cells
    rows = good + [
        extra("12345"),                                                  # row 7: malformed NIP
        extra("199002302015031001"),                                     # row 8: impossible birth date
        extra(STAF),                                                     # row 9: duplicate NIP
        extra("199101012015031002", supervisor_nip="199912312020121999"),  # row 10: unknown supervisor
        extra("199201012015031003", supervisor_nip="199301012015031004"),  # row 11: cycle with row 12
        extra("199301012015031004", supervisor_nip="199201012015031003"),  # row 12
        extra("199401012015031005", unit="Seksi Timur", unit_parent="Sekretariat"),  # row 13: second parent
        extra("199501012015031006", phone="12345"),                      # row 14: bad phone
        extra("199601012015031007", home_lat="95", home_lon="106.8"),    # row 15: latitude out of range
        extra("199701012015031008", timezone="Asia/Tokyo"),              # row 16: unknown time zone
        extra("199801012015031009", name=""),                            # row 17: empty required cell
    ]
    chart = check(rows)
    found = codes(chart)
    assert (7, "nip.not_18_digits") in found
    assert (8, "nip.bad_birth_date") in found
    assert (9, "row.duplicate_nip") in found and (6, "row.duplicate_nip") in found
    assert (10, "row.unknown_supervisor") in found
    assert (11, "row.supervision_cycle") in found and (12, "row.supervision_cycle") in found
    assert (13, "unit.two_parents") in found
    assert (14, "cell.bad_phone") in found
    assert (15, "cell.lat_out_of_range") in found
    assert (16, "cell.bad_timezone") in found
    assert (17, "row.empty_required") in found
    assert {p.row for p in chart.people} == {2, 3, 4, 5}
    empty = next(e for e in chart.errors if e.row == 17)
    assert empty.column == "name"


def test_people_under_a_rejected_row_are_rejected_too():
    rows = small_office()
    rows[2]["nip"] = "bad"  # the Kepala Bidang; the Kasi and staff hang under them
    rows[3]["supervisor_nip"] = "bad"
    chart = check(rows)
    assert {p.nip for p in chart.people} == {HEAD, SEK}
    assert (5, "row.bad_supervisor_nip") in codes(chart)
    assert (6, "row.supervisor_rejected") in codes(chart)


def test_a_person_cannot_supervise_themselves():
    rows = small_office()
    rows[4]["supervisor_nip"] = STAF
    assert (6, "row.own_supervisor") in codes(check(rows))


def test_unit_parent_cycles_are_refused():
    rows = small_office()
    rows[1]["unit_parent"] = "Bidang Timur"
    rows[2]["unit_parent"] = "Sekretariat"
    found = codes(check(rows))
    assert (3, "unit.parent_cycle") in found and (4, "unit.parent_cycle") in found


def test_conflicting_time_zones_for_one_unit_are_refused():
    rows = small_office()
    rows[4]["timezone"] = "Asia/Jayapura"
    rows[3]["timezone"] = "WITA"
    chart = check(rows)
    assert (6, "unit.conflicting_value") in codes(chart)


def test_a_home_latitude_without_longitude_is_refused():
    rows = small_office()
    rows[4]["home_lat"] = "-6,2"
    assert (6, "row.lat_lon_pair") in codes(check(rows))


def test_indonesian_decimal_commas_and_words_are_understood():
    rows = small_office()
    rows[4] |= {"home_lat": "-6,2088", "home_lon": "106,8456", "home_radius_m": "150", "wfh_eligible": "tidak",
                "rank": "Pelaksana", "role": "Admin", "language": "Inggris"}
    person = check(rows).people[4]
    assert (person.home_lat, person.home_lon, person.home_radius_m) == (-6.2088, 106.8456, 150)
    assert person.wfh_eligible is False
    assert (person.rank, person.role, person.language) == ("pelaksana", "admin", "en")


def test_a_unit_named_only_as_a_parent_becomes_a_container_unit():
    rows = small_office()
    rows[0]["unit_parent"] = "Pemerintah Provinsi Jambi"
    chart = check(rows)
    assert chart.units["Dinas"].parent == "Pemerintah Provinsi Jambi"
    assert chart.units["Pemerintah Provinsi Jambi"].parent is None
