//! The case study's last section: what the model leaves out, which a
//! reader of its numbers needs before quoting them.

use std::fmt::Write as _;

/// "What this model cannot say".
pub fn limits(w: &mut String) {
    let _ = writeln!(w, "## 9. What this model cannot say\n");
    let _ = writeln!(w, "- **Long-run supply response.** Capacities are 2024's plus the listed projects; demand growth is net of supply growth the files do not list. High prices do not bring forth new mines within the horizon, and the short-run elasticity prices every year, so the value of a permanent new source is overstated where the long-run elasticity is larger. The net-growth ranges in section 5 show how much that matters.");
    let _ = writeln!(w, "- **Substitution and thrifting.** Demand responds to price only through one elasticity per mineral; switching chemistries (LFP for nickel-cobalt cathodes, aluminium for copper) is not modelled beyond it.");
    let _ = writeln!(w, "- **Product forms.** Each market is one product: refined copper, refined cobalt (metal and chemicals together), primary nickel (NPI, ferronickel, matte, sulphate and cathode together), lithium chemicals (carbonate and hydroxide together). A shortage of battery-grade sulphate while class-2 nickel is plentiful cannot show.");
    let _ = writeln!(w, "- **Recycling growth.** Scrap supply is fixed at 2024 levels (copper) or inside the refined totals (cobalt, nickel); U.S. nickel scrap and old copper scrap used directly are outside the markets.");
    let _ = writeln!(w, "- **Inventories.** Apart from the reserve, no stocks buffer shortages (exchange and Chinese state stocks, China's lithium-salt stocks of about 73 days, the 2024 surpluses); this overstates short spikes and is why the DRC quota's severity is calibrated to the observed price, not to the quota's tonnage.");
    let _ = writeln!(w, "- **Who gets what.** Restricted supply goes to the rest of the world as a whole; allies and China are not separate buyers, and the lithium embedded in imported cells and cathode is outside the U.S. demand boundary.");
    let _ = writeln!(w, "- **The starting point is a 2024-normal market.** Prices and demand are calibrated so that an ordinary year clears at 2024 average prices; the scenarios describe that market's risks over 2026–2035, not a forecast from the prices observed since (copper above 1.5× its 2024 average in January 2026; cobalt near 1.9× and lithium near 0.85× in December 2025). Tariffs and the premium of U.S. prices over world prices are outside the model.");
    let _ = writeln!(w, "- **Demand noise.** World demand swings independently from year to year (apart from the shared battery cycle) by an assumed amount; multi-year booms such as lithium's in 2021–22 are not built in, and for nickel and lithium these swings, not disruptions, cause most price spikes (section 1).");
    let _ = writeln!(w, "- **Correlation.** Disruptions in different countries are independent unless an event links them explicitly; the world's smaller producers of copper are one process, disrupted together.");
    let _ = writeln!(w, "- **Discounting and finance.** Costs are undiscounted sums over ten years, with prices below the reference counted as gains; loans are compared by size, not by their terms, and without asking whether a project depends on them.\n");
}
