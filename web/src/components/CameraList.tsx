import { CAMERA_STATES, type CameraHealthRow, type CameraListQuery, type CameraState } from "@hub/contracts";
import { type FormEvent, type Ref, useCallback, useEffect, useId, useMemo, useState } from "react";
import { describeError } from "../api";
import { useI18n } from "../i18n/I18nProvider";
import { CameraStateBadge } from "./Badges";
import { DecommissionButton } from "./DecommissionButton";
import { useStoreRevision } from "./hooks";
import { useLive } from "./LiveContext";
import { MaintenanceForm } from "./MaintenanceForm";

const PAGE = 100;
const PHASES = [1, 2, 3, 4, 5] as const;

interface Filters {
  district: string;
  phase: string;
  state: string;
  site: string;
  decommissioned: "false" | "true" | "only";
}
const NO_FILTERS: Filters = { district: "", phase: "", state: "", site: "", decommissioned: "false" };
const DECOMMISSIONED_CHOICES = [
  ["false", "decommissionedHidden"],
  ["true", "decommissionedIncluded"],
  ["only", "decommissionedOnly"],
] as const;

function queryOf(filters: Filters, after: string | null): CameraListQuery {
  return {
    limit: PAGE,
    ...(filters.district ? { district: filters.district } : {}),
    ...(filters.phase ? { phase: Number(filters.phase) } : {}),
    ...(filters.state ? { state: filters.state as CameraState } : {}),
    ...(filters.site.trim() ? { site: filters.site.trim() } : {}),
    ...(filters.decommissioned !== "false" ? { decommissioned: filters.decommissioned } : {}),
    ...(after ? { after } : {}),
  };
}

/**
 * The camera list: every camera with its state, when it was last heard, its availability over 24 hours and 7 days
 * and its current incidents, filtered by district, phase, state and site, 100 at a time. The state follows the live
 * connection (a camera turning silent shows here as on the map); the name opens the camera's detail on the map.
 */
export function CameraList({
  headingRef,
  onOpenCamera,
}: {
  headingRef: Ref<HTMLHeadingElement>;
  onOpenCamera(id: string): void;
}) {
  const { t, format } = useI18n();
  const { api, store } = useLive();
  const revision = useStoreRevision(store);
  const ids = { district: useId(), phase: useId(), state: useId(), site: useId(), decommissioned: useId() };
  const [draft, setDraft] = useState<Filters>(NO_FILTERS);
  const [filters, setFilters] = useState<Filters>(NO_FILTERS);
  const [rows, setRows] = useState<CameraHealthRow[]>([]);
  const [total, setTotal] = useState<number | null>(null);
  const [nextAfter, setNextAfter] = useState<string | null>(null);
  const [loading, setLoading] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const districts = useMemo(() => {
    void revision;
    return [...new Set(store.cameras().map((camera) => camera.district))].sort();
  }, [store, revision]);

  const load = useCallback(
    (chosen: Filters, after: string | null) => {
      setLoading(true);
      setError(null);
      return api
        .cameraList(queryOf(chosen, after))
        .then((page) => {
          setRows((previous) => (after === null ? page.cameras : [...previous, ...page.cameras]));
          setTotal(page.total);
          setNextAfter(page.nextAfter);
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
    void load(filters, null);
  }, [filters, load]);

  const submit = (event: FormEvent) => {
    event.preventDefault();
    setFilters(draft);
  };
  const shownState = (row: CameraHealthRow): CameraState => {
    void revision;
    return store.camera(row.id)?.state ?? row.state;
  };
  const share = (value: number | null) =>
    value === null ? "–" : t("percentValue", { percent: format.percent(value) });

  return (
    <main className="audit-page camera-list-page" id="camera-list" aria-labelledby="camera-list-heading">
      <section className="panel">
        <h2 id="camera-list-heading" ref={headingRef} tabIndex={-1}>
          {t("cameraListHeading")}
        </h2>
        <p className="muted">{t("cameraListIntro")}</p>
        <MaintenanceForm districts={districts} onCreated={() => void load(filters, null)} />
        <form className="camera-filters" onSubmit={submit} data-testid="camera-filters">
          <div className="field">
            <label htmlFor={ids.district}>{t("district")}</label>
            <select
              id={ids.district}
              data-testid="camera-filter-district"
              value={draft.district}
              onChange={(event) => setDraft({ ...draft, district: event.target.value })}
            >
              <option value="">{t("cameraFilterAll")}</option>
              {districts.map((district) => (
                <option key={district} value={district}>
                  {district}
                </option>
              ))}
            </select>
          </div>
          <div className="field">
            <label htmlFor={ids.phase}>{t("cameraPhase")}</label>
            <select
              id={ids.phase}
              data-testid="camera-filter-phase"
              value={draft.phase}
              onChange={(event) => setDraft({ ...draft, phase: event.target.value })}
            >
              <option value="">{t("cameraFilterAll")}</option>
              {PHASES.map((phase) => (
                <option key={phase} value={String(phase)}>
                  {phase}
                </option>
              ))}
            </select>
          </div>
          <div className="field">
            <label htmlFor={ids.state}>{t("cameraState")}</label>
            <select
              id={ids.state}
              data-testid="camera-filter-state"
              value={draft.state}
              onChange={(event) => setDraft({ ...draft, state: event.target.value })}
            >
              <option value="">{t("cameraFilterAll")}</option>
              {CAMERA_STATES.map((state) => (
                <option key={state} value={state}>
                  {t(`camera_${state}`)}
                </option>
              ))}
            </select>
          </div>
          <div className="field">
            <label htmlFor={ids.site}>{t("cameraSite")}</label>
            <input
              id={ids.site}
              data-testid="camera-filter-site"
              value={draft.site}
              maxLength={64}
              onChange={(event) => setDraft({ ...draft, site: event.target.value })}
            />
          </div>
          <div className="field">
            <label htmlFor={ids.decommissioned}>{t("cameraFilterDecommissioned")}</label>
            <select
              id={ids.decommissioned}
              data-testid="camera-filter-decommissioned"
              value={draft.decommissioned}
              onChange={(event) =>
                setDraft({ ...draft, decommissioned: event.target.value as Filters["decommissioned"] })
              }
            >
              {DECOMMISSIONED_CHOICES.map(([value, label]) => (
                <option key={value} value={value}>
                  {t(label)}
                </option>
              ))}
            </select>
          </div>
          <div className="actions">
            <button type="submit" className="button primary" data-testid="camera-filter-apply">
              {t("cameraFilterApply")}
            </button>
          </div>
        </form>
        {notice && (
          <p role="status" data-testid="decommission-notice">
            {notice}
          </p>
        )}
        <p role="status" data-testid="camera-list-total" data-total={total ?? ""}>
          {total === null ? "" : t("cameraListTotal", { count: format.number(total) })}
        </p>
        {rows.length > 0 && (
          <table className="case-table" data-testid="camera-list">
            <caption className="visually-hidden">{t("cameraListHeading")}</caption>
            <thead>
              <tr>
                <th scope="col">{t("cameraName")}</th>
                <th scope="col">{t("district")}</th>
                <th scope="col">{t("cameraPhase")}</th>
                <th scope="col">{t("cameraState")}</th>
                <th scope="col">{t("cameraLastHeard")}</th>
                <th scope="col">{t("cameraAvailability24h")}</th>
                <th scope="col">{t("cameraAvailability7d")}</th>
                <th scope="col">{t("cameraCurrentIncidents")}</th>
                <th scope="col">{t("cameraDecommissionedAt")}</th>
                <th scope="col">{t("cameraActions")}</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((row) => {
                const state = shownState(row);
                return (
                  <tr key={row.id} data-testid="camera-row" data-camera-id={row.id} data-state={state}>
                    <td>
                      <button
                        type="button"
                        className="link-button"
                        data-testid="camera-open"
                        onClick={() => onOpenCamera(row.id)}
                      >
                        {row.name}
                      </button>
                      <br />
                      <span className="muted">{row.id}</span>
                    </td>
                    <td>{row.district}</td>
                    <td>{row.phase}</td>
                    <td>
                      <CameraStateBadge state={state} />
                    </td>
                    <td>
                      {row.lastHeardAt ? (
                        <time dateTime={row.lastHeardAt}>{format.dateTime(row.lastHeardAt)}</time>
                      ) : (
                        t("never")
                      )}
                    </td>
                    <td data-testid="availability-24h">{share(row.availability24h)}</td>
                    <td data-testid="availability-7d">{share(row.availability7d)}</td>
                    <td>{format.number(row.currentIncidents)}</td>
                    <td data-testid="decommissioned-at">
                      {row.decommissionedAt ? (
                        <time dateTime={row.decommissionedAt}>{format.dateTime(row.decommissionedAt)}</time>
                      ) : (
                        "–"
                      )}
                    </td>
                    <td>
                      {!row.decommissionedAt && (
                        <DecommissionButton
                          cameraId={row.id}
                          onDone={() => {
                            setNotice(t("decommissionDone", { camera: row.id }));
                            void load(filters, null);
                          }}
                        />
                      )}
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        )}
        {rows.length === 0 && !loading && !error && <p className="muted">{t("cameraListEmpty")}</p>}
        {error && (
          <p className="error" role="alert">
            {error}
          </p>
        )}
        {nextAfter && (
          <div className="actions">
            <button type="button" className="button" disabled={loading} onClick={() => void load(filters, nextAfter)}>
              {loading ? t("loading") : t("cameraListMore")}
            </button>
          </div>
        )}
        {loading && rows.length === 0 && <p aria-busy="true">{t("loading")}</p>}
      </section>
    </main>
  );
}
