"""The ArcticDB-named Store and Library calls on every backend, and errors mapped by kind."""

import numpy as np
import pandas as pd
import pandas.testing as pdt
import pytest

import tandem


def assert_frame_equal(left, right):
    # The store keeps timestamps, not a DatetimeIndex's freq.
    pdt.assert_frame_equal(left, right, check_freq=False)
import tandem as adb  # a notebook written for ArcticDB changes only its import


def frame(start, n, value=0.0):
    idx = pd.date_range(start, periods=n, freq="D", tz="UTC", name="timestamp")
    return pd.DataFrame({"close": np.arange(n, dtype="float64") + value,
                         "volume": np.arange(n, dtype="int64")}, index=idx)


def test_store_calls(store_uri):
    ac = adb.Arctic(store_uri)
    assert adb.Arctic is tandem.Store
    assert ac.get_uri().startswith(store_uri.split("?")[0][:6])
    assert ac.list_libraries() == []
    assert not ac.has_library("prices")
    lib = ac.create_library("prices")
    assert isinstance(lib, tandem.Library) and lib.name == "prices"
    assert ac.has_library("prices") and "prices" in ac
    assert ac.list_libraries() == ["prices"]
    assert ac["prices"].name == "prices"
    assert ac.get_library("other", create_if_missing=True).name == "other"
    assert ac.list_libraries() == ["other", "prices"]
    with pytest.raises(KeyError) as missing:
        ac.get_library("nope")
    assert isinstance(missing.value, tandem.NotFoundError) and "nope" in str(missing.value)
    assert missing.value.kind == "not found"
    with pytest.raises(KeyError):
        ac["nope"]
    with pytest.raises(tandem.ConflictError, match="already exists"):
        ac.create_library("prices")
    with pytest.raises(ValueError, match="library name"):
        ac.create_library("../etc")
    ac.delete_library("other")
    assert ac.list_libraries() == ["prices"]


def test_bad_uri_is_a_value_error():
    with pytest.raises(tandem.InvalidArgumentError, match="unknown store scheme"):
        tandem.Store("ftp://x")
    with pytest.raises(ValueError, match="not a store URI"):
        tandem.Store("nothing")
    with pytest.raises(tandem.InvalidArgumentError, match="bucket"):
        tandem.Store("s3://127.0.0.1:9:b?access_key=a&secret_key=b")


def test_write_append_update_read_head_tail(lib):
    df = frame("2024-01-01", 10)
    item = lib.write("SPY", df, metadata={"source": "test"})
    assert (item.symbol, item.library, item.version, item.metadata) == ("SPY", "lib", 0,
                                                                        {"source": "test"})
    assert lib.list_symbols() == ["SPY"] and lib.has_symbol("SPY") and not lib.has_symbol("QQQ")
    more = frame("2024-01-11", 5, value=100)
    assert lib.append("SPY", more).version == 1
    read = lib.read("SPY")
    assert read.version == 1 and read.metadata == {"source": "test"}  # kept by append
    assert isinstance(read.timestamp, int) and read.timestamp > 0
    assert_frame_equal(read.data, pd.concat([df, more]))
    assert_frame_equal(lib.head("SPY").data, df.iloc[:5])
    assert_frame_equal(lib.tail("SPY", n=3).data, more.iloc[-3:])
    assert_frame_equal(lib.head("SPY", n=2, columns=["volume"]).data, df[["volume"]].iloc[:2])
    # update: rows from the new data's first to last timestamp are replaced.
    patch = frame("2024-01-03", 2, value=1000)
    assert lib.update("SPY", patch).version == 2
    got = lib.read("SPY").data
    assert got["close"]["2024-01-03":"2024-01-04"].tolist() == [1000.0, 1001.0]
    assert len(got) == 15
    assert lib.read_metadata("SPY").metadata == {"source": "test"}
    assert lib.read_metadata("SPY").data is None


def test_append_refuses_older_rows_and_type_changes(lib):
    lib.write("s", frame("2024-01-10", 3))
    with pytest.raises(tandem.ConflictError, match="append refused"):
        lib.append("s", frame("2024-01-01", 1))
    bad = frame("2024-02-01", 1)
    bad["volume"] = bad["volume"].astype("float64")
    with pytest.raises(ValueError, match='column "volume"'):
        lib.append("s", bad)
    assert lib.read("s").version == 0


def test_update_with_date_range_and_upsert(lib):
    lib.write("s", frame("2024-01-01", 10))
    patch = frame("2024-01-05", 1, value=50)
    lib.update("s", patch, date_range=(pd.Timestamp("2024-01-04"), pd.Timestamp("2024-01-07")))
    got = lib.read("s").data
    assert got.index.strftime("%d").tolist() == ["01", "02", "03", "05", "08", "09", "10"]
    assert got["close"]["2024-01-05"] == 50
    with pytest.raises(KeyError, match="upsert"):
        lib.update("new", patch)
    lib.update("new", patch, upsert=True)
    assert lib.has_symbol("new")


def test_delete_and_delete_data_in_range(lib):
    lib.write("s", frame("2024-01-01", 10))
    item = lib.delete_data_in_range("s", (pd.Timestamp("2024-01-03"), None))
    assert item.version == 1 and len(lib.read("s").data) == 2
    lib.delete_data_in_range("s", (None, "2024-01-01"))
    assert lib.read("s").data.index.strftime("%d").tolist() == ["02"]
    lib.delete("s")
    assert not lib.has_symbol("s") and lib.list_symbols() == []
    with pytest.raises(tandem.NotFoundError):
        lib.read("s")
    with pytest.raises(KeyError, match="no such symbol"):
        lib.delete_data_in_range("s", (None, None))


def test_snapshots_and_list_versions(lib):
    lib.write("a", frame("2024-01-01", 3), metadata={"v": 0})
    lib.write("b", frame("2024-01-01", 1))
    lib.snapshot("snap1", metadata={"why": "eod"})
    lib.append("a", frame("2024-01-04", 1))
    assert lib.list_snapshots() == {"snap1": {"why": "eod"}}
    versions = lib.list_versions("a")
    assert list(versions) == [adb.SymbolVersion("a", 1), adb.SymbolVersion("a", 0)]
    assert versions[adb.SymbolVersion("a", 0)].snapshots == ["snap1"]
    assert versions[adb.SymbolVersion("a", 1)].snapshots == []
    assert isinstance(versions[adb.SymbolVersion("a", 1)].date, pd.Timestamp)
    assert set(lib.list_versions()) == {("a", 1), ("a", 0), ("b", 0)}
    assert set(lib.list_versions(snapshot="snap1")) == {("a", 0), ("b", 0)}
    assert lib.list_symbols(snapshot_name="snap1") == ["a", "b"]
    assert lib.list_symbols(regex="^a") == ["a"]
    assert len(lib.read("a", as_of="snap1").data) == 3
    assert lib.has_symbol("a", as_of="snap1") and not lib.has_symbol("zz", as_of="snap1")
    with pytest.raises(tandem.ConflictError, match="already exists"):
        lib.snapshot("snap1")
    with pytest.raises(ValueError, match="snapshot name"):
        lib.snapshot("bad/name")
    lib.delete_snapshot("snap1")
    assert lib.list_snapshots() == {}
    with pytest.raises(KeyError, match="no snapshot named snap1"):
        lib.read("a", as_of="snap1")
    with pytest.raises(KeyError):
        lib.delete_snapshot("snap1")


def test_prune_previous_versions(lib):
    lib.write("a", frame("2024-01-01", 3))
    lib.append("a", frame("2024-01-04", 1))
    lib.write("a", frame("2024-02-01", 2), prune_previous_versions=True)
    assert list(lib.list_versions("a")) == [("a", 2)]
    with pytest.raises(KeyError):
        lib.read("a", as_of=0)
    lib.append("a", frame("2024-03-01", 1))
    lib.prune_previous_versions("a")
    assert list(lib.list_versions("a")) == [("a", 3)]


def test_invalid_names_and_arguments(lib):
    with pytest.raises(tandem.InvalidArgumentError, match="symbol name"):
        lib.write("a/b", frame("2024-01-01", 1))
    with pytest.raises(ValueError, match="metadata must be JSON"):
        lib.write("a", frame("2024-01-01", 1), metadata={"x": object()})
    assert not lib.has_symbol("a")
    lib.write("a", frame("2024-01-01", 2))
    with pytest.raises(ValueError, match='no column "nope"'):
        lib.read("a", columns=["nope"])
    with pytest.raises(ValueError, match="date_range"):
        lib.read("a", date_range="2024")
    with pytest.raises(ValueError, match="as_of"):
        lib.read("a", as_of=1.5)
    with pytest.raises(ValueError, match="negative"):
        lib.read("a", as_of=-1)
    with pytest.raises(ValueError):
        lib.read("a", row_range=(0, 1))


def test_corruption_is_a_store_error(store, lib):
    lib.write("a", frame("2024-01-01", 1000))
    tandem._native._testing_corrupt_first_segment(store._store, "lib", "a")
    with pytest.raises(tandem.CorruptionError, match="corrupt segment") as error:
        lib.read("a")
    assert isinstance(error.value, tandem.StoreError)
    assert not isinstance(error.value, (KeyError, ValueError))
    assert error.value.kind == "corruption" and "library lib, symbol a" in error.value.where


def test_arcticdb_options_that_change_nothing_pass_others_are_refused(lib):
    lib.write("s", frame("2024-01-01", 2), validate_index=True, staged=False)
    assert len(lib.read("s", output_format=None).data) == 2
    with pytest.raises(ValueError, match="option staged=True is not supported"):
        lib.write("s", frame("2024-01-01", 2), staged=True)
    with pytest.raises(ValueError, match="option bogus=1"):
        lib.read("s", bogus=1)
    assert lib.read("s").version == 0
