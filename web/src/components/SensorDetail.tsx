import type { SensorDetail as SensorDetailData } from "@hub/contracts";
import { useEffect, useState } from "react";
import { describeError } from "../api";
import { useI18n } from "../i18n/I18nProvider";
import { DetailPanel } from "./DetailPanel";
import type { Loadable } from "./hooks";
import { useLive } from "./LiveContext";
import { SensorChart } from "./SensorChart";

/** The chart's buckets are 5 minutes: fetching more often than once a minute shows nothing new. */
const REFETCH_MS = 60_000;

/** A sensor's panel: whether it is heard, the latest reading of each datastream, its last 24 hours. */
export function SensorDetail({ id, onClose }: { id: string; onClose(): void }) {
  const { t, tOr, format } = useI18n();
  const { api } = useLive();
  const [detail, setDetail] = useState<Loadable<SensorDetailData>>({ state: "loading" });

  useEffect(() => {
    let cancelled = false;
    const load = () =>
      api
        .sensor(id)
        .then((value) => {
          if (!cancelled) setDetail({ state: "loaded", value });
        })
        .catch((error: unknown) => {
          if (!cancelled)
            setDetail((previous) => (previous.state === "loaded" ? previous : { state: "failed", error }));
        });
    void load();
    const timer = setInterval(load, REFETCH_MS);
    return () => {
      cancelled = true;
      clearInterval(timer);
    };
  }, [api, id]);

  const loaded = detail.state === "loaded" ? detail.value : null;
  const sensor = loaded?.sensor;
  const headingId = `sensor-${id}-heading`;
  return (
    <DetailPanel
      testId="sensor-detail"
      headingId={headingId}
      heading={sensor?.name ?? t("sensorDetail")}
      onClose={onClose}
    >
      {!loaded || !sensor ? (
        detail.state === "failed" ? (
          <p role="alert" className="error">
            {t("loadFailed", { detail: describeError(detail.error).detail })}
          </p>
        ) : (
          <p className="muted">{t("loading")}</p>
        )
      ) : (
        <>
          <p data-testid="sensor-health">
            <span className={`badge camera-${sensor.silentSince ? "silent" : "online"}`}>
              {t(sensor.silentSince ? "sensorStatus_silent" : "sensorStatus_reporting")}
            </span>{" "}
            {sensor.silentSince
              ? t("sensorSilentSince", { time: format.dateTime(sensor.silentSince) })
              : sensor.lastHeardAt
                ? t("sensorHeard", { time: format.dateTime(sensor.lastHeardAt) })
                : t("sensorNeverHeard")}
          </p>
          <p className="muted">{sensor.district}</p>
          {loaded.datastreams.map((datastream) => {
            const kind = tOr(`sensor_${datastream.kind}`, datastream.kind);
            return (
              <section key={datastream.id} className="sensor-datastream" data-testid={`datastream-${datastream.id}`}>
                <h3>{kind}</h3>
                <p data-testid="sensor-latest">
                  {datastream.latest
                    ? t("sensorLatest", {
                        value: format.number(datastream.latest.value),
                        unit: datastream.unit,
                        time: format.dateTime(datastream.latest.observedAt),
                      })
                    : t("sensorNoReading")}
                </p>
                <SensorChart
                  title={t("sensorChartTitle", { kind, unit: datastream.unit })}
                  unit={datastream.unit}
                  series={datastream.series}
                  from={loaded.from}
                  to={loaded.to}
                />
              </section>
            );
          })}
        </>
      )}
    </DetailPanel>
  );
}
