"""Store and Library with ArcticDB's names and signatures (docs/python.md lists the differences)."""

import collections
import datetime
import json
import numbers

import numpy as np
import pandas as pd

from . import _native
from ._frames import arrays_to_frame, frame_to_arrays
from .errors import invalid, not_found


class VersionedItem:
    """What reads and writes return, as in ArcticDB: symbol, library, data (a DataFrame for
    reads, None for writes), version, metadata and timestamp (ns since the epoch, UTC, when the
    version was written)."""

    __slots__ = ("symbol", "library", "data", "version", "metadata", "timestamp")

    def __init__(self, symbol, library, data, version, metadata=None, timestamp=None):
        self.symbol = symbol
        self.library = library
        self.data = data
        self.version = version
        self.metadata = metadata
        self.timestamp = timestamp

    def __repr__(self):
        return (f"VersionedItem(symbol={self.symbol!r}, library={self.library!r}, "
                f"version={self.version}, metadata={self.metadata!r}, "
                f"timestamp={self.timestamp})")


SymbolVersion = collections.namedtuple("SymbolVersion", ["symbol", "version"])
VersionInfo = collections.namedtuple("VersionInfo", ["date", "deleted", "snapshots"])


def _ns(value, what):
    """int64 ns UTC of a datetime / pd.Timestamp / np.datetime64 / date string; tz-naive = UTC."""
    if isinstance(value, numbers.Integral) and not isinstance(value, bool):
        raise invalid(f"{what} must be a datetime or pd.Timestamp, got the integer {value}")
    try:
        ts = pd.Timestamp(value)
    except (TypeError, ValueError) as error:
        raise invalid(f"{what} {value!r} is not a time: {error}") from None
    if ts is pd.NaT:
        raise invalid(f"{what} is NaT")
    if ts.tzinfo is None:
        ts = ts.tz_localize("UTC")
    return int(ts.value)


def _date_range(date_range):
    """(start ns or None, end ns or None) from a (start, end) tuple whose ends may be None."""
    if date_range is None:
        return None, None
    if isinstance(date_range, (str, bytes)) or len(date_range) != 2:
        raise invalid(f"date_range must be a (start, end) tuple, got {date_range!r}")
    start, end = date_range
    return (None if start is None else _ns(start, "date_range start"),
            None if end is None else _ns(end, "date_range end"))


def _as_of(as_of):
    if as_of is None:
        return "latest", None
    if isinstance(as_of, bool):
        raise invalid(f"as_of must be a version number, snapshot name or time, got {as_of!r}")
    if isinstance(as_of, numbers.Integral):
        if as_of < 0:
            raise invalid(f"as_of version {as_of} is negative")
        return "version", int(as_of)
    if isinstance(as_of, str):
        return "snapshot", as_of
    if isinstance(as_of, (datetime.datetime, pd.Timestamp, np.datetime64)):
        return "time", _ns(as_of, "as_of")
    raise invalid(f"as_of must be a version number, snapshot name or time, got "
                  f"{type(as_of).__name__}")


# ArcticDB options tandem accepts only at the value that changes nothing here (so an ArcticDB
# notebook that passes them explicitly still runs); any other option, or another value, is
# refused rather than silently ignored.
_NO_OP_OPTIONS = {"validate_index": True, "staged": False, "lazy": False, "output_format": None,
                  "library_options": None, "encoding_version": None,
                  "recursive_normalizers": None, "pickle_on_failure": False}


def _no_other_options(options, where):
    for key, value in options.items():
        if key in _NO_OP_OPTIONS and value == _NO_OP_OPTIONS[key]:
            continue
        raise invalid(f"option {key}={value!r} is not supported by tandem (docs/python.md, "
                      "\"ArcticDB's API\")", where)


def _metadata_text(metadata):
    if metadata is None:
        return None
    try:
        return json.dumps(metadata)
    except (TypeError, ValueError) as error:
        raise invalid(f"metadata must be JSON-serialisable (dict, list, str, numbers): "
                      f"{error}") from None


def _metadata_value(text):
    return json.loads(text) if text else None


class Library:
    """One library of a store. Safe to use from several threads; the GIL is released while the
    store reads, writes and decodes."""

    def __init__(self, native, store_uri):
        self._lib = native
        self._uri = store_uri

    @property
    def name(self):
        return self._lib.name

    def __repr__(self):
        return f"Library({self._uri!r}, {self.name!r})"

    def _where(self, symbol):
        return f"{self.name}/{symbol}"

    def _item(self, symbol, version, data=None, metadata=None, timestamp=None):
        return VersionedItem(symbol, self.name, data, version, metadata, timestamp)

    # --- writing ---------------------------------------------------------------------------

    def write(self, symbol, data, metadata=None, prune_previous_versions=False, **options):
        _no_other_options(options, self._where(symbol))
        index, columns = frame_to_arrays(data, self._where(symbol))
        version = self._lib.write(symbol, index, columns, _metadata_text(metadata))
        if prune_previous_versions:
            self._lib.prune_previous_versions(symbol)
        return self._item(symbol, version, metadata=metadata)

    def append(self, symbol, data, metadata=None, prune_previous_versions=False, **options):
        _no_other_options(options, self._where(symbol))
        index, columns = frame_to_arrays(data, self._where(symbol))
        version = self._lib.append(symbol, index, columns, _metadata_text(metadata))
        if prune_previous_versions:
            self._lib.prune_previous_versions(symbol)
        return self._item(symbol, version, metadata=metadata)

    def update(self, symbol, data, metadata=None, upsert=False, date_range=None,
               prune_previous_versions=False, **options):
        """Replaces the stored rows from data's first to last timestamp with data's rows; with
        date_range, the stored rows in that range go too (a deletion version, then the update)."""
        _no_other_options(options, self._where(symbol))
        index, columns = frame_to_arrays(data, self._where(symbol))
        if not upsert and not self._lib.has_symbol(symbol):
            raise not_found("no such symbol (pass upsert=True to create it)", self._where(symbol))
        if date_range is not None:
            start, end = _date_range(date_range)
            start = np.iinfo(np.int64).min if start is None else start
            end = np.iinfo(np.int64).max if end is None else end
            if len(index):
                start, end = min(start, int(index[0])), max(end, int(index[-1]))
            if self._lib.has_symbol(symbol):
                self._lib.delete_range(symbol, start, end, None)
        version = self._lib.update(symbol, index, columns, _metadata_text(metadata))
        if prune_previous_versions:
            self._lib.prune_previous_versions(symbol)
        return self._item(symbol, version, metadata=metadata)

    def delete(self, symbol, versions=None):
        if versions is not None:
            raise invalid("deleting single versions is not supported; delete the symbol, or "
                          "prune_previous_versions to keep only the latest", self._where(symbol))
        self._lib.delete_symbol(symbol)

    def delete_data_in_range(self, symbol, date_range, prune_previous_versions=False):
        start, end = _date_range(date_range)
        start = np.iinfo(np.int64).min if start is None else start
        end = np.iinfo(np.int64).max if end is None else end
        version = self._lib.delete_range(symbol, start, end, None)
        if prune_previous_versions:
            self._lib.prune_previous_versions(symbol)
        return self._item(symbol, version)

    # --- reading ---------------------------------------------------------------------------

    def _read(self, symbol, as_of=None, date_range=None, columns=None, head=None, tail=None):
        kind, value = _as_of(as_of)
        start, end = _date_range(date_range)
        if columns is not None:
            if isinstance(columns, str):
                columns = [columns]
            columns = list(columns)
        index, cols, version, metadata, written_at = self._lib.read(
            symbol, kind, value, start, end, columns, head, tail)
        frame = arrays_to_frame(index, cols)
        if columns is not None:
            frame = frame[columns] if list(frame.columns) != columns else frame
        return self._item(symbol, version, frame, _metadata_value(metadata), written_at)

    def read(self, symbol, as_of=None, date_range=None, row_range=None, columns=None,
             query_builder=None, **options):
        _no_other_options(options, self._where(symbol))
        if row_range is not None or query_builder is not None:
            raise invalid("row_range and query_builder are not supported; use date_range, "
                          "columns, head or tail", self._where(symbol))
        return self._read(symbol, as_of, date_range, columns)

    def head(self, symbol, n=5, as_of=None, columns=None, **options):
        _no_other_options(options, self._where(symbol))
        if n < 0:
            raise invalid(f"head n={n} is negative", self._where(symbol))
        return self._read(symbol, as_of, None, columns, head=n)

    def tail(self, symbol, n=5, as_of=None, columns=None, **options):
        _no_other_options(options, self._where(symbol))
        if n < 0:
            raise invalid(f"tail n={n} is negative", self._where(symbol))
        return self._read(symbol, as_of, None, columns, tail=n)

    def read_metadata(self, symbol, as_of=None, **options):
        _no_other_options(options, self._where(symbol))
        kind, value = _as_of(as_of)
        _, _, version, metadata, written_at = self._lib.read(symbol, kind, value, None, None, [],
                                                             None, 0)
        return self._item(symbol, version, None, _metadata_value(metadata), written_at)

    # --- symbols, versions, snapshots -----------------------------------------------------

    def list_symbols(self, snapshot_name=None, regex=None, **options):
        _no_other_options(options, self.name)
        if snapshot_name is not None:
            symbols = [s for s, _ in self._lib.snapshot_versions(snapshot_name)]
        else:
            symbols = self._lib.list_symbols()
        if regex is not None:
            import re

            pattern = re.compile(regex)
            symbols = [s for s in symbols if pattern.search(s)]
        return symbols

    def has_symbol(self, symbol, as_of=None):
        if as_of is None:
            return self._lib.has_symbol(symbol)
        try:
            self.read_metadata(symbol, as_of=as_of)
            return True
        except KeyError:
            return False

    def list_versions(self, symbol=None, snapshot=None, latest_only=False, skip_snapshots=False):
        """{SymbolVersion(symbol, version): VersionInfo(date, deleted, snapshots)}, newest first.
        date is a UTC pd.Timestamp; deleted is always False (tandem keeps no deleted versions)."""
        symbols = [symbol] if symbol is not None else self._lib.list_symbols()
        in_snapshots = collections.defaultdict(list)
        if not skip_snapshots:
            for name, _, _, _ in self._lib.list_snapshots():
                for sym, version in self._lib.snapshot_versions(name):
                    in_snapshots[(sym, version)].append(name)
        if snapshot is not None:
            wanted = set(self._lib.snapshot_versions(snapshot))
        out = {}
        for sym in symbols:
            versions = self._lib.list_versions(sym)
            if latest_only:
                versions = versions[:1]
            for version, _kind, written_at, _rows, _added, _meta in versions:
                if snapshot is not None and (sym, version) not in wanted:
                    continue
                out[SymbolVersion(sym, version)] = VersionInfo(
                    pd.Timestamp(written_at, tz="UTC"), False, in_snapshots.get((sym, version),
                                                                               []))
        return out

    def snapshot(self, snapshot_name, metadata=None, skip_symbols=None, versions=None):
        if skip_symbols or versions:
            raise invalid("snapshots record the latest version of every symbol; skip_symbols "
                          "and versions are not supported", self.name)
        self._lib.snapshot(snapshot_name, _metadata_text(metadata))

    def list_snapshots(self, load_metadata=True):
        """{snapshot name: metadata} (sorted by name)."""
        return {name: (_metadata_value(meta) if load_metadata else None)
                for name, _, _, meta in self._lib.list_snapshots()}

    def delete_snapshot(self, snapshot_name):
        self._lib.delete_snapshot(snapshot_name)

    def prune_previous_versions(self, symbol):
        self._lib.prune_previous_versions(symbol)


class Store:
    """A tandem store opened from a URI: lmdb://PATH, mem://[NAME], s3://HOST:PORT:BUCKET?...
    (docs/store.md). `tandem.Arctic` is the same class."""

    def __init__(self, uri, **options):
        _no_other_options(options, uri)
        self._store = _native.Store(uri)

    def __repr__(self):
        return f"Store({self.get_uri()!r})"

    def get_uri(self):
        return self._store.uri

    def list_libraries(self):
        return self._store.list_libraries()

    def has_library(self, name):
        return self._store.has_library(name)

    def create_library(self, name, library_options=None, **options):
        _no_other_options({"library_options": library_options, **options}, name)
        return Library(self._store.create_library(name), self.get_uri())

    def get_library(self, name, create_if_missing=False, **options):
        _no_other_options(options, name)
        native = self._store.library(name) if create_if_missing else \
            self._store.existing_library(name)
        return Library(native, self.get_uri())

    def __getitem__(self, name):
        return self.get_library(name)

    def __contains__(self, name):
        return self.has_library(name)

    def delete_library(self, name):
        self._store.delete_library(name)
