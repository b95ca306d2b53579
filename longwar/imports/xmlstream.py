"""Read a large XML export one record at a time, in constant memory (lxml's iterparse, clearing as it goes)."""

from collections.abc import Callable, Iterator
from pathlib import Path

from lxml import etree


class ImportFileError(ValueError):
    """A file that cannot be imported; the message starts with `file:line:`."""


def stream(
    path: Path,
    *,
    display: str,
    depth: int,
    check_root: Callable[[etree._Element], None],
    on_bytes: Callable[[int], None] = lambda position: None,
) -> Iterator[etree._Element]:
    """Yield each element `depth` levels below the root once it is complete, then free it.

    `check_root` sees the root element as soon as it opens (its tag and namespaces; no children yet) and
    raises ImportFileError when the file is not what the caller reads. Malformed or truncated XML raises
    ImportFileError naming the line. Entities are not expanded and nothing is fetched from the network.
    """
    with path.open("rb") as source:
        events = etree.iterparse(
            source,
            events=("start", "end"),
            resolve_entities=False,
            no_network=True,
            load_dtd=False,
            remove_comments=True,
            remove_pis=True,
        )
        level = -1
        try:
            for event, element in events:
                if event == "start":
                    level += 1
                    if level == 0:
                        check_root(element)
                    continue
                level -= 1
                if level + 1 == depth:
                    yield element
                    element.clear(keep_tail=False)
                    parent = element.getparent()
                    while parent is not None and element.getprevious() is not None:
                        del parent[0]
                    on_bytes(source.tell())
        except etree.XMLSyntaxError as exc:
            line, column = exc.position
            raise ImportFileError(f"{display}:{line}: malformed XML (column {column}): {exc.msg}") from None
