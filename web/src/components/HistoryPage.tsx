import { CLOSED_INCIDENT_STATUSES, type IncidentHistoryQuery, type IncidentView, SEVERITIES } from "@hub/contracts";
import { type FormEvent, type Ref, useCallback, useId, useState } from "react";
import { describeError } from "../api";
import { wallTimeToEpoch } from "../cases/wall-time";
import { useI18n } from "../i18n/I18nProvider";
import { TIME_ZONE } from "../i18n/i18n";
import { SeverityBadge, StatusBadge } from "./Badges";
import { IncidentDetail } from "./IncidentDetail";
import { useLive } from "./LiveContext";

const PAGE = 25;
/** The kinds the shipped rules open (the filter's choices). */
export const INCIDENT_KINDS = ["fire", "flood", "crowd", "traffic", "camera_fault", "watch_list"] as const;

interface HistoryForm {
  from: string;
  to: string;
  kind: string;
  severity: string;
  state: string;
  text: string;
  mapArea: boolean;
}

const EMPTY: HistoryForm = { from: "", to: "", kind: "", severity: "", state: "", text: "", mapArea: false };

/**
 * Closed incidents (resolved, false alarm), newest first, filtered by time, kind, severity, state, title text and
 * optionally the live map's area; a page at a time. A result opens the incident's detail beside the list.
 */
export function HistoryPage({
  headingRef,
  mapBounds,
  onSelectCamera,
  onShowOnMap,
}: {
  headingRef: Ref<HTMLHeadingElement>;
  /** The live map's area (west, south, east, north), when it has one. */
  mapBounds(): [number, number, number, number] | null;
  onSelectCamera(id: string): void;
  onShowOnMap(lon: number, lat: number): void;
}) {
  const { t, tOr, title, format } = useI18n();
  const { api } = useLive();
  const ids = {
    from: useId(),
    to: useId(),
    kind: useId(),
    severity: useId(),
    state: useId(),
    text: useId(),
    area: useId(),
  };
  const [form, setForm] = useState<HistoryForm>(EMPTY);
  const [query, setQuery] = useState<IncidentHistoryQuery | null>(null);
  const [items, setItems] = useState<IncidentView[]>([]);
  const [next, setNext] = useState<string | null>(null);
  const [loading, setLoading] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [selected, setSelected] = useState<string | null>(null);

  const set = <K extends keyof HistoryForm>(key: K, value: HistoryForm[K]) =>
    setForm((previous) => ({ ...previous, [key]: value }));

  const load = useCallback(
    (base: IncidentHistoryQuery, cursor: string | null) => {
      setLoading(true);
      setError(null);
      api
        .incidentHistory({ ...base, limit: PAGE, ...(cursor ? { cursor } : {}) })
        .then((page) => {
          setItems((previous) => (cursor ? [...previous, ...page.items] : page.items));
          setNext(page.nextCursor);
        })
        .catch((failure: unknown) => {
          const { title: problem, detail } = describeError(failure);
          setError(t("loadFailed", { detail: detail || problem }));
        })
        .finally(() => setLoading(false));
    },
    [api, t],
  );

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const iso = (value: string) => {
      const ms = value ? wallTimeToEpoch(value, TIME_ZONE) : null;
      return ms === null ? undefined : new Date(ms).toISOString();
    };
    const bounds = form.mapArea ? mapBounds() : null;
    const next: IncidentHistoryQuery = {
      ...(iso(form.from) ? { from: iso(form.from) } : {}),
      ...(iso(form.to) ? { to: iso(form.to) } : {}),
      ...(form.kind ? { kind: form.kind } : {}),
      ...(form.severity ? { severity: form.severity } : {}),
      ...(form.state ? { state: form.state } : {}),
      ...(form.text.trim() ? { text: form.text.trim() } : {}),
      ...(bounds ? { bbox: bounds.map((n) => n.toFixed(6)).join(",") } : {}),
    } as IncidentHistoryQuery;
    setQuery(next);
    setSelected(null);
    load(next, null);
  };

  return (
    <main className="history-page" id="incident-history" aria-labelledby="history-heading">
      <section className="panel history-panel">
        <h2 id="history-heading" ref={headingRef} tabIndex={-1}>
          {t("historyTitle")}
        </h2>
        <p className="muted">{t("historyIntro")}</p>
        <form className="history-filters" data-testid="history-form" onSubmit={submit} aria-label={t("historyFilters")}>
          <div className="field">
            <label htmlFor={ids.from}>{t("historyFrom")}</label>
            <input
              id={ids.from}
              type="datetime-local"
              step={60}
              value={form.from}
              onChange={(e) => set("from", e.target.value)}
            />
          </div>
          <div className="field">
            <label htmlFor={ids.to}>{t("historyTo")}</label>
            <input
              id={ids.to}
              type="datetime-local"
              step={60}
              value={form.to}
              onChange={(e) => set("to", e.target.value)}
            />
          </div>
          <div className="field">
            <label htmlFor={ids.kind}>{t("historyKind")}</label>
            <select
              id={ids.kind}
              data-testid="history-kind"
              value={form.kind}
              onChange={(e) => set("kind", e.target.value)}
            >
              <option value="">{t("historyAny")}</option>
              {INCIDENT_KINDS.map((kind) => (
                <option key={kind} value={kind}>
                  {tOr(`kind_${kind}`, kind)}
                </option>
              ))}
            </select>
          </div>
          <div className="field">
            <label htmlFor={ids.severity}>{t("historySeverity")}</label>
            <select id={ids.severity} value={form.severity} onChange={(e) => set("severity", e.target.value)}>
              <option value="">{t("historyAny")}</option>
              {SEVERITIES.map((severity) => (
                <option key={severity} value={severity}>
                  {t(`severity_${severity}`)}
                </option>
              ))}
            </select>
          </div>
          <div className="field">
            <label htmlFor={ids.state}>{t("historyState")}</label>
            <select
              id={ids.state}
              data-testid="history-state"
              value={form.state}
              onChange={(e) => set("state", e.target.value)}
            >
              <option value="">{t("historyAny")}</option>
              {CLOSED_INCIDENT_STATUSES.map((state) => (
                <option key={state} value={state}>
                  {t(`status_${state}`)}
                </option>
              ))}
            </select>
          </div>
          <div className="field">
            <label htmlFor={ids.text}>{t("historyText")}</label>
            <input
              id={ids.text}
              data-testid="history-text"
              type="search"
              maxLength={100}
              value={form.text}
              onChange={(e) => set("text", e.target.value)}
            />
          </div>
          <div className="field checkbox">
            <input
              id={ids.area}
              type="checkbox"
              checked={form.mapArea}
              onChange={(e) => set("mapArea", e.target.checked)}
            />
            <label htmlFor={ids.area}>{t("historyMapArea")}</label>
          </div>
          <div className="actions">
            <button type="submit" className="button primary" data-testid="history-search" disabled={loading}>
              {t("historySearch")}
            </button>
          </div>
        </form>
        {error && (
          <p className="error" role="alert">
            {error}
          </p>
        )}
        {query && items.length === 0 && !loading && !error && <p className="muted">{t("historyEmpty")}</p>}
        {items.length > 0 && (
          <table className="case-table" data-testid="history-results">
            <caption className="visually-hidden">{t("historyResults")}</caption>
            <thead>
              <tr>
                <th scope="col">{t("historyWhen")}</th>
                <th scope="col">{t("historyTitleColumn")}</th>
                <th scope="col">{t("historyKind")}</th>
                <th scope="col">{t("historySeverity")}</th>
                <th scope="col">{t("historyState")}</th>
              </tr>
            </thead>
            <tbody>
              {items.map((incident) => (
                <tr key={incident.id} data-testid="history-row" data-incident-id={incident.id}>
                  <td>
                    <time dateTime={incident.firstEventAt}>{format.dateTime(incident.firstEventAt)}</time>
                  </td>
                  <td className="wrap">
                    <button
                      type="button"
                      className="link-button"
                      data-testid="history-open"
                      aria-current={selected === incident.id ? "true" : undefined}
                      onClick={() => setSelected(incident.id)}
                    >
                      {title(incident)}
                    </button>
                  </td>
                  <td>{tOr(`kind_${incident.kind}`, incident.kind)}</td>
                  <td>
                    <SeverityBadge severity={incident.severity} />
                  </td>
                  <td>
                    <StatusBadge status={incident.status} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
        {next && query && (
          <div className="actions">
            <button
              type="button"
              className="button"
              data-testid="history-more"
              disabled={loading}
              onClick={() => load(query, next)}
            >
              {loading ? t("loading") : t("historyMore")}
            </button>
          </div>
        )}
        {loading && items.length === 0 && <p aria-busy="true">{t("loading")}</p>}
      </section>
      {selected && (
        <IncidentDetail
          key={selected}
          id={selected}
          onClose={() => setSelected(null)}
          onSelectCamera={onSelectCamera}
          onShowOnMap={onShowOnMap}
        />
      )}
    </main>
  );
}
