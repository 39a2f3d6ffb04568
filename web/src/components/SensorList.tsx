import type { SensorSummary } from "@hub/contracts";
import { useEffect, useMemo, useState } from "react";
import { useI18n } from "../i18n/I18nProvider";
import { useLive } from "./LiveContext";

/** Silence is decided by the correlator's sweep (every 15 s by default); the list follows it at this pace. */
const REFRESH_MS = 30_000;

/**
 * The sensors as buttons, silent ones first: the keyboard way to a sensor's panel, and where a silent sensor shows
 * for those who cannot see the map. `onSensors` passes each fetched list on (the map draws the silent ones).
 */
export function SensorList({
  selectedId,
  onSelectSensor,
  onSensors,
}: {
  selectedId: string | null;
  onSelectSensor(id: string): void;
  onSensors(sensors: SensorSummary[]): void;
}) {
  const { t } = useI18n();
  const { api } = useLive();
  const [sensors, setSensors] = useState<SensorSummary[] | null>(null);

  useEffect(() => {
    let cancelled = false;
    const load = () =>
      api
        .sensors()
        .then((list) => {
          if (cancelled) return;
          setSensors(list);
          onSensors(list);
        })
        .catch(() => undefined);
    void load();
    const timer = setInterval(load, REFRESH_MS);
    return () => {
      cancelled = true;
      clearInterval(timer);
    };
  }, [api, onSensors]);

  const ordered = useMemo(
    () =>
      [...(sensors ?? [])].sort(
        (a, b) => Number(Boolean(b.silentSince)) - Number(Boolean(a.silentSince)) || a.name.localeCompare(b.name),
      ),
    [sensors],
  );
  const silent = ordered.filter((sensor) => sensor.silentSince).length;

  return (
    <aside className="panel sensor-list-panel" aria-labelledby="sensor-list-heading">
      <h2 id="sensor-list-heading">{t("sensorListHeading")}</h2>
      {sensors === null ? (
        <p className="muted">{t("loading")}</p>
      ) : ordered.length === 0 ? (
        <p className="muted">{t("sensorListEmpty")}</p>
      ) : (
        <details>
          <summary>
            {ordered.length} · {t("sensorListSilent", { count: silent })}
          </summary>
          <ul className="camera-items" data-testid="sensor-list">
            {ordered.map((sensor) => (
              <li key={sensor.id}>
                <button
                  type="button"
                  className="link-button"
                  aria-pressed={sensor.id === selectedId}
                  onClick={() => onSelectSensor(sensor.id)}
                >
                  <span className={`badge camera-${sensor.silentSince ? "silent" : "online"}`}>
                    {t(sensor.silentSince ? "sensorStatus_silent" : "sensorStatus_reporting")}
                  </span>{" "}
                  {sensor.name}
                </button>
              </li>
            ))}
          </ul>
        </details>
      )}
    </aside>
  );
}
