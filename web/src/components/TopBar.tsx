import { useMemo } from "react";
import { canOpenAlerts } from "../alerts/actions";
import { useI18n } from "../i18n/I18nProvider";
import { countCameraStates } from "../map/features";
import { VIEW_HASH, type View } from "../route";
import { AUDIT_ROLES } from "./AuditTrail";
import { useStoreRevision, useSyncStatus } from "./hooks";
import { LanguageSelect } from "./LanguageSelect";
import { useLive } from "./LiveContext";
import { canSeeRules } from "./RulesPage";
import { ThemeSelect } from "./ThemeSelect";
import { canSeeWatchList } from "./WatchListPage";

export function TopBar({ view, onSignOut }: { view: View; onSignOut(): void }) {
  const { t } = useI18n();
  const { store, user } = useLive();
  useStoreRevision(store);
  const counters = store.counters();
  const live = useLiveCounts();
  const show = (value: number | undefined) => (value === undefined ? "–" : String(value));
  // Rates come from the gateway; camera and incident counts from the live picture itself, so they always agree
  // with the list and the map (the gateway's tick comes once a second).
  const camerasOnline = live?.camerasOnline ?? counters?.camerasOnline;
  const camerasTotal = live?.camerasTotal ?? counters?.camerasTotal;
  const openIncidents = live?.openIncidents ?? counters?.openIncidents;

  return (
    <header className="top-bar">
      <h1 className="brand">
        {t("appTitle")} <span className="subtitle">{t("appSubtitle")}</span>
      </h1>
      <ViewNav view={view} />
      <section className="counters" aria-label={t("counters")}>
        <dl>
          <div>
            <dt>{t("eventsPerSecond")}</dt>
            <dd data-testid="counter-events" data-value={counters?.eventsPerSecond}>
              {show(counters?.eventsPerSecond)}
            </dd>
          </div>
          <div>
            <dt>{t("detectionsPerSecond")}</dt>
            <dd data-testid="counter-detections" data-value={counters?.detectionsPerSecond}>
              {show(counters?.detectionsPerSecond)}
            </dd>
          </div>
          <div>
            <dt>{t("camerasOnline")}</dt>
            <dd data-testid="counter-cameras-online" data-value={camerasOnline} data-total={camerasTotal}>
              {show(camerasOnline)} / {show(camerasTotal)}
            </dd>
          </div>
          <div>
            <dt>{t("openIncidents")}</dt>
            <dd data-testid="counter-open-incidents" data-value={openIncidents}>
              {show(openIncidents)}
            </dd>
          </div>
        </dl>
      </section>
      <ConnectionStatus />
      <LanguageSelect />
      <ThemeSelect />
      <div className="user">
        <span>{t("signedInAs", { name: user.displayName || user.username })}</span>
        <button type="button" className="button" data-testid="sign-out" onClick={onSignOut}>
          {t("signOut")}
        </button>
      </div>
    </header>
  );
}

/** Cameras online (as the gateway counts them: online or degraded, i.e. still sending) and open incidents. */
function useLiveCounts(): { camerasOnline: number; camerasTotal: number; openIncidents: number } | null {
  const { store } = useLive();
  const cameras = store.cameras();
  const incidents = store.incidents();
  const onlineCount = useMemo(() => {
    const counts = countCameraStates(cameras);
    return counts.online + counts.degraded;
  }, [cameras]);
  if (!store.hasSnapshot) return null;
  return { camerasOnline: onlineCount, camerasTotal: cameras.length, openIncidents: incidents.length };
}

function ConnectionStatus() {
  const { t } = useI18n();
  const { connection } = useLive();
  const status = useSyncStatus(connection.sync);
  return (
    <p
      className={`connection connection-${status.state}`}
      data-testid="connection-status"
      data-state={status.state}
      data-epoch={status.epoch ?? ""}
      data-seq={status.seq}
      role="status"
    >
      <span className="dot" aria-hidden="true" />
      <span className="visually-hidden">{t("connection")}: </span>
      {t(`connection_${status.state}`)}
    </p>
  );
}

/** Links between the views: plain links to #/… (keyboard and history work as for any link). */
function ViewNav({ view }: { view: View }) {
  const { t } = useI18n();
  const { user } = useLive();
  const canAudit = user.roles.some((role) => (AUDIT_ROLES as readonly string[]).includes(role));
  const views: { view: View; label: string; testId: string }[] = [
    { view: "live", label: t("navLive"), testId: "nav-live" },
    { view: "cameras", label: t("navCameras"), testId: "nav-cameras" },
    { view: "cases", label: t("navCases"), testId: "nav-cases" },
    { view: "history", label: t("navHistory"), testId: "nav-history" },
    ...(canSeeRules(user) ? [{ view: "rules" as const, label: t("navRules"), testId: "nav-rules" }] : []),
    ...(canAudit ? [{ view: "audit" as const, label: t("navAudit"), testId: "nav-audit" }] : []),
    ...(canOpenAlerts(user) ? [{ view: "alerts" as const, label: t("navAlerts"), testId: "nav-alerts" }] : []),
    ...(canSeeWatchList(user)
      ? [{ view: "watch-list" as const, label: t("navWatchList"), testId: "nav-watch-list" }]
      : []),
  ];
  return (
    <nav className="view-nav" aria-label={t("navViews")}>
      <ul>
        {views.map((item) => (
          <li key={item.view}>
            <a
              href={VIEW_HASH[item.view]}
              data-testid={item.testId}
              aria-current={item.view === view ? "page" : undefined}
            >
              {item.label}
            </a>
          </li>
        ))}
      </ul>
    </nav>
  );
}
