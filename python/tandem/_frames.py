"""DataFrame <-> store table conversion, the pandas half (python/table_arrays.h is the C++ half).

The rules (docs/python.md, "DataFrames"):
- The index must be a DatetimeIndex without NaT, sorted ascending. A tz-aware index is converted
  to UTC; a tz-naive one is taken as UTC already (as ArcticDB users write them). It reads back
  as a UTC DatetimeIndex named "timestamp".
- float64, int64, bool, str (object or string dtype) and datetime64 columns are stored as they
  are; narrower ints (int8..int32, uint8..uint32) and float32 are widened to int64 / float64.
  pandas' nullable Int64 / boolean / Float64 keep their nulls. Anything else (uint64, category,
  timedelta, complex, objects that are not all str) is refused naming the column and the fix.
- Nulls: NaN (float), None / NaN / pd.NA (string), NaT (datetime), pd.NA (nullable) are stored
  as nulls and read back as NaN, None, NaT and pd.NA (an int or bool column with nulls reads as
  pandas' nullable Int64 / boolean).
"""

import numpy as np
import pandas as pd
from pandas.api import types as pdt

from .errors import invalid

INDEX_NAME = "timestamp"
_NAT = np.iinfo(np.int64).min
_UTC = pd.DatetimeTZDtype(tz="UTC")
_WIDENED_INTS = {"int8", "int16", "int32", "uint8", "uint16", "uint32"}


def _column_where(name):
    return f'column "{name}"'


def _ns_int64(values):
    """int64 nanoseconds since the epoch (UTC) of a datetime64 / DatetimeTZ array-like."""
    if isinstance(values, (pd.DatetimeIndex, pd.Series)):
        values = values.array
    if isinstance(values, pd.arrays.DatetimeArray):
        if values.tz is not None:
            values = values.tz_convert("UTC").tz_localize(None)
        values = values.to_numpy()
    values = np.asarray(values)
    if values.dtype != np.dtype("M8[ns]"):
        values = values.astype("M8[ns]")
    return values.view("int64")


def index_to_int64(index, where):
    if isinstance(index, pd.MultiIndex):
        raise invalid("a MultiIndex cannot be stored; keep one DatetimeIndex and move the other "
                      "levels to columns with df.reset_index(level=[...])", where)
    if not isinstance(index, pd.DatetimeIndex):
        raise invalid(f"the index is a {type(index).__name__}, not a DatetimeIndex; set one with "
                      "df.set_index(\"<time column>\") or df.index = pd.to_datetime(...)", where)
    if index.hasnans:
        raise invalid("the index holds NaT; drop those rows with df[df.index.notna()]", where)
    if not index.is_monotonic_increasing:
        raise invalid("the index is not sorted ascending; sort it with df.sort_index()", where)
    return np.ascontiguousarray(_ns_int64(index))


def _refuse(name, what, fix, where):
    raise invalid(f"{what}; {fix}", f"{where}, {_column_where(name)}" if where else
                  _column_where(name))


def column_to_arrays(name, series, where=""):
    """(name, type name, values, validity or None) for table_arrays.cc."""
    dtype = series.dtype
    if isinstance(dtype, pd.CategoricalDtype):
        _refuse(name, "a categorical column cannot be stored",
                f'convert it with df["{name}"] = df["{name}"].astype(str)', where)
    if isinstance(dtype, pd.DatetimeTZDtype) or pdt.is_datetime64_dtype(dtype):
        return (name, "timestamp", np.ascontiguousarray(_ns_int64(series)), None)
    if isinstance(dtype, pd.StringDtype):
        values = series.to_numpy(dtype=object, na_value=None)
        return (name, "string", values, None)
    if isinstance(dtype, pd.api.extensions.ExtensionDtype) and hasattr(series.array, "_mask"):
        # pandas' nullable Int*/UInt*/boolean/Float*: values with nulls filled, plus the mask.
        valid = ~series.isna().to_numpy()
        if pdt.is_bool_dtype(dtype):
            values = series.to_numpy(dtype=bool, na_value=False)
            return (name, "bool", values, valid)
        if pdt.is_float_dtype(dtype):
            return (name, "float64", series.to_numpy(dtype="float64", na_value=np.nan), None)
        if pdt.is_integer_dtype(dtype):
            if dtype.name == "UInt64" and (series.dropna() > np.iinfo(np.int64).max).any():
                _refuse(name, "a UInt64 column holds values above the int64 range",
                        "store it as float64 or split it", where)
            return (name, "int64", series.to_numpy(dtype="int64", na_value=0), valid)
    if isinstance(dtype, np.dtype):
        if dtype == np.float64:
            return (name, "float64", np.ascontiguousarray(series.to_numpy()), None)
        if dtype in (np.float32, np.float16):
            return (name, "float64", series.to_numpy(dtype="float64"), None)
        if dtype == np.int64:
            return (name, "int64", np.ascontiguousarray(series.to_numpy()), None)
        if dtype.name in _WIDENED_INTS:
            return (name, "int64", series.to_numpy(dtype="int64"), None)
        if dtype == np.bool_:
            return (name, "bool", np.ascontiguousarray(series.to_numpy()), None)
        if dtype == np.uint64:
            _refuse(name, "uint64 columns cannot be stored (the store's integers are int64)",
                    f'convert it with df["{name}"].astype("int64") if every value fits', where)
        if dtype == object:
            kind = pd.api.types.infer_dtype(series, skipna=True)
            if kind in ("string", "empty"):
                return (name, "string", np.ascontiguousarray(series.to_numpy()), None)
            _refuse(name, f"an object column must hold only str (or None/NaN), this one holds "
                    f"{kind} values",
                    f'convert it with df["{name}"] = df["{name}"].astype(str), or split it into '
                    "one column per type", where)
    _refuse(name, f"columns of dtype {dtype} cannot be stored (supported: float64, int64, bool, "
            "str, datetime64 and the narrower ints and floats, which are widened)",
            f'convert it, e.g. df["{name}"].astype("float64") or .astype(str)', where)


def frame_to_arrays(data, where=""):
    """(index, columns) for the C++ side, after checking everything; raises InvalidArgumentError
    naming the column and the fix before anything is written."""
    if isinstance(data, pd.Series):
        data = data.to_frame(name=data.name if isinstance(data.name, str) else "value")
    if not isinstance(data, pd.DataFrame):
        raise invalid(f"expected a pandas DataFrame, got {type(data).__name__}", where)
    index = index_to_int64(data.index, where)
    if not data.columns.is_unique:
        dupes = sorted({str(c) for c in data.columns[data.columns.duplicated()]})
        raise invalid(f"duplicate column names {dupes}; rename them", where)
    columns = []
    for position, name in enumerate(data.columns):
        if not isinstance(name, str):
            raise invalid(f"column names must be str, column {position} is named {name!r} "
                          f"({type(name).__name__}); rename it, e.g. df.columns = "
                          "df.columns.map(str)", where)
        if name == INDEX_NAME:
            raise invalid('a column may not be named "timestamp" (the index\'s name); rename it',
                          where)
        columns.append(column_to_arrays(name, data.iloc[:, position], where))
    return index, columns


def _column_from_arrays(type_name, values, validity):
    if type_name == "float64":
        return values  # nulls are NaN already
    if type_name == "int64":
        if validity is None:
            return values
        return pd.arrays.IntegerArray(values, ~validity)
    if type_name == "bool":
        if validity is None:
            return values
        return pd.arrays.BooleanArray(values, ~validity)
    if type_name == "timestamp":
        if validity is not None:
            values[~validity] = _NAT  # the array owns its buffer (moved from the store)
        return pd.arrays.DatetimeArray(values.view("M8[ns]"), dtype=_UTC)
    return values  # string: objects, None for nulls


def arrays_to_frame(index, columns):
    idx = pd.DatetimeIndex(pd.arrays.DatetimeArray(index.view("M8[ns]"), dtype=_UTC),
                           name=INDEX_NAME, copy=False)
    names = [c[0] for c in columns]
    arrays = [_column_from_arrays(t, v, m) for (_, t, v, m) in columns]
    return _frame(arrays, names, idx)


def _frame(arrays, names, index):
    """A DataFrame over `arrays` without copying or consolidating them: one block per column, so
    the store's buffers become the frame's (pd.DataFrame(dict) would copy every float column into
    one 2-D block)."""
    try:
        from pandas.core.internals import construction

        manager = construction.arrays_to_mgr(arrays, pd.Index(names), index, typ="block",
                                             consolidate=False)
        return pd.DataFrame(manager)
    except (ImportError, TypeError, AttributeError):  # another pandas: the public, copying way
        return pd.DataFrame(dict(zip(names, arrays)), index=index, columns=names)
