"""Every figure shown anywhere (public pages, dashboards, exports) comes from this package,
which follows docs/counting.md:

- rules.py: what is counted (agreements, activities, the period, "in force", "a locality with
  a partner", who gave and who received);
- totals.py: what a total says (qualifiers, records without a figure, money not valued);
- summaries.py: the summary rows the figures are read from, and how they are kept in step;
- dashboards.py: the dashboards, composed;
- plans.py: an annual plan's progress, item by item;
- cycle.py: the work list and the reminders of the twinning year;
- periods.py: which years' figures the province approved and locked;
- outcomes.py: a locality's outcome indicators, year by year (context, not effect);
- awards.py: the merit register as the public reads it;
- maps.py: who twins with whom, placed (the maps' data);
- needs.py: the needs board as the public reads it;
- written.py: what a written report (báo cáo năm, sơ kết, tổng kết) says of a scope and a
  period.
"""

from activities.reports.awards import public_awards
from activities.reports.cycle import (
    CycleSummary,
    cycle_summary,
    meetings_present,
    published_meetings,
)
from activities.reports.dashboards import (
    AreaBar,
    Coverage,
    CoverageTotals,
    Dashboard,
    FunderTotal,
    LeftOut,
    LocalityDashboard,
    LocalityTotal,
    Pair,
    Side,
    YearBar,
    coverage,
    coverage_totals,
    dashboard,
    given_and_received,
    headline,
    locality_dashboard,
    province_totals,
    village_coverage,
)
from activities.reports.maps import MapPlace, PartnerMap, agreement_map, locality_map
from activities.reports.needs import (
    NeedPage,
    NeedRow,
    NeedsFilters,
    NeedsTotals,
    all_public_needs,
    need_page,
    needs_board,
    needs_totals,
    public_needs,
)
from activities.reports.outcomes import all_outcome_values, outcomes_of
from activities.reports.periods import all_approved_periods, approved_periods
from activities.reports.plans import (
    ItemProgress,
    ItemStatus,
    PlanProgress,
    plan_progress,
    plans_of_year,
    progress_of,
    public_plans,
)
from activities.reports.rules import DashboardFilters
from activities.reports.totals import (
    MoneyTotal,
    TypeTotal,
    UnitTotal,
    combined_qualifier,
    explain_money,
    goods_of,
    money_of,
    money_total,
    totals_by_type,
    unit_totals,
)

__all__ = [
    "AreaBar",
    "Coverage",
    "CoverageTotals",
    "CycleSummary",
    "Dashboard",
    "DashboardFilters",
    "FunderTotal",
    "ItemProgress",
    "ItemStatus",
    "LeftOut",
    "LocalityDashboard",
    "LocalityTotal",
    "MapPlace",
    "MoneyTotal",
    "NeedPage",
    "NeedRow",
    "NeedsFilters",
    "NeedsTotals",
    "Pair",
    "PartnerMap",
    "PlanProgress",
    "Side",
    "TypeTotal",
    "UnitTotal",
    "YearBar",
    "agreement_map",
    "all_approved_periods",
    "all_outcome_values",
    "all_public_needs",
    "approved_periods",
    "combined_qualifier",
    "coverage",
    "coverage_totals",
    "cycle_summary",
    "dashboard",
    "explain_money",
    "given_and_received",
    "goods_of",
    "headline",
    "locality_dashboard",
    "locality_map",
    "meetings_present",
    "money_of",
    "money_total",
    "need_page",
    "needs_board",
    "needs_totals",
    "outcomes_of",
    "plan_progress",
    "plans_of_year",
    "progress_of",
    "province_totals",
    "public_awards",
    "public_needs",
    "public_plans",
    "published_meetings",
    "totals_by_type",
    "unit_totals",
    "village_coverage",
]
