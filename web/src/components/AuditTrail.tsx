import type { AuditEntryView } from "@hub/contracts";
import { type Ref, useCallback, useEffect, useState } from "react";
import { describeError } from "../api";
import { useI18n } from "../i18n/I18nProvider";
import { useLive } from "./LiveContext";

const PAGE = 50;
export const AUDIT_ROLES = ["supervisor", "administrator"] as const;

/** The audit trail, newest first, 50 at a time: who looked at what, for which case, and why. Supervisors only. */
export function AuditTrail({ headingRef }: { headingRef: Ref<HTMLHeadingElement> }) {
  const { t, format } = useI18n();
  const { api, user } = useLive();
  const allowed = user.roles.some((role) => (AUDIT_ROLES as readonly string[]).includes(role));
  const [entries, setEntries] = useState<AuditEntryView[]>([]);
  const [more, setMore] = useState(true);
  const [loading, setLoading] = useState(false);
  const [error, setError] = useState<string | null>(null);

  const load = useCallback(
    (before: number | null) => {
      setLoading(true);
      setError(null);
      return api
        .audit({ limit: PAGE, before })
        .then((page) => {
          setEntries((previous) => (before === null ? page : [...previous, ...page]));
          setMore(page.length === PAGE);
        })
        .catch((failure: unknown) => {
          const { title, detail } = describeError(failure);
          setError(t("loadFailed", { detail: detail || title }));
        })
        .finally(() => setLoading(false));
    },
    [api, t],
  );

  useEffect(() => {
    if (allowed) void load(null);
  }, [allowed, load]);

  return (
    <main className="audit-page" id="audit-trail" aria-labelledby="audit-heading">
      <section className="panel">
        <h2 id="audit-heading" ref={headingRef} tabIndex={-1}>
          {t("auditTrail")}
        </h2>
        {!allowed ? (
          <p>{t("auditSupervisorOnly")}</p>
        ) : (
          <>
            <p className="muted">{t("auditIntro")}</p>
            {entries.length === 0 && !loading && !error && <p className="muted">{t("auditEmpty")}</p>}
            {entries.length > 0 && (
              <table className="case-table" data-testid="audit-list">
                <caption className="visually-hidden">{t("auditTrail")}</caption>
                <thead>
                  <tr>
                    <th scope="col">{t("caseTime")}</th>
                    <th scope="col">{t("auditActor")}</th>
                    <th scope="col">{t("auditAction")}</th>
                    <th scope="col">{t("caseReference")}</th>
                    <th scope="col">{t("casePurpose")}</th>
                    <th scope="col">{t("auditSubject")}</th>
                    <th scope="col">{t("auditResults")}</th>
                    <th scope="col">{t("auditSource")}</th>
                  </tr>
                </thead>
                <tbody>
                  {entries.map((entry) => (
                    <tr key={entry.id} data-testid="audit-row" data-audit-id={entry.id}>
                      <td>
                        <time dateTime={entry.at}>{format.dateTime(entry.at)}</time>
                      </td>
                      <td>{entry.actor}</td>
                      <td>{entry.action}</td>
                      <td>{entry.caseReference ?? "–"}</td>
                      <td className="wrap">{entry.purpose ?? "–"}</td>
                      <td>{entry.subject ?? "–"}</td>
                      <td>{entry.resultCount === null ? "–" : format.number(entry.resultCount)}</td>
                      <td>{entry.sourceIp ?? "–"}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            )}
            {error && (
              <p className="error" role="alert">
                {error}
              </p>
            )}
            {more && entries.length > 0 && (
              <div className="actions">
                <button
                  type="button"
                  className="button"
                  disabled={loading}
                  onClick={() => void load(entries.at(-1)?.id ?? null)}
                >
                  {loading ? t("loading") : t("auditOlder")}
                </button>
              </div>
            )}
            {loading && entries.length === 0 && <p aria-busy="true">{t("loading")}</p>}
          </>
        )}
      </section>
    </main>
  );
}
