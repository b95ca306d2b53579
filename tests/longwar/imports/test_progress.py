import io

from longwar.imports.progress import Progress


class Terminal(io.StringIO):
    def isatty(self):
        return True


def test_plain_lines_when_the_output_is_not_a_terminal():
    out = io.StringIO()
    progress = Progress(total_bytes=1000, stream=out, label="site.xml", every=0)
    progress.advance(items=40, position=250)
    progress.close()
    line = out.getvalue()
    assert line.startswith("site.xml:  25% of the file, 40 items, ")
    assert line.endswith(" s left\n")
    assert "\r" not in line


def test_a_bar_with_items_rate_and_time_left_on_a_terminal():
    out = Terminal()
    progress = Progress(total_bytes=1000, stream=out, label="site.xml")
    progress.advance(items=40, position=500)
    progress.close()
    shown = out.getvalue()
    assert "\r" in shown
    assert "site.xml:  50%|" in shown
    assert "40 items" in shown
    assert "/s" in shown
    assert "<" in shown


def test_quiet_runs_print_nothing():
    out = Terminal()
    progress = Progress(total_bytes=1000, stream=out, label="site.xml", enabled=False)
    progress.advance(items=1, position=1000)
    progress.close()
    assert out.getvalue() == ""
