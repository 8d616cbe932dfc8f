"""Flag parsing in the style of Go's cobra/pflag, with values taken verbatim.

* ``--name value`` and ``--name=value``; ``-`` and ``_`` are the same in names
  (``--aspect-ratio`` == ``--aspect_ratio``).
* A value-taking flag always takes the next token, whatever it looks like: ``--prompt -x``
  means the prompt ``-x``; quotes, newlines and ``$()`` are just data.
* Boolean flags take no value (``--json``) unless written ``--json=false``.
* ``--`` ends flags. Commands with free-form parameters (``generate create``/``cost``) accept
  any ``--<param> <value>``; boolean model parameters may also be given bare (``--sound``).
"""

from __future__ import annotations

from .errors import usage

TRUE_WORDS = frozenset({"true", "1", "t", "yes"})
FALSE_WORDS = frozenset({"false", "0", "f", "no"})


def norm(name: str) -> str:
    return name.replace("-", "_")


def dash(name: str) -> str:
    return name.replace("_", "-")


def parse_bool(text: str, flag: str) -> bool:
    low = text.strip().lower()
    if low in TRUE_WORDS:
        return True
    if low in FALSE_WORDS:
        return False
    raise usage(
        f'invalid argument "{text}" for "--{dash(flag)}" flag: strconv.ParseBool: parsing "{text}": invalid syntax'
    )


class Parsed:
    def __init__(self) -> None:
        self.positionals: list[str] = []
        self.values: dict[str, list[str]] = {}
        self.bools: dict[str, bool] = {}
        self.spelled: dict[str, str] = {}  # normalized -> first spelling typed
        self.order: list[str] = []  # normalized value-flag names in order of appearance

    def value(self, name: str) -> str | None:
        vals = self.values.get(name)
        return vals[-1] if vals else None

    def all(self, name: str) -> list[str]:
        return list(self.values.get(name, []))

    def flag(self, name: str) -> bool:
        return self.bools.get(name, False)

    def has(self, name: str) -> bool:
        return name in self.values or name in self.bools


class FlagSpec:
    def __init__(
        self,
        *,
        bools: frozenset[str] = frozenset(),
        values: frozenset[str] = frozenset(),
        shorts: tuple[tuple[str, str], ...] = (),  # (("q", "quiet"),)
        free_form: bool = False,
        bool_params: frozenset[str] = frozenset(),
    ) -> None:
        self.bools = bools
        self.values = values
        self.shorts = shorts
        self.free_form = free_form
        self.bool_params = bool_params


def parse(tokens: list[str], spec: FlagSpec) -> Parsed:
    out = Parsed()
    shorts = dict(spec.shorts)
    i = 0
    n = len(tokens)
    while i < n:
        tok = tokens[i]
        i += 1
        if tok == "--":
            out.positionals.extend(tokens[i:])
            break
        if tok.startswith("--") and len(tok) > 2:
            body = tok[2:]
            raw_name, eq, inline = body.partition("=")
            name = norm(raw_name)
            out.spelled.setdefault(name, "--" + raw_name)
            if name in spec.bools:
                out.bools[name] = parse_bool(inline, name) if eq else True
                continue
            if name in spec.values or spec.free_form:
                if name in spec.bool_params and not eq:
                    # A boolean model parameter: ``--sound``, ``--sound true`` or ``--sound=false``.
                    if i < n and tokens[i].strip().lower() in TRUE_WORDS | FALSE_WORDS:
                        value = tokens[i]
                        i += 1
                    else:
                        value = "true"
                elif eq:
                    value = inline
                else:
                    if i >= n:
                        raise usage(f"flag needs an argument: --{raw_name}")
                    value = tokens[i]
                    i += 1
                out.values.setdefault(name, []).append(value)
                out.order.append(name)
                continue
            raise usage(f"unknown flag: --{raw_name}")
        if tok.startswith("-") and len(tok) > 1 and not tok.startswith("--"):
            letter = tok[1]
            long = shorts.get(letter)
            if long is None:
                raise usage(f"unknown shorthand flag: '{letter}' in {tok}")
            if long in spec.bools:
                out.bools[long] = True
                continue
            rest = tok[2:]
            if rest.startswith("="):
                rest = rest[1:]
            if not rest:
                if i >= n:
                    raise usage(f"flag needs an argument: '{letter}' in -{letter}")
                rest = tokens[i]
                i += 1
            out.values.setdefault(long, []).append(rest)
            out.order.append(long)
            continue
        out.positionals.append(tok)
    return out
