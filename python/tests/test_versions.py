"""as_of by version, snapshot and time; date_range and columns."""

import datetime
import time

import numpy as np
import pandas as pd
import pandas.testing as pdt
import pytest

import tandem


def assert_frame_equal(left, right):
    # The store keeps timestamps, not a DatetimeIndex's freq.
    pdt.assert_frame_equal(left, right, check_freq=False)


def frame(start, n, value=0.0):
    idx = pd.date_range(start, periods=n, freq="h", tz="UTC", name="timestamp")
    return pd.DataFrame({"a": np.arange(n, dtype="float64") + value,
                         "b": np.arange(n, dtype="int64"),
                         "c": [f"r{i}" for i in range(n)]}, index=idx)


def test_as_of_version_snapshot_and_time(lib):
    v0 = frame("2024-01-01", 4)
    lib.write("s", v0)
    lib.snapshot("after_v0")
    time.sleep(0.01)
    between = pd.Timestamp.now(tz="UTC")
    time.sleep(0.01)
    v1 = frame("2024-01-01 04:00", 2, value=10)
    lib.append("s", v1)
    v2 = frame("2024-03-01", 3, value=20)
    lib.write("s", v2)

    assert_frame_equal(lib.read("s", as_of=0).data, v0)
    assert_frame_equal(lib.read("s", as_of=1).data, pd.concat([v0, v1]))
    assert_frame_equal(lib.read("s", as_of=2).data, v2)
    assert lib.read("s", as_of=1).version == 1
    assert_frame_equal(lib.read("s", as_of="after_v0").data, v0)
    # A time: the newest version written at or before it; pd.Timestamp, datetime, naive = UTC.
    assert_frame_equal(lib.read("s", as_of=between).data, v0)
    assert_frame_equal(lib.read("s", as_of=between.to_pydatetime()).data, v0)
    assert_frame_equal(lib.read("s", as_of=between.tz_localize(None)).data, v0)
    assert lib.read("s", as_of=pd.Timestamp.now(tz="UTC")).version == 2
    with pytest.raises(tandem.NotFoundError, match="no version existed"):
        lib.read("s", as_of=datetime.datetime(2000, 1, 1))
    with pytest.raises(KeyError):
        lib.read("s", as_of=7)
    with pytest.raises(KeyError, match="no snapshot named nope"):
        lib.read("s", as_of="nope")
    assert lib.read_metadata("s", as_of=0).version == 0
    assert_frame_equal(lib.head("s", n=1, as_of=0).data, v0.iloc[:1])


def test_date_range_and_columns(lib):
    df = frame("2024-01-01", 48)
    lib.write("s", df)
    start, end = pd.Timestamp("2024-01-01 05:00", tz="UTC"), pd.Timestamp("2024-01-01 09:00",
                                                                          tz="UTC")
    assert_frame_equal(lib.read("s", date_range=(start, end)).data, df.loc[start:end])
    assert_frame_equal(lib.read("s", date_range=(start, None)).data, df.loc[start:])
    assert_frame_equal(lib.read("s", date_range=(None, end)).data, df.loc[:end])
    # datetime.datetime and naive ends (UTC).
    got = lib.read("s", date_range=(datetime.datetime(2024, 1, 1, 5), "2024-01-01 09:00")).data
    assert_frame_equal(got, df.loc[start:end])
    assert_frame_equal(lib.read("s", columns=["c", "a"]).data, df[["c", "a"]])
    assert_frame_equal(lib.read("s", columns=[]).data, df[[]])
    both = lib.read("s", date_range=(start, end), columns=["b"]).data
    assert_frame_equal(both, df.loc[start:end, ["b"]])
    assert len(lib.read("s", date_range=("2030-01-01", None)).data) == 0
    with pytest.raises(ValueError, match="after its end|date range start"):
        lib.read("s", date_range=(end, start))


def test_dynamic_schema_new_columns_read_as_null(lib):
    lib.write("s", frame("2024-01-01", 2)[["a"]])
    later = frame("2024-01-02", 1)
    lib.append("s", later)
    got = lib.read("s").data
    assert np.isnan(got["a"][:2]).sum() == 0
    assert got["c"].tolist() == [None, None, "r0"]
    assert got["b"].dtype == "Int64" and got["b"].isna().tolist() == [True, True, False]
