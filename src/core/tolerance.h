// The rounding residue quantities and money may carry, and be compared within. One pair for the
// whole system: the account, the simulated exchange, the paper gateway and the risk gate must
// agree on when a position is flat or an order is covered, or they would disagree about the
// same fill.
#pragma once

namespace tandem {

// Share counts closer than this are equal; a holding smaller than this is no position. Fractional
// quantities (a size times equity divided by a price) leave residue far below a millionth of a
// share, and no venue trades in lots that small.
inline constexpr double kShareEpsilon = 1e-9;

// Cash amounts closer than this (a ten-thousandth of a cent) are equal: sums of fills and
// commissions in a different order differ by less.
inline constexpr double kCashEpsilon = 1e-6;

}  // namespace tandem
