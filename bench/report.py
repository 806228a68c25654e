"""The table `make bench` prints: one row per figure, with its goal and whether it was met."""

from __future__ import annotations

from typing import Any


def _fmt(value: Any, unit: str = "") -> str:
    if value is None:
        return "-"
    return f"{value:,}{unit}" if isinstance(value, int) else f"{value:,.1f}{unit}"


def table(results: dict[str, Any]) -> list[tuple[str, str, str, str]]:
    rows: list[tuple[str, str, str, str]] = []
    m = results["measurements"]

    def skipped(key: str, label: str) -> bool:
        if "not_measured" in m.get(key, {}):
            rows.append((label, "not measured", "", m[key]["not_measured"]))
            return True
        return False

    gen = results.get("generation") or {}
    if gen:
        rows.append(("data generation", _fmt(gen.get("seconds"), " s"), "<= 300 s",
                     "met" if gen.get("seconds", 1e9) <= 300 else "missed"))  # fmt: skip
    if not skipped("api", "1 create-case API"):
        a = m["api"]
        rows.append(("1 create-case API (req/s)", _fmt(a["api_rps"]), "", ""))
        rows.append(("  floor: DRF + token + 1 INSERT", _fmt(a["floor_rps"]), "", ""))
        rows.append(("  ratio API/floor", f"{a['ratio']:.2f}", ">= 0.5",
                     "met" if (a["ratio"] or 0) >= 0.5 else "missed"))  # fmt: skip
        pg = a["pgbench_tps"]
        note = f"API = {a['api_rps'] / pg:.3f} of it" if pg else a["pgbench_note"]
        rows.append(("  pgbench INSERT tps", _fmt(pg) if pg else "not measured", "", note))
    if not skipped("queue", "2 staff queue"):
        q = m["queue"]
        p1, deep = q["page1"], q["depth_10000"]
        rows.append(("2 queue page 1 p50/p95 (ms)", f"{p1['p50_ms']} / {p1['p95_ms']}",
                     "p95 <= 30", "met" if p1["p95_ms"] <= 30 else "missed"))  # fmt: skip
        rows.append(("  /healthz in-process p50 (ms)", _fmt(q["baseline_healthz"]["p50_ms"]), "",
                     f"page 1 = {q['page1_over_healthz_p50']} x"))  # fmt: skip
        rows.append(("  depth 10,000 p50/p95 (ms)", f"{deep['p50_ms']} / {deep['p95_ms']}",
                     "p95 <= 30", "met" if deep["p95_ms"] <= 30 else "missed"))  # fmt: skip
        rows.append(("  depth/page-1 (p50; p95)", f"{q['depth_ratio_p50']}; "
                     f"{q['depth_ratio_p95']}", "<= 1.2",
                     "met" if q["depth_ratio_p50"] <= 1.2 else "missed"))  # fmt: skip
        rows.append(("  queries page 1 / depth / 'mine'",
                     f"{p1['queries']} / {deep['queries']} / {q['mine_page1']['queries']}", "",
                     f"'mine' p95 {q['mine_page1']['p95_ms']} ms"))  # fmt: skip
    if not skipped("search", "3 citizen search"):
        s = m["search"]
        rows.append(("3 citizen fuzzy search p50/p95 (ms)", f"{s['p50_ms']} / {s['p95_ms']}",
                     "p95 <= 100", "met" if s["p95_ms"] <= 100 else "missed"))  # fmt: skip
    if not skipped("sla_sweep", "4 SLA sweep"):
        w = m["sla_sweep"]
        met = "met" if w["seconds"] <= 2 else "missed"
        rows.append((f"4 SLA sweep, {w['due']:,} due of {w['cases']:,} (s)",
                     _fmt(w["seconds"]), "<= 2 s", met))  # fmt: skip
        rows.append(("  claim uses case_sla_due_idx", str(w["index_scan"]), "index scan",
                     "met" if w["index_scan"] else "missed"))  # fmt: skip
    if not skipped("dispatch", "5 survey dispatch"):
        d = m["dispatch"]
        rows.append(("5 survey dispatch (emails/s)", _fmt(d["per_second"]), ">= 200",
                     "met" if d["per_second"] >= 200 else "missed"))  # fmt: skip
        rows.append(("  SMTP floor: 1 connection, no app", _fmt(d["smtp_floor_per_second"]), "",
                     f"ratio {d['ratio_to_smtp_floor']}"))  # fmt: skip
    if not skipped("pages", "6 supervisor pages"):
        p = m["pages"]
        b, r = p["sla_board"], p["survey_results"]
        rows.append(("6 SLA board p50/p95 (ms)", f"{b['p50_ms']} / {b['p95_ms']}", "",
                     f"{b['queries']} queries, {p['sla_board_rows']} rows"))  # fmt: skip
        rows.append(("  survey results p50/p95 (ms)", f"{r['p50_ms']} / {r['p95_ms']}", "",
                     f"{r['queries']} queries"))  # fmt: skip
    if not skipped("reports", "7 dashboards and transparency"):
        r = m["reports"]
        rows.append(("7 figures full rebuild (s)", _fmt(r["rebuild_seconds"]), "<= 120 s",
                     "met" if r["rebuild_seconds"] <= 120 else "missed"))  # fmt: skip
        worst = r["dashboard_worst_p95_ms"]
        rows.append(("  dashboards worst p95 of 5 filters (ms)", _fmt(worst), "p95 <= 200",
                     "met" if worst <= 200 else "missed"))  # fmt: skip
        t = r["transparency"]["page"]
        rows.append(("  transparency page p50/p95 (ms)", f"{t['p50_ms']} / {t['p95_ms']}",
                     "p95 <= 50", "met" if t["p95_ms"] <= 50 else "missed"))  # fmt: skip
    if not skipped("import", "8 citizen CSV import"):
        i = m["import"]
        scaled = i["seconds"] * 100_000 / i["rows"]
        rows.append((f"8 citizen CSV import, {i['rows']:,} rows (s)", _fmt(i["seconds"]),
                     "100k rows <= 120 s", f"{'met' if scaled <= 120 else 'missed'}, "
                     f"{i['rows_per_second']:,} rows/s"))  # fmt: skip
    return rows


def print_table(results: dict[str, Any]) -> None:
    rows = table(results)
    widths = [max(len(row[i]) for row in [("measure", "figure", "goal", ""), *rows])
              for i in range(3)]  # fmt: skip
    size = results["size"]
    print(f"\nCitizenCRM benchmark, {size['cases']:,} cases / {size['citizens']:,} citizens "
          f"({results['machine']}, {results['measured_at']})")  # fmt: skip
    header = ("measure", "figure", "goal", "result")
    for row in [header, *rows]:
        print(f"  {row[0]:<{widths[0]}}  {row[1]:>{widths[1]}}  {row[2]:<{widths[2]}}  {row[3]}")
