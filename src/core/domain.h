// The trading domain model in one include: every concern (store recording, broker, backtest,
// live IB adapter, strategies) speaks these types; venue-specific structs stay at the edges.
#pragma once

#include "core/account_value.h"
#include "core/bar.h"
#include "core/bar_series.h"
#include "core/contract.h"
#include "core/fill.h"
#include "core/order.h"
#include "core/order_status.h"
#include "core/position.h"
#include "core/time.h"
#include "core/trade.h"
