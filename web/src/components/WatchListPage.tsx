import {
  type Role,
  WATCH_LIST_APPROVER_ROLES,
  WATCH_LIST_MATCH_KINDS,
  WATCH_LIST_PROPOSER_ROLES,
  WATCH_LIST_ROLES,
  WATCH_LIST_STATUSES,
  type WatchListEntryView,
  type WatchListHitView,
  type WatchListMatchKind,
  type WatchListStatus,
} from "@hub/contracts";
import { type FormEvent, type Ref, useCallback, useEffect, useId, useState } from "react";
import { describeError } from "../api";
import { useI18n } from "../i18n/I18nProvider";
import { useLive } from "./LiveContext";
import { isoOfLocal, localInput, WatchListAction } from "./WatchListAction";

const hasRole = (user: { roles: readonly Role[] }, roles: readonly Role[]) =>
  user.roles.some((role) => roles.includes(role));

export const canSeeWatchList = (user: { roles: readonly Role[] }): boolean => hasRole(user, WATCH_LIST_ROLES);

/**
 * The plate watch list (investigators and supervisors): entries with their status and expiry, a form to propose
 * one, the two-person decisions, and the recent hits. Plates are personal data: the gateway records each load.
 */
export function WatchListPage({ headingRef }: { headingRef: Ref<HTMLHeadingElement> }) {
  const { t } = useI18n();
  const { api, user, announce } = useLive();
  const allowed = canSeeWatchList(user);
  const [status, setStatus] = useState<WatchListStatus | "">("");
  const [entries, setEntries] = useState<WatchListEntryView[] | null>(null);
  const [hits, setHits] = useState<WatchListHitView[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [revision, setRevision] = useState(0);
  const filterId = useId();

  useEffect(() => {
    void revision; // a change loads again
    if (!allowed) return;
    let cancelled = false;
    Promise.all([api.watchList.list(status ? { status } : {}), api.watchList.hits({ limit: 20 })])
      .then(([list, recent]) => {
        if (cancelled) return;
        setEntries(list);
        setHits(recent);
        setError(null);
      })
      .catch((failure: unknown) => {
        const { title, detail } = describeError(failure);
        if (!cancelled) setError(t("loadFailed", { detail: detail || title }));
      });
    return () => {
      cancelled = true;
    };
  }, [allowed, api, status, revision, t]);

  const changed = useCallback(
    (message: string) => {
      announce(message);
      setRevision((n) => n + 1);
    },
    [announce],
  );

  return (
    <main className="watch-list-page" id="watch-list" aria-labelledby="watch-list-heading">
      <section className="panel watch-list-panel">
        <h2 id="watch-list-heading" ref={headingRef} tabIndex={-1}>
          {t("watchListTitle")}
        </h2>
        {!allowed ? (
          <p>{t("watchListRestricted")}</p>
        ) : (
          <>
            <p className="muted">{t("watchListIntro")}</p>
            {hasRole(user, WATCH_LIST_PROPOSER_ROLES) && (
              <ProposeForm onProposed={(entry) => changed(t("watchListProposed", { reference: entry.reference }))} />
            )}
            <div className="field watch-list-filter">
              <label htmlFor={filterId}>{t("watchListStatusFilter")}</label>
              <select
                id={filterId}
                data-testid="watch-list-status"
                value={status}
                onChange={(event) => setStatus(event.target.value as WatchListStatus | "")}
              >
                <option value="">{t("watchListAllStatuses")}</option>
                {WATCH_LIST_STATUSES.map((value) => (
                  <option key={value} value={value}>
                    {t(`watchListStatus_${value}`)}
                  </option>
                ))}
              </select>
            </div>
            {error && (
              <p className="error" role="alert">
                {error}
              </p>
            )}
            {!entries && !error && <p aria-busy="true">{t("loading")}</p>}
            {entries && <EntryTable entries={entries} onChanged={changed} />}
            {hits && <HitTable hits={hits} />}
          </>
        )}
      </section>
    </main>
  );
}

function EntryTable({ entries, onChanged }: { entries: WatchListEntryView[]; onChanged(message: string): void }) {
  const { t, format } = useI18n();
  const { api, user } = useLive();
  const approver = hasRole(user, WATCH_LIST_APPROVER_ROLES);
  if (entries.length === 0) return <p data-testid="watch-list-empty">{t("watchListEmpty")}</p>;
  return (
    <div className="table-scroll">
      <table className="case-table" data-testid="watch-list-entries">
        <caption className="visually-hidden">{t("watchListEntries")}</caption>
        <thead>
          <tr>
            <th scope="col">{t("watchListReference")}</th>
            <th scope="col">{t("watchListPlate")}</th>
            <th scope="col">{t("watchListCase")}</th>
            <th scope="col">{t("watchListReason")}</th>
            <th scope="col">{t("watchListStatus")}</th>
            <th scope="col">{t("watchListExpires")}</th>
            <th scope="col">{t("watchListPeople")}</th>
            <th scope="col">{t("watchListActions")}</th>
          </tr>
        </thead>
        <tbody>
          {entries.map((entry) => {
            const live = entry.status === "pending" || entry.status === "active";
            const extension = entry.pendingExtension;
            return (
              <tr
                key={entry.id}
                data-testid="watch-list-entry"
                data-reference={entry.reference}
                data-status={entry.status}
              >
                <th scope="row">{entry.reference}</th>
                <td>
                  <span className="mono">{entry.plate}</span>{" "}
                  <span className="muted">({t(`watchListKind_${entry.matchKind}`)})</span>
                </td>
                <td>{entry.caseReference}</td>
                <td className="wrap">{entry.reason}</td>
                <td data-testid="watch-list-entry-status">
                  {entry.status === "active" && !entry.matching
                    ? t("watchListExpired")
                    : t(`watchListStatus_${entry.status}`)}
                </td>
                <td>
                  {format.dateTime(entry.expiresAt)}
                  {extension && (
                    <div className="muted" data-testid="watch-list-pending-extension">
                      {t("watchListExtensionPending", {
                        expiry: format.dateTime(extension.expiresAt),
                        name: extension.requestedBy,
                      })}
                    </div>
                  )}
                </td>
                <td className="wrap">
                  {t("watchListProposedBy", { name: entry.addedBy })}
                  {entry.decidedBy && <div>{t("watchListDecidedBy", { name: entry.decidedBy })}</div>}
                  {entry.removedBy && <div>{t("watchListRemovedBy", { name: entry.removedBy })}</div>}
                </td>
                <td>
                  <div className="watch-list-actions">
                    {entry.status === "pending" && approver && entry.addedBy !== user.username && (
                      <>
                        <WatchListAction
                          label={t("watchListApprove")}
                          accessibleLabel={t("watchListApproveLabel", { reference: entry.reference })}
                          warning={t("watchListApproveWarning", { plate: entry.plate })}
                          needs="nothing"
                          testId="watch-list-approve"
                          onConfirm={() =>
                            api.watchList
                              .approve(entry.id)
                              .then(() => onChanged(t("watchListApproved", { reference: entry.reference })))
                          }
                        />
                        <WatchListAction
                          label={t("watchListReject")}
                          accessibleLabel={t("watchListRejectLabel", { reference: entry.reference })}
                          warning={t("watchListRejectWarning")}
                          needs="reason"
                          testId="watch-list-reject"
                          onConfirm={({ reason }) =>
                            api.watchList
                              .reject(entry.id, reason)
                              .then(() => onChanged(t("watchListRejected", { reference: entry.reference })))
                          }
                        />
                      </>
                    )}
                    {entry.status === "active" && entry.matching && !extension && (
                      <WatchListAction
                        label={t("watchListExtend")}
                        accessibleLabel={t("watchListExtendLabel", { reference: entry.reference })}
                        warning={t("watchListExtendWarning")}
                        needs="expiry"
                        testId="watch-list-extend"
                        onConfirm={({ reason, expiresAt }) =>
                          api.watchList
                            .requestExtension(entry.id, { reason, expiresAt })
                            .then(() => onChanged(t("watchListExtensionRequested", { reference: entry.reference })))
                        }
                      />
                    )}
                    {extension && approver && extension.requestedBy !== user.username && (
                      <>
                        <WatchListAction
                          label={t("watchListApproveExtension")}
                          accessibleLabel={t("watchListApproveExtensionLabel", { reference: entry.reference })}
                          warning={t("watchListApproveExtensionWarning", {
                            expiry: format.dateTime(extension.expiresAt),
                          })}
                          needs="nothing"
                          testId="watch-list-approve-extension"
                          onConfirm={() =>
                            api.watchList
                              .approveExtension(entry.id)
                              .then(() => onChanged(t("watchListExtended", { reference: entry.reference })))
                          }
                        />
                        <WatchListAction
                          label={t("watchListRejectExtension")}
                          accessibleLabel={t("watchListRejectExtensionLabel", { reference: entry.reference })}
                          warning={t("watchListRejectWarning")}
                          needs="reason"
                          testId="watch-list-reject-extension"
                          onConfirm={({ reason }) =>
                            api.watchList
                              .rejectExtension(entry.id, reason)
                              .then(() => onChanged(t("watchListRejected", { reference: entry.reference })))
                          }
                        />
                      </>
                    )}
                    {live && (
                      <WatchListAction
                        label={t("watchListRemove")}
                        accessibleLabel={t("watchListRemoveLabel", { reference: entry.reference })}
                        warning={t("watchListRemoveWarning")}
                        needs="reason"
                        testId="watch-list-remove"
                        onConfirm={({ reason }) =>
                          api.watchList
                            .remove(entry.id, reason)
                            .then(() => onChanged(t("watchListRemoved", { reference: entry.reference })))
                        }
                      />
                    )}
                  </div>
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}

function HitTable({ hits }: { hits: WatchListHitView[] }) {
  const { t, format } = useI18n();
  return (
    <section aria-labelledby="watch-list-hits-heading" className="watch-list-hits">
      <h3 id="watch-list-hits-heading">{t("watchListHits")}</h3>
      {hits.length === 0 ? (
        <p data-testid="watch-list-no-hits">{t("watchListNoHits")}</p>
      ) : (
        <div className="table-scroll">
          <table className="case-table" data-testid="watch-list-hits">
            <caption className="visually-hidden">{t("watchListHits")}</caption>
            <thead>
              <tr>
                <th scope="col">{t("watchListSeenAt")}</th>
                <th scope="col">{t("watchListReference")}</th>
                <th scope="col">{t("watchListPlate")}</th>
                <th scope="col">{t("watchListCamera")}</th>
                <th scope="col">{t("watchListCase")}</th>
              </tr>
            </thead>
            <tbody>
              {hits.map((hit) => (
                <tr key={`${hit.entryId}:${hit.observedAt}:${hit.cameraId}:${hit.plate}`} data-testid="watch-list-hit">
                  <th scope="row">{format.dateTime(hit.observedAt)}</th>
                  <td>{hit.reference}</td>
                  <td className="mono">{hit.plate}</td>
                  <td>{hit.cameraId}</td>
                  <td>{hit.caseReference}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}

/** An investigator proposes an entry; it matches once a supervisor other than them approves it. */
function ProposeForm({ onProposed }: { onProposed(entry: WatchListEntryView): void }) {
  const { t } = useI18n();
  const { api } = useLive();
  const ids = { plate: useId(), kind: useId(), reason: useId(), caseReference: useId(), expiresAt: useId() };
  const [plate, setPlate] = useState("");
  const [matchKind, setMatchKind] = useState<WatchListMatchKind>("exact");
  const [reason, setReason] = useState("");
  const [caseReference, setCaseReference] = useState("");
  const [expiresAt, setExpiresAt] = useState(() => localInput(new Date(Date.now() + 30 * 86_400_000)));
  const [busy, setBusy] = useState(false);
  const [result, setResult] = useState<{ ok: boolean; text: string } | null>(null);

  const submit = (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setResult(null);
    api.watchList
      .propose({ plate, matchKind, reason, caseReference, expiresAt: isoOfLocal(expiresAt) })
      .then((entry) => {
        setResult({ ok: true, text: t("watchListProposed", { reference: entry.reference }) });
        setPlate("");
        setReason("");
        onProposed(entry);
      })
      .catch((failure: unknown) => {
        const { title, detail } = describeError(failure);
        setResult({ ok: false, text: t("watchListActionFailed", { detail: detail || title }) });
      })
      .finally(() => setBusy(false));
  };

  return (
    <details className="watch-list-propose">
      <summary>{t("watchListProposeHeading")}</summary>
      <form className="camera-filters" onSubmit={submit} data-testid="watch-list-propose">
        <div className="field">
          <label htmlFor={ids.plate}>{t("watchListPlateInput")}</label>
          <input
            id={ids.plate}
            data-testid="watch-list-plate"
            value={plate}
            required
            maxLength={16}
            autoComplete="off"
            aria-describedby={`${ids.kind}-hint`}
            onChange={(event) => setPlate(event.target.value)}
          />
        </div>
        <div className="field">
          <label htmlFor={ids.kind}>{t("watchListKind")}</label>
          <select
            id={ids.kind}
            data-testid="watch-list-kind"
            value={matchKind}
            onChange={(event) => setMatchKind(event.target.value as WatchListMatchKind)}
          >
            {WATCH_LIST_MATCH_KINDS.map((kind) => (
              <option key={kind} value={kind}>
                {t(`watchListKind_${kind}`)}
              </option>
            ))}
          </select>
          <p id={`${ids.kind}-hint`} className="muted">
            {t("watchListPatternHint")}
          </p>
        </div>
        <div className="field">
          <label htmlFor={ids.caseReference}>{t("watchListCase")}</label>
          <input
            id={ids.caseReference}
            data-testid="watch-list-case"
            value={caseReference}
            required
            maxLength={64}
            onChange={(event) => setCaseReference(event.target.value)}
          />
        </div>
        <div className="field">
          <label htmlFor={ids.expiresAt}>{t("watchListExpires")}</label>
          <input
            id={ids.expiresAt}
            type="datetime-local"
            data-testid="watch-list-expires-at"
            value={expiresAt}
            required
            onChange={(event) => setExpiresAt(event.target.value)}
          />
        </div>
        <div className="field">
          <label htmlFor={ids.reason}>{t("watchListReason")}</label>
          <input
            id={ids.reason}
            data-testid="watch-list-reason"
            value={reason}
            required
            minLength={10}
            maxLength={500}
            onChange={(event) => setReason(event.target.value)}
          />
        </div>
        <div className="actions">
          <button type="submit" className="button primary" disabled={busy} data-testid="watch-list-submit">
            {t("watchListProposeSubmit")}
          </button>
        </div>
      </form>
      {result && (
        <p
          className={result.ok ? "maintenance-ok" : "error"}
          role={result.ok ? "status" : "alert"}
          data-testid="watch-list-propose-result"
        >
          {result.text}
        </p>
      )}
    </details>
  );
}
