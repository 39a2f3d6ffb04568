import { type ClientConfig, DETECTION_ROLES } from "@hub/gateway/contract";
import { useCallback, useEffect, useRef, useState } from "react";
import { createApi } from "../api";
import { useI18n } from "../i18n/I18nProvider";
import { openLiveConnection } from "../live/connection";
import { LiveStore } from "../live/store";
import type { MapController } from "../map/controller";
import type { Session } from "../session";
import { AlertList } from "./AlertList";
import { CameraAttention } from "./CameraAttention";
import { CameraDetail } from "./CameraDetail";
import { useStoreRevision } from "./hooks";
import { IncidentDetail } from "./IncidentDetail";
import { IncidentList } from "./IncidentList";
import { LiveContext, type LiveContextValue, useLive } from "./LiveContext";
import { MapView } from "./MapView";
import { TopBar } from "./TopBar";

interface DashboardProps {
  config: ClientConfig;
  session: Session;
  onSignOut(expired: boolean): void;
}

export type Selection = { kind: "incident"; id: string } | { kind: "camera"; id: string } | null;

/** The signed-in dashboard: opens the live connection for the session's token and closes it on sign-out. */
export function Dashboard({ config, session, onSignOut }: DashboardProps) {
  const [live, setLive] = useState<LiveContextValue | null>(null);
  const [announcement, setAnnouncement] = useState({ text: "", n: 0 });
  const signOutRef = useRef(onSignOut);
  signOutRef.current = onSignOut;

  const announce = useCallback((text: string) => setAnnouncement((previous) => ({ text, n: previous.n + 1 })), []);

  useEffect(() => {
    const expired = () => signOutRef.current(true);
    const store = new LiveStore();
    const api = createApi({ token: session.token, onUnauthorized: expired });
    const connection = openLiveConnection({ token: session.token, store, api, onUnauthorized: expired });
    setLive({ api, store, connection, user: session.user, announce });
    // The token stops working at expiresAt: go back to sign-in then rather than on the first refused call.
    const expiresIn = Date.parse(session.expiresAt) - Date.now();
    const expiry = Number.isFinite(expiresIn)
      ? setTimeout(expired, Math.min(Math.max(0, expiresIn), 2 ** 31 - 1))
      : null;
    return () => {
      if (expiry) clearTimeout(expiry);
      connection.close();
      setLive(null);
    };
  }, [session, announce]);

  return (
    <>
      {live && (
        <LiveContext.Provider value={live}>
          <DashboardView config={config} onSignOut={() => onSignOut(false)} />
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
  const { t } = useI18n();
  const { store, connection, user, announce } = useLive();
  const revision = useStoreRevision(store);
  const [selection, setSelection] = useState<Selection>(null);
  const mapRef = useRef<MapController | null>(null);
  const canStreamDetections = user.roles.some((role) => DETECTION_ROLES.includes(role));

  // New incidents are read out (a few at most; the list shows the rest).
  useEffect(() => {
    void revision;
    const fresh = store.drainAnnouncements();
    if (fresh.length === 0) return;
    const said = fresh
      .slice(0, 3)
      .map((incident) =>
        t("newIncidentAnnouncement", { severity: t(`severity_${incident.severity}`), title: incident.title }),
      );
    announce(said.join(". "));
  }, [revision, store, t, announce]);

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

  return (
    <div className="app">
      <a className="skip-link" href="#incident-list">
        {t("skipToIncidents")}
      </a>
      <TopBar onSignOut={onSignOut} />
      <div className={`workspace${selection ? " with-detail" : ""}`}>
        <div className="sidebar">
          <IncidentList
            selectedId={selection?.kind === "incident" ? selection.id : null}
            onSelect={(id) => selectIncident(id, true)}
          />
          <AlertList />
          <CameraAttention onSelectCamera={(id) => selectCamera(id, true)} />
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
    </div>
  );
}
