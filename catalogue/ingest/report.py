"""The ingest/validate report: the public ``--json`` schema and its plain-text form."""

from __future__ import annotations

from dataclasses import dataclass, field

from catalogue.ingest.errors import InputError
from catalogue.ingest.shacl import Finding


@dataclass
class Diff:
    added: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)

    def as_json(self) -> dict:
        return {"added": self.added, "removed": self.removed, "changed": self.changed}


@dataclass
class RecordResult:
    """One record's verdict and its findings (a shared node's finding is in every record using it)."""

    iri: str
    kind: str
    accepted: bool
    findings: list[Finding] = field(default_factory=list)


@dataclass
class Report:
    source: str | None = None
    mode: str = "strict"
    stored: bool = False
    records: list[RecordResult] = field(default_factory=list)
    dump_findings: list[Finding] = field(default_factory=list)
    error: InputError | None = None
    diff: Diff | None = None
    format: str | None = None
    triples: int = 0
    checksum: str | None = None
    activity: str | None = None
    # records SHACL ran on: the others had the same signature in the source's current
    # version and kept its verdict (catalogue/ingest/verdicts.py); None for a run that
    # validates nothing (roll back, withdrawal) or a report read back from the store
    validated: int | None = None
    # (accepted, rejected) when ``records`` lists only some records: a stored run keeps
    # just those with findings (see catalogue.ingest.history)
    counts: tuple[int, int] | None = None
    # (the new version graph, the triples a stored ingest wrote into it), kept in memory for
    # what is derived from them right after (the quality scores: reading the graph back cost
    # more than scoring it); never reported, never persisted
    written: tuple | None = field(default=None, repr=False, compare=False)

    @property
    def accepted(self) -> int:
        if self.counts is not None:
            return self.counts[0]
        return sum(1 for r in self.records if r.accepted)

    @property
    def rejected(self) -> int:
        if self.counts is not None:
            return self.counts[1]
        return sum(1 for r in self.records if not r.accepted)

    @property
    def findings(self) -> list[Finding]:
        """Every finding once, dump-level first, in record order."""
        seen: set[Finding] = set()
        out: list[Finding] = []
        for f in [*self.dump_findings, *(f for r in self.records for f in r.findings)]:
            if f not in seen:
                seen.add(f)
                out.append(f)
        return out

    @property
    def conforms(self) -> bool:
        return self.error is None and not any(f.severity == "Violation" for f in self.findings)

    @property
    def exit_code(self) -> int:
        """0 conforms or stored, 1 violations (rejected), 2 unreadable input."""
        if self.error is not None:
            return 2
        if self.source is not None:  # an ingest
            return 0 if self.stored else 1
        return 0 if self.conforms else 1

    def as_json(self) -> dict:
        record_of: dict[Finding, str] = {}
        for r in self.records:
            for f in r.findings:
                record_of.setdefault(f, r.iri)
        results = []
        for f in self.findings:
            item = f.as_json()
            item["record"] = record_of.get(f)
            results.append(item)
        return {
            "conforms": self.conforms,
            "records": {"accepted": self.accepted, "rejected": self.rejected},
            "results": results,
            "error": self.error.as_json() if self.error else None,
            "diff": self.diff.as_json() if self.diff else None,
            "source": self.source,
            "mode": self.mode,
            "stored": self.stored,
            "format": self.format,
            "triples": self.triples,
            "checksum": self.checksum,
            "activity": self.activity,
            "validated": self.validated,
        }

    def as_text(self) -> str:
        """Plain language for a person: the verdict, then problems grouped by record."""
        lines: list[str] = []
        if self.error is not None:
            lines.append(f"The dump could not be read: {self.error}.")
            lines.append("Nothing was stored." if self.source else "")
            return "\n".join(line for line in lines if line)
        verdict = "conforms" if self.conforms else "does not conform"
        lines.append(
            f"The dump ({self.format}, {self.triples:,} triples) {verdict}: "
            f"{self.accepted} record(s) valid, {self.rejected} invalid."
        )
        if self.source is not None:
            if self.stored:
                lines.append(f"Stored in source '{self.source}' ({self.mode} mode).")
                if self.rejected:
                    lines.append(f"{self.rejected} invalid record(s) were quarantined, not published.")
            else:
                lines.append(f"Nothing was stored: {self.mode} mode rejects the dump; the store is unchanged.")
        for f in self.dump_findings:
            lines.append(f"  [{f.severity}] {f.message}")
        for r in self.records:
            if not r.findings:
                continue
            state = "accepted" if r.accepted else "REJECTED"
            lines.append(f"\n{r.kind} <{r.iri}> ({state}):")
            for f in r.findings:
                where = f" on <{f.focus}>" if f.focus != r.iri else ""
                value = f" (value: {f.value})" if f.value else ""
                lines.append(f"  [{f.severity}] {f.message}{where}{value}")
        if self.diff is not None and self.stored:
            d = self.diff
            lines.append(
                f"\nSince the previous version: {len(d.added)} added, {len(d.removed)} removed, "
                f"{len(d.changed)} changed."
            )
        return "\n".join(lines)
