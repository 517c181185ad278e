"""Write sample OPP program exports (XML and JSON, one file per program version) and bad files.

Run from the folder: ``python opp-data-processing/generate_samples.py [target_dir]`` (default:
``opp-data-processing/samples``). Tests call ``write_sample_exports`` to fill a landing folder.
"""
from __future__ import annotations

import json
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from xml.sax.saxutils import escape

FIRST_RELEASE = datetime(2026, 11, 2, 6, 0, tzinfo=UTC)
OPERATION_TYPES = ("MOVE", "WELD", "MOVE", "SEAL", "MOVE", "INSPECT")


def program_version(program_index: int, version: int) -> dict:
    """One program version: robot programs for even indexes, NC programs for odd ones."""
    operations = [
        {"seq": seq, "type": OPERATION_TYPES[(seq + program_index) % len(OPERATION_TYPES)],
         "durationS": round(2.0 + seq * 0.5 + version * 0.1, 2)}
        for seq in range(1, 5 + program_index % 3)
    ]
    released_at = FIRST_RELEASE + timedelta(days=7 * (version - 1), hours=program_index)
    return {
        "programId": f"{'WELD' if program_index % 2 == 0 else 'MILL'}-C{program_index + 1}-P{program_index:03d}",
        "version": version,
        "programType": "ROBOT" if program_index % 2 == 0 else "NC",
        "robotId": f"R-{program_index + 1:02d}",
        "cellId": f"CELL-{program_index % 2 + 1}",
        "releasedAt": released_at.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "targetCycleTimeS": round(sum(o["durationS"] for o in operations) * 1.15, 2),
        "operations": operations,
    }


def to_xml(program: dict) -> str:
    header = "".join(
        f"  <{name}>{escape(str(program[name]))}</{name}>\n"
        for name in ("programId", "version", "programType", "robotId", "cellId", "releasedAt", "targetCycleTimeS")
    )
    operations = "".join(
        f'    <operation><seq>{o["seq"]}</seq><type>{o["type"]}</type>'
        f'<durationS>{o["durationS"]}</durationS></operation>\n'
        for o in program["operations"]
    )
    return (
        f'<?xml version="1.0" encoding="UTF-8"?>\n<RobotProgram>\n{header}'
        f"  <operations>\n{operations}  </operations>\n</RobotProgram>\n"
    )


def write_sample_exports(target: Path, programs: int = 4, versions: int = 3) -> dict[str, int]:
    """Write ``programs`` x ``versions`` good files (robot programs as XML, NC programs as JSON) and
    one file of each bad kind; return the counts a loader must end with."""
    target.mkdir(parents=True, exist_ok=True)
    good = 0
    for index in range(programs):
        for version in range(1, versions + 1):
            program = program_version(index, version)
            name = f"{program['programId']}_v{version}"
            if program["programType"] == "ROBOT":
                (target / f"{name}.xml").write_text(to_xml(program))
            else:
                (target / f"{name}.json").write_text(json.dumps(program, indent=2))
            good += 1
    bad = {
        "truncated_export.xml": to_xml(program_version(0, 9))[:120],
        "version_not_a_number.json": json.dumps(program_version(1, 1) | {"version": "two"}),
        "no_program_id.json": json.dumps({k: v for k, v in program_version(1, 8).items() if k != "programId"}),
        "zero_cycle_time.xml": to_xml(program_version(0, 7) | {"targetCycleTimeS": 0}),
        "no_operations.json": json.dumps(program_version(1, 6) | {"operations": []}),
        "operator_notes.csv": "program,comment\nWELD-C1-P000,check clamp 3\n",
        # the same program version exported again under another name
        "WELD-C1-P000_v1_reexport.xml": to_xml(program_version(0, 1)),
    }
    for name, text in bad.items():
        (target / name).write_text(text)
    return {"files": good + len(bad), "versions": good, "quarantined": len(bad)}


def main(argv: list[str] | None = None) -> None:
    args = sys.argv[1:] if argv is None else argv
    target = Path(args[0]) if args else Path(__file__).resolve().parent / "samples"
    counts = write_sample_exports(target)
    print(f"wrote {counts['files']} files to {target.name}/: {counts['versions']} program versions, "
          f"{counts['quarantined']} that belong in quarantine")


if __name__ == "__main__":
    main()
