"""Long lists stay within LINE's text and message limits."""

from __future__ import annotations

from bot.chat.listing import chunk_lines


def test_long_list_is_split_under_the_text_limit_and_counts_what_is_left_out():
    lines = [f"[{i}] อาสาสมัคร ทดสอบ{i} (ชุมชนตัวอย่างที่มีชื่อยาวมาก): วันนี้ 0 ทั้งหมด 0" for i in range(1000)]
    texts, left_out = chunk_lines(lines)
    assert len(texts) == 4
    assert all(len(text) <= 4500 for text in texts)
    shown = sum(text.count("\n") + 1 for text in texts)
    assert shown + left_out == 1000 and left_out > 0


def test_short_list_is_one_text():
    assert chunk_lines(["a", "b"]) == (["a\nb"], 0)
