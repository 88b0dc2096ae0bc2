"""Report building without HTTP: data (SQL aggregates) -> HTML (Jinja) -> PDF (WeasyPrint),
and the streamed CSV exports.

    from reports import build_audit_report
    report = build_audit_report(rt, workspace_id, start, end)
    open("audit.pdf", "wb").write(report.pdf)
"""
from .build import Report, build_audit_report, build_contact_report, build_readiness_report, data_sha256
from .csv_export import consent_events_csv, messages_csv

__all__ = ["Report", "build_audit_report", "build_contact_report", "build_readiness_report",
           "consent_events_csv", "data_sha256", "messages_csv"]
