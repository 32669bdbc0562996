"""Progress on demand: the supervisor's Flex view through signed webhooks, and `thaiqm-bot report`."""

from __future__ import annotations

import json

from tests.support.line_chat import dump
from tests.support.progress_seed import seed
from tests.support.survey import flex_components, flex_messages, flex_texts
from tests.support.world import World

SUPERVISOR = "U" + "7" * 32
HOUSEHOLDS = 3000


def expected(households: int, communities: int, community: int | None = None) -> dict[str, int]:
    """What the seeding rule (tests/support/progress_seed.py) makes: surveyed, per-dimension problems, drafts."""
    ranks = [i // communities for i in range(households) if community is None or i % communities == community]
    return {"surveyed": len([k for k in ranks if k % 10 != 8]), "submitted": len([k for k in ranks if k % 10 not in (8, 9)]), "drafts": len([k for k in ranks if k % 10 == 8])}


def test_supervisor_sees_progress_of_sixty_communities_within_lines_limits(line_user, line_api, db_engine):
    seeded = seed(db_engine, communities=60, households=HOUSEHOLDS, supervisor_line_user=SUPERVISOR)
    reply = line_user(SUPERVISOR).say("ความคืบหน้า")
    flex = flex_messages(reply)
    # One reply of at most five messages; every carousel of at most 12 bubbles (the stand-in checks sizes and schema).
    assert 1 <= len(reply.messages) <= 5 and flex, dump(reply)
    assert all(len(m["contents"]["contents"]) <= 12 for m in flex)
    assert all(len(json.dumps(bubble, ensure_ascii=False).encode()) <= 30 * 1024 for m in flex for bubble in m["contents"]["contents"])
    texts = flex_texts(reply)
    want = expected(HOUSEHOLDS, 60)
    target = 60 * (HOUSEHOLDS // 60 + 20)
    assert "ความคืบหน้าการสำรวจ รอบ 2566" in texts
    assert f"{want['surveyed']:,} จาก {target:,} (ร้อยละ {round(100 * want['surveyed'] / target)})" in texts
    assert flex[0]["altText"].startswith(f"ความคืบหน้ารอบ 2566: สำรวจแล้ว {want['surveyed']} จาก {target} ครัวเรือน")
    # Problems by dimension, named in Thai from the form, and by status.
    by_dimension = next(t for t in texts if t.startswith("ปัญหาด้านสุขภาพ: "))
    assert by_dimension.splitlines() == [f"{name}: {want['submitted'] // 5:,}" for name in ("ปัญหาด้านสุขภาพ", "ปัญหาด้านความเป็นอยู่", "ปัญหาด้านการศึกษา", "ปัญหาด้านรายได้", "ปัญหาด้านการเข้าถึงบริการรัฐ")]
    assert f"พบปัญหา ยังไม่ได้ติดตาม: {want['submitted']:,}" in texts
    assert "กำหนดสำรวจให้แล้วเสร็จ" in texts and "15 ม.ค. 2567" in texts
    # Every community, with its own figures and a bar.
    for n in range(60):
        assert f"ชุมชนที่ {n + 1:02d}" in texts
    first = expected(HOUSEHOLDS, 60, community=0)
    per_target = HOUSEHOLDS // 60 + 20
    assert f"{first['surveyed']} จาก {per_target} ครัวเรือน (ร้อยละ {round(100 * first['surveyed'] / per_target)}) ค้างไว้ {first['drafts']} Re-X-ray 0 จาก 0" in texts
    bars = [box for box in flex_components(reply, "box") if box.get("backgroundColor") == "#06C755"]
    assert f"{round(100 * first['surveyed'] / per_target)}%" in [bar["width"] for bar in bars]
    # Today's activity by volunteer name; the volunteer whose drafts sit untouched for ten days, by name.
    assert "ผลการดำเนินงานวันนี้" in texts and any(t.startswith("อาสา ชุมชน") and "(ชุมชนที่" in t for t in texts)
    idle_title = "มีงานค้างไว้ และไม่มีความเคลื่อนไหว 3 วัน"
    assert idle_title in texts
    idle_rows = texts[texts.index(idle_title) + 1 :]
    assert idle_rows[0] == "อาสา ชุมชน01 คนที่1 (ชุมชนที่ 01)" and idle_rows[1].startswith("ค้างไว้ ")
    assert not any(str(v) in texts for v in seeded.volunteer_ids)  # no internal ids


def test_progress_of_one_community_by_name(line_user, line_api, db_engine):
    seed(db_engine, communities=12, households=600, supervisor_line_user=SUPERVISOR)
    reply = line_user(SUPERVISOR).say("ความคืบหน้า ชุมชนที่ 05")
    texts = flex_texts(reply)
    want = expected(600, 12, community=4)
    assert "ชุมชนที่ 05" in texts and "ชุมชนที่ 04" not in texts and "ชุมชนที่ 1 –1 จาก 1 ชุมชน" not in texts
    assert f"{want['surveyed']:,} จาก {600 // 12 + 20:,} (ร้อยละ {round(100 * want['surveyed'] / (600 // 12 + 20))})" in texts
    unknown = line_user(SUPERVISOR).say("ความคืบหน้า ชุมชนไม่มีจริง")
    assert "ไม่พบชุมชนชื่อ “ชุมชนไม่มีจริง” ในพื้นที่ของท่าน" in unknown.text


def test_many_communities_are_summarised_not_cut_off(line_user, line_api, db_engine):
    seed(db_engine, communities=130, households=1300, supervisor_line_user=SUPERVISOR)
    reply = line_user(SUPERVISOR).say("ความคืบหน้า")
    assert len(reply.messages) <= 5 and sum(len(m["contents"]["contents"]) for m in flex_messages(reply)) <= 12
    assert any("แสดง 90 ชุมชนที่ดำเนินการได้น้อยที่สุด จากทั้งหมด 130 ชุมชน" in t for t in flex_texts(reply))


def test_progress_is_the_supervisors_menu_entry_and_not_for_volunteers(line_user, line_api, db_engine):
    world = World(db_engine)
    m = world.municipality()
    world.person("supervisor", m, None, name="ผู้ดูแล หนึ่ง", line_user_id=SUPERVISOR)
    world.person("volunteer", m, world.community(m, "ชุมชนเอ"), name="สมศรี มีสุข", line_user_id="U" + "8" * 32)
    menu = line_user(SUPERVISOR).say("เมนู")
    assert menu.buttons[:2] == ["อนุมัติ", "ความคืบหน้า"]  # after approving, their most frequent task
    reply = line_user(SUPERVISOR).tap_button(menu, "ความคืบหน้า")
    texts = flex_texts(reply)
    assert "0 จาก 100 (ร้อยละ 0)" in texts and "วันนี้ยังไม่มีการส่งแบบสำรวจครัวเรือน" in texts
    assert line_user("U" + "8" * 32).say("ความคืบหน้า").texts == ["ขออภัย ท่านไม่มีสิทธิ์ใช้เมนูนี้"]


def test_report_prints_the_same_progress_with_text_bars(run, db_engine):
    seed(db_engine, communities=4, households=200)
    result = run("report", "--tambon", "401002")
    assert result.exit_code == 0, result.output
    want = expected(200, 4)
    target = 4 * (200 // 4 + 20)
    lines = result.output.splitlines()
    assert lines[0] == "เทศบาลเมืองบ้านไผ่ – round 2566 (survey until 15/1/2567, resolve until 30/9/2567)"
    percent = round(100 * want["surveyed"] / target)
    assert f"households surveyed  {want['surveyed']}/{target}  [{'#' * round(percent / 5)}{'.' * (20 - round(percent / 5))}]  {percent}%" in lines
    assert any(line.startswith("  ชุมชนที่ 01") and "[" in line for line in lines)
    assert f"problems by dimension: ปัญหาด้านสุขภาพ {want['submitted'] // 5}" in result.output
    idle_drafts = len([i for i in range(200) if i % 4 == 0 and (i // 4) % 10 == 8 and (i // 4) % 2 == 0])
    idle = lines.index("no activity for 3 days, drafts waiting:")
    assert lines[idle + 1].startswith(f"  อาสา ชุมชน01 คนที่1 (ชุมชนที่ 01): {idle_drafts} drafts, last active ")
    one = run("report", "--tambon", "401002", "--community", "ชุมชนที่ 02")
    assert "ชุมชนที่ 02" in one.output and "ชุมชนที่ 01" not in one.output
    missing = run("report", "--tambon", "401002", "--community", "ไม่มี")
    assert missing.exit_code != 0 and "no community" in missing.output
