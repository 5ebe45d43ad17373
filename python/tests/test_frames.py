"""DataFrame round trips of every dtype and null, and the DataFrames that are refused."""

import datetime

import numpy as np
import pandas as pd
import pandas.testing as pdt
import pytest

import tandem


def assert_frame_equal(left, right):
    # The store keeps timestamps, not a DatetimeIndex's freq.
    pdt.assert_frame_equal(left, right, check_freq=False)


def utc_index(n, start="2024-01-01"):
    return pd.date_range(start, periods=n, freq="min", tz="UTC", name="timestamp")


def every_dtype(n=6):
    idx = utc_index(n)
    return pd.DataFrame({
        "f": np.array([1.5, np.nan, -2.25, 0.0, np.inf, 3.0][:n]),
        "i": np.array([1, -2, 3, 2**62, -2**63 + 1, 0][:n], dtype="int64"),
        "b": np.array([True, False, True, True, False, False][:n]),
        "s": np.array(["a", None, "ünïcode", "", "b" * 300, "a"][:n], dtype=object),
        "t": pd.to_datetime(["2020-01-01", None, "1970-01-01", "2262-04-11", "1900-01-01",
                             "2024-02-29 12:34:56.789123456"][:n], utc=True),
        "ni": pd.array([1, None, 3, None, 5, 6][:n], dtype="Int64"),
        "nb": pd.array([True, None, False, None, True, False][:n], dtype="boolean"),
    }, index=idx)


def test_every_dtype_and_null_round_trips(lib):
    df = every_dtype()
    item = lib.write("sym", df)
    assert item.version == 0 and item.symbol == "sym" and item.library == "lib"
    back = lib.read("sym").data
    assert_frame_equal(back, df)
    assert str(back.index.tz) == "UTC" and back.index.dtype == "datetime64[ns, UTC]"
    assert back["s"][1] is None and pd.isna(back["t"][1]) and np.isnan(back["f"][1])
    assert back["ni"].dtype == "Int64" and back["ni"].isna().tolist() == [False, True, False,
                                                                          True, False, False]


def test_empty_frame_and_empty_string_column(lib):
    df = pd.DataFrame({"x": np.array([], dtype="float64")}, index=utc_index(0))
    lib.write("empty", df)
    back = lib.read("empty").data
    assert len(back) == 0 and list(back.columns) == ["x"]
    all_null = pd.DataFrame({"s": [None, None]}, index=utc_index(2))
    lib.write("nulls", all_null)
    assert lib.read("nulls").data["s"].tolist() == [None, None]


def test_widened_and_converted_dtypes(lib):
    idx = pd.date_range("2024-01-01", periods=3, freq="D", name="timestamp")  # tz-naive
    df = pd.DataFrame({
        "i32": np.array([1, 2, 3], dtype="int32"),
        "u8": np.array([1, 2, 255], dtype="uint8"),
        "f32": np.array([0.5, 1.5, np.nan], dtype="float32"),
        "str": pd.array(["x", None, "z"], dtype="string"),
        "naive_t": pd.to_datetime(["2024-01-01", "2024-01-02", None]),
        "berlin_t": pd.to_datetime(["2024-01-01 01:00"] * 3).tz_localize("Europe/Berlin"),
    }, index=idx)
    lib.write("w", df)
    back = lib.read("w").data
    # A tz-naive index is taken as UTC.
    assert back.index.tolist() == idx.tz_localize("UTC").tolist()
    assert back["i32"].dtype == "int64" and back["i32"].tolist() == [1, 2, 3]
    assert back["u8"].tolist() == [1, 2, 255]
    assert back["f32"].dtype == "float64" and np.isnan(back["f32"][2])
    assert back["str"].tolist() == ["x", None, "z"]
    assert back["naive_t"][0] == pd.Timestamp("2024-01-01", tz="UTC") and pd.isna(back["naive_t"][2])
    assert back["berlin_t"][0] == pd.Timestamp("2024-01-01 00:00", tz="UTC")


def test_tz_aware_index_is_converted_to_utc(lib):
    idx = pd.date_range("2024-01-01 09:30", periods=2, freq="h", tz="America/New_York")
    lib.write("ny", pd.DataFrame({"x": [1.0, 2.0]}, index=idx))
    back = lib.read("ny").data
    assert back.index[0] == pd.Timestamp("2024-01-01 14:30", tz="UTC")


def test_numeric_columns_reach_numpy_without_a_copy(lib):
    df = pd.DataFrame({"f": np.arange(1000, dtype="float64"),
                       "i": np.arange(1000, dtype="int64")}, index=utc_index(1000))
    lib.write("z", df)
    back = lib.read("z").data
    # The column's array is a view of the buffer the store decoded into (owned by a capsule).
    for name in ("f", "i"):
        values = back[name].to_numpy()
        assert not values.flags.owndata, name
    assert back["f"].sum() == df["f"].sum()


@pytest.mark.parametrize("make, words", [
    (lambda: pd.DataFrame({"x": [1.0]}), ["RangeIndex", "set_index"]),
    (lambda: pd.DataFrame({"x": [1.0, 2.0]}, index=utc_index(2)[::-1]), ["not sorted", "sort_index"]),
    (lambda: pd.DataFrame({"x": [1.0, 2.0]}, index=pd.DatetimeIndex([pd.NaT, "2024-01-01"])),
     ["NaT"]),
    (lambda: pd.DataFrame({"mixed": [1, "a"]}, index=utc_index(2)), ['column "mixed"', "astype(str)"]),
    (lambda: pd.DataFrame({"cat": pd.Categorical(["a", "b"])}, index=utc_index(2)),
     ['column "cat"', "categorical", "astype(str)"]),
    (lambda: pd.DataFrame({"u": np.array([1, 2], dtype="uint64")}, index=utc_index(2)),
     ['column "u"', "uint64", "int64"]),
    (lambda: pd.DataFrame({"td": pd.to_timedelta([1, 2], unit="s")}, index=utc_index(2)),
     ['column "td"', "timedelta"]),
    (lambda: pd.DataFrame({"timestamp": [1.0]}, index=utc_index(1)), ["timestamp", "rename"]),
    (lambda: pd.DataFrame({0: [1.0]}, index=utc_index(1)), ["must be str", "map(str)"]),
    (lambda: pd.DataFrame([[1.0, 2.0]], columns=["a", "a"], index=utc_index(1)), ["duplicate"]),
    (lambda: pd.DataFrame({"x": [1.0]}, index=pd.MultiIndex.from_tuples([(pd.Timestamp(0), 1)])),
     ["MultiIndex"]),
    (lambda: {"x": [1.0]}, ["DataFrame"]),
])
def test_unstorable_frames_are_refused_and_nothing_is_written(lib, make, words):
    lib.write("sym", pd.DataFrame({"x": [1.0]}, index=utc_index(1)))
    with pytest.raises(tandem.InvalidArgumentError) as error:
        lib.write("sym", make())
    assert isinstance(error.value, ValueError)
    for word in words:
        assert word in str(error.value), (word, str(error.value))
    assert lib.list_versions("sym").keys() == {tandem.SymbolVersion("sym", 0)}
    with pytest.raises(ValueError):
        lib.append("other", make())
    assert not lib.has_symbol("other")


def test_mixed_object_column_names_the_row_when_inference_passes(lib):
    # bytes are not str: the C++ side names the row and the fix.
    df = pd.DataFrame({"s": np.array(["a", b"b"], dtype=object)}, index=utc_index(2))
    with pytest.raises(ValueError, match='column "s"'):
        lib.write("s", df)
    assert not lib.has_symbol("s")


def test_series_is_stored_as_one_column(lib):
    s = pd.Series([1.0, 2.0], index=utc_index(2), name="close")
    lib.write("series", s)
    assert list(lib.read("series").data.columns) == ["close"]


def test_datetime_column_of_python_objects(lib):
    df = pd.DataFrame({"when": [datetime.datetime(2024, 1, 1, tzinfo=datetime.timezone.utc)] * 2},
                      index=utc_index(2))
    lib.write("dt", df)
    assert lib.read("dt").data["when"][0] == pd.Timestamp("2024-01-01", tz="UTC")
