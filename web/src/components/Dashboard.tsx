import { type ClientConfig, DETECTION_ROLES, SENSOR_ROLES, type SensorSummary } from "@hub/contracts";
import { useCallback, useEffect, useRef, useState } from "react";
import { createApi } from "../api";
import { useI18n } from "../i18n/I18nProvider";
import { openLiveConnection } from "../live/connection";
import { LiveStore } from "../live/store";
import type { MapController } from "../map/controller";
import { VIEW_HASH, type View } from "../route";
import { type Session, saveSession } from "../session";
import { TokenKeeper } from "../tokens";
import { AlertList } from "./AlertList";
import { AlertsPage } from "./AlertsPage";
import { AuditTrail } from "./AuditTrail";
import { CameraAttention } from "./CameraAttention";
import { CameraDetail } from "./CameraDetail";
import { CameraList } from "./CameraList";
import { CaseLookupPage } from "./CaseLookup";
import { HistoryPage } from "./HistoryPage";
import { useStoreRevision, useView } from "./hooks";
import { IncidentDetail } from "./IncidentDetail";
import { IncidentList } from "./IncidentList";
import { LiveContext, type LiveContextValue, useLive } from "./LiveContext";
import { MapView } from "./MapView";
import { RulesPage } from "./RulesPage";
import { SensorDetail } from "./SensorDetail";
import { SensorList } from "./SensorList";
import { TopBar } from "./TopBar";
import { WatchListPage } from "./WatchListPage";

/** Why the dashboard closes: the user signed out, the session expired, or the server ended it. */
export type SignOutReason = "user" | "expired" | "revoked";

interface DashboardProps {
  config: ClientConfig;
  session: Session;
  /** Where the newest tokens are kept (sessionStorage), so a reload carries on with them. */
  storage: Pick<Storage, "setItem"> | undefined;
  onSignOut(reason: SignOutReason): void;
}

export type Selection =
  | { kind: "incident"; id: string }
  | { kind: "camera"; id: string }
  | { kind: "sensor"; id: string }
  | null;

/**
 * The signed-in dashboard: keeps the session's access token fresh, opens the live connection with it and closes it
 * on sign-out, or when the server ends the session (signed out elsewhere, account disabled, roles changed).
 */
export function Dashboard({ config, session, storage, onSignOut }: DashboardProps) {
  const [live, setLive] = useState<LiveContextValue | null>(null);
  const [announcement, setAnnouncement] = useState({ text: "", n: 0 });
  const signOutRef = useRef(onSignOut);
  signOutRef.current = onSignOut;

  const announce = useCallback((text: string) => setAnnouncement((previous) => ({ text, n: previous.n + 1 })), []);

  useEffect(() => {
    let closed = false;
    const leave = (reason: SignOutReason) => {
      if (closed) return;
      closed = true;
      signOutRef.current(reason);
    };
    const revoked = () => leave("revoked");
    const store = new LiveStore();
    const tokens = new TokenKeeper(session, {
      refresh: (refreshToken) => createApi().refresh(refreshToken),
      save: (next) => saveSession(storage, next),
      onEnded: revoked,
    });
    const api = createApi({ token: () => tokens.token, refresh: () => tokens.refresh(), onUnauthorized: revoked });
    const connection = openLiveConnection({
      token: () => tokens.token,
      refresh: () => tokens.refresh(),
      store,
      api,
      onUnauthorized: (reason) => leave(reason === "expired" ? "expired" : "revoked"),
    });
    tokens.start();
    const signOut = () => {
      if (closed) return;
      tokens.stop();
      // Ends the session on the server too (its other sockets, any copy of its tokens); sign-in shows at once.
      void api.logout().catch(() => undefined);
      leave("user");
    };
    setLive({ api, store, connection, user: session.user, announce, signOut });
    // The session ends at sessionExpiresAt (a shift): go back to sign-in then rather than on the first refused call.
    const expiresIn = Date.parse(session.sessionExpiresAt) - Date.now();
    const expiry = Number.isFinite(expiresIn)
      ? setTimeout(() => leave("expired"), Math.min(Math.max(0, expiresIn), 2 ** 31 - 1))
      : null;
    return () => {
      if (expiry) clearTimeout(expiry);
      tokens.stop();
      connection.close();
      setLive(null);
    };
  }, [session, storage, announce]);

  return (
    <>
      {live && (
        <LiveContext.Provider value={live}>
          <DashboardView config={config} onSignOut={live.signOut} />
        </LiveContext.Provider>
      )}
      {/* Polite: new incidents and action results, read out without moving focus. */}
      <div className="visually-hidden" aria-live="polite" aria-atomic="true">
        <span key={announcement.n}>{announcement.text}</span>
      </div>
    </>
  );
}

function DashboardView({ config, onSignOut }: { config: ClientConfig; onSignOut(): void }) {
  const { t, title } = useI18n();
  const { store, connection, user, announce } = useLive();
  const revision = useStoreRevision(store);
  const [selection, setSelection] = useState<Selection>(null);
  const mapRef = useRef<MapController | null>(null);
  const canStreamDetections = user.roles.some((role) => DETECTION_ROLES.includes(role));
  const canReadSensors = user.roles.some((role) => SENSOR_ROLES.includes(role));
  const [sensors, setSensors] = useState<SensorSummary[] | undefined>(undefined);
  const view = useView();
  // The case lookup is made on its first visit and then kept (hidden on the live map), so a search, its pages and
  // a running export survive a look at the live map.
  const [casesOpened, setCasesOpened] = useState(view === "cases");
  if (view === "cases" && !casesOpened) setCasesOpened(true);
  // The alerts view likewise, so an unsaved draft survives a look elsewhere.
  const [alertsOpened, setAlertsOpened] = useState(view === "alerts");
  if (view === "alerts" && !alertsOpened) setAlertsOpened(true);
  const caseHeading = useRef<HTMLHeadingElement>(null);
  const alertsHeading = useRef<HTMLHeadingElement>(null);
  const auditHeading = useRef<HTMLHeadingElement>(null);
  const historyHeading = useRef<HTMLHeadingElement>(null);
  const rulesHeading = useRef<HTMLHeadingElement>(null);
  const camerasHeading = useRef<HTMLHeadingElement>(null);
  const watchListHeading = useRef<HTMLHeadingElement>(null);
  const shownView = useRef(view);

  // A change of view (not the first one shown) takes focus to the new view's heading, as a page load would.
  useEffect(() => {
    if (shownView.current === view) return;
    shownView.current = view;
    if (view === "cases") caseHeading.current?.focus();
    else if (view === "audit") auditHeading.current?.focus();
    else if (view === "cameras") camerasHeading.current?.focus();
    else if (view === "alerts") alertsHeading.current?.focus();
    else if (view === "history") historyHeading.current?.focus();
    else if (view === "rules") rulesHeading.current?.focus();
    else if (view === "watch-list") watchListHeading.current?.focus();
    else {
      document.getElementById("incident-list")?.focus();
      mapRef.current?.resize();
    }
  }, [view]);

  // New incidents are read out (a few at most; the list shows the rest).
  useEffect(() => {
    void revision;
    const fresh = store.drainAnnouncements();
    if (fresh.length === 0) return;
    const said = fresh
      .slice(0, 3)
      .map((incident) =>
        t("newIncidentAnnouncement", { severity: t(`severity_${incident.severity}`), title: title(incident) }),
      );
    announce(said.join(". "));
  }, [revision, store, t, title, announce]);

  const selectedCamera = selection?.kind === "camera" ? selection.id : null;
  useEffect(() => {
    connection.sync.setDetections(canStreamDetections && selectedCamera ? [selectedCamera] : []);
  }, [connection, selectedCamera, canStreamDetections]);

  const selectIncident = useCallback(
    (id: string, fly: boolean) => {
      setSelection({ kind: "incident", id });
      const incident = store.incident(id);
      if (fly && incident) mapRef.current?.flyTo(incident.lon, incident.lat);
    },
    [store],
  );
  const selectCamera = useCallback(
    (id: string, fly: boolean) => {
      setSelection({ kind: "camera", id });
      const camera = store.camera(id);
      if (fly && camera) mapRef.current?.flyTo(camera.lon, camera.lat);
    },
    [store],
  );
  const close = useCallback(() => setSelection(null), []);
  const selectSensor = useCallback(
    (id: string, fly: boolean) => {
      setSelection({ kind: "sensor", id });
      const sensor = sensors?.find((candidate) => candidate.id === id);
      if (fly && sensor) mapRef.current?.flyTo(sensor.lon, sensor.lat);
    },
    [sensors],
  );

  return (
    <div className="app">
      <SkipLink target={SKIP_TARGETS[view]}>{t(view === "live" ? "skipToIncidents" : "skipToMain")}</SkipLink>
      <TopBar view={view} onSignOut={onSignOut} />
      <div className={`workspace${selection ? " with-detail" : ""}`} hidden={view !== "live"}>
        <div className="sidebar">
          <IncidentList
            selectedId={selection?.kind === "incident" ? selection.id : null}
            onSelect={(id) => selectIncident(id, true)}
          />
          <AlertList />
          <CameraAttention onSelectCamera={(id) => selectCamera(id, true)} />
          {canReadSensors && (
            <SensorList
              selectedId={selection?.kind === "sensor" ? selection.id : null}
              onSelectSensor={(id) => selectSensor(id, true)}
              onSensors={setSensors}
            />
          )}
        </div>
        <main className="map-area">
          <MapView
            config={config}
            selection={{
              cameraId: selectedCamera,
              incidentId: selection?.kind === "incident" ? selection.id : null,
            }}
            onSelectCamera={(id) => selectCamera(id, false)}
            onSelectIncident={(id) => selectIncident(id, false)}
            {...(canReadSensors ? { onSelectSensor: (id: string) => selectSensor(id, false), sensors } : {})}
            controllerRef={mapRef}
          />
        </main>
        {selection?.kind === "incident" && (
          <IncidentDetail
            key={selection.id}
            id={selection.id}
            onClose={close}
            onSelectCamera={(cameraId) => selectCamera(cameraId, true)}
            onShowOnMap={(lon, lat) => mapRef.current?.flyTo(lon, lat)}
          />
        )}
        {selection?.kind === "sensor" && <SensorDetail key={selection.id} id={selection.id} onClose={close} />}
        {selection?.kind === "camera" && (
          <CameraDetail
            key={selection.id}
            id={selection.id}
            canStreamDetections={canStreamDetections}
            onClose={close}
            onShowOnMap={(lon, lat) => mapRef.current?.flyTo(lon, lat)}
          />
        )}
      </div>
      {casesOpened && (
        <div className="view-cases" hidden={view !== "cases"}>
          <CaseLookupPage config={config} headingRef={caseHeading} />
        </div>
      )}
      {view === "audit" && <AuditTrail headingRef={auditHeading} />}
      {view === "history" && (
        <HistoryPage
          headingRef={historyHeading}
          mapBounds={() => mapRef.current?.bounds() ?? null}
          onSelectCamera={(id) => {
            window.location.hash = VIEW_HASH.live;
            selectCamera(id, true);
          }}
          onShowOnMap={(lon, lat) => {
            window.location.hash = VIEW_HASH.live;
            mapRef.current?.flyTo(lon, lat);
          }}
        />
      )}
      {view === "rules" && <RulesPage headingRef={rulesHeading} />}
      {view === "watch-list" && <WatchListPage headingRef={watchListHeading} />}
      {view === "cameras" && (
        <CameraList
          headingRef={camerasHeading}
          onOpenCamera={(id) => {
            window.location.hash = VIEW_HASH.live;
            selectCamera(id, true);
          }}
        />
      )}
      {alertsOpened && (
        <div className="view-alerts" hidden={view !== "alerts"}>
          <AlertsPage config={config} headingRef={alertsHeading} active={view === "alerts"} />
        </div>
      )}
    </div>
  );
}

/** Where each view's skip link goes: its main content's heading (the incident list on the live map). */
const SKIP_TARGETS: Record<View, string> = {
  live: "incident-list",
  cameras: "camera-list-heading",
  cases: "case-lookup-heading",
  audit: "audit-heading",
  alerts: "alerts-view-heading",
  history: "history-heading",
  rules: "rules-heading",
  "watch-list": "watch-list-heading",
};

/**
 * Skips to the view's main content. Moves focus itself rather than following the link, so the URL's hash keeps
 * naming the view.
 */
function SkipLink({ target, children }: { target: string; children: string }) {
  return (
    <a
      className="skip-link"
      href={`#${target}`}
      onClick={(event) => {
        const element = document.getElementById(target);
        if (!element) return;
        event.preventDefault();
        element.focus();
      }}
    >
      {children}
    </a>
  );
}
