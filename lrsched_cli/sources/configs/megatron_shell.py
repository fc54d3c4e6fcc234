"""Megatron-LM launch scripts read, never run: the words bash would pass to ``pretrain_*.py``.

:func:`launch` splits the text with :mod:`shlex` (bash's quoting; comments and line
continuations removed first), records the script's literal variables (``X=8``,
``export X=8``, ``X=${X:-8}``, ``$((A * B))`` of literal integers) and arrays
(``ARGS=(--lr 3e-4 ...)``, ``ARGS+=(...)``), and expands ``$X``, ``${X}``, ``${ARGS[@]}`` in
every later command. The training command is the one that runs a ``.py`` file: the words
after it are Megatron's flags, the words before it the launcher's (``torchrun
--nproc_per_node N --nnodes M``: world size ``N x M``). A file that is only flags is those
flags. Anything bash would compute at run time (``$(...)``, a variable the script does not
set) stays unresolved text, which the flag reader refuses where a flag needs it. Imports the
standard library and errors only.
"""

from __future__ import annotations

import ast
import re
import shlex
from dataclasses import dataclass, field

from ...errors import UsageError

_VAR = re.compile(r"\$(?:\{(\w+)(?:(:?[-=])([^}]*))?\}|(\w+))")
_ARRAY = re.compile(r"^\$\{(\w+)\[[@*]\]\}$")
_ASSIGN = re.compile(r"^(\w+)(\+?)=(.*)$", re.S)
_SEPARATORS = ("\n", ";", "&&", "||", "|", "&")
_KEYWORDS = ("export", "local", "declare", "readonly")
UNRESOLVED = "$"  # a word still holding it was not literal


@dataclass
class Launch:
    """What a script or flags file passes to Megatron: its argv, and the launcher's world
    size where it says one (``world_from`` tells where it came from)."""

    argv: list[str]
    world_size: int | None = None
    world_from: str = ""
    launcher: list[str] = field(default_factory=list)


def launch(text: str, file_name: str) -> Launch:
    words = _tokens(text, file_name)
    scalars: dict[str, str] = {}
    arrays: dict[str, list[str]] = {}
    commands: list[list[str]] = []
    i, current = 0, []
    while i < len(words):
        w = words[i]
        if w in _SEPARATORS:
            if current:
                commands.append(current)
            current, i = [], i + 1
            continue
        m = _ASSIGN.match(w)
        if m and not current and not w.startswith("-"):
            name, append, value = m.groups()
            if value == "" and i + 1 < len(words) and words[i + 1] == "(":
                j = i + 2
                items: list[str] = []
                while j < len(words) and words[j] != ")":
                    if words[j] != "\n":
                        items += _expand(words[j], scalars, arrays)
                    j += 1
                arrays[name] = (arrays.get(name, []) if append else []) + items
                i = j + 1
                continue
            if value.endswith("$") and i + 1 < len(words) and words[i + 1] == "(":
                value, i = _substitution(value[:-1], words, i + 1, scalars, arrays)
            else:
                i += 1
            value = " ".join(_expand(value, scalars, arrays)) if value else ""
            if UNRESOLVED not in value:
                scalars[name] = value
            else:
                scalars.pop(name, None)
            continue
        if w in _KEYWORDS and not current:
            i += 1
            continue
        if w.endswith("$") and i + 1 < len(words) and words[i + 1] == "(":
            value, i = _substitution(w[:-1], words, i + 1, scalars, arrays)
            current.append(value)
            continue
        current += _expand(w, scalars, arrays)
        i += 1
    if current:
        commands.append(current)
    runs = [c for c in commands if any(x.endswith(".py") for x in c)]
    if runs:
        best = max(runs, key=lambda c: sum(x.startswith("--lr") or x.startswith("--train-")
                                           for x in c))
        at = next(k for k, x in enumerate(best) if x.endswith(".py"))
        out = Launch(best[at + 1:], launcher=best[:at])
        _world(out)
        return out
    flags = [x for c in commands if c[0].startswith("--") for x in c]
    if flags:
        return Launch(flags, world_from="")
    return Launch([x for a in arrays.values() for x in a])


def _world(out: Launch) -> None:
    """torchrun / torch.distributed.run|launch: --nproc_per_node x --nnodes (each 1 by
    default); plain python: one process; any other launcher: unknown."""
    words = out.launcher
    if not words:
        return
    torch = any(x.endswith("torchrun") or x.startswith("torch.distributed.") for x in words)
    if not torch:
        if words[-1].startswith("python") or words[-1].endswith("/python"):
            out.world_size, out.world_from = 1, "the script runs one python process"
        return
    found = {"nproc": "1", "nnodes": "1"}
    for k, x in enumerate(words):
        name, eq, value = x.partition("=")
        key = {"--nproc_per_node": "nproc", "--nproc-per-node": "nproc",
               "--nnodes": "nnodes"}.get(name)
        if key is not None:
            found[key] = value if eq else (words[k + 1] if k + 1 < len(words) else "")
    if all(v.isdigit() for v in found.values()):
        out.world_size = int(found["nproc"]) * int(found["nnodes"])
        out.world_from = (f"the script's launcher: --nproc_per_node {found['nproc']} x "
                          f"--nnodes {found['nnodes']}")


def _tokens(text: str, file_name: str) -> list[str]:
    text = _without_comments(text.replace("\\\r\n", " ").replace("\\\n", " "))
    lex = shlex.shlex(text, posix=True, punctuation_chars="();|&\n")
    lex.whitespace = " \t\r"
    lex.whitespace_split = True
    lex.commenters = ""
    try:
        raw = list(lex)
    except ValueError as e:
        raise UsageError(f"megatron: '{file_name}' cannot be split as shell words: {e}") \
            from None
    out: list[str] = []
    for w in raw:
        if w and all(ch in "();|&\n" for ch in w):
            k = 0
            while k < len(w):
                if w[k:k + 2] in ("&&", "||"):
                    out.append(w[k:k + 2])
                    k += 2
                else:
                    out.append(w[k])
                    k += 1
        else:
            out.append(w)
    return out


def _without_comments(text: str) -> str:
    """Drop ``# ...`` to the end of the line where bash starts a comment: at the start of a
    word, outside quotes."""
    out, quote, k = [], "", 0
    while k < len(text):
        ch = text[k]
        if quote:
            if ch == "\\" and quote == '"' and k + 1 < len(text):
                out.append(text[k:k + 2])
                k += 2
                continue
            if ch == quote:
                quote = ""
        elif ch in "'\"":
            quote = ch
        elif ch == "\\" and k + 1 < len(text):
            out.append(text[k:k + 2])
            k += 2
            continue
        elif ch == "#" and (k == 0 or text[k - 1] in " \t\n;&|()"):
            end = text.find("\n", k)
            k = len(text) if end < 0 else end
            continue
        out.append(ch)
        k += 1
    return "".join(out)


def _expand(word: str, scalars: dict[str, str], arrays: dict[str, list[str]]) -> list[str]:
    """The words ``word`` becomes: an array spliced, variables substituted where literal."""
    m = _ARRAY.match(word)
    if m:
        return list(arrays.get(m.group(1), [f"{UNRESOLVED}{{{m.group(1)}[@]}}"]))

    def sub(v: re.Match[str]) -> str:
        name = v.group(1) or v.group(4)
        if name in scalars:
            if v.group(2) and v.group(2).startswith(":") and scalars[name] == "":
                return v.group(3)
            return scalars[name]
        if name in arrays and arrays[name]:
            return arrays[name][0]
        if v.group(2) is not None and UNRESOLVED not in v.group(3):
            return v.group(3)
        return v.group(0)

    return [_VAR.sub(sub, word)]


def _substitution(prefix: str, words: list[str], at: int, scalars: dict[str, str],
                  arrays: dict[str, list[str]]) -> tuple[str, int]:
    """``$(( ... ))`` of literal integers evaluated; ``$( ... )`` left unresolved. Returns
    the word and the index after its closing parenthesis."""
    depth, j, inner = 0, at, []
    while j < len(words):
        if words[j] == "(":
            depth += 1
        elif words[j] == ")":
            depth -= 1
            if depth == 0:
                break
        inner.append(words[j])
        j += 1
    body = inner[1:]
    if body and body[0] == "(":
        expr = " ".join(x for w in body[1:] if w not in ("(", ")")
                        for x in _expand(w, scalars, arrays))
        value = _arithmetic(expr, scalars)
        if value is not None:
            return prefix + str(value), j + 1
    return prefix + UNRESOLVED + "(...)", j + 1


def _arithmetic(expr: str, scalars: dict[str, str]) -> int | None:
    """Bash's integer arithmetic on literals and the script's integer variables."""
    try:
        tree = ast.parse(expr.strip(), mode="eval")
    except SyntaxError:
        return None

    def ev(n: ast.AST) -> int:
        if isinstance(n, ast.Constant) and isinstance(n.value, int):
            return n.value
        if isinstance(n, ast.Name) and scalars.get(n.id, "").lstrip("-").isdigit():
            return int(scalars[n.id])
        if isinstance(n, ast.BinOp) and isinstance(n.op, (ast.Add, ast.Sub, ast.Mult,
                                                          ast.FloorDiv, ast.Div, ast.Mod)):
            a, b = ev(n.left), ev(n.right)
            if isinstance(n.op, ast.Add):
                return a + b
            if isinstance(n.op, ast.Sub):
                return a - b
            if isinstance(n.op, ast.Mult):
                if abs(a) > 2 ** 62 or abs(b) > 2 ** 62:
                    raise ValueError
                return a * b
            if b == 0:
                raise ValueError
            return a % b if isinstance(n.op, ast.Mod) else int(a / b)
        raise ValueError

    try:
        return ev(tree.body)
    except (ValueError, RecursionError):
        return None
