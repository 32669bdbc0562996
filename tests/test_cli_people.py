"""`thaiqm-bot area …`, `invite …` and `richmenu` against the test database and the fake LINE API."""

from __future__ import annotations

import io

from PIL import Image

from bot.line.rich_menus import find_thai_font
from storage.models import AuditEntry, Community, InviteCode, Municipality, RichMenu
from tests.support.world import World


def test_create_municipality_takes_codes_from_the_official_list(run, db_engine):
    result = run("area", "create-municipality", "--name", "เทศบาลเมืองบ้านไผ่", "--kind", "town", "--tambon", "401002")
    assert result.exit_code == 0, result.output
    assert "ต.ในเมือง อ.บ้านไผ่ จ.ขอนแก่น" in result.output
    [municipality] = World(db_engine).all(Municipality)
    assert (municipality.kind, municipality.tambon_code, municipality.amphoe_code, municipality.province_code) == ("town", "401002", "4010", "40")


def test_unknown_tambon_code_and_duplicate_municipality_are_clear_errors(run, db_engine):
    unknown = run("area", "create-municipality", "--name", "เทศบาลสมมุติ", "--kind", "town", "--tambon", "999999")
    assert unknown.exit_code != 0 and "tambon code '999999' is not in the official list" in unknown.output
    run("area", "create-municipality", "--name", "เทศบาลเมืองบ้านไผ่", "--kind", "town", "--tambon", "401002")
    again = run("area", "create-municipality", "--name", "อีกแห่ง", "--kind", "town", "--tambon", "401002")
    assert again.exit_code != 0 and "already exists" in again.output
    assert len(World(db_engine).all(Municipality)) == 1


def test_import_communities_all_or_nothing_with_errors_by_line(run, db_engine):
    run("area", "create-municipality", "--name", "เทศบาลเมืองบ้านไผ่", "--kind", "town", "--tambon", "401002")
    bad = (
        "tambon_code,name,moo,target_households\n"
        "401002,ชุมชนหนองแวง,1,120\n"
        "999999,ชุมชนผี,,10\n"
        "401005,ชุมชนบ้านอื่น,,10\n"
        "401002,ชุมชนหนองแวง,,30\n"
        "401002,ชุมชนตัวเลขผิด,,สิบ\n"
    )
    result = run("area", "import-communities", "-", stdin=bad)
    assert result.exit_code != 0
    assert "line 3: tambon code '999999' is not in the official list" in result.output
    assert "line 4: no municipality has tambon code 401005" in result.output
    assert "line 5: community 'ชุมชนหนองแวง' is listed twice (also on line 2)" in result.output
    assert "line 6: target_households and moo must be whole numbers" in result.output
    assert World(db_engine).all(Community) == []
    good = "tambon_code,name,moo,target_households\n401002,ชุมชนหนองแวง,1,120\n401002,ชุมชนโนนสะอาด,,80\n"
    assert run("area", "import-communities", "-", stdin=good).exit_code == 0
    assert sorted((c.name, c.target_households) for c in World(db_engine).all(Community)) == [("ชุมชนหนองแวง", 120), ("ชุมชนโนนสะอาด", 80)]
    existing = run("area", "import-communities", "-", stdin="tambon_code,name,moo,target_households\n401002,ชุมชนหนองแวง,,5\n")
    assert "line 2: community 'ชุมชนหนองแวง' already exists in เทศบาลเมืองบ้านไผ่" in existing.output


def test_invite_create_prints_a_code_that_registers(run, db_engine, line_user):
    run("area", "create-municipality", "--name", "เทศบาลเมืองบ้านไผ่", "--kind", "town", "--tambon", "401002")
    run("area", "add-community", "--tambon", "401002", "--name", "ชุมชนหนองแวง", "--target", "120")
    result = run("invite", "create", "--role", "volunteer", "--tambon", "401002", "--community", "ชุมชนหนองแวง", "--uses", "3")
    assert result.exit_code == 0, result.output
    code = result.output.split()[0]
    [invite] = World(db_engine).all(InviteCode)
    assert (invite.role, invite.max_uses, invite.community_id is not None) == ("volunteer", 3, True)
    assert [e.action for e in World(db_engine).all(AuditEntry)] == ["municipality.create", "community.create", "invite.create"]
    chat = line_user()
    chat.say("ลงทะเบียน")
    assert "ชุมชนหนองแวง, เทศบาลเมืองบ้านไผ่" in chat.say(code).text
    missing = run("invite", "create", "--role", "volunteer", "--tambon", "401002", "--community", "ไม่มีชุมชนนี้")
    assert missing.exit_code != 0 and "has no community named" in missing.output


def test_richmenu_creates_uploads_and_links_per_role_through_line_api(run, db_engine, line_api, line_user):
    world = World(db_engine)
    m = world.municipality()
    world.invite(m, "ABCD2345", role="supervisor")
    already = line_user()
    world.person("volunteer", m, None, line_user_id=already.user_id)
    revisiting = line_user()  # a sub-district municipality's volunteer: the menu with Re-X-ray
    world.person("volunteer", world.municipality("เทศบาลตำบลเมืองเพีย", "401005", "subdistrict"), None, line_user_id=revisiting.user_id)
    result = run("richmenu")
    assert result.exit_code == 0, result.output
    # One schema-checked create and one PNG per role; the line_api fixture fails on anything LINE refuses.
    assert len(line_api.calls("richmenu")) == 6
    menus = {body["name"]: menu_id for menu_id, body in line_api.rich_menus.items()}
    assert set(menus) == {"thaiqm-guest", "thaiqm-volunteer", "thaiqm-volunteer_rexray", "thaiqm-supervisor", "thaiqm-admin", "thaiqm-household"}
    for menu_id, body in line_api.rich_menus.items():
        image = Image.open(io.BytesIO(line_api.rich_menu_images[menu_id]))
        assert image.format == "PNG" and image.size == (body["size"]["width"], body["size"]["height"])
        assert len(line_api.rich_menu_images[menu_id]) < 1_000_000
    volunteer_menu = line_api.rich_menus[menus["thaiqm-volunteer"]]
    assert [a["action"]["text"] for a in volunteer_menu["areas"]] == ["สำรวจ", "ทำต่อ", "รายการของฉัน", "วิธีใช้"]
    assert line_api.default_rich_menu == menus["thaiqm-guest"]
    assert line_api.user_rich_menus[already.user_id] == menus["thaiqm-volunteer"]
    assert line_api.user_rich_menus[revisiting.user_id] == menus["thaiqm-volunteer_rexray"]
    rexray_menu = line_api.rich_menus[menus["thaiqm-volunteer_rexray"]]
    assert [a["action"]["text"] for a in rexray_menu["areas"]] == ["รีเอกซเรย์", "สำรวจ", "ทำต่อ", "รายการของฉัน", "วิธีใช้"]
    assert {row.role: row.line_rich_menu_id for row in world.all(RichMenu)}["supervisor"] == menus["thaiqm-supervisor"]
    # A new registration links that person's role menu.
    chat = line_user()
    for text in ("ลงทะเบียน", "ABCD2345", "สมปอง ดูแลดี", "0431234567", "ยืนยัน"):
        chat.say(text)
    assert line_api.user_rich_menus[chat.user_id] == menus["thaiqm-supervisor"]
    link_calls = [r for r in line_api.requests if r.path == f"/v2/bot/user/{chat.user_id}/richmenu/{menus['thaiqm-supervisor']}"]
    assert [r.status for r in link_calls] == [200]


def test_richmenu_without_a_thai_font_fails_clearly(run, tmp_path):
    result = run("richmenu", "--font", str(tmp_path / "missing.ttf"))
    assert result.exit_code != 0 and "does not exist" in result.output


def test_a_thai_font_is_installed():
    # `.ci/run` installs fonts-tlwg-loma-ttf; without it `thaiqm-bot richmenu` cannot draw labels.
    assert find_thai_font().suffix == ".ttf"


def test_set_role_and_activate_are_audited(run, db_engine):
    world = World(db_engine)
    m = world.municipality()
    pid = world.person("volunteer", m, None, active=False)
    listing = run("person", "list", "--tambon", "401002")
    assert f"{pid}\tvolunteer\t-\tdeactivated" in listing.output
    assert "สมหญิง" not in listing.output  # no names on the operator's terminal or in shell history
    assert run("person", "set-role", str(pid), "supervisor").exit_code == 0
    assert run("person", "activate", str(pid)).exit_code == 0
    from storage.models import Person

    changed = world.get(Person, pid)
    assert (changed.role, changed.active, changed.volunteer_type) == ("supervisor", True, None)
    entries = [(e.action, e.subject_person_id, e.details) for e in world.all(AuditEntry)]
    assert entries == [("role.change", pid, {"old_role": "volunteer", "new_role": "supervisor"}), ("person.activate", pid, None)]
    assert run("person", "activate", "9999").exit_code != 0


def test_deactivate_stops_a_person_takes_their_menu_away_and_is_audited(run, db_engine, line_api, line_user):
    world = World(db_engine)
    m = world.municipality()
    chat = line_user()
    pid = world.person("volunteer", m, None, line_user_id=chat.user_id)
    assert run("richmenu").exit_code == 0 and chat.user_id in line_api.user_rich_menus
    result = run("person", "deactivate", str(pid))
    assert result.exit_code == 0 and f"person {pid} is deactivated" in result.output
    from storage.models import Person

    assert world.get(Person, pid).active is False
    assert chat.user_id not in line_api.user_rich_menus  # the guest menu again
    assert [(e.action, e.subject_person_id, e.actor_person_id) for e in world.all(AuditEntry)] == [("person.deactivate", pid, None)]
    assert run("person", "deactivate", str(pid)).exit_code == 0  # once stopped, nothing more is recorded
    assert len(world.all(AuditEntry)) == 1
