"""Strategies written in Python (docs/strategies.md, "Python strategies").

    class Breakout(tandem.Strategy):
        params = (tandem.Param("lookback", int, 20, "bars in the channel"),)

        def on_bar(self, bar):
            highs = self.history(bar.instrument).highs
            if len(highs) > self.params.lookback and bar.close > highs[-self.params.lookback - 1:-1].max():
                if self.broker.position(bar.contract) == 0:
                    self.broker.place_order(bar.contract, tandem.market_order("BUY"), size=0.5)

The same contract as a C++ strategy (src/strategy/strategy.h): the callbacks run one at a time,
in event order; `self.broker` is the account as this strategy sees it; `self.history(i)` the bars
of instrument i seen so far, never a later one. Parameters are declared on the class and checked
before anything runs, as in C++: an unknown name or a value of the wrong type is an error."""

import re

_TYPES = {int: "int", float: "double", bool: "bool", str: "string"}


class Param:
    """A declared parameter: name, type (int, float, bool or str), default, description."""

    def __init__(self, name, type, default, description=""):
        if not isinstance(name, str) or not re.fullmatch(r"[a-z_][a-z0-9_]*", name):
            raise ValueError(f"parameter name {name!r} must be [a-z_][a-z0-9_]*")
        if type not in _TYPES:
            raise TypeError(f"parameter {name}: type must be int, float, bool or str, got {type!r}")
        if type is float and isinstance(default, int) and not isinstance(default, bool):
            default = float(default)
        if not isinstance(default, type) or (type is int and isinstance(default, bool)):
            raise TypeError(f"parameter {name}: default {default!r} is not of type "
                            f"{type.__name__}")
        self.name, self.type, self.default, self.description = name, type, default, description

    def __repr__(self):
        return f"Param({self.name!r}, {self.type.__name__}, {self.default!r})"


class Params:
    """A strategy's parameter values: self.params.fast, self.params["fast"]."""

    def __init__(self, values, where):
        object.__setattr__(self, "_values", dict(values))
        object.__setattr__(self, "_where", where)

    def __getattr__(self, name):
        try:
            return self._values[name]
        except KeyError:
            raise AttributeError(f"{self._where} declares no parameter {name!r} "
                                 f"(declared: {', '.join(self._values) or 'none'})") from None

    def __getitem__(self, name):
        return self.__getattr__(name)

    def __setattr__(self, name, value):
        raise AttributeError("parameters are read-only during a run")

    def __contains__(self, name):
        return name in self._values

    def as_dict(self):
        return dict(self._values)

    def __repr__(self):
        return f"Params({self._values!r})"


class Strategy:
    """Subclass it and override the callbacks you need (on_bar at least).

    Class attributes: `params` (a sequence of Param), `min_instruments` and `max_instruments`
    (how many symbols one instance trades; 1 and 1 by default), `description`.
    Instance attributes during a run: `key`, `contracts` (and `contract`, the first),
    `params` (the values), `broker`. __init__ (taking no arguments) runs before the run starts
    and may raise to refuse parameter values (e.g. fast >= slow)."""

    params = ()
    min_instruments = 1
    max_instruments = 1
    description = ""

    def __init__(self):
        pass

    def on_start(self):
        """Before the first bar; self.broker is usable."""

    def on_bar(self, bar):
        """A bar closed: bar.time (ns UTC), open, high, low, close, volume, contract, instrument.
        Orders placed here are handled after this call returns."""
        raise NotImplementedError(f"{type(self).__name__} must define on_bar(self, bar)")

    def on_order_status(self, trade):
        """A status change of one of this strategy's orders (trade.order_status.status)."""

    def on_fill(self, trade, fill):
        """An execution of one of this strategy's orders, with its commission report."""

    def on_stop(self):
        """After the last bar (or on shutdown live)."""

    def history(self, instrument=0):
        """The bars of instrument `instrument` up to the current one (len, [i], ago(k), and
        numpy copies: times, opens, highs, lows, closes, volumes); valid during this callback."""
        return self.broker._history(instrument)


def _where(cls):
    module = getattr(cls, "__module__", "?")
    return f"Python strategy {module}.{cls.__qualname__}"


def _describe(cls):
    """(description, [(name, type name, default, description)], min, max) for the C++ side."""
    if not (isinstance(cls, type) and issubclass(cls, Strategy)):
        raise TypeError(f"{cls!r} is not a subclass of tandem.Strategy")
    if cls.on_bar is Strategy.on_bar:
        raise TypeError(f"{cls.__qualname__} does not define on_bar(self, bar)")
    specs = []
    seen = set()
    for param in cls.params:
        if not isinstance(param, Param):
            raise TypeError(f"{cls.__qualname__}.params must hold tandem.Param, got {param!r}")
        if param.name in seen:
            raise ValueError(f"{cls.__qualname__} declares parameter {param.name!r} twice")
        seen.add(param.name)
        specs.append((param.name, _TYPES[param.type], param.default, param.description))
    low, high = int(cls.min_instruments), int(cls.max_instruments)
    if low < 1 or high < low:
        raise ValueError(f"{cls.__qualname__}: min_instruments/max_instruments must satisfy "
                         f"1 <= min <= max, got {low}, {high}")
    return (cls.description or (cls.__doc__ or "").strip().split("\n")[0], specs, low, high)


def _instantiate(cls, key, contracts, values, broker):
    strategy = cls.__new__(cls)
    strategy.key = key
    strategy.contracts = list(contracts)
    strategy.contract = strategy.contracts[0]
    strategy.params = Params(values, _where(cls))
    strategy.broker = broker
    strategy.__init__()
    return strategy


def registry_name(cls):
    """The name a class runs under: its `name` attribute, else its name in snake_case."""
    name = getattr(cls, "name", None) or re.sub(r"(?<!^)(?=[A-Z])", "_", cls.__name__).lower()
    return name
