import { useI18n } from "../i18n/I18nProvider";
import { SeverityBadge } from "./Badges";
import { useLive } from "./LiveContext";

/** Active civil-protection alerts (the filled areas on the map), in the chosen language. */
export function AlertList() {
  const { t, language, format } = useI18n();
  const { store } = useLive();
  const alerts = store.alerts();
  return (
    <aside className="panel alert-panel" aria-labelledby="alerts-heading">
      <h2 id="alerts-heading">
        {t("alertsHeading")} <span className="count">({alerts.length})</span>
      </h2>
      {alerts.length === 0 ? (
        <p className="muted">{t("noAlerts")}</p>
      ) : (
        <ul className="alert-items">
          {alerts.map((alert) => (
            <li key={alert.id} className={`alert-item severity-edge-${alert.severity}`}>
              <p className="alert-head">
                <SeverityBadge severity={alert.severity} /> <strong>{alert.event[language]}</strong>
              </p>
              <p>{alert.headline[language]}</p>
              <p className="muted">
                {alert.areas.map((area) => area.description[language]).join(" · ")}
                {alert.expires && <> · {t("alertExpires", { time: format.dateTime(alert.expires) })}</>}
              </p>
            </li>
          ))}
        </ul>
      )}
    </aside>
  );
}
