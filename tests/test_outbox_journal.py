"""The sender's send journal (bot/outbox/journal.py): what a killed run wrote is read back as it was meant,
and two senders on one host never share a file."""

from __future__ import annotations

from bot.outbox.journal import SendJournal


def test_replay_tells_sent_from_tried_and_survives_a_line_cut_by_the_kill(tmp_path):
    path = tmp_path / "outbox-sender.journal"
    path.write_text("w host:7\na 1\ns 1 2\na 2\na 3\nd 3\nw host:8\na 4\ns 4")  # killed while writing "s 4 1"
    journal = SendJournal.take(path)
    state = journal.replay()
    assert state.workers == {"host:7", "host:8"}
    assert state.sent == {1: 2}
    assert state.attempted == {2, 4}  # 3 has its outcome in the database; 4's answer never got written down
    journal.start("host:9")
    journal.attempting(5)
    journal.close()
    assert path.read_text() == "w host:9\na 5\n"


def test_a_second_sender_on_the_host_takes_the_next_file_and_a_freed_one_is_taken_again(tmp_path):
    path = tmp_path / "outbox-sender.journal"
    first, second = SendJournal.take(path), SendJournal.take(path)
    assert (first.path.name, second.path.name) == ("outbox-sender.journal", "outbox-sender.journal.1")
    first.close()  # the process ended (or was killed: the lock goes with it)
    third = SendJournal.take(path)
    assert third.path == path
    second.close()
    third.close()
