"""The work tree of a node visit: groups open when reachable, OR decides, SEQ goes in order."""

from __future__ import annotations

from shenpi.engine import worktree


class Book:
    def __init__(self) -> None:
        self.opened: list[tuple[str, str]] = []
        self.closed: list[str] = []

    def open(self, user_id: str, task_type: str) -> str:
        self.opened.append((user_id, task_type))
        return f"{user_id}#{len(self.opened)}"

    def close(self, task_id: str) -> None:
        self.closed.append(task_id)


def approve(tree: worktree.Group, task_id: str, book: Book) -> bool:
    leaf, _ = worktree.find(tree, task_id)
    assert leaf is not None
    leaf.done = True
    return worktree.settle(tree, book.open, book.close)


def test_and_of_lanes_opens_every_lane_head() -> None:
    book = Book()
    tree = worktree.node_tree([["a", "b"], ["c"]], "all", "AND")
    assert worktree.settle(tree, book.open, book.close) is False
    assert book.opened == [("a", "AND"), ("c", "AND")]
    assert approve(tree, "a#1", book) is False
    assert book.opened[-1] == ("b", "AND")
    assert approve(tree, "c#2", book) is False
    assert approve(tree, "b#3", book) is True
    assert book.closed == []


def test_or_of_lanes_closes_the_rest_once_one_lane_is_done() -> None:
    book = Book()
    tree = worktree.node_tree([["a"], ["b", "c"]], "any", "OR")
    worktree.settle(tree, book.open, book.close)
    assert approve(tree, "b#2", book) is False  # lane 2 goes on to c, a may still decide
    assert approve(tree, "a#1", book) is True
    assert book.closed == ["c#3"]


def test_wait_with_any_method_is_done_by_one() -> None:
    book = Book()
    lane = worktree.Group("in_order", [worktree.unopened(["x", "y"], "any", "OR"), worktree.unopened(["z"], "all", "AND")])
    tree = worktree.Group("all", [lane])
    worktree.settle(tree, book.open, book.close)
    assert book.opened == [("x", "OR"), ("y", "OR")]
    approve(tree, "y#2", book)
    assert book.closed == ["x#1"]
    assert book.opened[-1] == ("z", "AND")
    assert worktree.finished(tree) is False


def test_find_and_replace() -> None:
    book = Book()
    tree = worktree.node_tree([["a"]], "all", "AND")
    worktree.settle(tree, book.open, book.close)
    leaf, parent = worktree.find(tree, "a#1")
    assert leaf is not None and parent is not None and parent.rule == "all"
    worktree.replace(parent, leaf, worktree.TaskLeaf("a#1", done=True))
    assert worktree.settle(tree, book.open, book.close) is True
    assert worktree.find(tree, "nope") == (None, None)
